// What the trail keeps and reads back (engine/cloudtrail/trail.ts, on small trails, no HTTP):
// a stored line lacking any one field the index reads is skipped on a restart; event times
// never go back across a restart either; history past 90 days is dropped as the trail opens;
// a segment is sealed at its byte limit exactly; a recorded field past CloudTrail's 100 KB, or
// one JSON cannot write, is kept as {omitted: true} while two fields under it together are kept.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { makeCaller } from '../../src/engine/caller.js';
import { fixedClock, type Clock } from '../../src/engine/clock.js';
import { DISK_LIMITS, MAX_FIELD_CHARS, MEMORY_LIMITS, Trail, type RecordInput, type TrailLimits } from '../../src/engine/cloudtrail/trail.js';
import { openStore } from '../../src/engine/store.js';
import { tempHome } from '../helpers/engine.js';

const cleanup: (() => void)[] = [];
afterEach(() => cleanup.splice(0).reverse().forEach((fn) => fn()));

const T = Date.parse('2026-03-01T10:00:00Z');
const DAY = 24 * 3600;

function home() {
  const dir = tempHome('kms-workshop-trail-');
  cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}
const segmentsDir = (dir: string) => path.join(dir, 'engine', 'cloudtrail', 'segments');
const dataFiles = (dir: string) => fs.readdirSync(segmentsDir(dir)).filter((f) => f.endsWith('.jsonl')).sort();

function diskTrail(dir: string, clock: Clock, limits: Partial<TrailLimits> = {}) {
  const store = openStore(dir);
  const trail = new Trail(store, clock, 0, limits);
  let open = true;
  const close = () => {
    if (!open) return;
    open = false;
    trail.close();
    store.close();
  };
  cleanup.push(close);
  return { trail, close };
}

const call = (eventName: string, over: Partial<RecordInput> = {}): RecordInput => ({
  caller: makeCaller({ accountId: '111122223333' }),
  eventSource: 'kms.amazonaws.com',
  eventName,
  requestParameters: null,
  readOnly: true,
  requestId: `r-${eventName}`,
  ...over,
});

test('a stored line lacking any one field the index reads, or with one of the wrong type, is skipped on a restart; the good lines read', () => {
  const dir = home();
  const clock = fixedClock(new Date(T));
  const first = diskTrail(dir, clock);
  first.trail.record(call('Good', { resources: [{ type: 'AWS::KMS::Key', ARN: 'arn:aws:kms:us-east-1:111122223333:key/k' }] }));
  first.close();
  const file = path.join(segmentsDir(dir), dataFiles(dir)[0]!);
  const good = JSON.parse(fs.readFileSync(file, 'utf8').trim()) as { deliverAt: number; event: Record<string, unknown> };
  const damaged: [string, (e: Record<string, unknown>) => unknown][] = [
    ['no eventID', (e) => delete e.eventID],
    ['eventID a number', (e) => (e.eventID = 7)],
    ['no eventName', (e) => delete e.eventName],
    ['no eventSource', (e) => delete e.eventSource],
    ['eventTime a number', (e) => (e.eventTime = 5)],
    ['userIdentity null', (e) => (e.userIdentity = null)],
    ['userIdentity text', (e) => (e.userIdentity = 'root')],
    ['resources text', (e) => (e.resources = 'arn')],
    ['resources holding null', (e) => (e.resources = [null])],
    ['resources holding text', (e) => (e.resources = ['arn'])],
    ['a resource without an ARN', (e) => (e.resources = [{ type: 'AWS::KMS::Key' }])],
    ['a resource without a type', (e) => (e.resources = [{ ARN: 'arn:aws:kms:us-east-1:111122223333:key/k' }])],
  ];
  const lines = damaged.map(([why, change]) => {
    const copy = structuredClone(good);
    copy.event.eventName = why;
    change(copy.event);
    return JSON.stringify(copy);
  });
  lines.push(JSON.stringify({ deliverAt: good.deliverAt, event: null }), JSON.stringify({ deliverAt: good.deliverAt, event: 'text' }));
  // Each damaged line alone after the good one, so that one field decides (the last segment is re-indexed line by line).
  for (const line of lines) {
    fs.writeFileSync(file, JSON.stringify(good) + '\n' + line + '\n');
    const again = diskTrail(dir, clock);
    expect(again.trail.delivered().map((e) => e.eventName), line.slice(0, 200)).toEqual(['Good']);
    again.close();
  }
  // Without resources at all, a line is whole.
  const plain = structuredClone(good);
  delete plain.event.resources;
  plain.event.eventName = 'Plain';
  fs.writeFileSync(file, JSON.stringify(good) + '\n' + JSON.stringify(plain) + '\n');
  expect(diskTrail(dir, clock).trail.delivered().map((e) => e.eventName)).toEqual(['Good', 'Plain']);
});

test('event times never go back across a restart: a clock behind the saved events dates new ones at the latest saved time', () => {
  const dir = home();
  const ahead = fixedClock(new Date(T + 3600_000));
  const first = diskTrail(dir, ahead);
  first.trail.record(call('Ahead'));
  first.close();
  const behind = fixedClock(new Date(T));
  const again = diskTrail(dir, behind);
  again.trail.record(call('Behind'));
  expect(again.trail.lookup({ now: T + 7200_000, start: 0, end: Infinity, limit: 5 }).events.map((e) => [e.event.eventName, e.event.eventTime])).toEqual([
    ['Behind', '2026-03-01T11:00:00Z'],
    ['Ahead', '2026-03-01T11:00:00Z'],
  ]);
});

test('history past 90 days is dropped as the trail opens, before any lookup; newer history is kept', () => {
  const dir = home();
  const clock = fixedClock(new Date(T));
  const first = diskTrail(dir, clock, { segmentBytes: 1 });
  first.trail.record(call('Old'));
  clock.advance(10 * DAY);
  first.trail.record(call('Newer'));
  first.close();
  expect(dataFiles(dir)).toHaveLength(2);
  clock.advance(85 * DAY);
  const again = diskTrail(dir, clock, { segmentBytes: 1 });
  expect(again.trail.size).toBe(1);
  expect(dataFiles(dir)).toHaveLength(1);
});

test('a trail on disk keeps the disk limits, one in memory the smaller ones; limits given replace only what they name', () => {
  const clock = fixedClock(new Date(T));
  expect(new Trail(openStore(null), clock).limits).toEqual(MEMORY_LIMITS);
  expect(MEMORY_LIMITS.maxBytes).toBeLessThan(DISK_LIMITS.maxBytes);
  expect(diskTrail(home(), clock).trail.limits).toEqual(DISK_LIMITS);
  expect(new Trail(openStore(null), clock, 0, { maxBytes: 5 }).limits).toEqual({ ...MEMORY_LIMITS, maxBytes: 5 });
});

test('a segment takes lines up to its byte limit exactly; one byte more starts the next', () => {
  const lineOf = (dir: string) => fs.readFileSync(path.join(segmentsDir(dir), dataFiles(dir)[0]!), 'utf8').split('\n')[0]!.length;
  const probe = home();
  const clock = fixedClock(new Date(T));
  const p = diskTrail(probe, clock);
  p.trail.record(call('E0'));
  p.close();
  const line = lineOf(probe); // every event below is this long: same names, ids and times
  const segmentsFor = (segmentBytes: number) => {
    const dir = home();
    const t = diskTrail(dir, fixedClock(new Date(T)), { segmentBytes });
    for (const name of ['E0', 'E1', 'E2', 'E3']) t.trail.record(call(name));
    t.close();
    return dataFiles(dir).length;
  };
  expect(segmentsFor(2 * line + 1)).toBe(2); // two lines and their newlines fill it: the third starts the next
  expect(segmentsFor(2 * line)).toBe(4);
});

test(`a recorded field past ${MAX_FIELD_CHARS} characters, or one JSON cannot write, is kept as {omitted: true}; two fields under it together are kept whole`, () => {
  const clock = fixedClock(new Date(T));
  const trail = new Trail(openStore(null), clock);
  const half = { text: 'h'.repeat(MAX_FIELD_CHARS / 2) };
  trail.record(call('Halves', { requestParameters: half, responseElements: half }));
  trail.record(call('Big', { requestParameters: { text: 'b'.repeat(MAX_FIELD_CHARS) }, responseElements: { ok: true } }));
  trail.record(call('BigReply', { requestParameters: { ok: true }, responseElements: { text: 'b'.repeat(MAX_FIELD_CHARS) } }));
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  trail.record(call('Cyclic', { requestParameters: cyclic }));
  const fields = trail.delivered().map((e) => [e.eventName, e.requestParameters, e.responseElements]);
  expect(fields).toEqual([
    ['Halves', half, half],
    ['Big', { omitted: true }, { ok: true }],
    ['BigReply', { ok: true }, { omitted: true }],
    ['Cyclic', { omitted: true }, null],
  ]);
});

test('a trail whose clock has no shared time or account times (a plain Clock) dates, keeps and delivers by now()', () => {
  let now = T;
  const plain: Clock = { now: () => new Date(now), advance: (s) => void (now += s * 1000) };
  const trail = new Trail(openStore(null), plain, 60);
  trail.record(call('A'));
  expect(trail.secondsUntilAccountDelivered('111122223333')).toBe(60);
  const heard: string[] = [];
  trail.onRecord((e) => heard.push(e.eventTime));
  trail.recordServiceEvent({ accountId: '111122223333', region: 'us-east-1', eventSource: 'kms.amazonaws.com', eventName: 'RotateKey', resources: [], serviceEventDetails: {}, time: T + 5000 });
  void trail.size; // reading the trail stores (and tells) what it recorded
  expect(heard.at(-1)).toBe('2026-03-01T10:00:00Z');
  now += 60_000;
  expect(trail.delivered().map((e) => e.eventName)).toEqual(['A', 'RotateKey']);
  now += 91 * DAY * 1000;
  expect(trail.lookup({ now, start: 0, end: Infinity, limit: 5 }).events).toEqual([]);
  expect(trail.size).toBe(0);
});
