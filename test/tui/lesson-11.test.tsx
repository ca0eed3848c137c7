// Lesson 11 in the TUI, driven by keys through the real lesson, the real
// runtime and a fresh local engine: each step predicted and run, and the key
// moments read off the screen: the throttled count with the retries off and
// its ThrottlingException, every call through with the standard and adaptive
// retry modes, S3's GenerateDataKey with and without a Bucket Key.
import { expect, test } from 'vitest';
import { byId, closeAppsAfterEach, openLesson, playAll, start } from './lesson-player.js';

closeAppsAfterEach();

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
