import { render } from 'ink-testing-library';
import React from 'react';
import { expect, test } from 'vitest';
import { formatElapsed, Spinner } from '../../src/tui/results/spinner.js';

test('shows what is being waited for and the time elapsed so far', async () => {
  let now = 1_000;
  const { lastFrame, unmount } = render(<Spinner label="fast-forwarding the engine clock 2 min" startedAt={1_000} now={() => now} />);
  expect(lastFrame()).toMatch(/fast-forwarding the engine clock 2 min 0\.0 s/);
  now = 3_500;
  await new Promise((r) => setTimeout(r, 150));
  expect(lastFrame()).toMatch(/fast-forwarding the engine clock 2 min 2\.5 s/);
  unmount();
});

test('elapsed time reads naturally whether short or long', () => {
  expect(formatElapsed(420)).toBe('0.4 s');
  expect(formatElapsed(12_340)).toBe('12.3 s');
  expect(formatElapsed(125_000)).toBe('2 min 05 s');
});
