import { render } from 'ink-testing-library';
import React from 'react';
import { expect, test } from 'vitest';
import { OperationCounts } from '../../src/tui/class/operation-counts/operation-counts.js';

test("GenerateDataKey stands apart with the whole room's count; the other operations follow, busiest first", () => {
  const frame = render(<OperationCounts operations={{ Decrypt: 120, GenerateDataKey: 30, Encrypt: 7, CreateKey: 30 }} width={80} />).lastFrame()!;
  const [first, second] = frame.split('\n');
  expect(first).toMatch(/GenerateDataKey\s+30\s+◀ 30 calls, everyone together/);
  expect(second).toBe('Decrypt 120 · CreateKey 30 · Encrypt 7');
});

test('GenerateDataKey shows 0 before anyone calls it, and one call in words', () => {
  expect(render(<OperationCounts operations={{}} width={80} />).lastFrame()).toMatch(/GenerateDataKey\s+0\s+◀ 0 calls[\s\S]*no other calls yet/);
  expect(render(<OperationCounts operations={{ GenerateDataKey: 1 }} width={80} />).lastFrame()).toContain('◀ one call');
});

test('many operations are cut at the screen edge, not wrapped', () => {
  const operations = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`Operation${i}`, i + 1]));
  const lines = render(<OperationCounts operations={operations} width={80} />).lastFrame()!.split('\n');
  expect(lines).toHaveLength(2);
  for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
});
