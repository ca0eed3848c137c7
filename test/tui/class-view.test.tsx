// The instructor's screen with its real hooks, over a room held in memory.
import { render } from 'ink-testing-library';
import React from 'react';
import { afterEach, expect, test } from 'vitest';
import type { Room } from '../../src/engine/class-protocol.js';
import { ClassView } from '../../src/tui/class/class-view/class-view.js';
import { roomText } from '../../src/tui/class/room-text/room-text.js';
import { KEYS, tick, waitForFrame } from './fake-workshop.js';
import { MemorySource, onStep, room, roomCall, ROOM_AT } from './class-room-fixtures.js';

const apps: Array<{ unmount: () => void }> = [];
afterEach(() => {
  for (const app of apps.splice(0)) app.unmount();
});

function show(source: MemorySource, { width = 80, height = 24, stuckMinutes }: { width?: number; height?: number; stuckMinutes?: number } = {}) {
  const app = render(<ClassView source={source} endpoint="http://10.0.0.5:4599" width={width} height={height} pollMs={30} callsWaitSeconds={1} {...(stuckMinutes !== undefined ? { stuckMinutes } : {})} />);
  apps.push(app);
  return app;
}

const classroom = () =>
  room(
    [
      onStep(1, 3, { callsLastMinute: 9 }),
      onStep(2, 2, {}, 7),
      onStep(3, 4, { errorsInARow: 3, lastError: { operation: 'Decrypt', code: 'InvalidCiphertextException', message: 'wrong context', at: ROOM_AT } }),
    ],
    { GenerateDataKey: 3, Decrypt: 12 },
  );

test('the room: a row per learner, the room\'s GenerateDataKey count, the keys; all within 80x24', async () => {
  const app = show(new MemorySource(classroom()));
  const frame = await waitForFrame(app.lastFrame, 'learner3');
  expect(frame).toContain('kms-workshop class · http://10.0.0.5:4599 · 3 learners');
  expect(frame).toMatch(/GenerateDataKey\s+3\s+◀ 3 calls, everyone together/);
  expect(frame).toContain('Decrypt 12');
  expect(frame).toMatch(/›  learner1\s+envelope-enc…\s+3\/9 Step title 3/);
  expect(frame).toMatch(/ ! learner2 /);
  expect(frame).toMatch(/ ! learner3 .*InvalidCipherte…/);
  expect(frame).toContain('2 stuck (!)');
  expect(frame).toMatch(/Enter their calls\s+s stuck only/);
  const lines = frame.split('\n');
  expect(lines.length).toBeLessThanOrEqual(24);
  for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
});

test('the room follows the engine: a learner who moves on shows their new step at the next poll', async () => {
  const source = new MemorySource(classroom());
  const app = show(source);
  await waitForFrame(app.lastFrame, '3/9 Step title 3');
  source.current = room([onStep(1, 4), ...classroom().learners.slice(1)]);
  await waitForFrame(app.lastFrame, '4/9 Step title 4');
});

test("z zeroes the room's counts on screen: the GenerateDataKey count from then on is the caching lesson's alone", async () => {
  const source = new MemorySource(classroom()); // GenerateDataKey 3, Decrypt 12
  const app = show(source);
  await waitForFrame(app.lastFrame, /GenerateDataKey\s+3\s+◀ 3 calls, everyone together/);
  expect(app.lastFrame()).toMatch(/z zero counts\s+q quit/);
  app.stdin.write('z');
  let frame = await waitForFrame(app.lastFrame, /The room's calls since \d\d:\d\d:\d\d\s+GenerateDataKey\s+0\s+◀ 0 calls$/m);
  expect(frame).toContain('no other calls yet');
  source.current = room(classroom().learners, { GenerateDataKey: 5, Decrypt: 12, Encrypt: 4 });
  frame = await waitForFrame(app.lastFrame, /GenerateDataKey\s+2\s+◀ 2 calls$/m);
  expect(frame).toContain('Encrypt 4');
  expect(frame).not.toContain('Decrypt');
  for (const line of frame.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
});

test('s shows only the stuck learners, + and - change the minutes, s again shows everyone', async () => {
  const app = show(new MemorySource(classroom()));
  await waitForFrame(app.lastFrame, 'learner3');
  app.stdin.write('s');
  let frame = await waitForFrame(app.lastFrame, 'Stuck only (2 of 3)');
  expect(frame).not.toMatch(/learner1 /);
  expect(frame).toMatch(/learner2[\s\S]*learner3/);
  // 8 minutes: learner2 (on their step for 7) is no longer stuck; learner3 still is (3 errors in a row)
  app.stdin.write('+');
  await tick();
  app.stdin.write('++'); // keys typed fast arrive as one chunk
  frame = await waitForFrame(app.lastFrame, 'Stuck only (1 of 3): on one step 8+ min');
  expect(frame).not.toMatch(/learner2 /);
  expect(frame).toMatch(/›! learner3/);
  app.stdin.write('s');
  frame = await waitForFrame(app.lastFrame, '1 stuck (!)');
  expect(frame).toMatch(/learner1[\s\S]*learner2[\s\S]*learner3/);
});

test("the chosen learner's line says why they look stuck and their last error in full (an empty message leaves no colon)", async () => {
  const app = show(new MemorySource(room([...classroom().learners, onStep(4, 1, { lastError: { operation: 'Decrypt', code: 'InvalidCiphertextException', message: '', at: ROOM_AT } })])));
  await waitForFrame(app.lastFrame, 'learner4');
  app.stdin.write(KEYS.down);
  app.stdin.write(KEYS.down);
  await waitForFrame(app.lastFrame, 'learner3 · stuck: 3 errors in a row · Decrypt: InvalidCiphertext: wrong context');
  app.stdin.write(KEYS.down);
  const frame = await waitForFrame(app.lastFrame, /learner4 · Decrypt: InvalidCiphertext · Envelope encryption$/m);
  expect(frame).not.toContain('stuck: on step 1');
});

test('a stuck filter that hides everyone says so', async () => {
  const app = show(new MemorySource(room([onStep(1, 1)])));
  await waitForFrame(app.lastFrame, 'learner1');
  app.stdin.write('s');
  await waitForFrame(app.lastFrame, 'Nobody looks stuck. s shows everyone.');
});

test('↓ and Enter open that learner\'s live call log, masked parameters and errors; Esc goes back to the room', async () => {
  const source = new MemorySource(classroom(), {
    learner2: [roomCall({ operation: 'GenerateDataKey', parameters: { KeyId: 'alias/workshop', KeySpec: 'AES_256' } })],
  });
  const app = show(source);
  await waitForFrame(app.lastFrame, 'learner3');
  app.stdin.write(KEYS.down);
  await waitForFrame(app.lastFrame, /›! learner2/);
  app.stdin.write(KEYS.enter);
  let frame = await waitForFrame(app.lastFrame, 'KeyId=alias/workshop · KeySpec=AES_256');
  expect(frame).toMatch(/^learner2 · Envelope encryption · step 2\/9 Step title 2/m);
  expect(frame).toMatch(/✔ GenerateDataKey kms · user\/workshop-learner/);
  expect(frame).toContain('Esc back to the room');
  // a call the learner makes now shows without a key pressed
  source.callsOf.learner2!.push(roomCall({ operation: 'Decrypt', outcome: { ok: false, code: 'AccessDeniedException', message: 'not allowed' } }));
  frame = await waitForFrame(app.lastFrame, /✘ Decrypt kms · user\/workshop-learner AccessDeniedException: not/);
  expect(source.callsAsked.every((c) => c.learner === 'learner2')).toBe(true);
  app.stdin.write(KEYS.esc);
  frame = await waitForFrame(app.lastFrame, "The room's calls");
  expect(frame).toMatch(/›! learner2/);
});

test("escape sequences a learner put in their step title or a call's parameters are not sent to the instructor's terminal", async () => {
  const hostile = onStep(1, 2, { progress: { lesson: 'x', lessonTitle: 'L', step: 2, steps: 3, stepTitle: 'step\u001b]0;pwned\u0007 title', passed: 1, solved: 0, at: ROOM_AT } });
  const source = new MemorySource(room([hostile], { 'Gen\u001b[2JerateDataKey': 1 }), { learner1: [roomCall({ parameters: { Description: 'a\u001b[2J\u001b[31mred', EncryptionContext: { 'k\u001b[H': 'v\u009b1m' } } })] });
  const app = show(source);
  let frame = await waitForFrame(app.lastFrame, '2/3 step�]0;pwned�');
  app.stdin.write(KEYS.enter);
  frame = await waitForFrame(app.lastFrame, 'Description=a�[2J�[31mred');
  expect(frame).toContain('EncryptionContext={k�[H=v�1m}');
  for (const f of app.frames) expect(f).not.toMatch(/\u001b\[2J|\u001b\]0;|\u001b\[H|\u009b|\u0007/);
  expect(roomText(source.current, { stuckMinutes: 5 })).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
});

test('a room taller than the screen is windowed around the chosen learner as ↓ moves', async () => {
  const app = show(new MemorySource(room(Array.from({ length: 40 }, (_, i) => onStep(i + 1, 1)))));
  let frame = await waitForFrame(app.lastFrame, 'learner1 ');
  expect(frame).toMatch(/↓ \d+ more/);
  expect(frame).not.toContain('learner30 ');
  for (let i = 0; i < 29; i++) app.stdin.write(KEYS.down);
  frame = await waitForFrame(app.lastFrame, /›  learner30 /);
  expect(frame).toMatch(/↑ \d+ more/);
  expect(frame.split('\n').length).toBeLessThanOrEqual(24);
});

test('a lost connection is one plain line and the last room stays; it heals by itself', async () => {
  const source = new MemorySource(classroom());
  const app = show(source);
  await waitForFrame(app.lastFrame, 'learner3');
  source.fail = new Error('cannot reach the class engine at http://10.0.0.5:4599 (connect ECONNREFUSED 10.0.0.5:4599): check the URL and that the instructor\'s engine is running', { cause: new Error('inner') });
  let frame = await waitForFrame(() => app.lastFrame()?.replace(/\n/g, ' '), 'Trying again (the room as it last was): cannot reach the class engine at http://10.0.0.5:4599 (connect ECONNREFUSED 10.0.0.5:4599)');
  expect(frame).toContain('learner3');
  expect(frame).not.toMatch(/\bat .*:\d+:\d+\)?$/m); // no stack frame
  const asked = source.roomAsked;
  await waitForFrame(() => String(source.roomAsked), String(asked + 2)); // it keeps asking
  source.fail = undefined;
  frame = await waitForFrame(() => (app.lastFrame()?.includes('Trying again') ? '' : app.lastFrame()), 'learner3');
  expect(frame).toContain("The room's calls");
});

test("a learner's call log that loses the engine says so in one line, keeps its calls, and picks up the calls made meanwhile", async () => {
  const source = new MemorySource(classroom(), { learner1: [roomCall({ operation: 'CreateKey' })] });
  const app = show(source);
  await waitForFrame(app.lastFrame, 'learner3');
  app.stdin.write(KEYS.enter);
  await waitForFrame(app.lastFrame, '✔ CreateKey kms');
  source.failCalls = new Error('cannot reach the class engine at http://10.0.0.5:4599 (no answer in time)');
  let frame = await waitForFrame(app.lastFrame, 'Trying again: cannot reach the class engine');
  expect(frame).toContain('✔ CreateKey kms');
  source.callsOf.learner1!.push(roomCall({ operation: 'Encrypt' }));
  source.failCalls = undefined;
  frame = await waitForFrame(app.lastFrame, '✔ Encrypt kms');
  expect(frame).not.toContain('Trying again');
  expect(frame.match(/CreateKey kms/g)).toHaveLength(1);
});

test('an answer that is not a room (another server at the URL) is a failure line, not a crashed screen', async () => {
  const source = new MemorySource({ learners: [{ profile: 'x' }], at: 'now' } as unknown as Room);
  const app = show(source);
  await waitForFrame(app.lastFrame, "Trying again: the class engine's answer is not a room");
  source.current = classroom();
  await waitForFrame(app.lastFrame, 'learner3');
});

test('before the first answer it says where it is connecting', async () => {
  const source = new MemorySource(classroom());
  source.fail = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
  const app = show(source);
  await waitForFrame(app.lastFrame, /Trying again: (TypeError: )?fetch failed \(ECONNREFUSED\)/);
});
