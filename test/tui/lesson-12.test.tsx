// Lesson 12 in the TUI, driven by keys through the real lesson, the real
// runtime and a fresh local engine: every step predicted (when it asks) and
// run, and the CloudTrail moments read off the screen: the wait
// fast-forwarded, the lookup finding S3's GenerateDataKey on your behalf,
// one event's record, the failed Decrypt by its error code.
import { expect, test } from 'vitest';
import { KEYS, tick, waitForFrame } from './fake-workshop.js';
import { closeAppsAfterEach, lessons, playAll, start } from './lesson-player.js';

closeAppsAfterEach();

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
  const frames = await playAll(app, lesson);

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
