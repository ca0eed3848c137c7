// The API calls as they happen, newest last: outcome, operation, who called
// (the learner's code, or a service on their behalf: S3 calling KMS for
// SSE-KMS), the error if any, then the key (alias when the code named one) and
// the encryption context, which are the first to be cut on a narrow screen.
import { Box, Text } from 'ink';
import React from 'react';
import type { ApiCall } from '../../runtime/types.js';
import { tone } from '../theme.js';

/** What the call was about: the S3 object (for S3 calls), then the KMS key, by alias when the code named one. */
export function keyLabel(call: Pick<ApiCall, 'alias' | 'keyId' | 'bucket' | 'objectKey'>): string {
  const object = call.bucket ? (call.objectKey ? `s3://${call.bucket}/${call.objectKey}` : `s3://${call.bucket}`) : '';
  const key = call.alias ?? (call.keyId ? shortKey(call.keyId) : '');
  return [object, key].filter(Boolean).join(' ');
}

/** A key ARN is 75 characters; its id's first block identifies it well enough on screen. */
function shortKey(keyId: string): string {
  const m = /key\/([0-9a-f]{8})-[0-9a-f-]+$/.exec(keyId) ?? /^([0-9a-f]{8})-[0-9a-f]{4}-/.exec(keyId);
  return m ? `key ${m[1]}…` : keyId;
}

export function contextLabel(context: Record<string, string> | undefined): string {
  if (!context || Object.keys(context).length === 0) return '';
  return `{${Object.entries(context)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ')}}`;
}

/** 'you'; a service on your behalf ('s3.amazonaws.com for you'); or another identity a lesson signs as ('as kms-workshop-novice'). */
export function callerLabel(caller: string): string {
  return caller === 'you' ? 'you' : caller.endsWith('.amazonaws.com') ? `${caller} for you` : `as ${caller}`;
}

/** `empty`: what to say when there are no calls (a step that ran and made none says so). */
export function CallLog({ calls, limit, width = 80, empty }: { calls: readonly ApiCall[]; limit?: number; width?: number; empty?: string }) {
  const shown = limit !== undefined && calls.length > limit ? calls.slice(calls.length - limit) : calls;
  const hidden = calls.length - shown.length;
  if (calls.length === 0) return <Text color={tone('muted')}>{empty ?? 'no API calls yet: run the step with Enter'}</Text>;
  const opWidth = Math.min(22, Math.max(...shown.map((c) => c.operation.length)) + 1);
  return (
    <Box flexDirection="column" width={width}>
      {hidden > 0 ? <Text color={tone('muted')}>… {hidden} earlier</Text> : null}
      {shown.map((call) => (
        <Box key={call.seq}>
          <Box width={2} flexShrink={0}>
            <Text color={call.outcome.ok ? tone('ok') : tone('error')}>{call.outcome.ok ? '✔' : '✘'}</Text>
          </Box>
          <Box width={opWidth} flexShrink={0}>
            <Text bold wrap="truncate-end">
              {call.operation}
            </Text>
          </Box>
          <Text wrap="truncate-end">
            <Text color={call.caller === 'you' ? tone('muted') : tone('key')}>{callerLabel(call.caller)}{call.client ? ` (${call.client})` : ''}</Text>
            {call.outcome.ok ? null : <Text color={tone('error')}> {call.outcome.code}</Text>}{' '}
            {[keyLabel(call), contextLabel(call.encryptionContext)].filter(Boolean).join(' ')}
          </Text>
        </Box>
      ))}
    </Box>
  );
}
