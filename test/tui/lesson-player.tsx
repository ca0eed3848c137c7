// The TUI driven by keys through the real lessons, the real runtime and a fresh
// local engine: the harness the lesson tests share (the App started on a temp
// home, a lesson opened from the menu, its steps played, its screen scrolled).
import { render } from 'ink-testing-library';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import React from 'react';
import { afterEach, expect } from 'vitest';
import { progressPort } from '../../src/commands/tui-progress.js';
import { loadLessons } from '../../src/lessons/loader.js';
import { openSession } from '../../src/runtime/session.js';
import type { Lesson, RuntimeSession } from '../../src/runtime/types.js';
import { App } from '../../src/tui/app.js';
import { KEYS, tick, waitForFrame } from './fake-workshop.js';

export type LessonApp = ReturnType<typeof render>;

/** The packaged lessons, as the workshop loads them (once per test file). */
export const lessons: Lesson[] = loadLessons().lessons;

const open: Array<{ unmount: () => void; session?: RuntimeSession; home: string }> = [];

/** Registers the clean-up after each test: every app started unmounted, its engine session closed, its temp home removed. */
export function closeAppsAfterEach() {
  afterEach(async () => {
    for (const o of open.splice(0)) {
      o.unmount();
      await o.session?.close();
      rmSync(o.home, { recursive: true, force: true });
    }
  });
}

/** Renders the App on a fresh temp home whose session starts a fresh local engine. */
export function start(): LessonApp {
  const home = mkdtempSync(join(tmpdir(), 'kmsws-tui-'));
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

/** The lesson with this id; throws when there is none. */
export function byId(id: string): Lesson {
  const found = lessons.find((l) => l.id === id);
  if (!found) throw new Error(`no lesson ${id}`);
  return found;
}

/** Once the engine is up, selects the menu's lesson at this index (its digit key; past the ninth, down from there) and presses Enter. */
export async function chooseLesson(app: LessonApp, index: number) {
  await waitForFrame(app.lastFrame, /Target local engine at http:\/\/127\.0\.0\.1:\d+/, 15_000);
  app.stdin.write(String(Math.min(index, 8) + 1)); // the menu's digit keys are 1 to 9
  for (let n = 8; n < index; n++) {
    await tick(15);
    app.stdin.write(KEYS.down);
  }
  await waitForFrame(app.lastFrame, new RegExp(`› ${index + 1}\\. `));
  app.stdin.write(KEYS.enter);
}

/** Opens the lesson from the menu and goes past its introduction (when it has one) to step 1. */
export async function openLesson(app: LessonApp, lesson: Lesson) {
  const index = lessons.indexOf(lesson);
  expect(index).toBeGreaterThanOrEqual(0);
  await chooseLesson(app, index);
  const first = await waitForFrame(app.lastFrame, /introduction|step 1 of \d+/, 15_000); // the steps load first (the Encryption SDK)
  if (!/step 1 of \d+/.test(first)) {
    await tick();
    app.stdin.write(KEYS.enter);
  }
  return waitForFrame(app.lastFrame, /step 1 of \d+/);
}

/** Every step in turn: the prediction answered first when the step asks one, then Enter; the frame after each run, by step id. */
export async function playAll(app: LessonApp, lesson: Lesson): Promise<Map<string, string>> {
  const frames = new Map<string, string>();
  const total = lesson.steps.length;
  for (const [i, step] of lesson.steps.entries()) {
    await waitForFrame(app.lastFrame, `step ${i + 1} of ${total}`);
    await tick();
    if (step.predict) {
      const choice = step.predict.answer + 1; // the right one, as a learner would press it
      app.stdin.write(String(choice));
      // Marked as chosen (the "Your prediction" line below may be out of view)
      await waitForFrame(app.lastFrame, `• ${choice}. `);
      await tick();
    }
    app.stdin.write(KEYS.enter);
    const frame = await waitForFrame(app.lastFrame, /✔ done|did not do what the lesson expects|✘ stopped/, 30_000);
    expect(frame, `step ${i + 1} (${step.id}) should pass:\n${frame}`).toContain('✔ done');
    frames.set(step.id, await scrollThrough(app, frame));
    if (i < total - 1) app.stdin.write(KEYS.right);
  }
  return frames;
}

/** The step's screen from top to bottom (from the frame shown now unless given): the frames seen while scrolling down with the arrow key, joined. */
export async function scrollThrough(app: LessonApp, first: string = app.lastFrame() ?? ''): Promise<string> {
  const seen = [first];
  for (let n = 0; n < 200 && /↓ \d+ more/.test(seen.at(-1)!); n++) {
    app.stdin.write(KEYS.down);
    await tick(15);
    seen.push(app.lastFrame() ?? '');
  }
  return seen.join('\n');
}
