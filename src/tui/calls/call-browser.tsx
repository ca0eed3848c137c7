// The step's calls, one of them opened in full: what the call log has to cut
// on a narrow screen (the whole key ARN, an encryption context such as S3's
// aws:s3:arn, an error's message) and the request and response themselves,
// secrets already masked by the runtime (capture.ts). ↑↓ choose a call, Enter
// opens it, Esc goes back: from the call to the list, from the list to the step.
import { Box, Text, useInput } from 'ink';
import React, { useEffect, useState } from 'react';
import { maskSecret, SECRET_FIELDS } from '../../mask.js';
import type { ApiCall, JsonValue } from '../../runtime/types.js';
import { useListSelection } from '../hooks/use-list-selection.js';
import { useScroll } from '../hooks/use-scroll.js';
import { ScrollHint, ScrollPanel } from '../layout/scroll-panel.js';
import { JsonView } from '../results/json-view.js';
import { tone } from '../theme.js';
import { callerLabel, contextLabel, keyLabel } from './call-log.js';

export interface CallBrowserProps {
  calls: readonly ApiCall[];
  width: number;
  height: number;
  active?: boolean;
  onClose: () => void;
}

export function CallBrowser({ calls, width, height, active = true, onClose }: CallBrowserProps) {
  const [open, setOpen] = useState<number | null>(null);
  const { selected } = useListSelection(calls.length, { initial: calls.length - 1, active: active && open === null, onChoose: (i) => setOpen(i) });
  useInput(
    (_, key) => {
      if (!key.escape) return;
      if (open !== null) setOpen(null);
      else onClose();
    },
    { isActive: active },
  );
  if (open !== null && calls[open]) return <CallDetail call={calls[open]!} width={width} height={height} active={active} />;
  const rows = Math.max(1, height - 1);
  const first = Math.max(0, Math.min(selected - Math.floor(rows / 2), calls.length - rows));
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text color={tone('muted')}>{calls.length ? 'The calls of this step: ↑↓ choose, Enter opens one in full, Esc back' : 'This step made no API calls. Esc back'}</Text>
      {calls.slice(first, first + rows).map((call, i) => {
        const chosen = first + i === selected;
        return (
          <Text key={call.seq} wrap="truncate-end" color={chosen ? tone('accent') : undefined} bold={chosen}>
            {chosen ? '› ' : '  '}
            <Text color={call.outcome.ok ? tone('ok') : tone('error')}>{call.outcome.ok ? '✔' : '✘'}</Text> {call.operation} {callerLabel(call.caller)}
            {call.outcome.ok ? '' : ` ${call.outcome.code}`} {[keyLabel(call), contextLabel(call.encryptionContext)].filter(Boolean).join(' ')}
          </Text>
        );
      })}
    </Box>
  );
}

/** Secrets are masked when captured; a call from elsewhere is masked again here, so none can show. */
function masked(value: JsonValue, key?: string): JsonValue {
  if (key !== undefined && SECRET_FIELDS.has(key) && typeof value === 'string' && !value.includes('**...**')) return maskSecret(value);
  if (Array.isArray(value)) return value.map((v) => masked(v));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, masked(v, k)]));
  return value;
}

function CallDetail({ call, width, height, active }: { call: ApiCall; width: number; height: number; active: boolean }) {
  const panel = Math.max(2, height - 2);
  const scroll = useScroll(panel, { active });
  useEffect(() => scroll.reset(), [call.seq]);
  const field = (name: string, value: string | undefined) =>
    value ? (
      <Box key={name}>
        <Box width={12} flexShrink={0}>
          <Text color={tone('muted')}>{name}</Text>
        </Box>
        <Text>{value}</Text>
      </Box>
    ) : null;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text wrap="truncate-end">
        <Text bold>{call.operation}</Text>
        <Text color={tone('muted')}> · {call.service} · ↑↓ scroll, Esc back to the calls</Text>
      </Text>
      <ScrollPanel height={panel} offset={scroll.offset} onContentHeight={scroll.setContentHeight}>
        {field('outcome', call.outcome.ok ? 'ok' : `${call.outcome.code}${call.outcome.message ? `: ${call.outcome.message}` : ''}`)}
        {field('by', `${callerLabel(call.caller)}${call.client ? ` (${call.client})` : ''}`)}
        {field('at', `${call.time}${call.durationMs ? `, ${call.durationMs} ms` : ''}`)}
        {field('key', call.keyId)}
        {field('alias', call.alias)}
        {field('object', call.bucket ? `s3://${call.bucket}${call.objectKey ? `/${call.objectKey}` : ''}` : undefined)}
        {call.encryptionContext && Object.keys(call.encryptionContext).length ? (
          <Box flexDirection="column">
            <Text color={tone('muted')}>encryption context</Text>
            {Object.entries(call.encryptionContext).map(([k, v]) => (
              <Box key={k} paddingLeft={2}>
                <Text>
                  <Text color={tone('key')}>{k}</Text> = {v}
                </Text>
              </Box>
            ))}
          </Box>
        ) : null}
        {field('request id', call.requestId)}
        <Box marginTop={1} flexDirection="column">
          {call.request !== undefined ? <JsonView title="Request" value={masked(call.request)} /> : <Text color={tone('muted')}>The request was not recorded (a call followed from the engine).</Text>}
        </Box>
        {call.response !== undefined ? (
          <Box marginTop={1} flexDirection="column">
            <JsonView title="Response" value={masked(call.response)} />
          </Box>
        ) : null}
      </ScrollPanel>
      <ScrollHint offset={scroll.offset} height={panel} contentHeight={scroll.contentHeight} />
    </Box>
  );
}
