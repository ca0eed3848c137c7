// One result of a step, drawn by kind. The runtime already masked secrets;
// this only chooses the component.
import { Box, Text } from 'ink';
import React from 'react';
import type { StepResult } from '../../runtime/types.js';
import { CallCounter } from '../calls/call-counter.js';
import { Markdown } from '../markdown/markdown.js';
import { tone } from '../theme.js';
import { DiffView } from './diff-view.js';
import { ExpectedError } from './expected-error.js';
import { HexDump } from './hex-dump.js';
import { JsonView } from './json-view.js';
import { Spinner } from './spinner.js';
import { TableView } from './table-view.js';

export function ResultView({ result, width = 80, highlight, live = false }: { result: StepResult; width?: number; highlight?: string; live?: boolean }) {
  switch (result.kind) {
    case 'text':
      return (
        <Box>
          {result.tone === 'ok' ? <Text color={tone('ok')}>✔ </Text> : result.tone === 'warn' ? <Text color={tone('warn')}>! </Text> : null}
          <Markdown text={result.text} />
        </Box>
      );
    case 'table':
      return <TableView title={result.title} columns={result.columns} rows={result.rows} width={width} />;
    case 'json':
      return <JsonView title={result.title} value={result.value} />;
    case 'hexdump':
      return <HexDump title={result.title ?? result.path} bytes={result.bytes} totalBytes={result.totalBytes} width={width} />;
    case 'diff':
      return <DiffView before={result.before} after={result.after} identical={result.identical} lines={result.lines} />;
    case 'counter':
      return <CallCounter title={result.title ?? 'Calls by operation'} counts={result.counts} highlight={highlight} />;
    case 'expectedError':
      return <ExpectedError code={result.code} message={result.message} why={result.why} fix={result.fix} operation={result.operation} />;
    case 'wait':
      return live ? (
        <Spinner label={waitLabel(result)} />
      ) : (
        <Text>
          <Text color={tone('ok')}>✔</Text> {waitLabel(result)}
        </Text>
      );
    case 'file':
      return (
        <Text>
          <Text color={tone('accent')}>wrote</Text> {result.path} <Text color={tone('muted')}>({result.bytes} bytes)</Text>
          {result.note ? ` ${result.note}` : ''}
        </Text>
      );
    case 'check':
      return (
        <Text>
          <Text bold color={result.ok ? tone('ok') : tone('error')}>
            {result.ok ? '✔' : '✘'} {result.label}
          </Text>
          {result.detail ? <Text color={tone('muted')}> {result.detail}</Text> : null}
        </Text>
      );
  }
}

function waitLabel(result: Extract<StepResult, { kind: 'wait' }>): string {
  const span = result.seconds >= 60 ? `${Math.round(result.seconds / 60)} min` : `${result.seconds} s`;
  return result.fastForwarded ? `${result.label}: fast-forwarded the engine clock ${span}` : `${result.label}: waiting up to ${span}`;
}

/** A step's results, one under another, with a blank line between. */
export function ResultList({ results, width, highlight }: { results: readonly StepResult[]; width?: number; highlight?: string }) {
  return (
    <Box flexDirection="column">
      {results.map((result, i) => (
        <Box key={i} marginTop={i === 0 ? 0 : 1}>
          <ResultView result={result} width={width} highlight={highlight} />
        </Box>
      ))}
    </Box>
  );
}
