// What the trail writes for a call and a service event, to the field and the character
// (engine/cloudtrail/trail.ts), when it is delivered, and how a clock per account (a class's
// learners) dates and keeps events: each account's events follow its own clock, and one
// account's fast-forward neither dates nor ages out another's.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { makeCaller, type Caller } from '../../src/engine/caller.js';
import { EngineClock, fixedClock } from '../../src/engine/clock.js';
import { bounded, MAX_FIELD_CHARS, Trail, type RecordInput, type ServiceEventInput, type TrailEvent } from '../../src/engine/cloudtrail/trail.js';
import { openStore } from '../../src/engine/store.js';
import { tempHome } from '../helpers/engine.js';

const cleanup: (() => void)[] = [];
afterEach(() => cleanup.splice(0).reverse().forEach((fn) => fn()));

const T = Date.parse('2026-03-01T10:00:00Z');
const DAY = 24 * 3600;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function memoryTrail(clock = fixedClock(new Date(T)), delaySeconds = 0) {
  return { trail: new Trail(openStore(null), clock, delaySeconds), clock };
}

const input = (caller: Caller, over: Partial<RecordInput> = {}): RecordInput => ({ caller, eventSource: 'kms.amazonaws.com', eventName: 'ListKeys', requestParameters: null, readOnly: true, requestId: 'req-1', ...over });

/**
 * Records one call and returns its event as the trail's listeners hear it. The trail may write
 * an event just after the reply rather than at once: reading its size writes what is pending.
 */
function rec(trail: Trail, what: RecordInput): TrailEvent {
  return heard(trail, () => trail.record(what));
}
function recService(trail: Trail, what: ServiceEventInput): TrailEvent {
  return heard(trail, () => trail.recordServiceEvent(what));
}
function heard(trail: Trail, act: () => void): TrailEvent {
  const events: TrailEvent[] = [];
  const stop = trail.onRecord((e) => events.push(e));
  try {
    act();
    void trail.size;
  } finally {
    stop();
  }
  expect(events).toHaveLength(1);
  return events[0]!;
}

test('a call becomes an event with every field CloudTrail shows, its time cut to the second', () => {
  const { trail } = memoryTrail(fixedClock(new Date(T + 750)));
  const caller = makeCaller({ type: 'IAMUser', principalId: 'AIDAEXAMPLE', accountId: '123456789012', userName: 'ann', region: 'eu-west-1', sourceIp: '192.0.2.1', userAgent: 'aws-sdk-js/3' });
  const event = rec(trail, 
    input(caller, {
      eventName: 'CreateAlias',
      requestParameters: { aliasName: 'alias/a' },
      responseElements: { ok: 1 },
      resources: [{ type: 'AWS::KMS::Key', ARN: 'arn:aws:kms:eu-west-1:123456789012:key/k' }],
      readOnly: false,
      requestId: 'req-7',
      error: { code: 'NotFoundException', message: 'no such key' },
    }),
  );
  expect(event).toEqual({
    eventVersion: '1.08',
    userIdentity: { type: 'IAMUser', principalId: 'AIDAEXAMPLE', arn: 'arn:aws:iam::123456789012:user/ann', accountId: '123456789012', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', userName: 'ann' },
    eventTime: '2026-03-01T10:00:00Z',
    eventSource: 'kms.amazonaws.com',
    eventName: 'CreateAlias',
    awsRegion: 'eu-west-1',
    sourceIPAddress: '192.0.2.1',
    userAgent: 'aws-sdk-js/3',
    errorCode: 'NotFoundException',
    errorMessage: 'no such key',
    requestParameters: { aliasName: 'alias/a' },
    responseElements: { ok: 1 },
    requestID: 'req-7',
    eventID: expect.stringMatching(UUID),
    readOnly: false,
    resources: [{ accountId: '123456789012', type: 'AWS::KMS::Key', ARN: 'arn:aws:kms:eu-west-1:123456789012:key/k' }],
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: '123456789012',
    eventCategory: 'Management',
  });
  expect(trail.delivered()).toEqual([event]);
});

test('without a source address, user agent, response, resources or error: the loopback address, empty text, null, and no such keys', () => {
  const { trail } = memoryTrail();
  const caller = { ...makeCaller(), sourceIp: undefined, userAgent: undefined };
  const event = rec(trail, input(caller, { resources: [] }));
  expect(event.sourceIPAddress).toBe('127.0.0.1');
  expect(event.userAgent).toBe('');
  expect(event.responseElements).toBeNull();
  expect(event).not.toHaveProperty('resources');
  expect(event).not.toHaveProperty('errorCode');
  expect(event).not.toHaveProperty('errorMessage');
  expect(rec(trail, input(caller)).eventID).not.toBe(event.eventID);
});

test('free text is kept up to 1024 characters; longer is cut to 1024 ending in "..."', () => {
  const { trail } = memoryTrail();
  const at = (n: number) => rec(trail, input(makeCaller({ userAgent: 'u'.repeat(n) }), { error: { code: 'X', message: 'm'.repeat(n) } }));
  const exact = at(1024);
  expect(exact.userAgent).toBe('u'.repeat(1024));
  expect(exact.errorMessage).toBe('m'.repeat(1024));
  const over = at(1025);
  expect(over.userAgent).toBe('u'.repeat(1021) + '...');
  expect(over.errorMessage).toBe('m'.repeat(1021) + '...');
});

test(`a field up to ${MAX_FIELD_CHARS} characters of JSON is kept; longer, cyclic or absent is {omitted: true} or null`, () => {
  const fits = { b: 'x'.repeat(MAX_FIELD_CHARS - '{"b":""}'.length) };
  expect(JSON.stringify(fits)).toHaveLength(MAX_FIELD_CHARS);
  expect(bounded(fits)).toBe(fits);
  expect(bounded({ b: fits.b + 'x' })).toEqual({ omitted: true });
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  expect(bounded(cyclic)).toEqual({ omitted: true });
  expect(bounded(undefined)).toBeNull();
  expect(bounded(null)).toBeNull();
});

test('a caller known only by an access key gets a stable made-up AIDA id of 21 characters', () => {
  const { trail } = memoryTrail();
  const of = (accessKeyId: string) => rec(trail, input(makeCaller({ accessKeyId }))).userIdentity.principalId;
  expect(of('AKIAIOSFODNN7EXAMPLE')).toBe('AIDA' + Buffer.from('AKIAIOSFODNN7EXAMPLE').toString('hex').toUpperCase().slice(0, 17));
  expect(of('AKIAIOSFODNN7EXAMPLE')).toBe('AIDA414B4941494F53464');
  expect(of('AK')).toBe('AIDA414B0000000000000');
  const role = rec(trail, input(makeCaller({ type: 'AssumedRole', principalId: 'AROAX:s', arn: 'arn:aws:sts::111122223333:assumed-role/R/s' }))).userIdentity;
  expect(role).not.toHaveProperty('userName');
  expect(role).not.toHaveProperty('sessionContext'); // no issuer known: no sessionContext
  const noDate = rec(trail, 
    input(makeCaller({ type: 'AssumedRole', principalId: 'AROAX:s', sessionIssuer: { arn: 'arn:aws:iam::111122223333:role/R', userName: 'R', principalId: 'AROAX', accountId: '111122223333' } })),
  ).userIdentity;
  expect(noDate.sessionContext!.attributes).toEqual({ mfaAuthenticated: 'false' });
});

test('event times never go back, though the host clock does', () => {
  let now = T + 5000;
  const { trail } = memoryTrail(new EngineClock(() => now));
  const first = rec(trail, input(makeCaller()));
  now = T;
  const second = rec(trail, input(makeCaller()));
  expect(second.eventTime).toBe(first.eventTime);
  expect(first.eventTime).toBe('2026-03-01T10:00:05Z');
});

test('a service event: "AWS Internal" as identity, source and agent, dated when it happened (to the second), never after now', () => {
  const { trail, clock } = memoryTrail(fixedClock(new Date(T)));
  const service = (time: number, accountId = '111122223333'): ServiceEventInput => ({
    accountId,
    region: 'us-east-2',
    eventSource: 'kms.amazonaws.com',
    eventName: 'RotateKey',
    resources: [{ type: 'AWS::KMS::Key', ARN: 'arn:aws:kms:us-east-2:111122223333:key/k' }],
    serviceEventDetails: { keyId: 'k' },
    time,
  });
  const past = recService(trail, service(T - 3600_000 + 999));
  expect(past).toEqual({
    eventVersion: '1.08',
    userIdentity: { accountId: '111122223333', invokedBy: 'AWS Internal' },
    eventTime: '2026-03-01T09:00:00Z',
    eventSource: 'kms.amazonaws.com',
    eventName: 'RotateKey',
    awsRegion: 'us-east-2',
    sourceIPAddress: 'AWS Internal',
    userAgent: 'AWS Internal',
    requestParameters: null,
    responseElements: null,
    eventID: expect.stringMatching(UUID),
    readOnly: false,
    resources: [{ accountId: '111122223333', type: 'AWS::KMS::Key', ARN: 'arn:aws:kms:us-east-2:111122223333:key/k' }],
    eventType: 'AwsServiceEvent',
    managementEvent: true,
    recipientAccountId: '111122223333',
    eventCategory: 'Management',
    serviceEventDetails: { keyId: 'k' },
  });
  expect(recService(trail, service(T + DAY * 1000)).eventTime).toBe('2026-03-01T10:00:00Z'); // a due date ahead of now: now
  expect(recService(trail, service(T - 7200_000)).eventTime).toBe('2026-03-01T10:00:00Z'); // not before the account's last event
  expect(clock.now().getTime()).toBe(T);
});

test('events are delivered after the delay; how long until then, for everything and for one account (the delay at most for an account with none)', () => {
  const { trail, clock } = memoryTrail(fixedClock(new Date(T)), 300);
  expect(trail.secondsUntilAllDelivered()).toBe(0);
  expect(trail.secondsUntilAccountDelivered('111122223333')).toBe(0);
  rec(trail, input(makeCaller({ accountId: '111122223333' })));
  clock.advance(100);
  rec(trail, input(makeCaller({ accountId: '444455556666' })));
  expect(trail.secondsUntilAllDelivered()).toBe(300);
  expect(trail.secondsUntilAccountDelivered('111122223333')).toBe(200);
  expect(trail.secondsUntilAccountDelivered('444455556666')).toBe(300);
  expect(trail.secondsUntilAccountDelivered('777788889999')).toBe(300); // none recorded: the delay at most
  expect(trail.delivered()).toEqual([]);
  clock.advance(200);
  expect(trail.delivered().map((e) => e.recipientAccountId)).toEqual(['111122223333']);
  expect(trail.secondsUntilAccountDelivered('111122223333')).toBe(0);
  expect(trail.secondsUntilAccountDelivered('777788889999')).toBe(100); // what is still to come, less than the delay
  expect(trail.secondsUntilAllDelivered()).toBe(100);
  clock.advance(1000);
  expect(trail.secondsUntilAccountDelivered('444455556666')).toBe(0); // never negative
  expect(trail.delivered()).toHaveLength(2);
  expect(trail.size).toBe(2);
});

test('each listener hears every call as it is recorded, until it stops listening', () => {
  const { trail } = memoryTrail();
  const heard: string[] = [];
  const other: string[] = [];
  const stop = trail.onRecord((e) => heard.push(e.eventName));
  trail.onRecord((e) => other.push(e.eventName));
  rec(trail, input(makeCaller(), { eventName: 'A' }));
  stop();
  rec(trail, input(makeCaller(), { eventName: 'B' }));
  expect(heard).toEqual(['A']);
  expect(other).toEqual(['A', 'B']);
});

const ONE = '200000000001';
const TWO = '200000000002';

test("with a clock per account, an account's events are dated and delivered on its own clock, not after another's", () => {
  const clock = fixedClock(new Date(T));
  const { trail } = memoryTrail(clock, 60);
  clock.advanceAccount(ONE, 365 * DAY);
  const mine = clock.inAccount(ONE, () => rec(trail, input(makeCaller({ accountId: ONE }))));
  const theirs = clock.inAccount(TWO, () => rec(trail, input(makeCaller({ accountId: TWO }))));
  expect(mine.eventTime).toBe('2027-03-01T10:00:00Z');
  expect(theirs.eventTime).toBe('2026-03-01T10:00:00Z');
  expect(trail.secondsUntilAccountDelivered(ONE)).toBe(60);
  expect(trail.secondsUntilAccountDelivered(TWO)).toBe(60);
  clock.advanceAccount(TWO, 60);
  expect(trail.secondsUntilAccountDelivered(TWO)).toBe(0);
  expect(trail.secondsUntilAccountDelivered(ONE)).toBe(60);
  // A service event for an account is dated on that account's clock, whoever's request brought it.
  const rotation = clock.inAccount(ONE, () =>
    recService(trail, { accountId: TWO, region: 'us-east-1', eventSource: 'kms.amazonaws.com', eventName: 'RotateKey', resources: [], serviceEventDetails: {}, time: T + 400 * DAY * 1000 }),
  );
  expect(rotation.eventTime).toBe('2026-03-01T10:01:00Z');
});

test("one account's year ahead does not age another's events out of the 90 days kept", () => {
  const clock = fixedClock(new Date(T));
  const { trail } = memoryTrail(clock);
  clock.inAccount(TWO, () => rec(trail, input(makeCaller({ accountId: TWO }), { eventName: 'Old' })));
  clock.advanceAccount(ONE, 365 * DAY);
  clock.inAccount(ONE, () => rec(trail, input(makeCaller({ accountId: ONE }), { eventName: 'New' })));
  const names = () => trail.lookup({ now: clock.nowFor(ONE), start: 0, end: Infinity, limit: 10 }).events.map((e) => e.event.eventName);
  expect(names()).toEqual(['New']); // ONE's own view: a year on, TWO's event is older than 90 days for it
  expect(trail.lookup({ now: clock.nowFor(TWO), start: 0, end: Infinity, limit: 10, account: TWO }).events.map((e) => e.event.eventName)).toEqual(['Old']);
  expect(trail.size).toBe(2);
});

function diskTrail(dir: string, clock: EngineClock) {
  const store = openStore(dir);
  const trail = new Trail(store, clock, 0);
  cleanup.push(() => {
    trail.close();
    store.close();
  });
  return trail;
}

function home() {
  const dir = tempHome('kms-workshop-trail-');
  cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}
const segments = (dir: string) => fs.readdirSync(path.join(dir, 'engine', 'cloudtrail', 'segments')).filter((f) => f.endsWith('.jsonl'));

test('a segment holds at most one day of events, counted from its first', () => {
  const dir = home();
  const clock = fixedClock(new Date(T));
  const trail = diskTrail(dir, clock);
  rec(trail, input(makeCaller()));
  clock.advance(DAY - 1);
  rec(trail, input(makeCaller()));
  expect(segments(dir)).toHaveLength(1);
  clock.advance(1);
  rec(trail, input(makeCaller()));
  expect(segments(dir)).toHaveLength(2);
  expect(trail.delivered()).toHaveLength(3);
});

test('lines that are JSON but no stored event are skipped when a segment is read back', () => {
  const dir = home();
  const clock = fixedClock(new Date(T));
  const first = diskTrail(dir, clock);
  rec(first, input(makeCaller(), { eventName: 'Kept' }));
  cleanup.pop()!();
  const file = path.join(dir, 'engine', 'cloudtrail', 'segments', segments(dir)[0]!);
  const good = fs.readFileSync(file, 'utf8').trim();
  const stored = JSON.parse(good) as { deliverAt: number; event: Record<string, unknown> };
  const bad = [
    'null',
    '{}',
    JSON.stringify({ ...stored, deliverAt: String(stored.deliverAt) }),
    JSON.stringify({ deliverAt: stored.deliverAt }),
    JSON.stringify({ ...stored, event: { ...stored.event, eventTime: 5 } }),
  ];
  fs.appendFileSync(file, bad.join('\n') + '\n');
  const again = diskTrail(dir, clock);
  expect(again.delivered().map((e) => e.eventName)).toEqual(['Kept']);
  expect(again.size).toBe(1);
});

test('a home from before segments: an event whose time is not a date is skipped, long text cut, a missing agent empty; segments of a cut-short import redone', () => {
  const dir = home();
  const clock = fixedClock(new Date(T));
  const legacy = path.join(dir, 'engine', 'cloudtrail', 'events.jsonl');
  fs.mkdirSync(path.join(dir, 'engine', 'cloudtrail', 'segments'), { recursive: true });
  // Segments left by an import that crashed: their events come again from the file, once.
  const left = JSON.stringify({ deliverAt: T, event: { eventVersion: '1.08', userIdentity: { accountId: '111122223333' }, eventTime: '2026-03-01T09:00:00Z', eventSource: 'kms.amazonaws.com', eventName: 'E0', eventID: 'e0', readOnly: true } });
  for (const seg of [0, 500]) fs.writeFileSync(path.join(dir, 'engine', 'cloudtrail', 'segments', `${String(seg).padStart(16, '0')}.jsonl`), left + '\n');
  const event = (i: number, over: Record<string, unknown>) =>
    JSON.stringify({
      deliverAt: T,
      event: { eventVersion: '1.08', userIdentity: { accountId: '111122223333' }, eventTime: '2026-03-01T09:00:00Z', eventSource: 'kms.amazonaws.com', eventName: `E${i}`, requestParameters: null, responseElements: null, requestID: `r${i}`, eventID: `e${i}`, ...over },
    });
  fs.writeFileSync(legacy, [event(0, { userAgent: 'a'.repeat(2000), errorMessage: 'm'.repeat(2000) }), event(1, { eventTime: 'yesterday' }), event(2, {})].join('\n') + '\n');
  const trail = diskTrail(dir, clock);
  const events = trail.delivered();
  expect(events.map((e) => e.eventName)).toEqual(['E0', 'E2']);
  expect(events[0]!.userAgent).toBe('a'.repeat(1021) + '...');
  expect(events[0]!.errorMessage).toBe('m'.repeat(1021) + '...');
  expect(events[1]!.userAgent).toBe('');
  expect(events[1]).not.toHaveProperty('errorMessage');
  expect(fs.existsSync(legacy)).toBe(false);
  cleanup.pop()!(); // closed, and opened again from its segments
  expect(diskTrail(dir, clock).delivered().map((e) => e.eventName)).toEqual(['E0', 'E2']);
});
