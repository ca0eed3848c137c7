// How many times each API operation was called, biggest first. The point of the
// caching lesson is one number (GenerateDataKey: 1 for two encrypts), so each
// count stands in bold in its own column, and the operation the lesson is
// about can be singled out. Calls a service made on the learner's behalf are
// counted apart and say by whom.
import { Box, Text } from 'ink';
import React from 'react';
import type { ApiCall, CallCount } from '../../runtime/types.js';
import { tone } from '../theme.js';

export function countCalls(calls: ReadonlyArray<Pick<ApiCall, 'operation' | 'caller'>>): CallCount[] {
  const counts = new Map<string, CallCount>();
  for (const call of calls) {
    const key = `${call.operation}\u0000${call.caller}`;
    const entry = counts.get(key) ?? { operation: call.operation, caller: call.caller, count: 0 };
    entry.count++;
    counts.set(key, entry);
  }
  return [...counts.values()].sort((a, b) => b.count - a.count || a.operation.localeCompare(b.operation) || String(a.caller).localeCompare(String(b.caller)));
}

export interface CallCounterProps {
  /** Either the calls to count, or counts already made (a step's `counter` result). */
  calls?: ReadonlyArray<Pick<ApiCall, 'operation' | 'caller'>>;
  counts?: readonly CallCount[];
  /** The operation the lesson is about: drawn so it cannot be missed. */
  highlight?: string;
  title?: string;
  /** For a narrow side panel: the highlighted count gets a mark, not words. */
  compact?: boolean;
}

/** Columns the counter needs, so a side panel can be just that wide. */
export function counterWidth(rows: readonly CallCount[], { highlight, compact = false }: { highlight?: string; compact?: boolean } = {}): number {
  const opWidth = Math.max(0, ...rows.map((r) => r.operation.length)) + 2;
  return Math.max(
    18,
    ...rows.map(
      (r) =>
        opWidth +
        String(r.count).length +
        (r.operation === highlight ? 2 + (compact ? 2 : 11) : 0) +
        (r.caller !== 'you' ? (compact ? 3 + shortCaller(r.caller).length : 4 + String(r.caller).length) : 0),
    ),
  );
}

/** 's3.amazonaws.com' -> 's3': enough in a narrow panel, the call log spells it out. */
function shortCaller(caller: string): string {
  return caller.split('.')[0] ?? caller;
}

export function CallCounter({ calls, counts, highlight, title, compact = false }: CallCounterProps) {
  const rows = counts ? [...counts] : countCalls(calls ?? []);
  if (rows.length === 0) return <Text color={tone('muted')}>{title ? `${title}: ` : ''}no API calls yet</Text>;
  const width = Math.max(...rows.map((r) => r.operation.length)) + 2;
  return (
    <Box flexDirection="column">
      {title ? <Text bold>{title}</Text> : null}
      {rows.map((row) => {
        const marked = row.operation === highlight;
        return (
          <Box key={`${row.operation}/${row.caller}`}>
            <Box width={width} flexShrink={0}>
              <Text bold={marked} color={marked ? tone('warn') : undefined}>
                {row.operation}
              </Text>
            </Box>
            <Text bold inverse={marked} color={marked ? tone('warn') : tone('accent')}>
              {marked ? ` ${row.count} ` : row.count}
            </Text>
            {row.caller !== 'you' ? <Text color={tone('muted')}>{compact ? ` (${shortCaller(row.caller)})` : ` by ${row.caller}`}</Text> : null}
            {marked ? <Text color={tone('warn')}> ◀{compact ? '' : ` ${row.count === 1 ? 'one call' : `${row.count} calls`}`}</Text> : null}
          </Box>
        );
      })}
    </Box>
  );
}
