// Below this size the screens cannot lay themselves out: say so, and what to do,
// instead of drawing a cut-off frame. The app redraws as soon as the window grows.
import { Box, Text } from 'ink';
import React from 'react';
import type { TerminalSize } from '../hooks/use-terminal-size.js';
import { tone } from '../theme.js';

export const MIN_SIZE: TerminalSize = { columns: 60, rows: 18 };

export function isTooSmall(size: TerminalSize, min: TerminalSize = MIN_SIZE): boolean {
  return size.columns < min.columns || size.rows < min.rows;
}

export function TooSmall({ size, min = MIN_SIZE }: { size: TerminalSize; min?: TerminalSize }) {
  return (
    <Box flexDirection="column" width={Math.max(20, size.columns)}>
      <Text bold color={tone('warn')}>
        Terminal too small
      </Text>
      <Text>
        This window is {size.columns}x{size.rows}; kms-workshop needs at least {min.columns}x{min.rows} (80x24 is best).
      </Text>
      <Text color={tone('muted')}>Make the window larger and the tutorial comes back where you were, or press q to quit.</Text>
    </Box>
  );
}
