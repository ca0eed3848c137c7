// Lessons 5 and 6 in the TUI, driven by keys through the real lessons, the
// real runtime and a fresh local engine: the moments a learner should see on
// screen (the errors a disabled key and a key pending deletion give, the state
// a cancelled deletion leaves, the openssl-wrapped import, the expired key).
import { render } from 'ink-testing-library';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import React from 'react';
import { afterEach, beforeAll, expect, test } from 'vitest';
import { progressPort } from '../../src/commands/tui-progress.js';
import { loadLessons } from '../../src/lessons/loader.js';
import { openSession } from '../../src/runtime/session.js';
import type { Lesson, RuntimeSession } from '../../src/runtime/types.js';
import { App } from '../../src/tui/app.js';
import { KEYS, tick, waitForFrame } from './fake-workshop.js';

let lessons: Lesson[];
const open: Array<{ unmount: () => void; session?: RuntimeSession; home: string }> = [];

beforeAll(() => {
  lessons = loadLessons().lessons;
});

afterEach(async () => {
  for (const o of open.splice(0)) {
    o.unmount();
    await o.session?.close();
    rmSync(o.home, { recursive: true, force: true });
  }
});

function start() {
  const home = mkdtempSync(join(tmpdir(), 'kmsws-tui-5-6-'));
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
  return app;
}

type App = ReturnType<typeof start>;

/** Opens the lesson from the menu, past its introduction page when there is one, at step 1. */
async function openLesson(app: App, lesson: Lesson) {
  await waitForFrame(app.lastFrame, /Target local engine at http:\/\/127\.0\.0\.1:\d+/, 15_000);
  const index = lessons.indexOf(lesson);
  app.stdin.write(String(index + 1));
  await waitForFrame(app.lastFrame, new RegExp(`› ${index + 1}\\. `));
  app.stdin.write(KEYS.enter);
  const first = await waitForFrame(app.lastFrame, /step 1 of \d+|introduction/);
  if (!/step 1 of \d+/.test(first)) {
    await tick();
    app.stdin.write(KEYS.enter);
  }
  return waitForFrame(app.lastFrame, /step 1 of \d+/);
}

/**
 * Moves to the step and runs it (the steps before it run first, as the screen
 * says); a question asked before the run is answered with its first choice.
 */
async function runStepById(app: App, lesson: Lesson, stepId: string) {
  const index = lesson.steps.findIndex((s) => s.id === stepId);
  expect(index, `${lesson.id} has a step ${stepId}`).toBeGreaterThanOrEqual(0);
  const at = Number(/step (\d+) of \d+/.exec(app.lastFrame() ?? '')?.[1] ?? 1) - 1;
  for (let i = at; i < index; i++) app.stdin.write(KEYS.right);
  for (let i = at; i > index; i--) app.stdin.write(KEYS.left);
  await waitForFrame(app.lastFrame, `step ${index + 1} of ${lesson.steps.length}`);
  await tick();
  app.stdin.write(KEYS.enter);
  const done = /✔ done|did not do what the lesson expects|✘ stopped/;
  let frame = await waitForFrame(app.lastFrame, new RegExp(`${done.source}|${lesson.steps[index]!.predict ? '\\?' : '$^'}`), 30_000);
  for (let tries = 0; !done.test(frame) && tries < 3; tries++) {
    app.stdin.write(KEYS.enter); // the predict question: answer, then run
    await tick(100);
    frame = await waitForFrame(app.lastFrame, done, 30_000).catch(() => app.lastFrame() ?? '');
  }
  expect(frame, `step ${stepId} should pass:\n${frame}`).toContain('✔ done');
  return frame;
}

const lesson = (id: string) => lessons.find((l) => l.id === id)!;

/** Everything the step's results panel holds: the frames seen while scrolling it down to its end. */
async function scrolledResults(app: App): Promise<string> {
  const seen = [app.lastFrame() ?? ''];
  for (let i = 0; i < 120 && /↓ \d+ more/.test(seen.at(-1)!); i++) {
    app.stdin.write(KEYS.down);
    await tick(15);
    seen.push(app.lastFrame() ?? '');
  }
  return seen.join('\n');
}

test("a key's life on screen: DisabledException after DisableKey", async () => {
  const app = start();
  await openLesson(app, lesson('key-lifecycle'));
  const frame = await runStepById(app, lesson('key-lifecycle'), 'disable-key');
  expect(frame).toMatch(/✘ Decrypt\s+you DisabledException/);
  const all = await scrolledResults(app);
  expect(all).toMatch(/"KeyState": "Disabled"/);
  expect(all).toContain('Expected error from Decrypt: DisabledException');
}, 90_000);

test("a key's life on screen: KMSInvalidStateException while pending deletion, then Disabled after CancelKeyDeletion", async () => {
  const app = start();
  const L = lesson('key-lifecycle');
  await openLesson(app, L);
  let frame = await runStepById(app, L, 'schedule-deletion');
  expect(frame).toMatch(/✔ ScheduleKeyDeletion/);
  expect(frame).toMatch(/✘ Decrypt\s+you KMSInvalidStateException/);
  expect(await scrolledResults(app)).toContain('Expected error from Decrypt: KMSInvalidStateException');
  frame = await runStepById(app, L, 'cancel-deletion');
  expect(frame).toMatch(/CancelKeyDeletion +1/);
  expect(await scrolledResults(app)).toMatch(/DescribeKey after CancelKeyDeletion\n\{\n {2}"KeyState": "Disabled"/);
}, 90_000);

test('your own key material on screen: the openssl-wrapped import works, and past ValidTo the key is unusable', async () => {
  const app = start();
  const L = lesson('imported-key-material');
  await openLesson(app, L);
  let frame = await runStepById(app, L, 'import-with-expiry');
  expect(frame).toMatch(/ImportKeyMaterial +1/);
  expect(frame).toMatch(/DescribeKey after the import\n\{\n {2}"KeyState": "Enabled"/);
  expect(frame).toMatch(/"ExpirationModel": "KEY_MATERIAL_EXPIRES"/);
  frame = await runStepById(app, L, 'past-valid-to');
  expect(frame).toMatch(/✘ Decrypt\s+you KMSInvalidStateException/);
  const all = await scrolledResults(app);
  expect(all).toContain("The local engine's clock moved forward 0.5 days");
  expect(all).toMatch(/"KeyState": "PendingImport"/);
  expect(all).toContain('Expected error from Decrypt: KMSInvalidStateException');
}, 90_000);
