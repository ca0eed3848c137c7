// One clock for the whole engine, so that time-dependent behaviour (deletion
// dates, CloudTrail delivery) can be tested and fast-forwarded locally.
export interface Clock {
  now(): Date;
  /** Moves the clock forward; never backwards. */
  advance(seconds: number): void;
}

/**
 * The latest time the engine clock may show: 9999-01-01T00:00:00Z. AWS's wire formats
 * write four-digit years (ISO 8601 timestamps in S3's XML and CloudTrail, HTTP dates),
 * and toISOString() switches to a six-digit "+010000-" form past 9999; the year to
 * spare covers dates the engine computes ahead of now (a key's deletion date, 30 days on).
 */
export const LATEST_ENGINE_TIME = Date.UTC(9999, 0, 1);

export class ClockRangeError extends RangeError {}

/** Fast-forwards remembered for offsetAt: enough for every presigned URL still alive (at most a week old). */
const MOVES_REMEMBERED = 256;

export class EngineClock implements Clock {
  private offsetMs = 0;
  /** Each fast-forward: when (wall-clock ms, the clock a client signs with) and the offset before it. */
  private readonly moves: { at: number; before: number }[] = [];
  constructor(private readonly base: () => number = Date.now) {}
  now(): Date {
    return new Date(this.base() + this.offsetMs);
  }
  advance(seconds: number): void {
    if (!(seconds >= 0)) throw new ClockRangeError('the clock only moves forward');
    if (!(seconds <= this.secondsLeft())) throw new ClockRangeError(`the clock cannot move past ${new Date(LATEST_ENGINE_TIME).toISOString()}`);
    this.moves.push({ at: Date.now(), before: this.offsetMs });
    if (this.moves.length > MOVES_REMEMBERED) this.moves.shift();
    this.offsetMs += seconds * 1000;
  }
  /**
   * How far ahead (ms) this clock ran at a past wall-clock time. A client signs with its own
   * clock, which a fast-forward does not move: what it signed at `wallMs` was, on this clock,
   * `wallMs` plus this (so a presigned URL's validity runs out when the engine clock says,
   * and a fast-forward made before the URL was signed does not expire it at once). Signatures
   * carry whole seconds: a fast-forward within the second a URL was signed in counts as made
   * after it (a lesson that presigns and then fast-forwards sees the URL expire).
   */
  offsetAt(wallMs: number): number {
    let offset = this.offsetMs;
    for (let i = this.moves.length - 1; i >= 0 && this.moves[i]!.at > wallMs; i--) offset = this.moves[i]!.before;
    return offset;
  }
  /** How far the clock may still move forward before it leaves the dates AWS's formats can carry. */
  secondsLeft(): number {
    return Math.max(0, (LATEST_ENGINE_TIME - this.now().getTime()) / 1000);
  }
  /** How far this clock runs ahead of real time, in seconds (persisted with the state). */
  get aheadSeconds(): number {
    return this.offsetMs / 1000;
  }
  set aheadSeconds(seconds: number) {
    const problem = this.aheadProblem(seconds);
    if (problem) throw new ClockRangeError(problem);
    this.offsetMs = seconds * 1000;
  }
  /** Why an offset (a saved clock.json, say) cannot be used, or undefined when it can. */
  aheadProblem(seconds: unknown): string | undefined {
    if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return 'it is not a finite number of seconds';
    if (seconds < 0) return 'it is negative (the engine clock never runs behind real time)';
    if (this.base() + seconds * 1000 > LATEST_ENGINE_TIME) return `it puts the clock past ${new Date(LATEST_ENGINE_TIME).toISOString()}`;
    return undefined;
  }
}

/** A clock that stands still until advanced: for tests. */
export function fixedClock(start = new Date('2026-01-01T00:00:00Z')): EngineClock {
  const t = start.getTime();
  return new EngineClock(() => t);
}
