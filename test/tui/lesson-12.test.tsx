// Lesson 12 in the TUI, driven by keys through the real lesson, the real
// runtime and a fresh local engine: every step predicted (when it asks) and
// run, and the CloudTrail moments read off the screen: the wait
// fast-forwarded, the lookup finding S3's GenerateDataKey on your behalf,
// one event's record, the failed Decrypt by its error code.
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
  const home = mkdtempSync(join(tmpdir(), 'kmsws-tui-12-'));
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

test('lesson 12 on screen: the wait fast-forwarded, S3\'s GenerateDataKey found by invokedBy, one event read, the failed Decrypt by its errorCode', async () => {
  const app = start();
  const lesson = lessons.find((l) => l.id === 'auditing-with-cloudtrail')!;
  expect(lesson).toBeDefined();
  await waitForFrame(app.lastFrame, /Target local engine at http:\/\/127\.0\.0\.1:\d+/, 15_000);
  // Lesson 10 or later: no digit key of its own, so down to it
  const index = lessons.indexOf(lesson);
  for (let n = 0; n < index; n++) {
    app.stdin.write(KEYS.down);
    await tick(15);
  }
  await waitForFrame(app.lastFrame, new RegExp(`› ${index + 1}\\. `));
  app.stdin.write(KEYS.enter);
  const first = await waitForFrame(app.lastFrame, /introduction|step 1 of \d+/);
  if (!/step 1 of \d+/.test(first)) {
    expect(first).toContain('event history');
    await tick();
    app.stdin.write(KEYS.enter);
  }
  const frames = new Map<string, string>();
  const total = lesson.steps.length;
  for (const [i, step] of lesson.steps.entries()) {
    await waitForFrame(app.lastFrame, `step ${i + 1} of ${total}`);
    await tick();
    if (step.predict) {
      const choice = step.predict.answer + 1;
      app.stdin.write(String(choice));
      await waitForFrame(app.lastFrame, `• ${choice}. `);
      await tick();
    }
    app.stdin.write(KEYS.enter);
    const frame = await waitForFrame(app.lastFrame, /✔ done|did not do what the lesson expects|✘ stopped/, 30_000);
    expect(frame, `step ${i + 1} (${step.id}) should pass:\n${frame}`).toContain('✔ done');
    frames.set(step.id, await scrollThrough(app, frame));
    if (i < total - 1) app.stdin.write(KEYS.right);
  }

  const wait = frames.get('wait-for-delivery')!;
  expect(wait).toMatch(/fast-forwarded/i);
  expect(wait).toMatch(/at once\s+0/);
  expect(wait).toMatch(/✔ the key's events are there after the wait/);
  const s3 = frames.get('calls-made-by-s3')!;
  expect(s3).toMatch(/GenerateDataKey\s+workshop-learner\s+s3\.amazonaws\.com\s+\{"aws:s3:arn/);
  expect(s3).toMatch(/✔ S3's GenerateDataKey for audited\.txt/);
  const read = frames.get('read-one-event')!;
  expect(read).toMatch(/"responseElements": null/);
  expect(read).toMatch(/"project": "workshop"/);
  expect(frames.get('find-failed-calls')).toMatch(/Decrypt\s+workshop-learner\s+InvalidCiphertextException/);
  expect(frames.get('a-failed-call')).toContain('Expected error from Decrypt: InvalidCiphertextException');
}, 120_000);

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
