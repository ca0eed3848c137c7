// The TUI for a second shell, for keeping and for presenting: the line to paste
// (kms-workshop env) once the engine listens, `t` writing the lesson's
// transcript, and --present running and advancing with Enter alone.
import { render } from 'ink-testing-library';
import React from 'react';
import { afterEach, expect, test } from 'vitest';
import { presentingProgressPort } from '../../src/commands/tui-progress.js';
import type { Lesson, LessonStep } from '../../src/runtime/types.js';
import { App, type AppProps } from '../../src/tui/app.js';
import type { StepRun } from '../../src/tui/run-store.js';
import { fakeSession, KEYS, lesson, memoryProgress, step, tick, waitForFrame } from './fake-workshop.js';

let cleanup: Array<() => void> = [];
afterEach(() => {
  cleanup.forEach((c) => c());
  cleanup = [];
});

const QUESTION = { prompt: 'Which call made the data key?', choices: ['GenerateDataKey', 'Encrypt'], answer: 0, explanation: 'It returns the key twice.' };
const PREDICT = { prompt: 'Will it fail?', choices: ['yes', 'no'], answer: 1, explanation: 'No.' };
const LESSONS = [lesson('envelope', [step('generate-data-key', { question: QUESTION }), step('encrypt-file', { predict: PREDICT }), step('compare')])];

function start(props: Partial<AppProps> = {}, endpoint: string | null = 'http://127.0.0.1:4599') {
  const fake = fakeSession({ 'generate-data-key': { calls: [{ operation: 'GenerateDataKey' }] }, 'encrypt-file': { calls: [{ operation: 'Encrypt' }] } });
  const progress = memoryProgress();
  const app = render(
    <App
      lessons={LESSONS}
      workspaceRoot="/home/me/.kms-workshop/workspace"
      openSession={async () => ({ ...fake.session, ...(endpoint ? { endpoint } : {}) })}
      progress={progress}
      reportError={(_, e) => ({ message: String(e) })}
      shellLine={'eval "$(kms-workshop env)"'}
      {...props}
    />,
  );
  cleanup.push(app.unmount);
  return { ...app, fake, progress };
}

test('the menu shows the line to paste into a second shell once the engine listens, beside where the files are', async () => {
  const { lastFrame } = start();
  const frame = await waitForFrame(lastFrame, 'Shell eval "$(kms-workshop env)"');
  expect(frame).toContain('Files /home/me/.kms-workshop/workspace');
  for (const line of frame.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
});

test('no paste line where there is no local engine (on AWS)', async () => {
  const { lastFrame } = start({}, null);
  await waitForFrame(lastFrame, 'Target local engine at');
  expect(lastFrame()).not.toContain('kms-workshop env');
});

test('t writes the transcript with the runs and the answers given, and says where it went', async () => {
  let saved: { lesson: Lesson; run?: StepRun; answers: Map<string, number> } | undefined;
  const { lastFrame, stdin } = start({
    saveTranscript: async (l, runOf, answers) => {
      saved = { lesson: l, run: runOf(l.steps[0] as LessonStep), answers: new Map(answers) };
      return '/home/me/.kms-workshop/workspace/01-envelope-transcript.md';
    },
  });
  await waitForFrame(lastFrame, 'Shell');
  stdin.write(KEYS.enter);
  await waitForFrame(lastFrame, 'step 1 of 3');
  stdin.write(KEYS.enter);
  await waitForFrame(lastFrame, '✔ done');
  stdin.write('1'); // the question's first choice
  await waitForFrame(lastFrame, 'It returns the key twice.');
  stdin.write('t');
  const frame = await waitForFrame(lastFrame, 'Transcript written to /home/me/.kms-workshop/workspace/01-envelope-transcript.md');
  expect(frame).not.toContain('Enter/r run'); // the notice stands where the keys were, until the next key
  expect(saved?.lesson.id).toBe('envelope');
  expect(saved?.run?.status).toBe('passed');
  expect(saved?.run?.calls.map((c) => c.operation)).toEqual(['GenerateDataKey']);
  expect([...saved!.answers]).toEqual([['generate-data-key/question', 0]]);
  await tick(100);
  stdin.write('c');
  await waitForFrame(lastFrame, 'Enter/r run');
});

test('presenting: Enter runs the step, then moves on and runs the next without asking for a prediction; a step timer shows; nothing recorded', async () => {
  const { lastFrame, stdin, fake } = start({ present: true, progress: presentingProgressPort() });
  let frame = await waitForFrame(lastFrame, 'presenting: nothing recorded');
  stdin.write(KEYS.enter);
  frame = await waitForFrame(lastFrame, 'step 1 of 3');
  expect(frame).toMatch(/⏱ 0:0\d/);
  expect(fake.ran).toEqual([]);
  stdin.write(KEYS.enter);
  await waitForFrame(lastFrame, '✔ done');
  expect(fake.ran).toEqual(['generate-data-key']);
  stdin.write(KEYS.enter);
  frame = await waitForFrame(lastFrame, /step 2 of 3[\s\S]*✔ done/);
  expect(fake.ran).toEqual(['generate-data-key', 'encrypt-file']);
  expect(frame).not.toContain('What do you expect?');
  expect(frame).toMatch(/✔ Encrypt\s+you/);
  stdin.write(KEYS.esc);
  frame = await waitForFrame(lastFrame, 'Lessons');
  expect(frame).toMatch(/1\. Lesson envelope.*not started/);
});

test('not presenting: Enter on a run step runs it again and stays; no timer', async () => {
  const { lastFrame, stdin, fake } = start();
  await waitForFrame(lastFrame, 'Shell');
  stdin.write(KEYS.enter);
  await waitForFrame(lastFrame, 'step 1 of 3');
  stdin.write(KEYS.enter);
  await waitForFrame(lastFrame, '✔ done');
  stdin.write(KEYS.enter);
  await tick(100);
  await waitForFrame(lastFrame, '✔ done');
  expect(fake.ran).toEqual(['generate-data-key', 'generate-data-key']);
  expect(lastFrame()).toContain('step 1 of 3');
  expect(lastFrame()).not.toContain('⏱');
});
