// The room's bookkeeping to the byte and the second (engine/class-room.ts, pure): what counts
// toward the class-wide operations, the byte budget of kept calls, the minute of calls, the
// sequence numbers a client polls with, a call as the instructor sees it, and every bound of
// a progress report.
import { afterEach, expect, test } from 'vitest';
import type { Roster } from '../../src/engine/class.js';
import type { LearnerProgress } from '../../src/engine/class-protocol.js';
import { CALL_BYTES_KEPT, ClassRoom, MAX_WAITERS, roomCall, validProgress } from '../../src/engine/class-room.js';
import type { TrailEvent } from '../../src/engine/cloudtrail/trail.js';

const roster: Roster = {
  instructor: { accountId: '100000000000', userName: 'workshop-instructor', accessKeyId: 'AKIAINSTRUCTOR' },
  learners: [
    { accountId: '200000000001', userName: 'learner-one', accessKeyId: 'AKIALEARNER1' },
    { accountId: '200000000002', userName: 'learner-two', accessKeyId: 'AKIALEARNER2' },
  ],
};
const INSTRUCTOR = roster.instructor.accountId;
const ONE = roster.learners[0]!.accountId;
const TWO = roster.learners[1]!.accountId;
const START = Date.UTC(2026, 0, 1);
let t = START;
const rooms: ClassRoom[] = [];
afterEach(() => {
  rooms.splice(0).forEach((r) => r.close());
  t = START;
});
function room() {
  const r = new ClassRoom(() => roster, () => t);
  rooms.push(r);
  return r;
}

function call(accountId: string, over: Partial<TrailEvent> = {}): TrailEvent {
  return {
    eventVersion: '1.08',
    userIdentity: { accountId, arn: `arn:aws:iam::${accountId}:user/u` },
    eventTime: new Date(t).toISOString(),
    eventSource: 'kms.amazonaws.com',
    eventName: 'GenerateDataKey',
    awsRegion: 'us-east-1',
    sourceIPAddress: '127.0.0.1',
    userAgent: 'test',
    requestParameters: null,
    responseElements: null,
    eventID: `${Math.random()}`,
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: accountId,
    eventCategory: 'Management',
    ...over,
  };
}

test("the instructor's own calls are kept for them but not counted in the class's operations", () => {
  const r = room();
  r.record(call(INSTRUCTOR, { eventName: 'ListKeys' }));
  r.record(call(ONE, { eventName: 'CreateKey' }));
  r.record(call(TWO, { eventName: 'CreateKey' }));
  expect(r.view().operations).toEqual({ CreateKey: 2 });
  expect(r.events(INSTRUCTOR, 0, 10).events.map((e) => e.eventName)).toEqual(['ListKeys']);
});

test('at most 500 operation names are counted class-wide; those already counted go on counting', () => {
  const r = room();
  for (let i = 0; i < 500; i++) r.record(call(ONE, { eventName: `Op${i}` }));
  r.record(call(ONE, { eventName: 'OneTooMany' }));
  r.record(call(TWO, { eventName: 'Op7' }));
  const { operations } = r.view();
  expect(Object.keys(operations)).toHaveLength(500);
  expect(operations.OneTooMany).toBeUndefined();
  expect(operations.Op7).toBe(2);
  expect(operations.Op0).toBe(1);
});

test('errors in a row, the last error (an empty message when the trail has none) and the last call time', () => {
  const r = room();
  r.record(call(ONE, { eventName: 'Decrypt', errorCode: 'InvalidCiphertextException' }));
  t += 1000;
  r.record(call(ONE, { eventName: 'Encrypt', errorCode: 'NotFoundException', errorMessage: 'Key not found' }));
  let one = r.view().learners[0]!;
  expect(one.errorsInARow).toBe(2);
  expect(one.lastError).toEqual({ operation: 'Encrypt', code: 'NotFoundException', message: 'Key not found', at: new Date(t).toISOString() });
  expect(one.lastCallAt).toBe(new Date(t).toISOString());
  r.record(call(ONE, { eventName: 'Decrypt', errorCode: 'InvalidCiphertextException' }));
  expect(r.view().learners[0]!.lastError!.message).toBe('');
  t += 1000;
  r.record(call(ONE, { eventName: 'ListKeys' }));
  one = r.view().learners[0]!;
  expect(one.errorsInARow).toBe(0);
  expect(one.lastError!.operation).toBe('Decrypt'); // kept: the instructor sees what last went wrong
  expect(one.lastCallAt).toBe(new Date(t).toISOString());
  expect(r.view().learners[1]).toEqual({ profile: 'learner2', accountId: TWO, userName: 'learner-two', callsLastMinute: 0, errorsInARow: 0 });
});

/** A call whose kept size is exactly `bytes`: 1 KB for the record plus its parameters, response and error message. */
function sized(bytes: number, where: 'requestParameters' | 'responseElements' | 'errorMessage'): TrailEvent {
  const n = bytes - 1024;
  if (where === 'errorMessage') return call(ONE, { errorCode: 'X', errorMessage: 'm'.repeat(n) });
  return call(ONE, { [where]: { b: 'x'.repeat(n - '{"b":""}'.length) } });
}

test.each(['requestParameters', 'responseElements', 'errorMessage'] as const)('the byte budget counts a call by its %s: calls that fill it exactly stay, one more pushes the oldest out', (where) => {
  const r = room();
  const quarter = CALL_BYTES_KEPT / 4;
  for (let i = 0; i < 4; i++) r.record(sized(quarter, where));
  const four = r.calls(ONE, 0, 100).calls;
  expect(four).toHaveLength(4);
  r.record(sized(quarter, where));
  const after = r.calls(ONE, 0, 100).calls;
  expect(after).toHaveLength(4);
  expect(after[0]!.seq).toBe(four[1]!.seq);
  // The oldest calls' bytes were given back: small calls fill the room again up to the count.
  for (let i = 0; i < 150; i++) r.record(call(ONE));
  expect(r.calls(ONE, 0, 1000).calls.length).toBeGreaterThanOrEqual(150);
});

test('one call larger than the whole budget is still kept (the latest call is always there)', () => {
  const r = room();
  r.record(sized(CALL_BYTES_KEPT, 'requestParameters'));
  r.record(sized(CALL_BYTES_KEPT + 10_000, 'requestParameters'));
  const kept = r.calls(ONE, 0, 100).calls;
  expect(kept).toHaveLength(1);
});

test('a call counts in the last minute for 59 seconds after its second, not at 60; a second slot reused a minute on starts from zero', () => {
  const r = room();
  r.record(call(ONE));
  r.record(call(ONE));
  t += 59_999;
  expect(r.view().learners[0]!.callsLastMinute).toBe(2);
  t = START + 60_000;
  expect(r.view().learners[0]!.callsLastMinute).toBe(0);
  r.record(call(ONE)); // the same slot as the first two, a minute on
  expect(r.view().learners[0]!.callsLastMinute).toBe(1);
});

test('a progress report is kept with its time; the step start moves with a new step or a new lesson, not with a new count', () => {
  const r = room();
  const p: LearnerProgress = { lesson: 'l1', lessonTitle: 'L1', step: 2, steps: 5, stepTitle: 'S', passed: 1, solved: 0 };
  r.progress(ONE, p);
  const first = new Date(t).toISOString();
  expect(r.view().learners[0]).toMatchObject({ progress: { ...p, at: first }, sameStepSince: first });
  t += 1000;
  r.progress(ONE, { ...p, passed: 2 });
  expect(r.view().learners[0]).toMatchObject({ progress: { passed: 2, at: new Date(t).toISOString() }, sameStepSince: first });
  t += 1000;
  r.progress(ONE, { ...p, lesson: 'l2', passed: 2 }); // the same step number of another lesson
  expect(r.view().learners[0]!.sameStepSince).toBe(new Date(t).toISOString());
  t += 1000;
  r.progress(ONE, { ...p, lesson: 'l2', step: 3 });
  expect(r.view().learners[0]!.sameStepSince).toBe(new Date(t).toISOString());
  r.progress('999999999999', p); // not in the class: nothing kept, nothing thrown
  expect(r.view().learners.map((l) => l.accountId)).toEqual([ONE, TWO]);
  expect(r.view().at).toBe(new Date(t).toISOString());
});

test('polling: `next` moves past what was given; with nothing new it stays; a seq from before a restart brings everything', () => {
  const r = room();
  expect(r.events(ONE, 0, 10)).toEqual({ events: [], next: 0 });
  expect(r.events(ONE, 5, 10)).toEqual({ events: [], next: 5 });
  for (let i = 0; i < 3; i++) r.record(call(ONE, { eventName: `Op${i}` }));
  r.record(call(TWO, { eventName: 'Theirs' }));
  const all = r.events(ONE, 0, 10);
  expect(all.events.map((e) => e.eventName)).toEqual(['Op0', 'Op1', 'Op2']);
  const firstTwo = r.events(ONE, 0, 2);
  expect(firstTwo.events.map((e) => e.eventName)).toEqual(['Op0', 'Op1']);
  const rest = r.events(ONE, firstTwo.next, 10);
  expect(rest.events.map((e) => e.eventName)).toEqual(['Op2']);
  expect(rest.next).toBe(all.next);
  expect(r.events(ONE, all.next, 10)).toEqual({ events: [], next: all.next });
  // Another learner's next is their own latest, past ONE's.
  expect(r.events(TWO, all.next, 10).events.map((e) => e.eventName)).toEqual(['Theirs']);
  // A seq from the future (an engine that ran before this one with the host's clock ahead) counts from the start.
  const future = r.events(TWO, 0, 10).next + 1;
  expect(r.events(ONE, future, 10).events).toHaveLength(3);
  expect(r.calls(ONE, future, 10).calls.map((c) => c.operation)).toEqual(['Op0', 'Op1', 'Op2']);
  // The room's latest seq is not from the future: asking after it waits for what comes next.
  const theirs = r.events(TWO, 0, 10).next;
  expect(r.events(TWO, theirs, 10)).toEqual({ events: [], next: theirs });
  // Nothing for an account after a seq past its own latest: ask after that seq again.
  expect(r.events(ONE, theirs, 10)).toEqual({ events: [], next: theirs });
});

test('a long poll answers at once with no wait or with calls after `after`, else when a call of its account comes or the wait ends', async () => {
  const r = room();
  r.record(call(ONE));
  const { next } = r.events(ONE, 0, 10);
  const started = Date.now();
  expect(await r.waitFor(ONE, 0, 5000)).toBe(true); // calls after 0: at once
  expect(await r.waitFor(ONE, next, 0)).toBe(true); // no wait asked
  expect(Date.now() - started).toBeLessThan(1000);

  let woke = false;
  const waiting = r.waitFor(ONE, next, 5000).then((v) => ((woke = true), v));
  r.record(call(TWO)); // another account's call wakes no one here
  await new Promise((res) => setTimeout(res, 50));
  expect(woke).toBe(false);
  r.record(call(ONE));
  expect(await waiting).toBe(true);

  const t0 = Date.now();
  expect(await r.waitFor(TWO, r.events(TWO, 0, 10).next, 200)).toBe(true);
  expect(Date.now() - t0).toBeGreaterThanOrEqual(150);
});

test(`polls that ended give their place back: ${MAX_WAITERS} more may wait after them`, async () => {
  const r = room();
  await Promise.all(Array.from({ length: MAX_WAITERS }, () => r.waitFor(ONE, 0, 20)));
  const again = Array.from({ length: MAX_WAITERS }, () => r.waitFor(ONE, 0, 20));
  expect(await Promise.all(again)).toEqual(new Array(MAX_WAITERS).fill(true));
  // A timed-out poll no longer waits on the account: a call now wakes only those waiting now.
  const later = r.waitFor(ONE, 0, 5000);
  r.record(call(ONE));
  expect(await later).toBe(true);
});

test('a call as the instructor sees it: the service, who called (a service on their behalf first), the outcome, the parameters masked', () => {
  const base = call(ONE, { eventSource: 's3.amazonaws.com', eventName: 'PutObject', eventTime: '2026-01-01T00:00:00Z' });
  expect(roomCall(7, base)).toEqual({ seq: 7, time: '2026-01-01T00:00:00Z', service: 's3', operation: 'PutObject', caller: `arn:aws:iam::${ONE}:user/u`, outcome: { ok: true } });
  expect(roomCall(1, { ...base, userIdentity: { accountId: ONE, arn: 'arn:x', invokedBy: 's3.amazonaws.com' } }).caller).toBe('s3.amazonaws.com');
  expect(roomCall(1, { ...base, userIdentity: { accountId: ONE } }).caller).toBe(ONE);
  expect(roomCall(1, { ...base, errorCode: 'AccessDenied' }).outcome).toEqual({ ok: false, code: 'AccessDenied', message: '' });
  expect(roomCall(1, { ...base, errorCode: 'AccessDenied', errorMessage: 'no' }).outcome).toEqual({ ok: false, code: 'AccessDenied', message: 'no' });
  const iam = roomCall(1, { ...base, requestParameters: { userName: 'u', password: 'Hunter2-secret!', oldPassword: 'Old-secret-pw1', newPassword: 'New-secret-pw2' } });
  expect(iam.parameters).toEqual({ userName: 'u', password: 'Hu**...**et!', oldPassword: 'Ol**...**pw1', newPassword: 'Ne**...**pw2' });
});

const GOOD: LearnerProgress = { lesson: 'l', lessonTitle: 'T', step: 1, steps: 1, stepTitle: 'S', passed: 0, solved: 0 };

test('progress at every bound is taken, exactly as sent and nothing more', () => {
  const max = { lesson: 'a'.repeat(100), lessonTitle: 'b'.repeat(200), step: 1000, steps: 1000, stepTitle: 'c'.repeat(200), passed: 100_000, solved: 100_000 };
  expect(validProgress({ ...max, extra: 'dropped' })).toEqual(max);
  expect(validProgress(GOOD)).toEqual(GOOD);
  expect(validProgress({ ...GOOD, lesson: 'é ü ∑ 日本' })).toEqual({ ...GOOD, lesson: 'é ü ∑ 日本' });
});

test('progress one past any bound, or not a JSON object, is refused saying which field and why', () => {
  const fields = 'the body must be a JSON object: {lesson, lessonTitle, step, steps, stepTitle, passed, solved}';
  for (const body of [null, [], 'x', 3, undefined]) expect(validProgress(body), JSON.stringify(body)).toBe(fields);
  const cases: [Partial<Record<keyof LearnerProgress, unknown>>, string][] = [
    [{ lesson: 'a'.repeat(101) }, 'lesson must be text of 1 to 100 characters without control characters'],
    [{ lesson: '' }, 'lesson must be text of 1 to 100 characters without control characters'],
    [{ lessonTitle: 'b'.repeat(201) }, 'lessonTitle must be text of 1 to 200 characters without control characters'],
    [{ lessonTitle: 5 }, 'lessonTitle must be text of 1 to 200 characters without control characters'],
    [{ stepTitle: 'c'.repeat(201) }, 'stepTitle must be text of 1 to 200 characters without control characters'],
    [{ stepTitle: 'tab\there' }, 'stepTitle must be text of 1 to 200 characters without control characters'],
    [{ lesson: 'del\u007f' }, 'lesson must be text of 1 to 100 characters without control characters'],
    [{ lessonTitle: 'c1\u0085' }, 'lessonTitle must be text of 1 to 200 characters without control characters'],
    [{ step: 0 }, 'step must be a whole number from 1 to 1000'],
    [{ step: 1001, steps: 1000 }, 'step must be a whole number from 1 to 1000'],
    [{ steps: 0 }, 'steps must be a whole number from 1 to 1000'],
    [{ steps: 1001 }, 'steps must be a whole number from 1 to 1000'],
    [{ steps: '2' }, 'steps must be a whole number from 1 to 1000'],
    [{ passed: -1 }, 'passed must be a whole number from 0 to 100000'],
    [{ passed: 100_001 }, 'passed must be a whole number from 0 to 100000'],
    [{ passed: 0.5 }, 'passed must be a whole number from 0 to 100000'],
    [{ solved: -1 }, 'solved must be a whole number from 0 to 100000'],
    [{ solved: 100_001 }, 'solved must be a whole number from 0 to 100000'],
    [{ step: 3, steps: 2 }, "step must not be past steps (the lesson's step count)"],
  ];
  for (const [change, message] of cases) expect(validProgress({ ...GOOD, ...change }), JSON.stringify(change)).toBe(message);
  expect(validProgress({ ...GOOD, step: 2, steps: 2 })).toEqual({ ...GOOD, step: 2, steps: 2 });
});

test('a room started later (the engine restarted) numbers its calls above every seq the earlier one gave', async () => {
  const first = room();
  for (let i = 0; i < 50; i++) first.record(call(ONE));
  const before = first.events(ONE, 0, 100).next;
  await new Promise((r) => setTimeout(r, 5));
  const again = room();
  again.record(call(ONE, { eventName: 'Since' }));
  const since = again.events(ONE, before, 10);
  expect(since.events.map((e) => e.eventName)).toEqual(['Since']);
  expect(since.next).toBeGreaterThan(before);
});

/** How long (ms) a promise took to settle after `from`. */
const settledIn = async (p: Promise<unknown>, from: number) => (await p, Date.now() - from);

test('a call wakes a waiting poll at once, though another poll of the account timed out before; close wakes the rest at once', async () => {
  const r = room();
  const short = r.waitFor(ONE, 0, 30);
  const long = r.waitFor(ONE, 0, 10_000);
  await short;
  await new Promise((res) => setTimeout(res, 20));
  const t0 = Date.now();
  r.record(call(ONE));
  expect(await settledIn(long, t0)).toBeLessThan(3000);
  const waiting = r.waitFor(TWO, 0, 10_000);
  const t1 = Date.now();
  r.close();
  expect(await settledIn(waiting, t1)).toBeLessThan(3000);
});

test('a room with no class (no roster) keeps nothing and shows no learner', () => {
  const r = new ClassRoom(() => undefined, () => t);
  rooms.push(r);
  r.record(call(ONE));
  r.progress(ONE, { lesson: 'l', lessonTitle: 'T', step: 1, steps: 1, stepTitle: 'S', passed: 0, solved: 0 });
  expect(r.view()).toEqual({ at: new Date(t).toISOString(), learners: [], operations: {} });
  expect(r.events(ONE, 0, 10)).toEqual({ events: [], next: 0 });
});

test('a call without parameters has no parameters member at all', () => {
  expect(roomCall(1, call(ONE))).not.toHaveProperty('parameters');
});

test('every poll waiting on an account is woken by its next call; a learner who reported progress before any call polls from 0', async () => {
  const r = room();
  r.progress(ONE, { lesson: 'l', lessonTitle: 'T', step: 1, steps: 1, stepTitle: 'S', passed: 0, solved: 0 });
  expect(r.events(ONE, 0, 10)).toEqual({ events: [], next: 0 });
  const polls = [r.waitFor(ONE, 0, 10_000), r.waitFor(ONE, 0, 10_000)];
  const t0 = Date.now();
  r.record(call(ONE));
  for (const p of polls) expect(await settledIn(p, t0)).toBeLessThan(3000);
});
