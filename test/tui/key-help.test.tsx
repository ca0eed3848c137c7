import { render } from 'ink-testing-library';
import React from 'react';
import { expect, test } from 'vitest';
import { KeyBar, KeyHelp } from '../../src/tui/layout/key-help.js';

const KEYS = [
  { keys: 'Enter', does: 'run the step' },
  { keys: '→/n', does: 'next step' },
  { keys: 'q', does: 'quit' },
];

test('the footer lists each key beside what it does on one line', () => {
  const { lastFrame } = render(<KeyBar bindings={KEYS} />);
  expect(lastFrame()).toBe('Enter run the step  →/n next step  q quit');
});

test('the help box lists every key in a column', () => {
  const { lastFrame } = render(<KeyHelp bindings={KEYS} />);
  expect(lastFrame()).toMatch(/Enter\s+run the step/);
  expect(lastFrame()).toMatch(/→\/n\s+next step/);
  expect(lastFrame()).toMatch(/q\s+quit/);
  expect(lastFrame()).toContain('any key closes this');
});
