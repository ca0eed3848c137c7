// Two files compared line by line: "identical" in one clear line when they are,
// otherwise the changed lines marked - and + with a little context.
import { Box, Text } from 'ink';
import React from 'react';
import type { DiffLine } from '../../runtime/types.js';
import { tone } from '../theme.js';

export interface DiffViewProps {
  before: string;
  after: string;
  identical: boolean;
  lines: DiffLine[];
  context?: number;
}

export function DiffView({ before, after, identical, lines, context = 2 }: DiffViewProps) {
  return (
    <Box flexDirection="column">
      <Text>
        <Text bold>diff</Text> <Text color={tone('removed')}>{before}</Text> <Text color={tone('added')}>{after}</Text>
      </Text>
      {identical ? (
        <Text bold color={tone('ok')}>
          ✔ identical: not one byte differs
        </Text>
      ) : (
        visible(lines, context).map((line, i) =>
          line === null ? (
            <Text key={i} color={tone('muted')}>
              ⋯
            </Text>
          ) : (
            <Text key={i} color={line.kind === 'added' ? tone('added') : line.kind === 'removed' ? tone('removed') : tone('muted')}>
              {line.kind === 'added' ? '+ ' : line.kind === 'removed' ? '- ' : '  '}
              {line.text}
            </Text>
          ),
        )
      )}
    </Box>
  );
}

/** Changed lines with `context` unchanged lines around them; null marks lines left out. */
export function visible(lines: DiffLine[], context: number): Array<DiffLine | null> {
  const keep = lines.map(() => false);
  lines.forEach((line, i) => {
    if (line.kind === 'same') return;
    for (let j = Math.max(0, i - context); j <= Math.min(lines.length - 1, i + context); j++) keep[j] = true;
  });
  const out: Array<DiffLine | null> = [];
  lines.forEach((line, i) => {
    if (keep[i]) out.push(line);
    else if (out.at(-1) !== null) out.push(null);
  });
  return out;
}
