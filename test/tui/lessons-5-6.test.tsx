// Lessons 5 and 6 in the TUI, driven by keys through the real lessons, the
// real runtime and a fresh local engine: the moments a learner should see on
// screen (the errors a disabled key and a key pending deletion give, the state
// a cancelled deletion leaves, the openssl-wrapped import, the expired key).
import { expect, test } from 'vitest';
import type { Lesson } from '../../src/runtime/types.js';
import { KEYS, tick, waitForFrame } from './fake-workshop.js';
import { byId as lesson, closeAppsAfterEach, openLesson, scrollThrough as scrolledResults, start, type LessonApp } from './lesson-player.js';

closeAppsAfterEach();

/**
 * Moves to the step and runs it (the steps before it run first, as the screen
 * says); a question asked before the run is answered with its first choice.
 */
async function runStepById(app: LessonApp, lesson: Lesson, stepId: string) {
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
