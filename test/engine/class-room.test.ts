// The room's memory is bounded whatever learners do (engine/class-room.ts): calls kept per
// account by count and by bytes, a reply's calls capped, long polls waiting at once capped;
// calls in the last minute counted by real time; only the roster's accounts are kept.
import { afterEach, expect, test } from 'vitest';
import type { Roster } from '../../src/engine/class.js';
import { CALL_BYTES_KEPT, CALLS_KEPT, ClassRoom, MAX_WAITERS } from '../../src/engine/class-room.js';
import type { TrailEvent } from '../../src/engine/cloudtrail/trail.js';

const roster: Roster = {
  instructor: { accountId: '100000000000', userName: 'workshop-learner', accessKeyId: 'AKIAINSTRUCTOR' },
  learners: [{ accountId: '200000000001', userName: 'workshop-learner', accessKeyId: 'AKIALEARNER1' }],
};
const LEARNER = roster.learners[0]!.accountId;
let t = Date.UTC(2026, 0, 1);
const rooms: ClassRoom[] = [];
afterEach(() => rooms.splice(0).forEach((r) => r.close()));
function room() {
  const r = new ClassRoom(() => roster, () => t);
  rooms.push(r);
  return r;
}

function call(accountId: string, eventName = 'GenerateDataKey', requestParameters: Record<string, unknown> | null = { keyId: 'alias/x' }): TrailEvent {
  return {
    eventVersion: '1.08',
    userIdentity: { accountId, arn: `arn:aws:iam::${accountId}:user/workshop-learner` },
    eventTime: new Date(t).toISOString(),
    eventSource: 'kms.amazonaws.com',
    eventName,
    awsRegion: 'us-east-1',
    sourceIPAddress: '127.0.0.1',
    userAgent: 'test',
    requestParameters,
    responseElements: null,
    eventID: `${Math.random()}`,
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: accountId,
    eventCategory: 'Management',
  };
}

test(`at most ${CALLS_KEPT} calls are kept per account, the newest, and a reply carries at most the limit asked`, () => {
  const r = room();
  for (let i = 0; i < CALLS_KEPT + 50; i++) r.record(call(LEARNER));
  const first = r.calls(LEARNER, 0, 1000);
  expect(first.calls).toHaveLength(CALLS_KEPT);
  expect(r.calls(LEARNER, 0, 100).calls).toHaveLength(100);
  const rest = r.calls(LEARNER, r.calls(LEARNER, 0, 100).next, 1000);
  expect(rest.calls).toHaveLength(CALLS_KEPT - 100);
  expect(rest.next).toBe(first.next);
  expect(r.view().operations.GenerateDataKey).toBe(CALLS_KEPT + 50); // counted, though not all kept
});

test('large calls are kept by bytes: their parameters cannot hold much memory per learner', () => {
  const r = room();
  const big = { blob: 'x'.repeat(50_000) };
  for (let i = 0; i < 50; i++) r.record(call(LEARNER, 'Encrypt', big));
  const kept = r.calls(LEARNER, 0, 1000).calls;
  expect(kept.length).toBeGreaterThan(0);
  expect(kept.length * 50_000).toBeLessThanOrEqual(CALL_BYTES_KEPT);
});

test("accounts outside the roster and AWS's own service events are not kept", () => {
  const r = room();
  r.record(call('999999999999'));
  r.record({ ...call(LEARNER, 'RotateKey'), eventType: 'AwsServiceEvent' });
  expect(r.calls('999999999999', 0, 100).calls).toEqual([]);
  expect(r.calls(LEARNER, 0, 100).calls).toEqual([]);
  expect(r.view().operations).toEqual({});
});

test('calls in the last minute are counted by real time, a minute back', () => {
  const r = room();
  for (let i = 0; i < 5; i++) r.record(call(LEARNER));
  t += 30_000;
  for (let i = 0; i < 3; i++) r.record(call(LEARNER));
  expect(r.view().learners[0]!.callsLastMinute).toBe(8);
  t += 31_000;
  expect(r.view().learners[0]!.callsLastMinute).toBe(3);
  t += 60_000;
  expect(r.view().learners[0]!.callsLastMinute).toBe(0);
});

test(`at most ${MAX_WAITERS} long polls wait at once; a call wakes those of its account; close wakes the rest`, async () => {
  const r = room();
  const waiting = Array.from({ length: MAX_WAITERS }, () => r.waitFor(LEARNER, 0, 20_000));
  expect(await r.waitFor(roster.instructor.accountId, 0, 20_000)).toBe(false);
  r.record(call(LEARNER));
  expect(await Promise.all(waiting)).toEqual(new Array(MAX_WAITERS).fill(true));
  const more = r.waitFor(roster.instructor.accountId, 0, 20_000);
  r.close();
  expect(await more).toBe(true);
});
