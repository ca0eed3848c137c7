// Source code with colours and optional line numbers. Long lines wrap rather than
// push the layout wider than the terminal: at token boundaries, with a hanging
// indent (wrap.ts), to the width given or else the width the block was laid out at.
import { Box, measureElement, Text, type DOMElement } from 'ink';
import React, { useLayoutEffect, useMemo, useRef, useState } from 'react';
import { tone, type Tone } from '../theme.js';
import { highlight, languageOf, type SpanKind } from './highlight.js';
import { wrapLine } from './wrap.js';

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

export function CodeBlock({ source, language, lineNumbers = false, width }: { source: string; language?: string; lineNumbers?: boolean; width?: number }) {
  const lines = useMemo(() => highlight(source.replace(/\s+$/, ''), languageOf(language)), [source, language]);
  const gutter = String(lines.length).length;
  const box = useRef<DOMElement>(null);
  const [laidOut, setLaidOut] = useState(0);
  useLayoutEffect(() => {
    if (width !== undefined || !box.current) return;
    const w = measureElement(box.current).width;
    if (w !== laidOut) setLaidOut(w);
  });
  const columns = (width ?? laidOut) - (lineNumbers ? gutter + 1 : 0);
  return (
    <Box ref={box} flexDirection="column" flexGrow={1}>
      {lines.map((spans, i) =>
        (columns > 0 ? wrapLine(spans, columns) : [spans]).map((row, r) => (
          <Box key={`${i}/${r}`}>
            {lineNumbers && (
              <Box width={gutter + 1} flexShrink={0}>
                <Text color={tone('muted')}>{r === 0 ? String(i + 1).padStart(gutter) : ''}</Text>
              </Box>
            )}
            <Text wrap="truncate-end">
              {row.length === 0
                ? ' '
                : row.map((s, j) => (
                    <Text key={j} color={TONES[s.kind] && tone(TONES[s.kind]!)} italic={s.kind === 'comment'}>
                      {s.text}
                    </Text>
                  ))}
            </Text>
          </Box>
        )),
      )}
    </Box>
  );
}
