import { Box } from 'ink';
import { render } from 'ink-testing-library';
import React from 'react';
import { expect, test } from 'vitest';
import { CodeBlock } from '../../src/tui/code/code-block.js';

// A line wider than a 40-column panel: identifiers and strings that must stay whole.
const LONG = `export async function step({kms}: StepContext) {
    const {CiphertextBlob} = await kms.send(new EncryptCommand({KeyId: 'alias/kms_key_cse_usecase_4', EncryptionContext: {project: 'kmsworkshop'}}));
}`;
const CLI = `aws kms encrypt --key-id alias/ImportedCMK --plaintext fileb://NewSecretFile.txt --encryption-context project=kmsworkshop`;

function rows(frame: string) {
  return frame.split('\n');
}

test('a code line wider than its panel breaks between tokens, never inside an identifier or a string', () => {
  const { lastFrame } = render(
    <Box width={40}>
      <CodeBlock source={LONG} language="ts" />
    </Box>,
  );
  const frame = lastFrame()!;
  for (const token of ['CiphertextBlob', 'EncryptCommand', "'alias/kms_key_cse_usecase_4'", 'EncryptionContext', "'kmsworkshop'"])
    expect(rows(frame).some((r) => r.includes(token)), `${token} whole on one row\n${frame}`).toBe(true);
  expect(rows(frame).every((r) => r.length <= 40)).toBe(true);
});

test("a wrapped code line's continuations hang under its own indentation, not at column 0", () => {
  const { lastFrame } = render(
    <Box width={40}>
      <CodeBlock source={LONG} language="ts" />
    </Box>,
  );
  const lines = rows(lastFrame()!);
  const first = lines.findIndex((r) => r.includes('const {CiphertextBlob}'));
  const last = lines.findIndex((r) => r.startsWith('}'));
  expect(last - first).toBeGreaterThan(2);
  for (const continuation of lines.slice(first + 1, last)) expect(continuation).toMatch(/^ {8}\S/);
});

test('an AWS CLI command wraps at its spaces, each flag and value whole, indented', () => {
  const { lastFrame } = render(
    <Box width={44}>
      <CodeBlock source={CLI} language="sh" />
    </Box>,
  );
  const lines = rows(lastFrame()!);
  expect(lines.length).toBeGreaterThan(2);
  for (const token of ['--encryption-context', 'project=kmsworkshop', 'fileb://NewSecretFile.txt', 'alias/ImportedCMK'])
    expect(lines.some((r) => r.includes(token)), `${token}\n${lines.join('\n')}`).toBe(true);
  for (const continuation of lines.slice(1)) expect(continuation).toMatch(/^ {4}\S/);
});
