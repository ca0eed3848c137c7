// Lessons 7 and 8 in the TUI, driven by keys through the real lessons, the
// real runtime and a fresh local engine: each step predicted (when it asks)
// and run, and the key moments read off the screen: the rotation list, the
// old ciphertext decrypting under the same key, the openssl interop, the
// tampered signature's KMSInvalidSignatureException, VerifyMac.
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
  const home = mkdtempSync(join(tmpdir(), 'kmsws-tui-7-8-'));
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
  const first = await waitForFrame(app.lastFrame, /introduction|step 1 of \d+/);
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

test('lesson 7 on screen: the 30-day period refused, the rotation list after the jump, every material, the old ciphertext opening under the same key', async () => {
  const app = start();
  const lesson = byId('rotation-and-reencryption');
  await openLesson(app, lesson);
  const frames = await playAll(app, lesson);

  expect(frames.get('enable-rotation')).toContain('Expected error from EnableKeyRotation: ValidationException');
  const jump = frames.get('fast-forward-a-period')!;
  expect(jump).toMatch(/clock moved forward 91 days/);
  expect(jump).toMatch(/ListKeyRotations for [0-9a-f-]{36}/);
  expect(jump).toMatch(/[0-9a-f]{12}\.\.\.\s+AUTOMATIC\s+\S+\s+CURRENT/);
  const all = frames.get('rotate-on-demand')!;
  expect(all).toMatch(/\(the first\)\s+NON_CURRENT/);
  expect(all).toMatch(/AUTOMATIC\s+\S+\s+NON_CURRENT/);
  expect(all).toMatch(/ON_DEMAND\s+\S+\s+CURRENT/);
  const old = frames.get('old-ciphertext-decrypts')!;
  expect(old).toMatch(/✔ the secret from before the rotations/);
  expect(old).toMatch(/✔ with the same KeyId/);
  expect(frames.get('re-encrypt')).toMatch(/✔ the response carries no Plaintext/);
}, 120_000);

test('lesson 8 on screen: openssl encrypts and KMS decrypts, openssl verifies, the tampered release is KMSInvalidSignatureException, VerifyMac accepts the token and refuses the forged one', async () => {
  const app = start();
  const lesson = byId('asymmetric-and-hmac');
  await openLesson(app, lesson);
  const frames = await playAll(app, lesson);

  const outside = frames.get('encrypt-outside-aws')!;
  expect(outside).toMatch(/ran: openssl pkeyutl -encrypt|openssl is not installed: node:crypto encrypted/);
  expect(outside).toMatch(/✔ no call to AWS was needed/);
  expect(frames.get('decrypt-with-kms')).toMatch(/✔ KMS decrypted what openssl encrypted/);
  const verified = frames.get('verify-signatures')!;
  expect(verified).toMatch(/✔ KMS: the RAW signature is valid/);
  expect(verified).toMatch(/✔ (openssl dgst -verify|node:crypto): release-digest\.sig verifies/);
  const tampered = frames.get('tampered-message')!;
  expect(tampered).toContain('Expected error from Verify: KMSInvalidSignatureException');
  expect(tampered).toMatch(/✘ Verify\s+you KMSInvalidSignatureException/);
  const token = frames.get('hmac-token')!;
  expect(token).toMatch(/"MacValid": true/);
  expect(token).toMatch(/✔ the token is genuine/);
  expect(frames.get('forged-token')).toContain('Expected error from VerifyMac: KMSInvalidMacException');
}, 120_000);
