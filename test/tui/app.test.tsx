import { render as inkRender } from 'ink';
import { render } from 'ink-testing-library';
import { EventEmitter } from 'node:events';
import React from 'react';
import { afterEach, expect, test } from 'vitest';
import { App } from '../../src/tui/app.js';
import { fakeSession, KEYS, lesson, memoryProgress, step, tick, waitForFrame } from './fake-workshop.js';

const reportError = (_: string, e: unknown) => ({ message: String((e as Error).message), logFile: '/home/me/.kms-workshop/logs/tui.log' });
let cleanup: Array<() => void> = [];
afterEach(() => {
  cleanup.forEach((c) => c());
  cleanup = [];
});

const LESSONS = [lesson('envelope', [step('generate-data-key'), step('encrypt-file'), step('compare')]), lesson('caching', [step('encrypt-twice')], { title: 'Lesson caching', minutes: 20, level: 'intermediate' })];

function start(lessons = LESSONS, scripts = {}, opening?: (session: ReturnType<typeof fakeSession>['session']) => Promise<ReturnType<typeof fakeSession>['session']>) {
  const fake = fakeSession(scripts);
  const progress = memoryProgress();
  let opened = false;
  const app = render(
    <App
      lessons={lessons}
      workspaceRoot="/home/me/.kms-workshop/workspace"
      openSession={async () => {
        opened = true;
        return opening ? opening(fake.session) : fake.session;
      }}
      progress={progress}
      reportError={reportError}
    />,
  );
  cleanup.push(app.unmount);
  return { ...app, fake, progress, opened: () => opened };
}

test('the menu lists lessons with minutes, level and progress, the target and where files go', async () => {
  const { lastFrame } = start();
  expect(lastFrame()).toContain('kms-workshop');
  expect(lastFrame()).toMatch(/› 1\. Lesson envelope\s+10 min\s+beginner\s+not started/);
  expect(lastFrame()).toMatch(/2\. Lesson caching\s+20 min\s+intermediate\s+not started/);
  expect(lastFrame()).toContain('Summary of envelope.');
  expect(lastFrame()).toContain('Files /home/me/.kms-workshop/workspace');
  await waitForFrame(lastFrame, 'Target local engine at http://127.0.0.1:45999');
});

test('down moves the selection; Enter opens the lesson at its first step with narrative and code', async () => {
  const { lastFrame, stdin } = start();
  stdin.write(KEYS.down);
  await waitForFrame(lastFrame, 'Summary of caching.');
  stdin.write(KEYS.up);
  await tick();
  stdin.write(KEYS.enter);
  const frame = await waitForFrame(lastFrame, 'step 1 of 3');
  expect(frame).toContain('1. Title of generate-data-key');
  expect(frame).toContain('Narrative of generate-data-key.');
  expect(frame).toContain('export async function generateDataKey({kms}: StepContext) {');
  expect(frame).toContain('Press Enter to run this step.');
});

test('running a step streams its calls into the log and the counters, then its results', async () => {
  const { lastFrame, stdin, fake } = start(undefined, {
    'generate-data-key': {
      hold: true,
      calls: [{ operation: 'GenerateDataKey', alias: 'alias/ImportedCMK', encryptionContext: { project: 'workshop' } }],
      results: [{ kind: 'json', title: 'GenerateDataKey', value: { Plaintext: '97**...**OOL' } }],
    },
  });
  stdin.write(KEYS.enter);
  await waitForFrame(lastFrame, 'step 1 of 3');
  await tick();
  stdin.write('r');
  let frame = await waitForFrame(lastFrame, 'running…');
  expect(frame).toMatch(/✔ GenerateDataKey\s+you alias\/ImportedCMK \{project=workshop\}/);
  expect(frame).toMatch(/GenerateDataKey\s+1\s+◀/);
  fake.release();
  frame = await waitForFrame(lastFrame, '✔ done');
  expect(frame).toContain('"Plaintext": "97**...**OOL"');
  expect(fake.ran).toEqual(['generate-data-key']);
});

test('running a later step first runs the earlier steps it builds on, and says so', async () => {
  const { lastFrame, stdin, fake } = start();
  stdin.write(KEYS.enter);
  await waitForFrame(lastFrame, 'step 1 of 3');
  stdin.write(KEYS.right);
  await waitForFrame(lastFrame, 'step 2 of 3');
  stdin.write('n');
  await waitForFrame(lastFrame, 'step 3 of 3');
  stdin.write(KEYS.enter);
  const frame = await waitForFrame(lastFrame, '✔ done');
  expect(frame).toContain('ran first: Title of generate-data-key, Title of encrypt-file');
  expect(fake.ran).toEqual(['generate-data-key', 'encrypt-file', 'compare']);
});

test('a step that fails says so in plain words; a later step that builds on it does not run and says why', async () => {
  const { lastFrame, stdin, fake } = start(undefined, {
    'generate-data-key': { fail: 'User is not authorized to perform kms:GenerateDataKey' },
    'encrypt-file': { throws: new TypeError('boom') },
  });
  stdin.write(KEYS.enter);
  await waitForFrame(lastFrame, 'step 1 of 3');
  stdin.write(KEYS.enter);
  let frame = await waitForFrame(lastFrame, 'did not do what the lesson expects');
  expect(frame).toContain('User is not authorized to perform kms:GenerateDataKey');
  stdin.write(KEYS.right);
  await waitForFrame(lastFrame, 'step 2 of 3');
  stdin.write(KEYS.enter);
  frame = await waitForFrame(lastFrame, /Step 1 \(“Title of generate-data-key”\), which this step builds on, did\s+not pass/);
  expect(frame).toMatch(/User is not\s+authorized/);
  // Step 2 would crash if it ran: it never did (step 1 was tried again first), and no crash panel shows.
  await tick(100);
  expect(fake.ran).not.toContain('encrypt-file');
  expect(lastFrame()).not.toContain('boom');
  expect(lastFrame()).not.toContain('Something went wrong');
});

test('a crash in a step shows an error panel with the log file', async () => {
  const { lastFrame, stdin } = start(undefined, { 'generate-data-key': { throws: new TypeError('cannot read x of undefined') } });
  stdin.write(KEYS.enter);
  await waitForFrame(lastFrame, 'step 1 of 3');
  stdin.write(KEYS.enter);
  const frame = await waitForFrame(lastFrame, 'Something went wrong that the lesson does not expect');
  expect(frame).toContain('cannot read x of undefined');
  expect(frame).toContain('Full details: /home/me/.kms-workshop/logs/tui.log');
  expect(frame).not.toMatch(/at .*:\d+:\d+/);
});

test('c toggles code and CLI, h shows the hint, ? lists the keys and any key closes it', async () => {
  const lessons = [lesson('direct', [step('encrypt', { cli: 'aws kms encrypt --key-id alias/x --plaintext fileb://NewSecretFile.txt', hint: 'Use the **alias**.' })])];
  const { lastFrame, stdin } = start(lessons);
  stdin.write(KEYS.enter);
  await waitForFrame(lastFrame, 'step 1 of 1');
  stdin.write('c');
  let frame = await waitForFrame(lastFrame, 'aws kms encrypt --key-id alias/x --plaintext fileb://NewSecretFile.txt');
  expect(frame).toContain('AWS CLI');
  expect(frame).not.toContain('export async function');
  stdin.write('c');
  await waitForFrame(lastFrame, 'export async function encrypt');
  stdin.write('h');
  await waitForFrame(lastFrame, 'Use the alias.');
  stdin.write('?');
  frame = await waitForFrame(lastFrame, 'any key closes this');
  expect(frame).toMatch(/Enter or r\s+run this step/);
  stdin.write('x');
  await waitForFrame(lastFrame, 'export async function encrypt');
});

test('a question takes a digit and explains the answer', async () => {
  const lessons = [lesson('caching', [step('why-wait', { question: { prompt: 'Why wait?', choices: ['no reason', 'CloudTrail delivers later'], answer: 1, explanation: 'Events arrive minutes after the call.' } })])];
  const { lastFrame, stdin } = start(lessons);
  stdin.write(KEYS.enter);
  await waitForFrame(lastFrame, 'step 1 of 1');
  for (let i = 0; i < 10; i++) stdin.write(KEYS.down);
  await waitForFrame(lastFrame, 'press 1-2 to answer');
  stdin.write('2');
  const frame = await waitForFrame(lastFrame, 'Right.');
  expect(frame).toContain('Events arrive minutes after the call.');
});

test('Esc goes back to the menu, which shows the progress made', async () => {
  const { lastFrame, stdin } = start();
  stdin.write(KEYS.enter);
  await waitForFrame(lastFrame, 'step 1 of 3');
  stdin.write(KEYS.enter);
  await waitForFrame(lastFrame, '✔ done');
  stdin.write(KEYS.right);
  await waitForFrame(lastFrame, 'step 2 of 3');
  stdin.write(KEYS.esc);
  const frame = await waitForFrame(lastFrame, 'Lessons');
  expect(frame).toMatch(/› 1\. Lesson envelope\s+10 min\s+beginner\s+step 2 of 3/);
});

test('the session is opened only after the menu is on screen', async () => {
  // Ink drawn onto a terminal of our own, to see what was on it when the session was asked for.
  const frames: string[] = [];
  const stdout = Object.assign(new EventEmitter(), { columns: 100, rows: 30, write: (frame: string) => frames.push(frame) > 0 });
  const stdin = Object.assign(new EventEmitter(), { isTTY: true, setEncoding() {}, setRawMode() {}, resume() {}, pause() {}, ref() {}, unref() {}, read: () => null });
  let onScreenWhenOpened: string | undefined;
  const fake = fakeSession({});
  const app = inkRender(
    <App
      lessons={LESSONS}
      workspaceRoot="/home/me/.kms-workshop/workspace"
      openSession={async () => {
        onScreenWhenOpened = frames.at(-1) ?? '';
        return fake.session;
      }}
      progress={memoryProgress()}
      reportError={reportError}
    />,
    { stdout: stdout as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream, debug: true, exitOnCtrlC: false, patchConsole: false },
  );
  cleanup.push(app.unmount);
  await tick();
  expect(onScreenWhenOpened).toBeDefined();
  expect(onScreenWhenOpened).toMatch(/Lessons[\s\S]*1\. Lesson envelope/);
});

test('when the engine cannot start, the menu says why, and a step shows the reason instead of running', async () => {
  const { lastFrame, stdin, fake } = start(undefined, {}, async () => {
    throw new Error('The engine state in /home/me/.kms-workshop/engine is in use by another kms-workshop process (pid 4242).');
  });
  await waitForFrame(lastFrame, /Target could not start: The engine state in \S+ is in use/);
  stdin.write(KEYS.enter);
  await waitForFrame(lastFrame, 'step 1 of 3');
  stdin.write(KEYS.enter);
  const frame = await waitForFrame(lastFrame, 'The target did not start');
  expect(frame).toMatch(/\(pid[\s│]+4242\)/);
  for (let i = 0; i < 5; i++) stdin.write(KEYS.down);
  await waitForFrame(lastFrame, 'Full details: /home/me/.kms-workshop/logs/tui.log');
  expect(fake.ran).toEqual([]);
});

test('a step asked for while the engine is still starting runs as soon as it is up', async () => {
  let up: () => void = () => {};
  const { lastFrame, stdin, fake } = start(undefined, {}, (session) => new Promise((resolve) => (up = () => resolve(session))));
  expect(lastFrame()).toContain('Target starting the local engine…');
  stdin.write(KEYS.enter);
  await waitForFrame(lastFrame, 'step 1 of 3');
  stdin.write(KEYS.enter);
  await waitForFrame(lastFrame, 'starting the local engine…');
  expect(fake.ran).toEqual([]);
  up();
  await waitForFrame(lastFrame, '✔ done');
  expect(fake.ran).toEqual(['generate-data-key']);
});

test('Ctrl-C quits even when it arrives in one chunk with another key', async () => {
  const { lastFrame, stdin, frames } = start();
  await waitForFrame(lastFrame, 'Lessons');
  const before = frames.length;
  stdin.write('\r\u0003');
  await tick(100);
  // After exit the app draws no more: the lesson screen the Enter would have opened never appears.
  expect(frames.slice(before).some((f) => f.includes('step 1 of'))).toBe(false);
  stdin.write(KEYS.enter);
  await tick(100);
  expect(lastFrame()).not.toContain('step 1 of');
});
