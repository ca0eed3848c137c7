// What the instructor's view needs from a class engine, and nothing of how it
// gets there: the command wires the signed HTTP client (runtime/class-client.ts)
// to this; tests may hand in the room directly.
import type { Room, RoomCalls } from '../../engine/class-protocol.js';

export interface RoomSource {
  /** The room as it is now. */
  room(signal?: AbortSignal): Promise<Room>;
  /** One learner's calls after `after` (0: the recent ones), waiting up to `waitSeconds` for a new one. */
  calls(learner: string, after: number, waitSeconds: number, signal?: AbortSignal): Promise<RoomCalls>;
}
