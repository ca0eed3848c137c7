// The class engine's answers checked for the shape the screen draws from, so a URL that
// answers something else (another server, an older engine) is a plain failure line, not a
// crashed screen. Only what the components rely on is checked.
import type { Room, RoomCalls } from '../../engine/class-protocol.js';

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const optionalObject = (v: unknown) => v === undefined || isObject(v);

export function asRoom(v: unknown): Room {
  const ok =
    isObject(v) &&
    typeof v.at === 'string' &&
    isObject(v.operations) &&
    Object.values(v.operations).every((n) => typeof n === 'number') &&
    Array.isArray(v.learners) &&
    v.learners.every(
      (l: unknown) =>
        isObject(l) &&
        typeof l.profile === 'string' &&
        typeof l.callsLastMinute === 'number' &&
        typeof l.errorsInARow === 'number' &&
        optionalObject(l.progress) &&
        optionalObject(l.lastError) &&
        (l.lastError === undefined || (typeof (l.lastError as Record<string, unknown>).code === 'string' && typeof (l.lastError as Record<string, unknown>).operation === 'string')),
    );
  if (!ok) throw new Error("the class engine's answer is not a room: is the URL a kms-workshop class engine of this version?");
  return v as unknown as Room;
}

export function asRoomCalls(v: unknown): RoomCalls {
  const ok =
    isObject(v) &&
    typeof v.next === 'number' &&
    Array.isArray(v.calls) &&
    v.calls.every((c: unknown) => isObject(c) && typeof c.seq === 'number' && typeof c.operation === 'string' && typeof c.caller === 'string' && isObject(c.outcome) && optionalObject(c.parameters));
  if (!ok) throw new Error("the class engine's answer is not a list of calls: is the URL a kms-workshop class engine of this version?");
  return v as unknown as RoomCalls;
}
