// The lesson screen's standards (issue 12): the introduction is the lesson's
// first page, a prediction is asked before the step that shows its outcome and
// judged after it, and a step run again after the lesson's clean-up says the
// resources are gone and offers to run the lesson from its start.
import { render } from 'ink-testing-library';
import React from 'react';
import { afterEach, expect, test } from 'vitest';
import type { Lesson } from '../../src/runtime/types.js';
import { App } from '../../src/tui/app.js';
import { fakeSession, KEYS, lesson, memoryProgress, step, tick, waitForFrame, type Script } from './fake-workshop.js';

let cleanup: Array<() => void> = [];
afterEach(() => {
  cleanup.forEach((c) => c());
  cleanup = [];
});

const INTRODUCED = lesson('direct', [step('create-key'), step('decrypt'), step('clean-up')], {
  title: 'Direct encryption',
  intro: 'KMS can encrypt data for you **directly**: up to 4 KB.',
  basedOn: ['AWS KMS workshop, section 2', 'KMS study notes: the 4 KB limit'],
});

function start(lessons: Lesson[], scripts: Record<string, Script> = {}, progress = memoryProgress()) {
  const fake = fakeSession(scripts);
  const app = render(
    <App lessons={lessons} workspaceRoot="/ws" openSession={async () => fake.session} progress={progress} reportError={(_, e) => ({ message: String(e) })} />,
  );
  cleanup.push(app.unmount);
  return { ...app, fake, progress };
}

test('a lesson opens at its introduction with what it is based on; Enter goes to step 1 and ← comes back', async () => {
  const { lastFrame, stdin } = start([INTRODUCED]);
  await waitForFrame(lastFrame, 'Target local engine');
  stdin.write(KEYS.enter);
  let frame = await waitForFrame(lastFrame, 'introduction');
  expect(frame).toContain('KMS can encrypt data for you directly: up to 4 KB.');
  expect(frame).toContain('Based on');
  expect(frame).toContain('· AWS KMS workshop, section 2');
  expect(frame).toContain('· KMS study notes: the 4 KB limit');
  expect(frame).toContain('3 steps · about 10 min · beginner');
  expect(frame).toContain('Press Enter or → to begin with step 1, Title of create-key.');
  expect(frame).not.toContain('step 1 of 3');
  stdin.write(KEYS.enter);
  frame = await waitForFrame(lastFrame, 'step 1 of 3');
  expect(frame).toContain('1. Title of create-key');
  expect(frame).not.toContain('Based on');
  stdin.write(KEYS.left);
  await waitForFrame(lastFrame, 'Press Enter or → to begin');
  stdin.write(KEYS.right);
  await waitForFrame(lastFrame, 'step 1 of 3');
});

test('Enter on the introduction only turns the page: no step runs', async () => {
  const { lastFrame, stdin, fake } = start([INTRODUCED]);
  await waitForFrame(lastFrame, 'Target local engine');
  stdin.write(KEYS.enter);
  await waitForFrame(lastFrame, 'introduction');
  stdin.write(KEYS.enter);
  await waitForFrame(lastFrame, 'step 1 of 3');
  await tick(100);
  expect(fake.ran).toEqual([]);
});

test('a lesson resumed past its first step opens at that step, not at the introduction', async () => {
  const progress = memoryProgress();
  progress.stepVisited(INTRODUCED, 1);
  const { lastFrame, stdin } = start([INTRODUCED], {}, progress);
  await waitForFrame(lastFrame, 'Target local engine');
  stdin.write(KEYS.enter);
  const frame = await waitForFrame(lastFrame, 'step 2 of 3');
  expect(frame).not.toContain('Based on');
  await tick();
  stdin.write(KEYS.left);
  await waitForFrame(lastFrame, 'step 1 of 3');
  await tick();
  stdin.write(KEYS.left);
  await waitForFrame(lastFrame, 'Press Enter or → to begin');
});

const PREDICTED = lesson('predict', [
  step('decrypt-without-context', {
    predict: { prompt: 'What does Decrypt answer?', choices: ['The plaintext', 'An error'], answer: 1, explanation: 'The context is bound to the ciphertext.' },
    explain: 'Wait, what is the problem? **InvalidCiphertextException**.',
  }),
]);

test('a prediction comes before the run: the first Enter asks for it, the verdict and the explanation come after the run', async () => {
  const { lastFrame, stdin, fake } = start([PREDICTED], { 'decrypt-without-context': { calls: [{ operation: 'Decrypt', outcome: { ok: false, code: 'InvalidCiphertextException', message: '' } }] } });
  await waitForFrame(lastFrame, 'Target local engine');
  stdin.write(KEYS.enter);
  let frame = await waitForFrame(lastFrame, 'step 1 of 1');
  expect(frame).toContain('Predict first');
  expect(frame).toContain('? What does Decrypt answer?');
  expect(frame).not.toContain('What happened');
  for (let i = 0; i < 10; i++) stdin.write(KEYS.down);
  await waitForFrame(lastFrame, 'Predict above (1-2), then press Enter to run this step.');
  for (let i = 0; i < 10; i++) stdin.write(KEYS.up);
  await waitForFrame(lastFrame, 'Predict first');
  stdin.write(KEYS.enter);
  frame = await waitForFrame(lastFrame, 'What do you expect? Press 1-2 to predict first');
  await tick(100);
  expect(fake.ran).toEqual([]);
  stdin.write('1');
  frame = await waitForFrame(lastFrame, 'Your prediction: 1. Run the step to see.');
  expect(frame).not.toContain('The context is bound to the ciphertext.');
  expect(frame).not.toContain('InvalidCiphertextException');
  stdin.write(KEYS.enter);
  await waitForFrame(lastFrame, '✔ done');
  for (let i = 0; i < 10; i++) stdin.write(KEYS.down);
  frame = await waitForFrame(lastFrame, 'What happened');
  expect(fake.ran).toEqual(['decrypt-without-context']);
  expect(frame).toContain('Wait, what is the problem? InvalidCiphertextException.');
  for (let i = 0; i < 10; i++) stdin.write(KEYS.up);
  frame = await waitForFrame(lastFrame, 'Not quite: the answer is 2.');
  expect(frame).toContain('The context is bound to the ciphertext.');
});

test('Enter again after the request to predict runs the step anyway, and the prediction then shows its answer', async () => {
  const { lastFrame, stdin, fake } = start([PREDICTED]);
  await waitForFrame(lastFrame, 'Target local engine');
  stdin.write(KEYS.enter);
  await waitForFrame(lastFrame, 'step 1 of 1');
  stdin.write(KEYS.enter);
  await waitForFrame(lastFrame, 'What do you expect?');
  stdin.write(KEYS.enter);
  await waitForFrame(lastFrame, '✔ done');
  expect(fake.ran).toEqual(['decrypt-without-context']);
  for (let i = 0; i < 10; i++) stdin.write(KEYS.up);
  await waitForFrame(lastFrame, 'The answer: 2.');
});

test('a step run again after the clean-up says the resources are gone, and b runs the lesson again from step 1', async () => {
  const scripts: Record<string, Script> = {};
  const { lastFrame, stdin, fake } = start([INTRODUCED], scripts);
  await waitForFrame(lastFrame, 'Target local engine');
  stdin.write(KEYS.enter);
  await waitForFrame(lastFrame, 'introduction');
  stdin.write(KEYS.enter);
  await waitForFrame(lastFrame, 'step 1 of 3');
  stdin.write(KEYS.right);
  stdin.write(KEYS.right);
  await waitForFrame(lastFrame, 'step 3 of 3');
  stdin.write(KEYS.enter);
  await waitForFrame(lastFrame, '✔ done');
  expect(fake.ran).toEqual(['create-key', 'decrypt', 'clean-up']);
  // The runtime now finds the key gone: step 2 fails as the session reports it after a clean-up.
  scripts.decrypt = { fail: "Step 3 (“Clean up”) of this lesson has removed what this step builds on.", afterCleanUp: true };
  stdin.write(KEYS.left);
  await waitForFrame(lastFrame, 'step 2 of 3');
  stdin.write(KEYS.enter);
  const frame = await waitForFrame(lastFrame, "This lesson's resources are gone: its clean-up has run");
  expect(frame).toContain('has removed what this step builds on.');
  expect(frame).toContain('Press b to run the lesson again from step 1.');
  expect(frame).not.toContain('did not do what the lesson expects');
  delete scripts.decrypt;
  stdin.write('b');
  await waitForFrame(lastFrame, 'step 1 of 3');
  await waitForFrame(lastFrame, '✔ done');
  expect(fake.ran).toEqual(['create-key', 'decrypt', 'clean-up', 'decrypt', 'create-key']);
  // The lesson's earlier runs are forgotten: step 2 now runs after step 1, as it needs.
  stdin.write(KEYS.right);
  await waitForFrame(lastFrame, 'step 2 of 3');
  stdin.write(KEYS.enter);
  await waitForFrame(lastFrame, /step 2 of 3 ●●○/);
  expect(fake.ran.slice(5)).toEqual(['decrypt']);
});

test('a run that fails does not give the prediction away: it stays open, its answer hidden', async () => {
  const { lastFrame, stdin } = start([PREDICTED], { 'decrypt-without-context': { fail: 'The engine is not reachable.' } });
  await waitForFrame(lastFrame, 'Target local engine');
  stdin.write(KEYS.enter);
  await waitForFrame(lastFrame, 'step 1 of 1');
  stdin.write(KEYS.enter);
  await waitForFrame(lastFrame, 'What do you expect?');
  stdin.write(KEYS.enter);
  await waitForFrame(lastFrame, 'did not do what the lesson expects');
  for (let i = 0; i < 10; i++) stdin.write(KEYS.up);
  let frame = await waitForFrame(lastFrame, 'press 1-2 to answer');
  expect(frame).not.toContain('The answer: 2.');
  expect(frame).not.toContain('What happened');
  stdin.write('2');
  frame = await waitForFrame(lastFrame, 'Your prediction: 2. Run the step to see.');
  expect(frame).not.toContain('Right.');
});
