// Rooms and calls as a class engine sends them, for the instructor view's tests.
import type { Room, RoomCall, RoomCalls, RoomLearner } from '../../src/engine/class-protocol.js';
import type { RoomSource } from '../../src/tui/class/room-source.js';

export const ROOM_AT = '2026-12-01T10:30:00.000Z';
export const minutesBefore = (minutes: number) => new Date(Date.parse(ROOM_AT) - minutes * 60_000).toISOString();

export function learner(n: number, over: Partial<RoomLearner> = {}): RoomLearner {
  return { profile: `learner${n}`, accountId: String(100000000000 + n), userName: 'workshop-learner', callsLastMinute: 0, errorsInARow: 0, ...over };
}

export function onStep(n: number, step: number, over: Partial<RoomLearner> = {}, sinceMinutes = 1): RoomLearner {
  return learner(n, {
    progress: { lesson: 'envelope-encryption', lessonTitle: 'Envelope encryption', step, steps: 9, stepTitle: `Step title ${step}`, passed: step - 1, solved: 0, at: minutesBefore(sinceMinutes) },
    sameStepSince: minutesBefore(sinceMinutes),
    ...over,
  });
}

export function room(learners: RoomLearner[], operations: Record<string, number> = {}): Room {
  return { at: ROOM_AT, learners, operations };
}

let seq = 0;
export function roomCall(over: Partial<RoomCall> = {}): RoomCall {
  seq++;
  return { seq, time: ROOM_AT, service: 'kms', operation: 'GenerateDataKey', caller: 'arn:aws:iam::100000000001:user/workshop-learner', outcome: { ok: true }, ...over };
}

/** A source that answers from memory: the room as set, calls per learner; `fail` makes every request fail. */
export class MemorySource implements RoomSource {
  fail: Error | undefined;
  /** Fails the calls only, the room still answering. */
  failCalls: Error | undefined;
  roomAsked = 0;
  readonly callsAsked: Array<{ learner: string; after: number }> = [];
  constructor(
    public current: Room,
    public callsOf: Record<string, RoomCall[]> = {},
  ) {}
  async room(): Promise<Room> {
    this.roomAsked++;
    if (this.fail) throw this.fail;
    return this.current;
  }
  async calls(learner: string, after: number, waitSeconds: number): Promise<RoomCalls> {
    this.callsAsked.push({ learner, after });
    if (this.fail ?? this.failCalls) throw this.fail ?? this.failCalls;
    const fresh = () => (this.callsOf[learner] ?? []).filter((c) => c.seq > after);
    if (fresh().length === 0 && waitSeconds > 0) await new Promise((r) => setTimeout(r, Math.min(waitSeconds * 1000, 50)));
    const calls = fresh();
    return { calls, next: calls.length ? calls[calls.length - 1]!.seq : after };
  }
}
