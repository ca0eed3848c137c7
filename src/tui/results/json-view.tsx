// A JSON response, pretty-printed and coloured by kind. Masking secrets is the
// runtime's job (it knows which field is a plaintext key); this only draws.
import { Box, Text } from 'ink';
import React from 'react';
import { tone } from '../theme.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Values JSON cannot hold (bytes, dates, undefined) shown the way a learner expects. */
function normalise(value: unknown): Json {
  if (value === undefined || value === null) return null;
  if (value instanceof Uint8Array) return `<${value.length} bytes>`;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(normalise);
  if (typeof value === 'object') {
    const out: { [key: string]: Json } = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) if (v !== undefined) out[k] = normalise(v);
    return out;
  }
  if (typeof value === 'bigint') return value.toString();
  return value as Json;
}

interface Line {
  indent: number;
  key?: string;
  value?: Json;
  open?: string;
  close?: string;
  comma: boolean;
}

function lines(value: Json, indent = 0, key?: string, comma = false): Line[] {
  if (Array.isArray(value) || (value && typeof value === 'object')) {
    const entries: Array<[string | undefined, Json]> = Array.isArray(value) ? value.map((v) => [undefined, v]) : Object.entries(value);
    const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
    if (entries.length === 0) return [{ indent, key, open: open + close, comma }];
    return [
      { indent, key, open, comma: false },
      ...entries.flatMap(([k, v], i) => lines(v, indent + 1, k, i < entries.length - 1)),
      { indent, close, comma },
    ];
  }
  return [{ indent, key, value, comma }];
}

export function JsonView({ value, title }: { value: unknown; title?: string }) {
  return (
    <Box flexDirection="column">
      {title ? <Text bold>{title}</Text> : null}
      {lines(normalise(value)).map((line, i) => (
        <Text key={i}>
          {'  '.repeat(line.indent)}
          {line.key !== undefined ? <Text color={tone('accent')}>{JSON.stringify(line.key)}</Text> : null}
          {line.key !== undefined ? ': ' : ''}
          {line.open ?? line.close ?? <Scalar value={line.value ?? null} />}
          {line.comma ? ',' : ''}
        </Text>
      ))}
    </Box>
  );
}

function Scalar({ value }: { value: Json }) {
  if (typeof value === 'string') return <Text color={/\*\*/.test(value) ? tone('warn') : tone('ok')}>{JSON.stringify(value)}</Text>;
  if (typeof value === 'number' || typeof value === 'boolean') return <Text color={tone('warn')}>{String(value)}</Text>;
  return <Text color={tone('muted')}>null</Text>;
}
