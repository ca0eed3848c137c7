import { render } from 'ink-testing-library';
import React from 'react';
import { expect, test } from 'vitest';
import { CallCounter, countCalls, counterWidth } from '../../src/tui/calls/call-counter.js';

const call = (operation: string, caller = 'you') => ({ operation, caller });

test('counts GenerateDataKey once for two cached encrypts', () => {
  const { lastFrame } = render(<CallCounter calls={[call('GenerateDataKey'), call('Decrypt'), call('Decrypt')]} />);
  expect(lastFrame()).toMatch(/GenerateDataKey\s+1/);
  expect(lastFrame()).toMatch(/Decrypt\s+2/);
});

test('the operation a lesson is about stands out with its count spelled out', () => {
  const { lastFrame } = render(<CallCounter calls={[call('Decrypt'), call('GenerateDataKey'), call('Decrypt')]} highlight="GenerateDataKey" />);
  expect(lastFrame()).toMatch(/GenerateDataKey\s+1\s+◀ one call/);
  expect(lastFrame()).not.toMatch(/Decrypt.*◀/);
});

test('calls made on the learner’s behalf are counted apart and say by whom', () => {
  const { lastFrame } = render(<CallCounter calls={[call('GenerateDataKey', 's3.amazonaws.com'), call('GenerateDataKey')]} />);
  expect(lastFrame()).toMatch(/GenerateDataKey\s+1 by s3\.amazonaws\.com/);
  expect(lastFrame()).toMatch(/GenerateDataKey\s+1\n|GenerateDataKey\s+1$/m);
});

test('shows counts a step already made, with a title', () => {
  const { lastFrame } = render(<CallCounter title="CloudTrail: LookupEvents" counts={[{ operation: 'GenerateDataKey', caller: 'you', count: 1 }]} highlight="GenerateDataKey" />);
  expect(lastFrame()).toMatch(/CloudTrail: LookupEvents\nGenerateDataKey\s+1\s+◀ one call/);
});

test('orders operations by count, then by name', () => {
  expect(countCalls([call('b'), call('a'), call('c'), call('c')]).map((c) => [c.operation, c.count])).toEqual([['c', 2], ['a', 1], ['b', 1]]);
});

test('says so when nothing was called', () => {
  expect(render(<CallCounter calls={[]} />).lastFrame()).toBe('no API calls yet');
});

test('a compact counter marks the watched operation without words, and says how wide it needs to be', () => {
  const counts = countCalls([call('GenerateDataKey'), call('Decrypt'), call('Decrypt')]);
  const { lastFrame } = render(<CallCounter counts={counts} highlight="GenerateDataKey" compact />);
  expect(lastFrame()).toMatch(/GenerateDataKey\s+1\s+◀$/m);
  expect(lastFrame()).not.toContain('one call');
  const width = counterWidth(counts, { highlight: 'GenerateDataKey', compact: true });
  for (const line of lastFrame()!.split('\n')) expect(line.trimEnd().length).toBeLessThanOrEqual(width);
});

test('in the compact side panel a service acting for the learner is named briefly, and the width allows for it', () => {
  const counts = countCalls([call('GenerateDataKey', 's3.amazonaws.com'), call('PutObject')]);
  const { lastFrame } = render(<CallCounter counts={counts} highlight="GenerateDataKey" compact />);
  expect(lastFrame()).toMatch(/GenerateDataKey\s+1\s+\(s3\) ◀/);
  const width = counterWidth(counts, { highlight: 'GenerateDataKey', compact: true });
  expect(width).toBeLessThan(30);
  for (const line of lastFrame()!.split('\n')) expect(line.trimEnd().length).toBeLessThanOrEqual(width);
});
