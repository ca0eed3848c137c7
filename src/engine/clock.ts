// One clock for the whole engine, so that time-dependent behaviour (deletion
// dates, CloudTrail delivery) can be tested and fast-forwarded locally.
//
// A class (class.ts) adds a clock per account: a learner who fast-forwards for a CloudTrail
// wait or a year of key rotation moves their own account's time, no one else's. An account's
// offset is added to the shared one (what /_engine/advance-clock moves) for the requests of
// that account: front-door.ts runs each request in its account's context (inAccount) once any
// account has an offset of its own, so now() anywhere in KMS, S3, IAM, STS and CloudTrail reads
// the caller's time without being told; code that handles another account's things (KMS's
// rotations of every key, a service event) asks nowFor(account). Without account offsets (the
// local single-user engine) the clock is the shared one, as before, and no context is entered.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface Clock {
  now(): Date;
  /** Moves the clock forward; never backwards. */
  advance(seconds: number): void;
  /** The time of one account (its own offset added), epoch ms; now() when accounts have no clocks of their own. */
  nowFor?(accountId: string): number;
  /** The time shared by every account (no account's offset), epoch ms. */
  sharedNow?(): number;
  /** Each account's time (epoch ms) read once, for a walk over every account's things; undefined while accounts share one clock. */
  accountTimes?(): ((accountId: string) => number) | undefined;
  /** Whether some account has a clock of its own. */
  readonly accountsAhead?: boolean;
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

/** How far ahead of real time, and each fast-forward that got it there (for offsetAt). */
class Offset {
  ms = 0;
  /** Each fast-forward: when (wall-clock ms, the clock a client signs with) and the offset before it. */
  private readonly moves: { at: number; before: number }[] = [];
  advance(ms: number) {
    this.moves.push({ at: Date.now(), before: this.ms });
    if (this.moves.length > MOVES_REMEMBERED) this.moves.shift();
    this.ms += ms;
  }
  at(wallMs: number): number {
    let offset = this.ms;
    for (let i = this.moves.length - 1; i >= 0 && this.moves[i]!.at > wallMs; i--) offset = this.moves[i]!.before;
    return offset;
  }
}

export class EngineClock implements Clock {
  private readonly shared = new Offset();
  /** Accounts with a clock of their own (a class's learners who fast-forwarded): bounded by the class's accounts. */
  private readonly accounts = new Map<string, Offset>();
  /** The account whose request is being handled, once accounts have clocks of their own. */
  private readonly context = new AsyncLocalStorage<string>();
  constructor(private readonly base: () => number = Date.now) {}
  now(): Date {
    return new Date(this.base() + this.shared.ms + this.contextOffset());
  }
  private contextOffset(): number {
    if (this.accounts.size === 0) return 0;
    const account = this.context.getStore();
    return account === undefined ? 0 : (this.accounts.get(account)?.ms ?? 0);
  }
  sharedNow(): number {
    return this.base() + this.shared.ms;
  }
  nowFor(accountId: string): number {
    return this.base() + this.shared.ms + (this.accounts.get(accountId)?.ms ?? 0);
  }
  accountTimes(): ((accountId: string) => number) | undefined {
    if (this.accounts.size === 0) return undefined;
    const shared = this.base() + this.shared.ms;
    return (accountId) => shared + (this.accounts.get(accountId)?.ms ?? 0);
  }
  /** Whether some account has a clock of its own: only then are requests run in their account's context. */
  get accountsAhead(): boolean {
    return this.accounts.size > 0;
  }
  /** Runs fn with now() on `accountId`'s clock (async work it starts too). */
  inAccount<T>(accountId: string, fn: () => T): T {
    return this.context.run(accountId, fn);
  }
  advance(seconds: number): void {
    if (!(seconds >= 0)) throw new ClockRangeError('the clock only moves forward');
    // Every account's clock is at least the shared one: the one furthest ahead bounds the move.
    let furthest = this.base() + this.shared.ms;
    for (const o of this.accounts.values()) furthest = Math.max(furthest, this.base() + this.shared.ms + o.ms);
    if (!(seconds <= Math.max(0, (LATEST_ENGINE_TIME - furthest) / 1000))) throw new ClockRangeError(`the clock cannot move past ${new Date(LATEST_ENGINE_TIME).toISOString()}`);
    this.shared.advance(seconds * 1000);
  }
  /** Moves one account's clock forward, no other's. */
  advanceAccount(accountId: string, seconds: number): void {
    if (!(seconds >= 0)) throw new ClockRangeError('the clock only moves forward');
    if (!(seconds <= this.secondsLeft(accountId))) throw new ClockRangeError(`the clock cannot move past ${new Date(LATEST_ENGINE_TIME).toISOString()}`);
    if (seconds === 0) return;
    let offset = this.accounts.get(accountId);
    if (!offset) this.accounts.set(accountId, (offset = new Offset()));
    offset.advance(seconds * 1000);
  }
  /**
   * How far ahead (ms) this clock ran at a past wall-clock time (an account's: its own offset
   * added). A client signs with its own
   * clock, which a fast-forward does not move: what it signed at `wallMs` was, on this clock,
   * `wallMs` plus this (so a presigned URL's validity runs out when the engine clock says,
   * and a fast-forward made before the URL was signed does not expire it at once). Signatures
   * carry whole seconds: a fast-forward within the second a URL was signed in counts as made
   * after it (a lesson that presigns and then fast-forwards sees the URL expire).
   */
  offsetAt(wallMs: number, accountId?: string): number {
    const own = accountId === undefined ? undefined : this.accounts.get(accountId);
    return this.shared.at(wallMs) + (own ? own.at(wallMs) : 0);
  }
  /** How far the clock (an account's) may still move forward before it leaves the dates AWS's formats can carry. */
  secondsLeft(accountId?: string): number {
    const now = accountId === undefined ? this.now().getTime() : this.nowFor(accountId);
    return Math.max(0, (LATEST_ENGINE_TIME - now) / 1000);
  }
  /** How far the shared clock runs ahead of real time, in seconds (persisted with the state). */
  get aheadSeconds(): number {
    return this.shared.ms / 1000;
  }
  set aheadSeconds(seconds: number) {
    const problem = this.aheadProblem(seconds);
    if (problem) throw new ClockRangeError(problem);
    this.shared.ms = seconds * 1000;
  }
  /** How far one account's clock runs ahead of real time, in seconds (the shared offset and its own). */
  accountAheadSeconds(accountId: string): number {
    return (this.shared.ms + (this.accounts.get(accountId)?.ms ?? 0)) / 1000;
  }
  /** Each account's own offset in seconds, beyond the shared one (persisted with the state). */
  get accountOffsets(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [account, o] of this.accounts) out[account] = o.ms / 1000;
    return out;
  }
  /** Restores an account's own offset; a ClockRangeError for an unusable one. */
  setAccountOffset(accountId: string, seconds: number) {
    // An account is never behind the shared clock (advance()'s bound counts on it), whatever a saved clock.json says.
    const problem = seconds < 0 ? "it is negative (a learner's clock never runs behind the engine's)" : this.aheadProblem(seconds === 0 ? 0 : this.shared.ms / 1000 + seconds);
    if (problem) throw new ClockRangeError(problem);
    if (seconds === 0) this.accounts.delete(accountId);
    else (this.accounts.get(accountId) ?? this.accounts.set(accountId, new Offset()).get(accountId)!).ms = seconds * 1000;
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
