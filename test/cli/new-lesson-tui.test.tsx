// A lesson made with new-lesson, outside the project, in the tutorial as --lessons
// gives it (the built-in lessons, then the pack's): on the menu after the built-in
// ones, opened with the arrow keys, and its steps played against a fresh engine.
import { render } from 'ink-testing-library';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import React from 'react';
import { afterEach, expect, test } from 'vitest';
import { newLesson } from '../../src/commands/new-lesson.js';
import { progressPort } from '../../src/commands/tui-progress.js';
import { loadLessonsWithPack } from '../../src/lessons/packs.js';
import { openSession } from '../../src/runtime/session.js';
import type { RuntimeSession } from '../../src/runtime/types.js';
import { App } from '../../src/tui/app.js';
import { KEYS, tick, waitForFrame } from '../tui/fake-workshop.js';
import { playAll } from '../tui/lesson-player.js';

const cleanUps: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const done of cleanUps.splice(0).reverse()) await done();
});

test("the tutorial with --lessons lists the pack's lesson after the built-in ones, and plays it", async () => {
  const pack = mkdtempSync(join(tmpdir(), 'kms-workshop-pack-'));
  const home = mkdtempSync(join(tmpdir(), 'kms-workshop-pack-home-'));
  cleanUps.push(() => rmSync(pack, { recursive: true, force: true }), () => rmSync(home, { recursive: true, force: true }));
  const quiet = { write: () => true } as unknown as NodeJS.WritableStream;
  expect(newLesson({ dir: join(pack, 'class-lesson'), out: quiet, err: quiet })).toBe(0);

  const { lessons, packProblems } = loadLessonsWithPack(pack);
  expect(packProblems).toEqual([]);
  const lesson = lessons.at(-1)!;
  expect(lesson.id).toBe('class-lesson');

  let session: RuntimeSession | undefined;
  const app = render(
    <App
      lessons={lessons}
      workspaceRoot={join(home, 'workspace')}
      progress={progressPort(home)}
      reportError={(_, e) => ({ message: String((e as Error)?.message ?? e) })}
      openSession={async () => (session = await openSession({ home, freshEngine: true }))}
    />,
  );
  cleanUps.push(async () => {
    app.unmount();
    await session?.close();
  });

  await waitForFrame(app.lastFrame, /Target local engine at http:\/\/127\.0\.0\.1:\d+/, 15_000);
  // Last on the menu (which scrolls): down to it
  const index = lessons.length - 1;
  for (let n = 0; n < index; n++) {
    app.stdin.write(KEYS.down);
    await tick(15);
  }
  await waitForFrame(app.lastFrame, `› ${index + 1}. ${lesson.title}`);
  app.stdin.write(KEYS.enter);
  const first = await waitForFrame(app.lastFrame, /introduction|step 1 of \d+/, 15_000);
  if (!/step 1 of \d+/.test(first)) {
    expect(first).toContain('Replace this introduction');
    await tick();
    app.stdin.write(KEYS.enter);
  }
  const frames = await playAll(app, lesson);
  expect(frames.get('encrypt-a-text')).toMatch(/✔ the ciphertext is longer than the text/);
  expect(frames.get('clean-up')).toMatch(/its key is pending deletion/);
}, 90_000);
