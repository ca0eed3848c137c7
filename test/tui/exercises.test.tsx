// Exercises in the TUI, through the real lessons, the real runtime and a fresh
// local engine: the learner's own client (here @aws-sdk/client-kms standing in
// for the AWS CLI in a second shell) passes a terminal exercise and a near miss
// is explained; an editor exercise runs the file on every save; `s` solves.
import { DecryptCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { render } from 'ink-testing-library';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import React from 'react';
import { afterEach, beforeAll, expect, test } from 'vitest';
import { progressPort } from '../../src/commands/tui-progress.js';
import { loadLessons } from '../../src/lessons/loader.js';
import { readProgress } from '../../src/runtime/progress.js';
import { openSession } from '../../src/runtime/session.js';
import type { Lesson, RuntimeSession } from '../../src/runtime/types.js';
import { App } from '../../src/tui/app.js';
import { KEYS, tick, waitForFrame } from './fake-workshop.js';

let lessons: Lesson[];
const open: Array<{ unmount: () => void; session?: RuntimeSession; home: string; client?: KMSClient }> = [];

beforeAll(() => {
  lessons = loadLessons().lessons;
});

afterEach(async () => {
  for (const o of open.splice(0)) {
    o.unmount();
    o.client?.destroy();
    await o.session?.close();
    rmSync(o.home, { recursive: true, force: true });
  }
});

function start() {
  const home = mkdtempSync(join(tmpdir(), 'kmsws-exercise-'));
  const entry: (typeof open)[number] = { home, unmount: () => {} };
  const app = render(
    <App
      lessons={lessons}
      workspaceRoot={join(home, 'workspace')}
      progress={progressPort(home)}
      reportError={(_, e) => ({ message: String((e as Error)?.message ?? e) })}
      openSession={async () => (entry.session = await openSession({ home, freshEngine: true }))}
    />,
  );
  entry.unmount = app.unmount;
  open.push(entry);
  return { app, entry };
}

/** Opens the lesson and goes to its exercise step; returns the lesson and the step's index. */
async function openExercise(app: ReturnType<typeof render>, lessonId: string, stepId: string) {
  await waitForFrame(app.lastFrame, /Target local engine at http:\/\/127\.0\.0\.1:\d+/, 15_000);
  const index = lessons.findIndex((l) => l.id === lessonId);
  const lesson = lessons[index]!;
  const at = lesson.steps.findIndex((s) => s.id === stepId);
  expect(at, `${lessonId} has the exercise ${stepId}`).toBeGreaterThan(0);
  expect(lesson.steps[at]!.exercise).toBeDefined();
  app.stdin.write(String(index + 1));
  await waitForFrame(app.lastFrame, new RegExp(`› ${index + 1}\\. `));
  app.stdin.write(KEYS.enter);
  await waitForFrame(app.lastFrame, /introduction/);
  await tick();
  app.stdin.write(KEYS.enter);
  for (let i = 0; i < at; i++) {
    await tick();
    app.stdin.write(KEYS.right);
  }
  await waitForFrame(app.lastFrame, `step ${at + 1} of ${lesson.steps.length}`);
  await tick();
  return { lesson, at };
}

test('a terminal exercise passes on calls from another client, and a near miss says why it does not count', async () => {
  const { app, entry } = start();
  const { lesson } = await openExercise(app, 'direct-encryption', 'cli-encrypt-decrypt');
  // Before it starts, the answer (its code) is not on screen.
  expect(app.lastFrame()).not.toContain('Solution');
  app.stdin.write(KEYS.enter);
  let frame = await waitForFrame(app.lastFrame, 'no Encrypt call has reached the engine yet', 30_000);
  const session = entry.session!;
  expect(frame).toContain(`export AWS_ENDPOINT_URL=${session.endpoint}`);

  // The second shell: its own client, its own credentials, straight to the engine's endpoint.
  const workspace = session.workspace(lesson);
  const client = (entry.client = new KMSClient({ endpoint: session.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIDSECONDSHELL', secretAccessKey: 'x' } }));
  const file = (name: string) => join(workspace, name);
  const { CiphertextBlob } = await client.send(
    new EncryptCommand({ KeyId: 'alias/kms-workshop-direct', Plaintext: readFileSync(file('NewSecretFile.txt')), EncryptionContext: { project: 'kmsworkshop' } }),
  );
  writeFileSync(file('MySecret.encrypted'), CiphertextBlob!);
  frame = await waitForFrame(app.lastFrame, /✔ Encrypt with alias\/kms-workshop-direct/, 5_000);
  expect(frame).toMatch(/✔ Encrypt\s+you \(aws-sdk-js\)/);

  // A near miss: Decrypt without the context fails, and the checklist says why it does not count.
  await expect(client.send(new DecryptCommand({ CiphertextBlob }))).rejects.toThrow();
  frame = await waitForFrame(app.lastFrame, 'you called Decrypt without the encryption context project=kmsworkshop', 5_000);
  expect(frame).toMatch(/○ Decrypt with the context project=kmsworkshop/);
  expect(frame).not.toContain('you did it');

  const { Plaintext } = await client.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { project: 'kmsworkshop' } }));
  writeFileSync(file('MySecret.decrypted'), Plaintext!);
  frame = await waitForFrame(app.lastFrame, '✔ you did it', 5_000);
  expect(frame).toContain('✔ MySecret.decrypted is the same as NewSecretFile.txt');
  // Done by the learner: passed, not solved.
  const progress = readProgress(entry.home).lessons[lesson.id]!;
  expect(progress.steps['cli-encrypt-decrypt']).toBeDefined();
  expect(progress.solved?.['cli-encrypt-decrypt']).toBeUndefined();
}, 60_000);

test('an editor exercise runs the file on every save and passes once the edit is right', async () => {
  const { app, entry } = start();
  const { lesson, at } = await openExercise(app, 'cse-data-key-caching', 'set-cache-limits');
  expect(at).toBe(5);
  app.stdin.write(KEYS.enter);
  // The starter as given: two encryptions, two data keys.
  let frame = await waitForFrame(app.lastFrame, /GenerateDataKey {2}2/, 30_000);
  expect(frame).toContain("Your file's last run");
  expect(frame).toContain('○ your two encryptions made one GenerateDataKey');
  const file = join(entry.session!.workspace(lesson), 'cache-limits.js');
  const starter = readFileSync(file, 'utf8');
  expect(starter).toContain('maxMessagesEncrypted: 1,');

  // A save with a syntax error: the file's own line is named.
  writeFileSync(file, starter.replace('maxMessagesEncrypted: 1,', 'maxMessagesEncrypted: 1,,'));
  frame = await waitForFrame(app.lastFrame, /cache-limits\.js:\d+: SyntaxError/, 10_000);
  expect(frame).not.toContain('you did it');

  writeFileSync(file, starter.replace('maxMessagesEncrypted: 1,', 'maxMessagesEncrypted: 10,'));
  // Passed by the learner's edit: its mark is ● (solved would be ◑).
  frame = await waitForFrame(app.lastFrame, /step 6 of 7 ●{6}○/, 15_000);
  expect(frame).toContain('✔ your two encryptions made one GenerateDataKey');
  expect(readProgress(entry.home).lessons[lesson.id]!.steps['set-cache-limits']).toBeDefined();
}, 60_000);

test('s solves an exercise with its reference solution: shown and recorded as solved, not passed', async () => {
  const { app, entry } = start();
  const { lesson, at } = await openExercise(app, 'direct-encryption', 'cli-encrypt-decrypt');
  app.stdin.write('h');
  let frame = await waitForFrame(app.lastFrame, 'Hint 1 of 3');
  expect(frame).not.toContain('Hint 2 of 3');
  app.stdin.write('h');
  frame = await waitForFrame(app.lastFrame, 'Hint 2 of 3');
  app.stdin.write('s');
  frame = await waitForFrame(app.lastFrame, 'Solved: the reference solution', 30_000);
  // The step's mark says solved, and the answer is offered now, below the verdict.
  expect(frame).toMatch(new RegExp(`●{${at}}◑`));
  for (let i = 0; i < 6 && !frame.includes('Solution · Code'); i++) {
    app.stdin.write(' ');
    await tick(80);
    frame = app.lastFrame() ?? '';
  }
  expect(frame).toContain('Solution · Code');
  const progress = readProgress(entry.home).lessons[lesson.id]!;
  expect(progress.solved?.['cli-encrypt-decrypt']).toBeDefined();
  expect(progress.steps['cli-encrypt-decrypt']).toBeDefined();
}, 60_000);
