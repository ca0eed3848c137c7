// Source code with colours and optional line numbers. Long lines wrap rather than
// push the layout wider than the terminal.
import { Box, Text } from 'ink';
import React, { useMemo } from 'react';
import { tone, type Tone } from '../theme.js';
import { highlight, languageOf, type SpanKind } from './highlight.js';

const TONES: Record<SpanKind, Tone | undefined> = {
  plain: undefined,
  keyword: 'key',
  string: 'ok',
  number: 'warn',
  comment: 'muted',
  function: 'accent',
  type: 'warn',
  flag: 'accent',
  command: 'heading',
};

export function CodeBlock({ source, language, lineNumbers = false }: { source: string; language?: string; lineNumbers?: boolean }) {
  const lines = useMemo(() => highlight(source.replace(/\s+$/, ''), languageOf(language)), [source, language]);
  const gutter = String(lines.length).length;
  return (
    <Box flexDirection="column">
      {lines.map((spans, i) => (
        <Box key={i}>
          {lineNumbers && (
            <Box width={gutter + 1} flexShrink={0}>
              <Text color={tone('muted')}>{String(i + 1).padStart(gutter)}</Text>
            </Box>
          )}
          <Text>
            {spans.length === 0
              ? ' '
              : spans.map((s, j) => (
                  <Text key={j} color={TONES[s.kind] && tone(TONES[s.kind]!)} italic={s.kind === 'comment'}>
                    {s.text}
                  </Text>
                ))}
          </Text>
        </Box>
      ))}
    </Box>
  );
}
