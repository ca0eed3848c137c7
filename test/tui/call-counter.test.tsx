import { render } from 'ink-testing-library';
import React from 'react';
import { expect, test } from 'vitest';
import { CallCounter, countByOperation } from '../../src/tui/calls/call-counter.js';

const call = (operation: string) => ({ operation });

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

test('orders operations by count, then by name', () => {
  expect(countByOperation([call('b'), call('a'), call('c'), call('c')])).toEqual([['c', 2], ['a', 1], ['b', 1]]);
});

test('says so when nothing was called', () => {
  expect(render(<CallCounter calls={[]} />).lastFrame()).toBe('no API calls yet');
});
