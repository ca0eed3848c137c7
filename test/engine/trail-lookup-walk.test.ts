// How the trail answers a lookup (engine/cloudtrail/trail.ts, called directly on small trails):
// newest first across segments, a page cut at its limit with `more` only when another event
// qualifies, the next page from `before`, inclusive time bounds, the 90 days counted from the
// lookup's own now, events not yet delivered left out, and the attribute and account filters;
// and what a restart reads back, the size cap and the retention window.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { makeCaller } from '../../src/engine/caller.js';
import { fixedClock, type EngineClock } from '../../src/engine/clock.js';
import { Trail, type TrailLimits, type TrailQuery } from '../../src/engine/cloudtrail/trail.js';
import { openStore } from '../../src/engine/store.js';
import { tempHome } from '../helpers/engine.js';

const cleanup: (() => void)[] = [];
afterEach(() => cleanup.splice(0).reverse().forEach((fn) => fn()));

const T = Date.parse('2026-03-01T10:00:00Z');
const DAY_MS = 24 * 3600 * 1000;
const ONE = '200000000001';
const TWO = '200000000002';

/** One event a second, E0 first, alternating between accounts ONE and TWO; 681 bytes a line, so `segmentBytes` 1500 holds two. */
function recordTen(trail: Trail, clock: EngineClock, count = 10) {
  for (let i = 0; i < count; i++) {
    const accountId = i % 2 === 0 ? ONE : TWO;
    trail.record({ caller: makeCaller({ accountId }), eventSource: 'kms.amazonaws.com', eventName: `E${i}`, requestParameters: null, readOnly: true, requestId: `r${i}` });
    clock.advance(1);
  }
}

function memoryTrail(limits: Partial<TrailLimits> = { segmentBytes: 1500 }) {
  const clock = fixedClock(new Date(T));
  return { trail: new Trail(openStore(null), clock, 0, limits), clock };
}

const names = (trail: Trail, q: Partial<TrailQuery>) => {
  const { events, more } = trail.lookup({ now: T + 60_000, start: 0, end: Infinity, limit: 50, ...q });
  return { names: events.map((e) => e.event.eventName), more };
};

test('newest first across segments; a page ends at its limit, with more only if another event qualifies; before continues after the last', () => {
  const { trail, clock } = memoryTrail();
  recordTen(trail, clock);
  const pages: string[][] = [];
  let before: number | undefined;
  for (;;) {
    const { events, more } = trail.lookup({ now: T + 60_000, start: 0, end: Infinity, limit: 3, before });
    pages.push(events.map((e) => e.event.eventName));
    if (!more) break;
    before = events.at(-1)!.seq;
  }
  expect(pages).toEqual([['E9', 'E8', 'E7'], ['E6', 'E5', 'E4'], ['E3', 'E2', 'E1'], ['E0']]);
  expect(names(trail, { limit: 10 })).toEqual({ names: ['E9', 'E8', 'E7', 'E6', 'E5', 'E4', 'E3', 'E2', 'E1', 'E0'], more: false });
  expect(names(trail, { limit: 9 }).more).toBe(true);
  expect(names(trail, { limit: 0 })).toEqual({ names: [], more: true });
  // seq numbers run on across segments: before the 6th event (seq 5) is E4 and older.
  expect(trail.lookup({ now: T + 60_000, start: 0, end: Infinity, limit: 50 }).events.map((e) => e.seq)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
  expect(names(trail, { before: 5 }).names).toEqual(['E4', 'E3', 'E2', 'E1', 'E0']);
  expect(names(trail, { before: 0 }).names).toEqual([]);
  expect(names(trail, { before: 100 }).names).toHaveLength(10);
});

test('the time bounds are inclusive; the 90 days are counted from the lookup\'s now; an event is seen once delivered, at its time exactly', () => {
  const { trail, clock } = memoryTrail();
  recordTen(trail, clock);
  expect(names(trail, { start: T + 2000, end: T + 5000 }).names).toEqual(['E5', 'E4', 'E3', 'E2']);
  expect(names(trail, { start: T + 2001, end: T + 4999 }).names).toEqual(['E4', 'E3']);
  expect(names(trail, { end: T - 1 }).names).toEqual([]);
  expect(names(trail, { now: T + 90 * DAY_MS + 5000 }).names).toEqual(['E9', 'E8', 'E7', 'E6', 'E5']);
  expect(names(trail, { now: T + 4000 }).names).toEqual(['E4', 'E3', 'E2', 'E1', 'E0']);
  expect(names(trail, { now: T - 1 }).names).toEqual([]);
  expect(trail.secondsUntilAllDelivered()).toBe(0); // everything delivered 1 to 10 s ago: 0, never less
});

test('an attribute and an account each narrow the events; a lookup by an attribute nobody has finds none', () => {
  const { trail, clock } = memoryTrail();
  recordTen(trail, clock);
  expect(names(trail, { attribute: { key: 'EventName', value: 'E3' } }).names).toEqual(['E3']);
  expect(names(trail, { attribute: { key: 'EventName', value: 'E' } }).names).toEqual([]);
  expect(names(trail, { attribute: { key: 'ReadOnly', value: 'true' }, limit: 2 })).toEqual({ names: ['E9', 'E8'], more: true });
  expect(names(trail, { account: TWO }).names).toEqual(['E9', 'E7', 'E5', 'E3', 'E1']);
  expect(names(trail, { account: ONE, limit: 5 })).toEqual({ names: ['E8', 'E6', 'E4', 'E2', 'E0'], more: false });
  expect(names(trail, { account: '999999999999' }).names).toEqual([]);
});

function home() {
  const dir = tempHome('kms-workshop-trail-');
  cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}
const segmentsDir = (dir: string) => path.join(dir, 'engine', 'cloudtrail', 'segments');
const files = (dir: string, ext: string) => fs.readdirSync(segmentsDir(dir)).filter((f) => f.endsWith(ext)).sort();

function diskTrail(dir: string, clock: EngineClock, limits: Partial<TrailLimits> = { segmentBytes: 1500 }) {
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

test('after a restart: sealed segments read through their indexes, the last re-indexed and appended to again, a lost index rebuilt', () => {
  const dir = home();
  const clock = fixedClock(new Date(T));
  const first = diskTrail(dir, clock);
  recordTen(first.trail, clock, 9); // five segments, the last holding one event
  first.close();
  const data = files(dir, '.jsonl');
  expect(data).toHaveLength(5);
  expect(files(dir, '.idx')).toEqual(data.slice(0, 4).map((f) => f.replace('.jsonl', '.idx'))); // not the one appended to
  fs.rmSync(path.join(segmentsDir(dir), data[1]!.replace('.jsonl', '.idx'))); // a lost index
  const again = diskTrail(dir, clock);
  expect(again.trail.size).toBe(9);
  expect(names(again.trail, {}).names).toEqual(['E8', 'E7', 'E6', 'E5', 'E4', 'E3', 'E2', 'E1', 'E0']);
  expect(files(dir, '.idx')).toHaveLength(4); // the lost one written again; the last still has none
  // The last segment is appended to again: it has room for one more event.
  recordTen(again.trail, clock, 10);
  expect(again.trail.size).toBe(19);
  expect(again.trail.lookup({ now: T + 60_000, start: 0, end: Infinity, limit: 1 }).events[0]!.seq).toBe(18);
  again.close();
  const after = files(dir, '.jsonl');
  expect(after.slice(0, 5)).toEqual(data);
  expect(after).toHaveLength(10); // E0 of the second ten filled the fifth segment: nine more events, in pairs after it
  const third = diskTrail(dir, clock);
  expect(third.trail.delivered().map((e) => e.eventName)).toEqual([...Array.from({ length: 9 }, (_, i) => `E${i}`), ...Array.from({ length: 10 }, (_, i) => `E${i}`)]);
});

test('past the size cap the oldest segments go, the one appended to never; what remains still reads', () => {
  const { trail, clock } = memoryTrail({ segmentBytes: 1500, maxBytes: 3000 });
  recordTen(trail, clock);
  // Five segments of two events (1362 bytes each): two fit under 3000 bytes, a third would not.
  expect(names(trail, {}).names).toEqual(['E9', 'E8', 'E7', 'E6']);
  expect(trail.size).toBe(4);
  // A cap smaller than one segment keeps the segment being appended to.
  const tiny = memoryTrail({ segmentBytes: 1500, maxBytes: 1 });
  recordTen(tiny.trail, tiny.clock);
  expect(names(tiny.trail, {}).names).toEqual(['E9', 'E8']);
  expect(tiny.trail.size).toBe(2);
});

test('past 90 days on the shared clock a segment goes, even the last: its numbering carries on in a new empty one', () => {
  const { trail, clock } = memoryTrail({ segmentBytes: 1_000_000 });
  recordTen(trail, clock); // one segment
  clock.advance(90 * 24 * 3600 - 5); // E0..E4 are past 90 days now, but a segment goes only once its newest is
  expect(trail.size).toBe(10);
  expect(trail.delivered()).toHaveLength(10);
  clock.advance(10);
  expect(names(trail, { now: clock.now().getTime() }).names).toEqual([]);
  expect(trail.size).toBe(0);
  trail.record({ caller: makeCaller({ accountId: ONE }), eventSource: 'kms.amazonaws.com', eventName: 'Later', requestParameters: null, readOnly: true, requestId: 'r' });
  const later = trail.lookup({ now: clock.now().getTime(), start: 0, end: Infinity, limit: 5 }).events;
  expect(later.map((e) => [e.seq, e.event.eventName])).toEqual([[10, 'Later']]);
});

test('a lookup by a resource the index cannot rule out (three resources, more than it holds) is confirmed on the event itself', () => {
  const { trail, clock } = memoryTrail();
  const arn = (k: string) => `arn:aws:kms:us-east-1:${ONE}:key/${k}`;
  trail.record({ caller: makeCaller({ accountId: ONE }), eventSource: 'kms.amazonaws.com', eventName: 'Many', requestParameters: null, readOnly: true, requestId: 'r', resources: ['a', 'b', 'c'].map((k) => ({ type: 'AWS::KMS::Key', ARN: arn(k) })) });
  clock.advance(1);
  expect(names(trail, { attribute: { key: 'ResourceName', value: arn('c') } }).names).toEqual(['Many']);
  expect(names(trail, { attribute: { key: 'ResourceName', value: arn('z') } }).names).toEqual([]);
});

test('on disk: paging runs through sealed segments, and a line damaged after it was indexed is skipped, not a failed lookup', () => {
  const dir = home();
  const clock = fixedClock(new Date(T));
  const first = diskTrail(dir, clock);
  recordTen(first.trail, clock); // five sealed segments of two events
  first.close();
  const data = files(dir, '.jsonl');
  const third = path.join(segmentsDir(dir), data[2]!); // E4 and E5
  const text = fs.readFileSync(third, 'utf8');
  fs.writeFileSync(third, 'x' + text.slice(1)); // E4's line no longer JSON, its length unchanged
  const again = diskTrail(dir, clock);
  const pages: string[][] = [];
  let before: number | undefined;
  for (;;) {
    const { events, more } = again.trail.lookup({ now: T + 60_000, start: 0, end: Infinity, limit: 3, before });
    pages.push(events.map((e) => e.event.eventName));
    if (!more) break;
    before = events.at(-1)!.seq;
  }
  expect(pages).toEqual([['E9', 'E8', 'E7'], ['E6', 'E5', 'E3'], ['E2', 'E1', 'E0']]);
});
