// Lesson 11 in the TUI, driven by keys through the real lesson, the real
// runtime and a fresh local engine: each step predicted and run, and the key
// moments read off the screen: the throttled count with the retries off and
// its ThrottlingException, every call through with the standard and adaptive
// retry modes, S3's GenerateDataKey with and without a Bucket Key.
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
  const home = mkdtempSync(join(tmpdir(), 'kmsws-tui-11-'));
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

/** Opens the lesson from the menu and goes past its introduction to step 1. */
async function openLesson(app: ReturnType<typeof start>, lesson: Lesson) {
  await waitForFrame(app.lastFrame, /Target local engine at http:\/\/127\.0\.0\.1:\d+/, 15_000);
  const index = lessons.indexOf(lesson);
  expect(index).toBeGreaterThanOrEqual(0);
  app.stdin.write(String(index + 1));
  await waitForFrame(app.lastFrame, new RegExp(`› ${index + 1}\\. `));
  app.stdin.write(KEYS.enter);
  const first = await waitForFrame(app.lastFrame, /introduction|step 1 of \d+/, 15_000); // the steps load first (the Encryption SDK)
  if (!/step 1 of \d+/.test(first)) {
    await tick();
    app.stdin.write(KEYS.enter);
  }
  return waitForFrame(app.lastFrame, /step 1 of \d+/);
}

/** Every step in turn: the prediction answered first when the step asks one, then Enter; the frame after each run, by step id. */
async function playAll(app: ReturnType<typeof start>, lesson: Lesson): Promise<Map<string, string>> {
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

/** The step's screen from top to bottom: the frames seen while scrolling down with the arrow key, joined. */
async function scrollThrough(app: ReturnType<typeof start>, first: string): Promise<string> {
  const seen = [first];
  for (let n = 0; n < 200 && /↓ \d+ more/.test(seen.at(-1)!); n++) {
    app.stdin.write(KEYS.down);
    await tick(15);
    seen.push(app.lastFrame() ?? '');
  }
  return seen.join('\n');
}

const byId = (id: string) => {
  const found = lessons.find((l) => l.id === id);
  if (!found) throw new Error(`no lesson ${id}`);
  return found;
};

test('lesson 11 on screen: the throttled count and ThrottlingException with the retries off, every call through with retries, the Bucket Key counts side by side', async () => {
  const app = start();
  const lesson = byId('quotas-and-backoff');
  await openLesson(app, lesson);
  const frames = await playAll(app, lesson);

  const off = frames.get('burst-without-retries')!;
  expect(off).toMatch(/allows 5 requests a second/);
  const count = /throttled\s+(\d+)/.exec(off);
  expect(count, off).not.toBeNull();
  expect(Number(count![1])).toBeGreaterThan(0);
  expect(off).toContain('Expected error from GenerateDataKey: ThrottlingException');
  for (const id of ['burst-with-standard-retries', 'burst-with-adaptive-retries']) {
    const frame = frames.get(id)!;
    expect(frame, id).toMatch(/✔ every call got its data key/);
    expect(frame, id).toMatch(/attempts\s+waited \(ms\)/);
    expect(frame, id).not.toMatch(/\bfailed\b/);
  }
  const s3 = frames.get('s3-bucket-keys')!;
  expect(s3).toMatch(/without a Bucket Key\s+10/);
  expect(s3).toMatch(/with a Bucket Key\s+1\b/);
  expect(frames.get('data-key-caching')).toMatch(/✔ no call was throttled/);
}, 120_000);
