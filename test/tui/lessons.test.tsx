// The TUI driven by keys through the real lessons, the real runtime and a fresh
// local engine: what a learner sees on a 100x24 screen.
import { expect, test } from 'vitest';
import type { Question } from '../../src/runtime/types.js';
import { KEYS, tick, waitForFrame } from './fake-workshop.js';
import { chooseLesson, closeAppsAfterEach, lessons, start, type LessonApp } from './lesson-player.js';

closeAppsAfterEach();

/** Moves the menu selection to the lesson with this title and opens it. */
async function openLesson(app: LessonApp, title: string) {
  const index = lessons.findIndex((l) => l.title === title);
  expect(index).toBeGreaterThanOrEqual(0);
  await chooseLesson(app, index);
  // Every packaged lesson opens at its introduction, with what it is based on.
  const intro = await waitForFrame(app.lastFrame, /introduction/);
  expect(intro).toContain('Based on');
  expect(intro).toContain(lessons[index]!.basedOn[0]!.slice(0, 40));
  await tick();
  app.stdin.write(KEYS.enter);
  return waitForFrame(app.lastFrame, /step 1 of \d+/);
}

async function runStep(app: LessonApp, n: number, total: number, prediction?: Question, exercise = false) {
  await waitForFrame(app.lastFrame, `step ${n} of ${total}`);
  await tick();
  // Predict, then observe: a step with a prediction asks for it first.
  if (prediction) {
    app.stdin.write(KEYS.enter);
    // The first Enter asks for the prediction and scrolls to it.
    const asked = await waitForFrame(app.lastFrame, 'What do you expect?');
    expect(asked).toContain(`? ${prediction.prompt.slice(0, 60)}`);
    app.stdin.write(String(prediction.answer + 1));
    await waitForFrame(app.lastFrame, `Your prediction: ${prediction.answer + 1}.`);
  }
  // An exercise is the learner's to do (test/tui/exercises.test.tsx); walking the lesson, s solves it.
  app.stdin.write(exercise ? 's' : KEYS.enter);
  return waitForFrame(app.lastFrame, /✔ done|did not do what the lesson expects|✘ stopped/, 20_000);
}

test('the envelope lesson, step by step: calls and counters live, the identical diff, then progress on the menu', async () => {
  const app = start();
  const envelope = lessons.find((l) => l.id === 'envelope-encryption')!;
  const total = envelope.steps.length;
  // The assertions below are tied to these steps: if the lesson renames them, this fails rather than skipping them.
  expect(envelope.steps.map((s) => s.id)).toEqual(expect.arrayContaining(['encrypt-with-data-key', 'decrypt-key-without-context', 'decrypt-key-and-file']));
  let frame = await openLesson(app, envelope.title);
  expect(frame).toContain(`1. ${envelope.steps[0]!.title}`);

  const seen: string[] = [];
  for (let i = 0; i < total; i++) {
    frame = await runStep(app, i + 1, total, envelope.steps[i]!.predict, !!envelope.steps[i]!.exercise);
    expect(frame, `step ${i + 1} (${envelope.steps[i]!.id}) should pass:\n${frame}`).toContain('✔ done');
    seen.push(frame);
    const step = envelope.steps[i]!;
    if (step.id === 'encrypt-with-data-key') {
      expect(frame).toMatch(/✔ GenerateDataKey\s+you alias\/\S+ \{project=workshop\}/);
      expect(frame).toMatch(/Calls by operation\n(.*\n)*.*GenerateDataKey\s+1\s+◀/);
    }
    if (step.id === 'decrypt-key-without-context') {
      // The prediction made before the run is explained after it.
      expect(frame).toContain('What happened');
      expect(frame).toContain('Expected error from Decrypt: InvalidCiphertextException');
      expect(frame).toMatch(/✘ Decrypt\s+you InvalidCiphertextException/);
    }
    if (step.id === 'decrypt-key-and-file') {
      expect(frame).toMatch(/diff samplesecret\.txt decryptedSecret\.txt\n✔ identical: not one byte differs/);
      expect(frame).toMatch(/Decrypt\s+1/);
    }
    if (i < total - 1) app.stdin.write(KEYS.right);
  }
  expect(seen.some((f) => f.includes('✔ identical'))).toBe(true);

  app.stdin.write(KEYS.esc);
  frame = await waitForFrame(app.lastFrame, 'Lessons');
  expect(frame).toMatch(new RegExp(`› \\d\\. ${envelope.title.slice(0, 20)}.*✔ done`));
}, 60_000);

test('the caching lesson counts GenerateDataKey once for two encrypts, on screen', async () => {
  const app = start();
  const caching = lessons.find((l) => l.id === 'cse-data-key-caching')!;
  const target = caching.steps.findIndex((s) => s.id === 'encrypt-twice-cached');
  expect(target).toBeGreaterThan(0);
  await openLesson(app, caching.title);
  for (let i = 0; i < target; i++) app.stdin.write(KEYS.right);
  // Running it runs the steps before it first (the key it uses), as the screen says.
  const frame = await runStep(app, target + 1, caching.steps.length, caching.steps[target]!.predict);
  expect(frame).toContain('✔ done');
  // The live counter below the results, and the step's own counter and check.
  expect(frame).toMatch(/Calls by operation\n(.*\n)*.*GenerateDataKey\s+1\s+◀/);
  expect(frame).not.toMatch(/GenerateDataKey\s+2/);
  expect(frame).toMatch(/✔ one GenerateDataKey for two encryptions|GenerateDataKey\s+1/);
}, 60_000);
