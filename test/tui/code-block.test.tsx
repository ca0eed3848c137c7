import { render } from 'ink-testing-library';
import React from 'react';
import { expect, test } from 'vitest';
import { CodeBlock } from '../../src/tui/code/code-block.js';
import { highlight } from '../../src/tui/code/highlight.js';

const STEP = `export async function generateDataKey({kms, show}: StepContext) {
  // the plaintext key is masked on screen
  const {Plaintext} = await kms.send(new GenerateDataKeyCommand({KeyId: 'alias/ImportedCMK', KeySpec: 'AES_256'}));
  return show.json({Plaintext, n: 42});
}`;

test('shows every line of a step function, with line numbers when asked', () => {
  const { lastFrame } = render(<CodeBlock source={STEP} language="ts" lineNumbers />);
  const lines = lastFrame()!.split('\n');
  expect(lines[0]).toBe('1 export async function generateDataKey({kms, show}: StepContext) {');
  expect(lastFrame()).toContain("alias/ImportedCMK");
  expect(lines.at(-1)).toBe('5 }');
});

test('colours TypeScript by kind: keywords, strings, comments, calls, types, numbers', () => {
  const spans = highlight(STEP, 'ts').flat();
  const kindOf = (text: string) => spans.find((s) => s.text === text)?.kind;
  expect(kindOf('export')).toBe('keyword');
  expect(kindOf('await')).toBe('keyword');
  expect(kindOf("'alias/ImportedCMK'")).toBe('string');
  expect(kindOf('// the plaintext key is masked on screen')).toBe('comment');
  expect(kindOf('generateDataKey')).toBe('function');
  expect(kindOf('StepContext')).toBe('type');
  expect(kindOf('42')).toBe('number');
  expect(kindOf('kms')).toBe('plain');
});

test('colours a shell command: the command, its flags and quoted values, across continuation lines', () => {
  const lines = highlight(`aws kms encrypt \\\n  --key-id alias/x \\\n  --encryption-context project=kmsworkshop --plaintext 'hi there' # note`, 'sh');
  const spans = lines.flat();
  expect(spans.find((s) => s.text === 'aws')?.kind).toBe('command');
  expect(spans.find((s) => s.text === 'kms')?.kind).toBe('plain');
  expect(spans.find((s) => s.text === '--key-id')?.kind).toBe('flag');
  expect(spans.find((s) => s.text === '--encryption-context')?.kind).toBe('flag');
  expect(spans.find((s) => s.text === "'hi there'")?.kind).toBe('string');
  expect(spans.find((s) => s.text === '# note')?.kind).toBe('comment');
  expect(lines).toHaveLength(3);
});

test('unterminated strings and unknown languages do not throw', () => {
  expect(() => highlight('const a = "open', 'ts')).not.toThrow();
  expect(highlight('a\nb', 'plain')).toEqual([[{ text: 'a', kind: 'plain' }], [{ text: 'b', kind: 'plain' }]]);
});
