// One clock for the whole engine, so that time-dependent behaviour (deletion
// dates, CloudTrail delivery) can be tested and fast-forwarded locally.
export interface Clock {
  now(): Date;
  /** Moves the clock forward; never backwards. */
  advance(seconds: number): void;
}

export class EngineClock implements Clock {
  private offsetMs = 0;
  constructor(private readonly base: () => number = Date.now) {}
  now(): Date {
    return new Date(this.base() + this.offsetMs);
  }
  advance(seconds: number): void {
    if (!(seconds >= 0)) throw new RangeError('the clock only moves forward');
    this.offsetMs += seconds * 1000;
  }
  /** How far this clock runs ahead of real time, in seconds (persisted with the state). */
  get aheadSeconds(): number {
    return this.offsetMs / 1000;
  }
  set aheadSeconds(seconds: number) {
    this.offsetMs = seconds * 1000;
  }
}

/** A clock that stands still until advanced: for tests. */
export function fixedClock(start = new Date('2026-01-01T00:00:00Z')): EngineClock {
  const t = start.getTime();
  return new EngineClock(() => t);
}
