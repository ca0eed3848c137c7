// What a class engine knows of its room (class-endpoints.ts serves it): each learner's last
// reported progress, their recent calls and errors, and a class-wide count per operation, fed
// from the trail as each call is recorded (every call the engine serves is: KMS's refused and
// throttled ones, S3's on a learner's behalf, IAM's and STS's). In memory only, and bounded:
// a ring of recent calls per class account, bytes and counts capped; nothing outside the
// roster is kept. A call's parameters are masked as the runtime's call log masks them (mask.ts).
import type { LearnerProgress, Room, RoomCall, RoomError, RoomLearner } from './class-protocol.js';
import type { TrailEvent } from './cloudtrail/trail.js';
import { toDisplayJson } from '../mask.js';

/** One member of the class: an IAM user in an account of their own. */
export interface ClassMember {
  accountId: string;
  userName: string;
  accessKeyId: string;
}

export interface Roster {
  instructor: ClassMember;
  /** learner1 first. Learners are never removed: serving fewer keeps the others' accounts as they are. */
  learners: ClassMember[];
}

/** Recent calls kept per account (the instructor's call log of a learner, the learner's own events). */
export const CALLS_KEPT = 200;
/** The bytes of recent calls kept per account, whatever their count (a call's parameters may be up to 100 KB). */
export const CALL_BYTES_KEPT = 256 * 1024;
/** Operation names counted class-wide at most (the engine's own operations are far fewer). */
const MAX_OPERATIONS = 500;
/** Long polls waiting at once, every account's together. */
export const MAX_WAITERS = 1000;
/** Fields of CloudTrail's requestParameters that carry a secret, besides mask.ts's own. */
const SECRET_PARAMETERS = ['secretAccessKey', 'sessionToken', 'password', 'newPassword', 'oldPassword'];

/** One call as kept: the trail's record, in the order recorded. */
interface Kept {
  seq: number;
  event: TrailEvent;
  bytes: number;
}

/** Calls per real second over the last minute: 60 one-second slots. */
class MinuteCounter {
  private readonly counts = new Array<number>(60).fill(0);
  private readonly seconds = new Array<number>(60).fill(-1);
  add(nowMs: number) {
    const second = Math.floor(nowMs / 1000);
    const slot = second % 60;
    if (this.seconds[slot] !== second) {
      this.seconds[slot] = second;
      this.counts[slot] = 0;
    }
    this.counts[slot]!++;
  }
  total(nowMs: number): number {
    const second = Math.floor(nowMs / 1000);
    let n = 0;
    for (let i = 0; i < 60; i++) if (second - this.seconds[i]! < 60) n += this.counts[i]!;
    return n;
  }
}

interface AccountState {
  progress?: LearnerProgress & { at: string };
  sameStepSince?: string;
  minute: MinuteCounter;
  errorsInARow: number;
  lastError?: RoomError;
  lastCallAt?: string;
  calls: Kept[];
  bytes: number;
}

export class ClassRoom {
  private readonly accounts = new Map<string, AccountState>();
  private readonly operations = new Map<string, number>();
  /**
   * Numbers calls from the time the engine started (microseconds): a client's `after` from before
   * a restart is below every call made since, so it is given them all and polls on (safe integers to year 2255).
   */
  private seq = Date.now() * 1000;
  /** Long polls waiting for an account's next call. */
  private readonly waiters = new Map<string, Set<() => void>>();
  private waiting = 0;

  constructor(
    /** The class as it is now (serving again may add learners). */
    private readonly roster: () => Roster | undefined,
    /** Real time, ms (the room's times are the instructor's, not any learner's engine clock). */
    private readonly now: () => number = Date.now,
  ) {}

  /** The state of a class account, made on first use; undefined for any other account. */
  private state(accountId: string): AccountState | undefined {
    let state = this.accounts.get(accountId);
    if (state) return state;
    if (!isMember(this.roster(), accountId)) return undefined;
    state = { minute: new MinuteCounter(), errorsInARow: 0, calls: [], bytes: 0 };
    this.accounts.set(accountId, state);
    return state;
  }

  /** One call recorded in the trail (the trail's onRecord): a service acting on its own (a rotation) is no one's call. */
  record(event: TrailEvent) {
    if (event.eventType !== 'AwsApiCall') return;
    const state = this.state(event.recipientAccountId);
    if (!state) return;
    const now = this.now();
    const at = new Date(now).toISOString();
    state.minute.add(now);
    state.lastCallAt = at;
    if (event.errorCode !== undefined) {
      state.errorsInARow++;
      state.lastError = { operation: event.eventName, code: event.errorCode, message: event.errorMessage ?? '', at };
    } else state.errorsInARow = 0;
    const roster = this.roster()!;
    if (event.recipientAccountId !== roster.instructor.accountId && (this.operations.has(event.eventName) || this.operations.size < MAX_OPERATIONS))
      this.operations.set(event.eventName, (this.operations.get(event.eventName) ?? 0) + 1);
    const bytes = approximateBytes(event);
    state.calls.push({ seq: ++this.seq, event, bytes });
    state.bytes += bytes;
    while (state.calls.length > CALLS_KEPT || (state.bytes > CALL_BYTES_KEPT && state.calls.length > 1)) state.bytes -= state.calls.shift()!.bytes;
    const waiting = this.waiters.get(event.recipientAccountId);
    if (waiting) {
      this.waiters.delete(event.recipientAccountId);
      for (const wake of waiting) wake();
    }
  }

  /** A learner's progress as reported (validated by validProgress); the step's start is kept while the step stays the same. */
  progress(accountId: string, progress: LearnerProgress) {
    const state = this.state(accountId);
    if (!state) return;
    const at = new Date(this.now()).toISOString();
    const before = state.progress;
    if (!before || before.lesson !== progress.lesson || before.step !== progress.step) state.sameStepSince = at;
    state.progress = { ...progress, at };
  }

  /** The room: every learner of the roster, learner1 first, and the class-wide count per operation. */
  view(): Room {
    const roster = this.roster();
    const now = this.now();
    const learners = (roster?.learners ?? []).map((member, i): RoomLearner => {
      const state = this.accounts.get(member.accountId);
      return {
        profile: `learner${i + 1}`,
        accountId: member.accountId,
        userName: member.userName,
        ...(state?.progress ? { progress: state.progress } : {}),
        ...(state?.sameStepSince ? { sameStepSince: state.sameStepSince } : {}),
        callsLastMinute: state ? state.minute.total(now) : 0,
        errorsInARow: state?.errorsInARow ?? 0,
        ...(state?.lastError ? { lastError: state.lastError } : {}),
        ...(state?.lastCallAt ? { lastCallAt: state.lastCallAt } : {}),
      };
    });
    return { at: new Date(now).toISOString(), learners, operations: Object.fromEntries(this.operations) };
  }

  /**
   * The account's kept calls after `after` (a seq), oldest first, at most `limit`; next is the seq
   * to ask after. A seq the room never gave (from before the engine restarted) counts from the start.
   */
  events(accountId: string, after: number, limit: number): { events: TrailEvent[]; next: number } {
    const { kept, next } = this.after(accountId, after, limit);
    return { events: kept.map((k) => k.event), next };
  }

  /** As events, each call as the instructor may see it: masked. */
  calls(accountId: string, after: number, limit: number): { calls: RoomCall[]; next: number } {
    const { kept, next } = this.after(accountId, after, limit);
    return { calls: kept.map((k) => roomCall(k.seq, k.event)), next };
  }

  private after(accountId: string, after: number, limit: number): { kept: Kept[]; next: number } {
    const from = this.from(after);
    const calls = this.accounts.get(accountId)?.calls ?? [];
    let first = calls.length;
    while (first > 0 && calls[first - 1]!.seq > from) first--;
    const kept = calls.slice(first, first + limit);
    return { kept, next: kept.at(-1)?.seq ?? Math.max(from, this.latest(accountId)) };
  }

  /** `after` as this room counts: one past its last seq (the host's clock set back since a restart) counts from the start. */
  private from(after: number): number {
    return after > this.seq ? 0 : after;
  }

  /** The seq of the account's latest kept call, 0 for none: asking after it waits for the next. */
  private latest(accountId: string): number {
    return this.accounts.get(accountId)?.calls.at(-1)?.seq ?? 0;
  }

  /**
   * Resolves when the account has a call after `after`, or after waitMs: false if too many
   * polls wait already (the caller answers 429). A long poll, bounded by the endpoint.
   */
  async waitFor(accountId: string, after: number, waitMs: number): Promise<boolean> {
    if (waitMs <= 0 || this.latest(accountId) > this.from(after)) return true;
    if (this.waiting >= MAX_WAITERS) return false;
    this.waiting++;
    try {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, waitMs);
        let set = this.waiters.get(accountId);
        if (!set) this.waiters.set(accountId, (set = new Set()));
        set.add(done);
        const own = set;
        function done() {
          clearTimeout(timer);
          own.delete(done);
          resolve();
        }
      });
      const set = this.waiters.get(accountId);
      if (set?.size === 0) this.waiters.delete(accountId);
    } finally {
      this.waiting--;
    }
    return true;
  }

  /** Wakes every long poll (the engine is closing). */
  close() {
    for (const set of this.waiters.values()) for (const wake of set) wake();
    this.waiters.clear();
  }
}

function isMember(roster: Roster | undefined, accountId: string): boolean {
  if (!roster) return false;
  return roster.instructor.accountId === accountId || roster.learners.some((m: ClassMember) => m.accountId === accountId);
}

/** A kept call's size, roughly: its parameters dominate (bounded at 100 KB by the trail). */
function approximateBytes(event: TrailEvent): number {
  const params = event.requestParameters === null ? 0 : JSON.stringify(event.requestParameters).length;
  const elements = event.responseElements === null ? 0 : JSON.stringify(event.responseElements).length;
  return 1024 + params + elements + (event.errorMessage?.length ?? 0);
}

/** One call as the instructor's view shows it: who, what, outcome, parameters masked. */
export function roomCall(seq: number, event: TrailEvent): RoomCall {
  const parameters = event.requestParameters === null ? undefined : toDisplayJson(event.requestParameters, SECRET_PARAMETERS);
  return {
    seq,
    time: event.eventTime,
    service: event.eventSource.split('.')[0]!,
    operation: event.eventName,
    caller: event.userIdentity.invokedBy ?? event.userIdentity.arn ?? event.userIdentity.accountId,
    outcome: event.errorCode !== undefined ? { ok: false, code: event.errorCode, message: event.errorMessage ?? '' } : { ok: true },
    ...(parameters && typeof parameters === 'object' && !Array.isArray(parameters) ? { parameters } : {}),
  };
}

const CONTROL = /\p{Cc}/u;

/** The progress a learner's program reports, or why it cannot be taken: every field checked, text bounded and free of control characters. */
export function validProgress(body: unknown): LearnerProgress | string {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return 'the body must be a JSON object: {lesson, lessonTitle, step, steps, stepTitle, passed, solved}';
  const b = body as Record<string, unknown>;
  const text = (name: string, max: number): string | undefined => {
    const v = b[name];
    if (typeof v !== 'string' || v.length === 0 || v.length > max || CONTROL.test(v)) return `${name} must be text of 1 to ${max} characters without control characters`;
    return undefined;
  };
  const count = (name: string, min: number, max: number): string | undefined => {
    const v = b[name];
    return Number.isInteger(v) && (v as number) >= min && (v as number) <= max ? undefined : `${name} must be a whole number from ${min} to ${max}`;
  };
  const problem =
    text('lesson', 100) ??
    text('lessonTitle', 200) ??
    count('step', 1, 1000) ??
    count('steps', 1, 1000) ??
    text('stepTitle', 200) ??
    count('passed', 0, 100_000) ??
    count('solved', 0, 100_000) ??
    ((b.step as number) > (b.steps as number) ? 'step must not be past steps (the lesson\'s step count)' : undefined);
  if (problem) return problem;
  return {
    lesson: b.lesson as string,
    lessonTitle: b.lessonTitle as string,
    step: b.step as number,
    steps: b.steps as number,
    stepTitle: b.stepTitle as string,
    passed: b.passed as number,
    solved: b.solved as number,
  };
}
