import { render } from 'ink-testing-library';
import React from 'react';
import { expect, test } from 'vitest';
import { HexDump, hexLines } from '../../src/tui/results/hex-dump.js';

test('prints offset, hex bytes and printable characters, dots for the rest', () => {
  const bytes = new Uint8Array([...Buffer.from('Hello, KMS!'), 0x00, 0xff, 0x0a, 0x41, 0x42]);
  expect(hexLines(bytes)).toEqual(['00000000  48 65 6c 6c 6f 2c 20 4b 4d 53 21 00 ff 0a 41 42  Hello, KMS!...AB']);
});

test('a long buffer is cut after the line limit and says how much is left', () => {
  const lines = hexLines(new Uint8Array(100), { maxLines: 2 });
  expect(lines).toHaveLength(3);
  expect(lines[1]!.startsWith('00000010')).toBe(true);
  expect(lines[2]).toBe('… 68 more bytes');
});

test('counts the bytes of the whole file when only its start was given', () => {
  expect(hexLines(new Uint8Array(16), { totalBytes: 5000 })).toEqual(['00000000  ' + Array(16).fill('00').join(' ') + '  ' + '.'.repeat(16), '… 4984 more bytes']);
});

test('fits a narrow terminal by showing 8 bytes a line', () => {
  const { lastFrame } = render(<HexDump bytes={new Uint8Array(Buffer.from('0123456789abcdef'))} title="ciphertext" width={60} />);
  expect(lastFrame()).toContain('ciphertext (16 bytes)');
  expect(lastFrame()).toContain('00000000  30 31 32 33 34 35 36 37  01234567');
  expect(lastFrame()).toContain('00000008  38 39 61 62 63 64 65 66  89abcdef');
});
