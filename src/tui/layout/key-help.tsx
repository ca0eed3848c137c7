// The keys a screen answers to: a one-line footer, and the full list behind `?`.
import { Box, Text } from 'ink';
import React from 'react';
import { tone } from '../theme.js';

export interface KeyBinding {
  keys: string;
  does: string;
}

export function KeyBar({ bindings }: { bindings: KeyBinding[] }) {
  return (
    <Text wrap="truncate-end">
      {bindings.map((b, i) => (
        <Text key={b.keys}>
          {i > 0 ? '  ' : ''}
          <Text bold color={tone('key')}>
            {b.keys}
          </Text>{' '}
          <Text color={tone('muted')}>{b.does}</Text>
        </Text>
      ))}
    </Text>
  );
}

export function KeyHelp({ bindings }: { bindings: KeyBinding[] }) {
  const width = Math.max(...bindings.map((b) => b.keys.length)) + 2;
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1}>
      <Text bold>Keys</Text>
      {bindings.map((b) => (
        <Box key={b.keys}>
          <Box width={width} flexShrink={0}>
            <Text bold color={tone('key')}>
              {b.keys}
            </Text>
          </Box>
          <Text>{b.does}</Text>
        </Box>
      ))}
      <Text color={tone('muted')}>any key closes this</Text>
    </Box>
  );
}
