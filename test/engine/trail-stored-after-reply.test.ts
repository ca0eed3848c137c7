// A call's CloudTrail event is stored (serialized, indexed, heard by the listeners) after the
// reply is written, not while the caller waits (engine/cloudtrail/trail.ts): recorded in call
// order; stored in the same turn of the event loop when someone listens, else in a batch
// STORE_DELAY_MS after the first (at once past 256 waiting); and before anything reads the trail.
// Storing can fail (a full disk) or a listener can throw: neither fails a call nor stops the
// engine from a timer.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test, vi } from 'vitest';
import { ListKeysCommand, type KMSClient } from '@aws-sdk/client-kms';
import { makeCaller } from '../../src/engine/caller.js';
import { EngineClock, fixedClock } from '../../src/engine/clock.js';
import { STORE_DELAY_MS, Trail, type RecordInput, type TrailEvent } from '../../src/engine/cloudtrail/trail.js';
import { openStore } from '../../src/engine/store.js';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';

const cleanup: (() => void)[] = [];
afterEach(() => {
  cleanup.splice(0).reverse().forEach((fn) => fn());
  vi.restoreAllMocks();
});

const T = Date.parse('2026-03-01T10:00:00Z');
const caller = makeCaller();
const call = (eventName: string): RecordInput => ({ caller, eventSource: 'kms.amazonaws.com', eventName, requestParameters: null, readOnly: true, requestId: `r-${eventName}` });
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
/** Past the batch's timer (no one listening): real time, as a throw from the timer would reach the process. */
const storeTurn = () => new Promise<void>((resolve) => setTimeout(resolve, STORE_DELAY_MS + 20));

function memoryTrail() {
  const trail = new Trail(openStore(null), fixedClock(new Date(T)));
  cleanup.push(() => trail.close());
  return trail;
}

/** Counts the lines the trail hands its segment files: how many events it has stored, without reading (which stores first). */
function countStores(trail: Trail) {
  const files = (trail as unknown as { files: { append: (...a: unknown[]) => unknown } }).files;
  const append = files.append.bind(files);
  const counter = { stored: 0 };
  files.append = (...a: unknown[]) => (counter.stored++, append(...a));
  return counter;
}

test('an event is stored after record returns, in the same turn of the event loop, in call order', async () => {
  const trail = memoryTrail();
  const heard: string[] = [];
  trail.onRecord((e) => heard.push(e.eventName));
  trail.record(call('A'));
  trail.record(call('B'));
  expect(heard).toEqual([]); // not while the call is being answered
  await nextTurn();
  expect(heard).toEqual(['A', 'B']);
  expect(trail.delivered().map((e) => e.eventName)).toEqual(['A', 'B']);
});

test('with no one listening, events wait and are stored together, STORE_DELAY_MS after the first', () => {
  vi.useFakeTimers();
  cleanup.push(() => vi.useRealTimers());
  const trail = memoryTrail();
  const counter = countStores(trail);
  trail.record(call('A'));
  vi.advanceTimersByTime(STORE_DELAY_MS - 10);
  trail.record(call('B'));
  vi.advanceTimersByTime(9);
  expect(counter.stored).toBe(0);
  vi.advanceTimersByTime(1); // STORE_DELAY_MS after A, not after B
  expect(counter.stored).toBe(2);
  trail.record(call('C'));
  vi.advanceTimersByTime(STORE_DELAY_MS);
  expect(counter.stored).toBe(3);
  expect(trail.delivered().map((e) => e.eventName)).toEqual(['A', 'B', 'C']);
});

test('past 256 events waiting, they are stored at once: a flood of calls does not pile up in memory', () => {
  vi.useFakeTimers();
  cleanup.push(() => vi.useRealTimers());
  const trail = memoryTrail();
  const counter = countStores(trail);
  for (let i = 0; i < 255; i++) trail.record(call(`C${i}`));
  expect(counter.stored).toBe(0);
  trail.record(call('C255'));
  expect(counter.stored).toBe(256);
  trail.record(call('after'));
  expect(counter.stored).toBe(256); // the next waits for its batch again
  vi.advanceTimersByTime(STORE_DELAY_MS);
  expect(counter.stored).toBe(257);
});

test('a listener hears the calls made after it subscribed, each in the turn it was answered', async () => {
  const trail = memoryTrail();
  trail.record(call('before'));
  const heard: string[] = [];
  trail.onRecord((e) => heard.push(e.eventName));
  trail.record(call('after'));
  await nextTurn(); // not STORE_DELAY_MS: the screen's call log shows a call as it returns
  expect(heard).toEqual(['after']);
  expect(trail.delivered().map((e) => e.eventName)).toEqual(['before', 'after']);
});

test('whatever reads the trail stores what is recorded first: lookup, delivered, size, delivery time', () => {
  const trail = memoryTrail();
  const q = { now: T + 1000, start: 0, end: T + 1000, limit: 50 };
  trail.record(call('A'));
  expect(trail.lookup(q).events.map((e) => e.event.eventName)).toEqual(['A']);
  trail.record(call('B'));
  expect(trail.delivered().map((e) => e.eventName)).toEqual(['A', 'B']);
  trail.record(call('C'));
  expect(trail.size).toBe(3);
  trail.delaySeconds = 60;
  trail.record(call('D'));
  expect(trail.secondsUntilAllDelivered()).toBe(60);
});

test('event times are settled when recorded: a later call is never dated before an earlier one still unstored', () => {
  let host = T + 5000;
  const trail = new Trail(openStore(null), new EngineClock(() => host));
  cleanup.push(() => trail.close());
  trail.record(call('A'));
  host = T; // the host's clock stepped back
  trail.record(call('B'));
  host = T + 5000; // so both are delivered
  const [a, b] = trail.delivered();
  expect(a!.eventTime).toBe('2026-03-01T10:00:05Z');
  expect(b!.eventTime).toBe('2026-03-01T10:00:05Z');
});

test('an event the store refuses is said once and dropped; the calls after it are stored', async () => {
  const trail = memoryTrail();
  const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
  const files = (trail as unknown as { files: { append: (...a: unknown[]) => unknown } }).files;
  const append = files.append.bind(files);
  let refuse = true;
  files.append = (...a: unknown[]) => {
    if (refuse) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    return append(...a);
  };
  trail.record(call('A'));
  await storeTurn(); // from a timer: a throw here would stop the process
  expect(errors).toHaveBeenCalledTimes(1); // said at the first
  expect(String(errors.mock.calls[0]![0])).toMatch(/A CloudTrail event could not be stored: ENOSPC/);
  trail.record(call('B'));
  await storeTurn();
  expect(errors).toHaveBeenCalledTimes(1); // not again while it goes on failing
  refuse = false;
  trail.record(call('C'));
  expect(trail.delivered().map((e) => e.eventName)).toEqual(['C']);
  refuse = true;
  trail.record(call('D'));
  void trail.size;
  expect(errors).toHaveBeenCalledTimes(2); // a new failure after a success is said again
});

test("with a clock per account, an account's events settle its own latest time and delivery as they are recorded", () => {
  const ONE = '200000000001';
  let host = T;
  const clock = new EngineClock(() => host);
  const trail = new Trail(openStore(null), clock, 60);
  cleanup.push(() => trail.close());
  clock.advanceAccount(ONE, 100); // the account's clock runs 100 s ahead of the others'
  const mine = (eventName: string) => clock.inAccount(ONE, () => trail.record({ ...call(eventName), caller: makeCaller({ accountId: ONE }) }));
  mine('A');
  host = T + 10_000;
  mine('B'); // delivered at its time + 60 s: the latest delivery
  host = T; // the host's clock stepped back
  mine('C');
  expect(trail.secondsUntilAccountDelivered(ONE)).toBe(70); // B's, not C's (60 s from now)
  host = T + 200_000;
  const times = Object.fromEntries(clock.inAccount(ONE, () => trail.delivered()).map((e) => [e.eventName, e.eventTime]));
  expect(times).toEqual({ A: '2026-03-01T10:01:40Z', B: '2026-03-01T10:01:50Z', C: '2026-03-01T10:01:50Z' });
});

test('a listener that throws is said, and the other listeners still hear every event', async () => {
  const trail = memoryTrail();
  const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
  const heard: TrailEvent[] = [];
  trail.onRecord(() => {
    throw new Error('a broken listener');
  });
  trail.onRecord((e) => heard.push(e));
  trail.record(call('A'));
  trail.record(call('B'));
  await nextTurn();
  expect(heard.map((e) => e.eventName)).toEqual(['A', 'B']);
  expect(errors).toHaveBeenCalledTimes(2);
});

let engine: TestEngine | undefined;
afterEach(async () => {
  await engine?.stop();
  engine = undefined;
});

test('over HTTP, the call before is in the trail when the next request is served, and closing stores what waits', async () => {
  engine = await startTestEngine();
  const kms: KMSClient = engine.kms;
  const heard: string[] = [];
  engine.engine.trail.onRecord((e) => heard.push(e.eventName));
  await kms.send(new ListKeysCommand({}));
  await kms.send(new ListKeysCommand({}));
  expect(heard).toEqual(['ListKeys', 'ListKeys']);
  engine.engine.trail.record(call('Pending'));
  engine.engine.trail.close();
  expect(heard).toEqual(['ListKeys', 'ListKeys', 'Pending']);
});

test('events waiting for their batch when the process exits are stored and written, before the segment files are', () => {
  const home = mkdtempSync(join(tmpdir(), 'trail-exit-'));
  cleanup.push(() => rmSync(home, { recursive: true, force: true }));
  const at = (file: string) => JSON.stringify(new URL(file, import.meta.url).pathname);
  const script = `import { Trail } from ${at('../../src/engine/cloudtrail/trail.ts')};
    import { makeCaller } from ${at('../../src/engine/caller.ts')};
    import { openStore } from ${at('../../src/engine/store.ts')};
    const trail = new Trail(openStore(${JSON.stringify(home)}), { now: () => new Date(${T}) });
    trail.record({ caller: makeCaller(), eventSource: 'kms.amazonaws.com', eventName: 'Waiting', requestParameters: null, readOnly: true, requestId: 'r' });
    process.exitCode = 0;`; // no close(), no exit(): the process ends with the event still waiting, and the exit hook stores it
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  const segments = join(home, 'engine', 'cloudtrail', 'segments');
  const lines = readdirSync(segments).filter((f) => f.endsWith('.jsonl')).map((f) => readFileSync(join(segments, f), 'utf8')).join('');
  expect(lines).toContain('"eventName":"Waiting"');
});
