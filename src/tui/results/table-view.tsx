// A small table with columns as wide as their widest cell (capped); the last
// column gives way so a row never runs past the panel and wraps.
import { Box, Text } from 'ink';
import React from 'react';
import { tone } from '../theme.js';

export function TableView({ title, columns, rows, maxColumnWidth = 40, width = 80 }: { title?: string; columns: string[]; rows: string[][]; maxColumnWidth?: number; width?: number }) {
  const widths = columns.map((c, i) => Math.min(maxColumnWidth, Math.max(c.length, ...rows.map((r) => (r[i] ?? '').length))) + 2);
  const others = widths.slice(0, -1).reduce((a, b) => a + b, 0);
  if (widths.length > 0 && others + widths.at(-1)! > width) widths[widths.length - 1] = Math.max(8, width - others);
  return (
    <Box flexDirection="column">
      {title ? <Text bold>{title}</Text> : null}
      <Box>
        {columns.map((c, i) => (
          <Box key={i} width={widths[i]} flexShrink={0}>
            <Text bold color={tone('accent')} wrap="truncate-end">
              {c}
            </Text>
          </Box>
        ))}
      </Box>
      {rows.map((row, r) => (
        <Box key={r}>
          {columns.map((_, i) => (
            <Box key={i} width={widths[i]} flexShrink={0}>
              <Text wrap="truncate-end">{row[i] ?? ''}</Text>
            </Box>
          ))}
        </Box>
      ))}
    </Box>
  );
}
