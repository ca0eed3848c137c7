import { expect, test } from 'vitest';
import { asRoom, asRoomCalls } from '../../src/tui/class/room-shape.js';
import { onStep, room, roomCall, ROOM_AT } from './class-room-fixtures.js';

test('a room and a list of calls as the class engine sends them pass; anything else is a plain error', () => {
  const good = room([onStep(1, 2, { lastError: { operation: 'Decrypt', code: 'X', message: '', at: ROOM_AT } })], { GenerateDataKey: 2 });
  expect(asRoom(good)).toBe(good);
  for (const bad of [null, [], {}, { ...good, learners: 'x' }, { ...good, operations: { A: '1' } }, { ...good, learners: [{ profile: 1 }] }, { ...good, learners: [{ ...good.learners[0], lastError: { code: 5 } }] }])
    expect(() => asRoom(bad), JSON.stringify(bad)).toThrow("the class engine's answer is not a room");
  const calls = { calls: [roomCall({ parameters: { KeyId: 'k' } })], next: 1 };
  expect(asRoomCalls(calls)).toBe(calls);
  for (const bad of [{ calls: [] }, { calls: [{ seq: 1 }], next: 1 }, { calls: [{ ...roomCall(), parameters: 'x' }], next: 1 }, { calls: {}, next: 0 }])
    expect(() => asRoomCalls(bad), JSON.stringify(bad)).toThrow("the class engine's answer is not a list of calls");
});
