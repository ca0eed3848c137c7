import { render } from 'ink-testing-library';
import React from 'react';
import { expect, test } from 'vitest';
import { roomText } from '../../src/tui/class/room-text/room-text.js';
import { RoomTable } from '../../src/tui/class/room-table/room-table.js';
import { isStuck, stuckReason } from '../../src/tui/class/stuck/stuck.js';
import { learner, onStep, room, ROOM_AT } from './class-room-fixtures.js';

test('one row per learner: profile, lesson, step n/N and its title, passed and solved, calls in the last minute, the last error by short code', () => {
  const learners = [
    onStep(1, 3, { callsLastMinute: 12, lastError: { operation: 'Decrypt', code: 'InvalidCiphertextException', message: 'bad', at: ROOM_AT } }),
    onStep(2, 5, { progress: { lesson: 'envelope-encryption', lessonTitle: 'Envelope', step: 5, steps: 9, stepTitle: 'Cache the data key', passed: 14, solved: 2, at: ROOM_AT } }),
    learner(3),
  ];
  const frame = render(<RoomTable learners={learners} roomAt={ROOM_AT} stuckMinutes={5} width={80} rows={10} />).lastFrame()!;
  const lines = frame.split('\n');
  expect(lines[0]).toMatch(/learner\s+lesson\s+step\s+pass\s+sol\s+\/min\s+last error/);
  expect(lines[1]).toMatch(/^   learner1\s+envelope-enc…\s+3\/9 Step title 3\s+2\s+0\s+12\s+InvalidCipherte…$/);
  expect(lines[2]).toMatch(/^   learner2\s+envelope-enc…\s+5\/9 Cache the data…\s+14\s+2\s+0\s*$/);
  expect(lines[3]).toMatch(/^\s+learner3\s+not started\s+0\s+0\s+0\s*$/);
  for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
});

test('the chosen learner is marked › and a stuck one !', () => {
  const learners = [onStep(1, 2), onStep(2, 2, {}, 6), onStep(3, 2, { errorsInARow: 3 })];
  const lines = render(<RoomTable learners={learners} roomAt={ROOM_AT} stuckMinutes={5} selected="learner3" width={80} rows={10} />).lastFrame()!.split('\n');
  expect(lines[1]).toMatch(/^   learner1/);
  expect(lines[2]).toMatch(/^ ! learner2/);
  expect(lines[3]).toMatch(/^›! learner3/);
});

test('stuck: on one step for N minutes or more, or 3 errors in a row; N is the instructor\'s', () => {
  expect(isStuck(onStep(1, 2, {}, 4), ROOM_AT, 5)).toBe(false);
  expect(isStuck(onStep(1, 2, {}, 5), ROOM_AT, 5)).toBe(true);
  expect(isStuck(onStep(1, 2, {}, 4), ROOM_AT, 3)).toBe(true);
  expect(isStuck(onStep(1, 2, { errorsInARow: 2 }), ROOM_AT, 5)).toBe(false);
  expect(isStuck(onStep(1, 2, { errorsInARow: 3 }), ROOM_AT, 5)).toBe(true);
  expect(isStuck(learner(1), ROOM_AT, 5)).toBe(false);
  expect(stuckReason(onStep(1, 4, { errorsInARow: 4 }, 7), ROOM_AT, 5)).toBe('on step 4 for 7 min, 4 errors in a row');
});

test('a room taller than the screen shows a window around the chosen learner, with how many are above and below', () => {
  const learners = Array.from({ length: 40 }, (_, i) => onStep(i + 1, 1));
  const top = render(<RoomTable learners={learners} roomAt={ROOM_AT} stuckMinutes={5} selected="learner1" width={80} rows={10} />).lastFrame()!;
  expect(top.split('\n').length).toBeLessThanOrEqual(10);
  expect(top).toMatch(/›  learner1 /);
  expect(top).toContain('↓ 33 more');
  expect(top).not.toContain('↑');
  const middle = render(<RoomTable learners={learners} roomAt={ROOM_AT} stuckMinutes={5} selected="learner20" width={80} rows={10} />).lastFrame()!;
  expect(middle.split('\n').length).toBeLessThanOrEqual(10);
  expect(middle).toMatch(/›  learner20 /);
  expect(middle).toMatch(/↑ \d+ more/);
  expect(middle).toMatch(/↓ \d+ more/);
  expect(middle).not.toMatch(/learner1 /);
});

test('without a terminal the room prints as text: the same columns, GenerateDataKey for the whole room, who is stuck and why', () => {
  const text = roomText(room([onStep(1, 3, { callsLastMinute: 4 }), onStep(2, 2, { errorsInARow: 5 })], { GenerateDataKey: 31, Decrypt: 60, Encrypt: 2 }), { stuckMinutes: 5 });
  expect(text).toContain('2 learners, 1 stuck');
  expect(text).toContain('GenerateDataKey: 31 calls');
  expect(text).toContain('Other calls: Decrypt 60, Encrypt 2');
  expect(text).toMatch(/^\s+learner1\s+envelope-encryption\s+3\/9 Step title 3\s+2\s+0\s+4\s*$/m);
  expect(text).toMatch(/^ ! learner2 /m);
  expect(text).toContain('learner2: 5 errors in a row');
});
