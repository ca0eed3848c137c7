// The engine clock (engine/clock.ts, pure): real time plus an offset that only grows, never
// past 9999-01-01 (the last year AWS's four-digit date formats carry), and the checks a saved
// offset (clock.json) must pass before it is used.
import { expect, test, vi } from 'vitest';
import { ClockRangeError, EngineClock, fixedClock, LATEST_ENGINE_TIME } from '../../src/engine/clock.js';

const T = Date.parse('2026-06-01T12:00:00Z');
const at = (t: number) => new EngineClock(() => t);

test('the latest time is 9999-01-01T00:00:00Z, and a clock there can move no further', () => {
  expect(new Date(LATEST_ENGINE_TIME).toISOString()).toBe('9999-01-01T00:00:00.000Z');
  const c = at(LATEST_ENGINE_TIME);
  expect(c.secondsLeft()).toBe(0);
  c.advance(0);
  expect(() => c.advance(0.001)).toThrow(ClockRangeError);
  expect(at(LATEST_ENGINE_TIME + 5000).secondsLeft()).toBe(0); // never negative
});

test('the clock is real time plus what it was advanced by, and follows real time as it moves', () => {
  let real = T;
  const c = new EngineClock(() => real);
  expect(c.now().getTime()).toBe(T);
  c.advance(90);
  c.advance(0.5);
  expect(c.now().getTime()).toBe(T + 90_500);
  expect(c.aheadSeconds).toBe(90.5);
  real += 1000;
  expect(c.now().getTime()).toBe(T + 91_500);
  expect(Math.abs(new EngineClock().now().getTime() - Date.now())).toBeLessThan(1000);
});

test('advance refuses to go back, or NaN, or past the latest time, by a ClockRangeError saying which, and changes nothing', () => {
  const c = at(T);
  for (const s of [-1, -0.001, Number.NaN]) expect(() => c.advance(s)).toThrow(new ClockRangeError('the clock only moves forward'));
  const left = c.secondsLeft();
  expect(left).toBe((LATEST_ENGINE_TIME - T) / 1000);
  expect(() => c.advance(left + 1)).toThrow(new ClockRangeError('the clock cannot move past 9999-01-01T00:00:00.000Z'));
  expect(() => c.advance(Infinity)).toThrow(ClockRangeError);
  expect(c.aheadSeconds).toBe(0);
  c.advance(left); // exactly to the latest time
  expect(c.now().getTime()).toBe(LATEST_ENGINE_TIME);
  expect(c.secondsLeft()).toBe(0);
});

test('secondsLeft counts from the clock as advanced, not from real time', () => {
  const c = at(T);
  c.advance(3600);
  expect(c.secondsLeft()).toBe((LATEST_ENGINE_TIME - T) / 1000 - 3600);
});

test('a saved offset: whole, fractional and zero are taken; not a finite number, negative, or past the latest time is refused saying why', () => {
  const c = at(T);
  expect(c.aheadProblem(0)).toBeUndefined();
  expect(c.aheadProblem(86_400.5)).toBeUndefined();
  expect(c.aheadProblem((LATEST_ENGINE_TIME - T) / 1000)).toBeUndefined(); // exactly the latest time
  for (const v of ['3600', null, undefined, Number.NaN, Infinity, {}]) expect(c.aheadProblem(v), String(v)).toBe('it is not a finite number of seconds');
  expect(c.aheadProblem(-1)).toBe('it is negative (the engine clock never runs behind real time)');
  expect(c.aheadProblem((LATEST_ENGINE_TIME - T) / 1000 + 1)).toBe('it puts the clock past 9999-01-01T00:00:00.000Z');

  c.aheadSeconds = 7200;
  expect(c.now().getTime()).toBe(T + 7_200_000);
  c.aheadSeconds = 60; // setting a saved offset may also lower it (advance never does)
  expect(c.aheadSeconds).toBe(60);
  expect(() => (c.aheadSeconds = -5)).toThrow(new ClockRangeError('it is negative (the engine clock never runs behind real time)'));
  expect(() => (c.aheadSeconds = 1e13)).toThrow(ClockRangeError);
  expect(c.aheadSeconds).toBe(60);
});

test('fixedClock stands still at 2026-01-01 (or the start given) until advanced', () => {
  const c = fixedClock();
  expect(c.now().toISOString()).toBe('2026-01-01T00:00:00.000Z');
  expect(c.now().getTime()).toBe(c.now().getTime());
  c.advance(1);
  expect(c.now().toISOString()).toBe('2026-01-01T00:00:01.000Z');
  expect(fixedClock(new Date(T)).now().getTime()).toBe(T);
});

test('offsetAt: how far ahead the clock ran at a past wall-clock time (fast-forwards made after it not counted), for the last 256 fast-forwards', () => {
  vi.useFakeTimers({ toFake: ['Date'] }); // offsetAt is about the wall clock a client signs with
  try {
    vi.setSystemTime(1_000_000);
    const c = at(T);
    c.advance(10);
    vi.setSystemTime(2_000_000);
    c.advance(20);
    expect(c.offsetAt(999_999)).toBe(0);
    expect(c.offsetAt(1_000_000)).toBe(10_000); // a fast-forward at that very millisecond counts
    expect(c.offsetAt(1_999_999)).toBe(10_000);
    expect(c.offsetAt(2_000_000)).toBe(30_000);
    expect(c.offsetAt(9_000_000)).toBe(30_000);
    expect(at(T).offsetAt(0)).toBe(0);

    const many = at(T);
    for (let i = 1; i <= 300; i++) {
      vi.setSystemTime(i * 1000);
      many.advance(1);
    }
    expect(many.offsetAt(300_000)).toBe(300_000);
    expect(many.offsetAt(299_999)).toBe(299_000);
    expect(many.offsetAt(0)).toBe(44_000); // only the last 256 fast-forwards are remembered
  } finally {
    vi.useRealTimers();
  }
});
