// A clock per account (engine/clock.ts, pure): a class's learner moves their own account's
// time and no one else's; requests run in their account's context see that time; the shared
// clock never carries an account past 9999; saved offsets come back as they were.
import { expect, test, vi } from 'vitest';
import { ClockRangeError, EngineClock, LATEST_ENGINE_TIME } from '../../src/engine/clock.js';

const T = Date.parse('2026-06-01T12:00:00Z');
const A = '200000000001';
const B = '200000000002';

test("an account's fast-forward moves its time only; a request in its context sees it, others and the shared clock do not", async () => {
  const c = new EngineClock(() => T);
  c.advance(10);
  expect(c.accountsAhead).toBe(false);
  expect(c.accountTimes()).toBeUndefined();
  c.advanceAccount(A, 0); // no move: no clock of its own
  expect(c.accountsAhead).toBe(false);
  expect(c.accountOffsets).toEqual({});
  c.advanceAccount(A, 3600);
  expect(c.accountsAhead).toBe(true);
  expect(c.nowFor(A)).toBe(T + 10_000 + 3600_000);
  expect(c.nowFor(B)).toBe(T + 10_000);
  expect(c.sharedNow()).toBe(T + 10_000);
  expect(c.now().getTime()).toBe(T + 10_000); // outside any request
  expect(c.inAccount(A, () => c.now().getTime())).toBe(T + 3610_000);
  expect(c.inAccount(B, () => c.now().getTime())).toBe(T + 10_000);
  expect(await c.inAccount(A, async () => {
    await new Promise((r) => setTimeout(r, 1));
    return c.now().getTime(); // the context follows the request's async work
  })).toBe(T + 3610_000);
  expect(c.accountAheadSeconds(A)).toBe(3610);
  expect(c.accountAheadSeconds(B)).toBe(10);
  expect(c.aheadSeconds).toBe(10);
  expect(c.accountOffsets).toEqual({ [A]: 3600 });
  c.advanceAccount(A, 60);
  expect(c.accountOffsets).toEqual({ [A]: 3660 });
  c.advance(5); // the shared clock moves every account
  expect(c.nowFor(A)).toBe(T + 15_000 + 3660_000);
  const times = c.accountTimes()!;
  expect(times(A)).toBe(T + 15_000 + 3660_000);
  expect(times(B)).toBe(T + 15_000);
});

test('accountTimes reads real time once: a walk over every account sees one instant', () => {
  let real = T;
  const c = new EngineClock(() => real);
  c.advanceAccount(A, 100);
  const times = c.accountTimes()!;
  real += 5000;
  expect(times(A)).toBe(T + 100_000);
  expect(times(B)).toBe(T);
  expect(c.nowFor(A)).toBe(T + 105_000);
});

test("an account's clock refuses to go back or past 9999, counting from its own time, and changes nothing then", () => {
  const c = new EngineClock(() => T);
  c.advanceAccount(A, 1000);
  for (const s of [-1, Number.NaN]) expect(() => c.advanceAccount(A, s)).toThrow(new ClockRangeError('the clock only moves forward'));
  const left = c.secondsLeft(A);
  expect(left).toBe((LATEST_ENGINE_TIME - T) / 1000 - 1000);
  expect(c.secondsLeft(B)).toBe((LATEST_ENGINE_TIME - T) / 1000);
  expect(() => c.advanceAccount(A, left + 1)).toThrow(new ClockRangeError('the clock cannot move past 9999-01-01T00:00:00.000Z'));
  expect(c.accountOffsets).toEqual({ [A]: 1000 });
  c.advanceAccount(A, left); // exactly to the latest time
  expect(c.nowFor(A)).toBe(LATEST_ENGINE_TIME);
  expect(c.secondsLeft(A)).toBe(0);
  // The shared clock may not move on: it would carry A past the latest time.
  expect(() => c.advance(1)).toThrow(new ClockRangeError('the clock cannot move past 9999-01-01T00:00:00.000Z'));
  c.advance(0);
  expect(c.sharedNow()).toBe(T);
});

test('the shared clock may move as far as the account furthest ahead allows', () => {
  const c = new EngineClock(() => T);
  c.advanceAccount(A, 1000);
  c.advanceAccount(B, 5000);
  const room = (LATEST_ENGINE_TIME - T) / 1000 - 5000;
  expect(() => c.advance(room + 1)).toThrow(ClockRangeError);
  c.advance(room);
  expect(c.nowFor(B)).toBe(LATEST_ENGINE_TIME);
  expect(c.nowFor(A)).toBe(LATEST_ENGINE_TIME - 4000_000);
});

test("saved offsets come back: an account's own, zero as no clock of its own, an unusable one refused saying why", () => {
  const c = new EngineClock(() => T);
  c.aheadSeconds = 100;
  c.setAccountOffset(A, 7200);
  expect(c.accountsAhead).toBe(true);
  expect(c.nowFor(A)).toBe(T + 7300_000);
  expect(c.accountOffsets).toEqual({ [A]: 7200 });
  c.setAccountOffset(A, 60); // a saved offset may be lower than the one in memory
  expect(c.accountAheadSeconds(A)).toBe(160);
  c.setAccountOffset(A, 0);
  expect(c.accountsAhead).toBe(false);
  expect(c.accountOffsets).toEqual({});
  const fresh = new EngineClock(() => T);
  expect(() => fresh.setAccountOffset(B, -1)).toThrow(new ClockRangeError("it is negative (a learner's clock never runs behind the engine's)"));
  // Nor behind the shared clock when the shared clock is ahead enough to keep the sum positive.
  expect(() => c.setAccountOffset(A, -50)).toThrow(new ClockRangeError("it is negative (a learner's clock never runs behind the engine's)"));
  expect(c.accountsAhead).toBe(false);
  expect(() => fresh.setAccountOffset(B, Number.NaN)).toThrow(new ClockRangeError('it is not a finite number of seconds'));
  expect(fresh.accountsAhead).toBe(false);
  const most = (LATEST_ENGINE_TIME - T) / 1000 - 100; // with the shared 100 s, exactly the latest time
  c.setAccountOffset(B, most);
  expect(c.nowFor(B)).toBe(LATEST_ENGINE_TIME);
  expect(() => c.setAccountOffset(A, most + 1)).toThrow(new ClockRangeError('it puts the clock past 9999-01-01T00:00:00.000Z'));
  expect(c.accountOffsets).toEqual({ [B]: most });
});

test("offsetAt for an account adds its own fast-forwards made by then to the shared ones", () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  try {
    vi.setSystemTime(1_000_000);
    const c = new EngineClock(() => T);
    c.advance(10);
    vi.setSystemTime(2_000_000);
    c.advanceAccount(A, 100);
    vi.setSystemTime(3_000_000);
    c.advanceAccount(A, 1000);
    expect(c.offsetAt(1_500_000, A)).toBe(10_000);
    expect(c.offsetAt(2_500_000, A)).toBe(110_000);
    expect(c.offsetAt(3_000_000, A)).toBe(1_110_000);
    expect(c.offsetAt(3_000_000, B)).toBe(10_000);
    expect(c.offsetAt(3_000_000)).toBe(10_000);
  } finally {
    vi.useRealTimers();
  }
});

test('with no account ahead, the shared clock is bounded from where it was moved to; secondsLeft in a request is its account\'s', () => {
  const c = new EngineClock(() => T);
  c.advance(3600);
  const left = c.secondsLeft();
  expect(left).toBe((LATEST_ENGINE_TIME - T) / 1000 - 3600);
  expect(() => c.advance(left + 1)).toThrow(ClockRangeError);
  c.advanceAccount(A, 100);
  expect(() => c.advance(left - 100 + 1)).toThrow(ClockRangeError); // A, 100 s further on, bounds it now
  expect(c.inAccount(A, () => c.secondsLeft())).toBe(left - 100);
  expect(c.inAccount(B, () => c.secondsLeft())).toBe(left);
});
