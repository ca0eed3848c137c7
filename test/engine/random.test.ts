import { expect, test } from 'vitest';
import { secureRandomBytes } from '../../src/engine/random.js';

test('every draw is fresh: 2,000 data keys across many pool refills are all different, none all zero', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const key = secureRandomBytes(32);
    expect(key.length).toBe(32);
    expect(key.equals(Buffer.alloc(32))).toBe(false);
    seen.add(key.toString('hex'));
  }
  expect(seen.size).toBe(2000);
});

test('a draw is its own buffer: changing it does not change the next one, and odd sizes and large requests work', () => {
  const a = secureRandomBytes(12);
  const copy = Buffer.from(a);
  a.fill(0);
  const b = secureRandomBytes(12);
  expect(b.equals(copy)).toBe(false);
  expect(b.equals(Buffer.alloc(12))).toBe(false);
  for (const n of [1, 7, 1023, 1024, 1025, 4096]) expect(secureRandomBytes(n).length).toBe(n);
  expect(secureRandomBytes(1024).equals(Buffer.alloc(1024))).toBe(false);
  expect(secureRandomBytes(0).length).toBe(0);
});
