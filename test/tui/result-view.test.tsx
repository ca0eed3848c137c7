import { render } from 'ink-testing-library';
import React from 'react';
import { expect, test } from 'vitest';
import type { StepResult } from '../../src/runtime/types.js';
import { ResultList, ResultView } from '../../src/tui/results/result-view.js';

const frame = (result: StepResult) => render(<ResultView result={result} />).lastFrame()!;

test('an expected error reads as a lesson: the error, why, and the fix', () => {
  const f = frame({ kind: 'expectedError', operation: 'Decrypt', code: 'InvalidCiphertextException', message: 'The ciphertext refers to a customer master key that does not exist.', why: 'The data key was encrypted **with** an encryption context.', fix: 'Pass the same `EncryptionContext` to Decrypt.' });
  expect(f).toContain('Expected error from Decrypt: InvalidCiphertextException');
  expect(f).toMatch(/Why\s+The data key was encrypted with an encryption context\./);
  expect(f).toMatch(/Fix\s+Pass the same EncryptionContext to Decrypt\./);
});

test('a table lines its columns up', () => {
  const f = frame({ kind: 'table', title: 'Keys', columns: ['Alias', 'State'], rows: [['alias/a', 'Enabled'], ['alias/longer-name', 'PendingDeletion']] });
  expect(f).toBe('Keys\nAlias              State\nalias/a            Enabled\nalias/longer-name  PendingDeletion');
});

test('a wide table cuts its last column to the width it is given instead of wrapping', () => {
  const f = render(<ResultView width={50} result={{ kind: 'table', columns: ['time', 'event', 'encryption context'], rows: [['2025-01-01T00:00:00Z', 'GenerateDataKey', '{"usecase":"cse-4","cache":"on","aws-crypto-public-key":"A1b2"}']] }} />).lastFrame()!;
  const lines = f.split('\n');
  expect(lines).toHaveLength(2);
  for (const line of lines) expect(line.length).toBeLessThanOrEqual(50);
  expect(lines[1]).toMatch(/^2025-01-01T00:00:00Z  GenerateDataKey  \{"usecase/);
});

test('files, checks, waits and text each say what happened', () => {
  expect(frame({ kind: 'file', path: 'encrypted_e_1.txt', bytes: 1234, note: 'ciphertext with the encrypted data key in its header' })).toBe('wrote encrypted_e_1.txt (1234 bytes) ciphertext with the encrypted data key in its header');
  expect(frame({ kind: 'check', label: 'one GenerateDataKey for two encrypts', ok: true })).toBe('✔ one GenerateDataKey for two encrypts');
  expect(frame({ kind: 'check', label: 'files identical', ok: false, detail: '3 lines differ' })).toBe('✘ files identical 3 lines differ');
  expect(frame({ kind: 'wait', label: 'CloudTrail delivery', seconds: 120, fastForwarded: true })).toBe('✔ CloudTrail delivery: fast-forwarded the engine clock 2 min');
  expect(frame({ kind: 'text', text: 'Use `openssl enc -K` with the key in hex.', tone: 'ok' })).toBe('✔ Use openssl enc -K with the key in hex.');
});

test('a list of results keeps them in order: hex dump, diff, counter, JSON', () => {
  const f = render(
    <ResultList
      highlight="GenerateDataKey"
      results={[
        { kind: 'hexdump', title: 'samplesecret.txt.encrypted', bytes: new Uint8Array(Buffer.from('0123456789abcdef')), totalBytes: 16 },
        { kind: 'diff', before: 'samplesecret.txt', after: 'samplesecret_decrypted.txt', identical: true, lines: [] },
        { kind: 'counter', counts: [{ operation: 'GenerateDataKey', caller: 'you', count: 1 }] },
        { kind: 'json', title: 'GenerateDataKey', value: { Plaintext: '97**...**OOL' } },
      ]}
    />,
  ).lastFrame()!;
  const order = [/samplesecret\.txt\.encrypted \(16 bytes\)/, /00000000 {2}30 31/, /✔ identical/, /GenerateDataKey\s+1\s+◀ one call/, /"Plaintext": "97\*\*\.\.\.\*\*OOL"/].map((re) => f.search(re));
  expect(order.every((i) => i >= 0)).toBe(true);
  expect([...order].sort((a, b) => a - b)).toEqual(order);
});
