import { render } from 'ink-testing-library';
import React from 'react';
import { expect, test } from 'vitest';
import { isTooSmall, MIN_SIZE, TooSmall } from '../../src/tui/layout/too-small.js';

test('a window under the minimum is too small, in either direction; 80x24 is not', () => {
  expect(isTooSmall({ columns: 40, rows: 10 })).toBe(true);
  expect(isTooSmall({ columns: 100, rows: MIN_SIZE.rows - 1 })).toBe(true);
  expect(isTooSmall({ columns: MIN_SIZE.columns - 1, rows: 50 })).toBe(true);
  expect(isTooSmall(MIN_SIZE)).toBe(false);
  expect(isTooSmall({ columns: 80, rows: 24 })).toBe(false);
});

test('says the size it has, the size it needs, and what to do', () => {
  const { lastFrame } = render(<TooSmall size={{ columns: 40, rows: 10 }} />);
  const text = lastFrame()!.replace(/\s+/g, ' '); // wrapped at 40 columns
  expect(text).toContain('Terminal too small');
  expect(text).toContain(`This window is 40x10; kms-workshop needs at least ${MIN_SIZE.columns}x${MIN_SIZE.rows}`);
  expect(text).toMatch(/Make the window larger/);
  expect(text).toMatch(/press q to quit/);
});
