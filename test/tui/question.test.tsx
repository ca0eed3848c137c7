import { render } from 'ink-testing-library';
import React from 'react';
import { expect, test, vi } from 'vitest';
import { Question } from '../../src/tui/question.js';

const tick = () => new Promise((r) => setTimeout(r, 30));
const Q = {
  prompt: 'Why wait before LookupEvents?',
  choices: ['KMS is slow', 'CloudTrail delivers events some minutes after the call', 'The cache expires'],
  answer: 1,
  explanation: 'CloudTrail **delivers** events within about 5 minutes of the API call.',
};

test('a right answer picked by number is confirmed and explained', async () => {
  const onAnswered = vi.fn();
  const { lastFrame, stdin } = render(<Question {...Q} onAnswered={onAnswered} />);
  expect(lastFrame()).toContain('? Why wait before LookupEvents?');
  expect(lastFrame()).toContain('› 1. KMS is slow');
  expect(lastFrame()).not.toContain('delivers events within');
  stdin.write('2');
  await tick();
  expect(lastFrame()).toContain('✔ 2. CloudTrail delivers events some minutes after the call');
  expect(lastFrame()).toContain('Right.');
  expect(lastFrame()).toContain('CloudTrail delivers events within about 5 minutes of the API call.');
  expect(onAnswered).toHaveBeenCalledWith(true, 1); // right, and which choice (for the transcript)
});

test('a wrong answer chosen with the arrows and Enter shows which one was right', async () => {
  const { lastFrame, stdin } = render(<Question {...Q} />);
  stdin.write('\u001B[B');
  await tick();
  stdin.write('\u001B[B');
  await tick();
  expect(lastFrame()).toContain('› 3. The cache expires');
  stdin.write('\r');
  await tick();
  expect(lastFrame()).toContain('✘ 3. The cache expires');
  expect(lastFrame()).toContain('✔ 2. CloudTrail');
  expect(lastFrame()).toContain('Not quite: the answer is 2.');
});

test('Down, Down and Enter in one burst choose the third answer, and a second answer is ignored', async () => {
  const onAnswered = vi.fn();
  const { lastFrame, stdin } = render(<Question {...Q} onAnswered={onAnswered} />);
  stdin.write('\u001B[B');
  stdin.write('\u001B[B');
  stdin.write('\r');
  stdin.write('2');
  await tick();
  expect(lastFrame()).toContain('✘ 3. The cache expires');
  expect(onAnswered.mock.calls).toEqual([[false, 2]]);
});

test('a prediction keeps its verdict back until revealed, then judges the answer given', async () => {
  const { lastFrame, stdin, rerender } = render(<Question {...Q} reveal={false} />);
  stdin.write('3');
  await tick();
  expect(lastFrame()).toContain('• 3. The cache expires');
  expect(lastFrame()).toContain('Your prediction: 3. Run the step to see.');
  expect(lastFrame()).not.toContain('✔');
  expect(lastFrame()).not.toContain('delivers events within');
  rerender(<Question {...Q} reveal closed />);
  await tick();
  expect(lastFrame()).toContain('✘ 3. The cache expires');
  expect(lastFrame()).toContain('✔ 2. CloudTrail');
  expect(lastFrame()).toContain('Not quite: the answer is 2.');
  expect(lastFrame()).toContain('CloudTrail delivers events within about 5 minutes');
});

test('a closed question left unanswered takes no answer, and once revealed shows the right one', async () => {
  const onAnswered = vi.fn();
  const { lastFrame, stdin, rerender } = render(<Question {...Q} reveal={false} closed onAnswered={onAnswered} />);
  stdin.write('2');
  await tick();
  expect(onAnswered).not.toHaveBeenCalled();
  expect(lastFrame()).not.toContain('press 1-3');
  expect(lastFrame()).not.toContain('The answer');
  rerender(<Question {...Q} reveal closed onAnswered={onAnswered} />);
  await tick();
  expect(lastFrame()).toContain('The answer: 2.');
  expect(lastFrame()).toContain('✔ 2. CloudTrail');
});
