// How many times each API operation was called, biggest first. The point of the
// caching lesson is one number (GenerateDataKey: 1 for two encrypts), so each
// count stands in bold in its own column, and the operation the lesson is
// about can be singled out.
import { Box, Text } from 'ink';
import React from 'react';
import { tone } from '../theme.js';

export function countByOperation(calls: ReadonlyArray<{ operation: string }>): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const call of calls) counts.set(call.operation, (counts.get(call.operation) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

export function CallCounter({ calls, highlight }: { calls: ReadonlyArray<{ operation: string }>; highlight?: string }) {
  const counts = countByOperation(calls);
  if (counts.length === 0) return <Text color={tone('muted')}>no API calls yet</Text>;
  const width = Math.max(...counts.map(([op]) => op.length)) + 2;
  return (
    <Box flexDirection="column">
      {counts.map(([operation, n]) => {
        const marked = operation === highlight;
        return (
          <Box key={operation}>
            <Box width={width} flexShrink={0}>
              <Text bold={marked} color={marked ? tone('warn') : undefined}>
                {operation}
              </Text>
            </Box>
            <Text bold inverse={marked} color={marked ? tone('warn') : tone('accent')}>
              {marked ? ` ${n} ` : n}
            </Text>
            {marked ? <Text color={tone('warn')}> ◀ {n === 1 ? 'one call' : `${n} calls`}</Text> : null}
          </Box>
        );
      })}
    </Box>
  );
}
