// Lesson 10 in the TUI, driven by keys through the real lesson, the real
// runtime and a fresh local engine: each step predicted and run, and the JPG
// round trip read off the screen (the <Q length and the IV in the hex dump,
// the encrypted data key in the object's metadata, the byte-for-byte check),
// then step 1 run again after the clean-up: the disabled key's
// DisabledException, and the key enabled again.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { KEYS, tick, waitForFrame } from './fake-workshop.js';
import { byId, closeAppsAfterEach, lessons, playAll, scrollThrough, start } from './lesson-player.js';

closeAppsAfterEach();

const hex = (n: number) => n.toString(16).padStart(2, '0');

test('lesson 10 on screen: the JPG header in the hex dump, the key in the metadata, the byte-for-byte round trip, and the disabled key met on the next run', async () => {
  const app = start();
  const lesson = byId('developer-demo');
  await waitForFrame(app.lastFrame, /Target local engine at http:\/\/127\.0\.0\.1:\d+/, 15_000);
  // Lesson 10 or later: no digit key of its own, so down to it
  const index = lessons.indexOf(lesson);
  for (let n = 0; n < index; n++) {
    app.stdin.write(KEYS.down);
    await tick(15);
  }
  await waitForFrame(app.lastFrame, new RegExp(`› ${index + 1}\\. `));
  app.stdin.write(KEYS.enter);
  const intro = await waitForFrame(app.lastFrame, /introduction/, 15_000);
  expect(intro).toContain('KMS developer demo');
  await tick();
  app.stdin.write(KEYS.enter);
  const frames = await playAll(app, lesson);

  const size = readFileSync(join(lesson.dir, 'assets', 'padlock.jpg')).length;
  const encrypted = frames.get('encrypt-file')!;
  // the first row of the dump: the length, lowest byte first, then six zero bytes, then the IV
  expect(encrypted).toMatch(new RegExp(`00000000\\s+${hex(size & 0xff)} ${hex(size >> 8)} 00 00 00 00 00 00 [0-9a-f]{2}`));
  expect(encrypted).toMatch(new RegExp(`original length, <Q\\s+${size} bytes`));
  expect(encrypted).toMatch(/IV\s+[0-9a-f]{32}/);

  const uploaded = frames.get('upload-file')!;
  expect(uploaded).toMatch(/"key": "[A-Za-z0-9+/]{20,}/);
  expect(uploaded).toContain('PutObject');

  const roundTrip = frames.get('download-and-decrypt')!;
  expect(roundTrip).toContain('✔ padlock.jpg.enc.jpg is padlock.jpg, byte for byte');
  expect(roundTrip).toMatch(/00000000\s+ff d8 ff e0/);
  expect(frames.get('clean-up')).toMatch(/"KeyState": "Disabled"/);

  // The lesson again from its first step, as the demo is run again.
  for (let i = 1; i < lesson.steps.length; i++) {
    app.stdin.write(KEYS.left);
    await tick();
  }
  await waitForFrame(app.lastFrame, `step 1 of ${lesson.steps.length}`);
  app.stdin.write(KEYS.enter);
  const again = await scrollThrough(app, await waitForFrame(app.lastFrame, /✔ done|✘ stopped/, 30_000));
  expect(again).toContain('✔ done');
  expect(again).toContain('DisabledException');
  expect(again).toContain('Found the key of the last run: enabled it again.');
}, 120_000);
