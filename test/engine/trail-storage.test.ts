// The trail's storage: segments appended, sealed and rotated, read back at start-up through
// their saved indexes (never the whole history at once), 90 days of history on the engine
// clock, a size cap, paging that holds across segments, appends and restarts, and a crash
// mid-write or a home from before segments handled.
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { CreateKeyCommand, GenerateDataKeyCommand } from '@aws-sdk/client-kms';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { makeCaller } from '../../src/engine/caller.js';
import { fixedClock, type EngineClock } from '../../src/engine/clock.js';
import { lookupEvents } from '../../src/engine/cloudtrail/lookup-events.js';
import { Trail, type TrailLimits } from '../../src/engine/cloudtrail/trail.js';
import { openStore } from '../../src/engine/store.js';
import { startTestEngine, tempHome, type TestEngine } from '../helpers/engine.js';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

const DAY = 24 * 3600;
const caller = makeCaller();

function home() {
  const dir = tempHome('kms-workshop-trail-');
  cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A trail on disk, as the engine opens it, with small segments so a few hundred events rotate. */
function openTrail(dir: string, clock: EngineClock, limits: Partial<TrailLimits> = {}, delaySeconds = 0) {
  const store = openStore(dir);
  const trail = new Trail(store, clock, delaySeconds, { segmentBytes: 16 * 1024, ...limits });
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    trail.close();
    store.close();
  };
  cleanup.push(close);
  return { trail, close };
}

const segmentsDir = (dir: string) => path.join(dir, 'engine', 'cloudtrail', 'segments');
const segmentFiles = (dir: string) => fs.readdirSync(segmentsDir(dir)).filter((f) => f.endsWith('.jsonl')).sort();

function record(trail: Trail, n: number, from = 0, eventName = (i: number) => (i % 3 === 0 ? 'CreateKey' : 'GenerateDataKey')) {
  for (let i = from; i < from + n; i++)
    trail.record({ caller, eventSource: 'kms.amazonaws.com', eventName: eventName(i), requestParameters: { keyId: `key-${i}` }, readOnly: i % 3 !== 0, requestId: `r${i}` });
  trail.storeRecorded(); // as the engine does once each reply is written; these tests read the files themselves
}

/** Every page of a lookup, following NextToken: the request ids, newest first, and the page count. */
function allPages(trail: Trail, clock: EngineClock, input: Record<string, unknown> = {}, maxResults = 7) {
  const ids: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = lookupEvents(trail, clock.now(), { ...input, MaxResults: maxResults, ...(token ? { NextToken: token } : {}) }) as { Events: { CloudTrailEvent: string }[]; NextToken?: string };
    ids.push(...page.Events.map((e) => JSON.parse(e.CloudTrailEvent).requestID as string));
    token = page.NextToken;
    pages++;
  } while (token && pages < 1000); // a token that does not move on must fail the test, not hang it
  return { ids, pages };
}

const expected = (from: number, to: number, keep: (i: number) => boolean = () => true) =>
  Array.from({ length: to - from }, (_, k) => to - 1 - k).filter(keep).map((i) => `r${i}`);

test('events rotate into segments; after a restart every event is there, in order, and paging runs across segments', async () => {
  const dir = home();
  const clock = fixedClock();
  const first = openTrail(dir, clock);
  record(first.trail, 300);
  expect(segmentFiles(dir).length).toBeGreaterThan(3);
  expect(allPages(first.trail, clock).ids).toEqual(expected(0, 300));
  first.close();

  // Sealed segments come back from their saved indexes, the last one from its lines.
  const idx = fs.readdirSync(segmentsDir(dir)).filter((f) => f.endsWith('.idx'));
  expect(idx.length).toBe(segmentFiles(dir).length - 1);
  const again = openTrail(dir, clock);
  expect(again.trail.size).toBe(300);
  const { ids, pages } = allPages(again.trail, clock);
  expect(ids).toEqual(expected(0, 300));
  expect(pages).toBe(Math.ceil(300 / 7));
  expect(allPages(again.trail, clock, { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateKey' }] }, 5).ids).toEqual(expected(0, 300, (i) => i % 3 === 0));
  // New events continue the same history.
  record(again.trail, 20, 300);
  expect(allPages(again.trail, clock).ids).toEqual(expected(0, 320));
});

test('a NextToken stays valid while events are added, and across a restart', async () => {
  const dir = home();
  const clock = fixedClock();
  const first = openTrail(dir, clock);
  record(first.trail, 100);
  const page1 = lookupEvents(first.trail, clock.now(), { MaxResults: 10 }) as { Events: { CloudTrailEvent: string }[]; NextToken: string };
  record(first.trail, 50, 100); // newer events arrive between the pages
  const page2 = lookupEvents(first.trail, clock.now(), { MaxResults: 10, NextToken: page1.NextToken }) as { Events: { CloudTrailEvent: string }[]; NextToken: string };
  expect(page2.Events.map((e) => JSON.parse(e.CloudTrailEvent).requestID)).toEqual(expected(80, 90));
  first.close();
  const again = openTrail(dir, clock);
  const page3 = lookupEvents(again.trail, clock.now(), { MaxResults: 10, NextToken: page2.NextToken }) as { Events: { CloudTrailEvent: string }[] };
  expect(page3.Events.map((e) => JSON.parse(e.CloudTrailEvent).requestID)).toEqual(expected(70, 80));
});

test('events older than 90 days on the engine clock are gone from lookups and from disk; newer ones stay', async () => {
  const dir = home();
  const clock = fixedClock();
  const first = openTrail(dir, clock);
  record(first.trail, 200);
  clock.advance(60 * DAY);
  record(first.trail, 10, 200);
  clock.advance(31 * DAY); // the first 200 are now 91 days old, the last 10 are 31
  expect(allPages(first.trail, clock).ids).toEqual(expected(200, 210));
  first.close();
  const again = openTrail(dir, clock);
  expect(again.trail.size).toBe(10);
  const onDisk = segmentFiles(dir)
    .map((f) => fs.readFileSync(path.join(segmentsDir(dir), f), 'utf8'))
    .join('');
  expect(onDisk).not.toContain('"r0"');
  expect(onDisk).not.toContain('"r199"');
  expect(onDisk).toContain('"r209"');
  // All of it past 90 days: nothing is left to see, and numbering goes on for new events.
  clock.advance(60 * DAY);
  expect(allPages(again.trail, clock).ids).toEqual([]);
  expect(again.trail.size).toBe(0);
  record(again.trail, 3, 210);
  expect(allPages(again.trail, clock).ids).toEqual(expected(210, 213));
});

test('past the size cap the oldest segments go; the newest events stay', async () => {
  const dir = home();
  const clock = fixedClock();
  const { trail } = openTrail(dir, clock, { maxBytes: 64 * 1024 });
  record(trail, 1000);
  const bytes = segmentFiles(dir).reduce((n, f) => n + fs.statSync(path.join(segmentsDir(dir), f)).size, 0);
  expect(bytes).toBeLessThanOrEqual(64 * 1024);
  const { ids } = allPages(trail, clock, {}, 50);
  expect(ids.length).toBeGreaterThan(50);
  expect(ids).toEqual(expected(1000 - ids.length, 1000));
});

test('a torn last line (a crash mid-write) is cut off; the events before it and after the restart read', async () => {
  const dir = home();
  const clock = fixedClock();
  const first = openTrail(dir, clock);
  record(first.trail, 10);
  first.close();
  const last = path.join(segmentsDir(dir), segmentFiles(dir).at(-1)!);
  fs.appendFileSync(last, '{"deliverAt":1,"event":{"torn-');
  const again = openTrail(dir, clock);
  record(again.trail, 5, 10);
  expect(allPages(again.trail, clock).ids).toEqual(expected(0, 15));
  again.close();
  expect(fs.readFileSync(last, 'utf8')).not.toContain('torn-');
  // The events written after the crash were not glued to the torn line: they read after another restart.
  const third = openTrail(dir, clock);
  expect(allPages(third.trail, clock).ids).toEqual(expected(0, 15));
});

test('a line without a field the index reads (a damaged or hand-edited home) is skipped: the trail starts, the other events read', async () => {
  const dir = home();
  const clock = fixedClock();
  const first = openTrail(dir, clock);
  record(first.trail, 3);
  first.close();
  const last = path.join(segmentsDir(dir), segmentFiles(dir).at(-1)!);
  const good = JSON.parse(fs.readFileSync(last, 'utf8').split('\n')[0]!);
  const damaged = (change: (e: Record<string, unknown>) => void) => {
    const copy = structuredClone(good);
    change(copy.event);
    return JSON.stringify(copy) + '\n';
  };
  fs.rmSync(last.replace(/\.jsonl$/, '.idx'), { force: true }); // re-indexed from its lines
  fs.appendFileSync(last, damaged((e) => delete e.eventID) + damaged((e) => (e.resources = 'x')) + damaged((e) => delete e.userIdentity) + damaged((e) => (e.eventName = 7)));
  const again = openTrail(dir, clock);
  expect(allPages(again.trail, clock).ids).toEqual(expected(0, 3));
  again.close();
});

test('a lost or damaged segment index is rebuilt from the segment', async () => {
  const dir = home();
  const clock = fixedClock();
  const first = openTrail(dir, clock);
  record(first.trail, 300);
  first.close();
  const indexes = fs.readdirSync(segmentsDir(dir)).filter((f) => f.endsWith('.idx')).sort();
  fs.rmSync(path.join(segmentsDir(dir), indexes[0]!));
  fs.writeFileSync(path.join(segmentsDir(dir), indexes[1]!), 'not an index');
  const again = openTrail(dir, clock);
  expect(allPages(again.trail, clock).ids).toEqual(expected(0, 300));
});

test('events delivered after a delay stay hidden across a restart until their time, and the delay is reported', async () => {
  const dir = home();
  const clock = fixedClock();
  const first = openTrail(dir, clock, {}, 300);
  record(first.trail, 3);
  first.close();
  const again = openTrail(dir, clock);
  expect(again.trail.secondsUntilAllDelivered()).toBe(300);
  expect(allPages(again.trail, clock).ids).toEqual([]);
  clock.advance(300);
  expect(again.trail.secondsUntilAllDelivered()).toBe(0);
  expect(allPages(again.trail, clock).ids).toEqual(expected(0, 3));
});

test('a home from before segments: its events file is imported (fields bounded) and removed', async () => {
  const dir = home();
  const clock = fixedClock();
  const legacy = path.join(dir, 'engine', 'cloudtrail', 'events.jsonl');
  fs.mkdirSync(path.dirname(legacy), { recursive: true });
  const old = (i: number, requestParameters: unknown) =>
    JSON.stringify({
      deliverAt: clock.now().getTime(),
      event: {
        eventVersion: '1.08', userIdentity: { type: 'IAMUser', principalId: 'AIDA', arn: caller.arn, accountId: caller.accountId, accessKeyId: caller.accessKeyId, userName: caller.userName },
        eventTime: clock.now().toISOString().replace(/\.\d{3}Z$/, 'Z'), eventSource: 'kms.amazonaws.com', eventName: 'Decrypt', awsRegion: 'us-east-1', sourceIPAddress: '127.0.0.1',
        userAgent: 'old', requestParameters, responseElements: null, requestID: `r${i}`, eventID: `e${i}`, readOnly: true, eventType: 'AwsApiCall', managementEvent: true,
        recipientAccountId: caller.accountId, eventCategory: 'Management',
      },
    });
  fs.writeFileSync(legacy, [old(0, { keyId: 'k' }), old(1, { junk: 'j'.repeat(300 * 1024) }), '{"torn', old(2, null)].join('\n') + '\n');
  const { trail } = openTrail(dir, clock);
  expect(fs.existsSync(legacy)).toBe(false);
  const page = lookupEvents(trail, clock.now(), {}) as { Events: { CloudTrailEvent: string }[] };
  expect(page.Events.map((e) => JSON.parse(e.CloudTrailEvent).requestID)).toEqual(['r2', 'r1', 'r0']);
  expect(JSON.parse(page.Events[1]!.CloudTrailEvent).requestParameters).toEqual({ omitted: true });
});

test('through the engine: a restart keeps the history and answers a lookup by attribute', async () => {
  const dir = home();
  const clock = fixedClock();
  const engines: TestEngine[] = [];
  cleanup.push(async () => {
    for (const te of engines) await te.stop();
  });
  const first = await startTestEngine({ home: dir, clock, keepHome: true });
  engines.push(first);
  const key = (await first.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
  for (let i = 0; i < 5; i++) await first.kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, NumberOfBytes: 32 }));
  await first.stop();
  const again = await startTestEngine({ home: dir, clock, keepHome: true });
  engines.push(again);
  const cloudtrail = new CloudTrailClient(again.clientConfig);
  cleanup.push(() => cloudtrail.destroy());
  const out = await cloudtrail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: key.Arn! }] }));
  expect(out.Events?.map((e) => e.EventName)).toEqual([...Array(5).fill('GenerateDataKey'), 'CreateKey']);
});
