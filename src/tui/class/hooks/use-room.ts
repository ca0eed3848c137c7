// The room, asked for every couple of seconds. A failed request keeps the last
// room on screen, says in one line what went wrong, and tries again at the same
// pace: a class engine restarted or a Wi-Fi drop heals by itself.
import { useEffect, useState } from 'react';
import type { Room } from '../../../engine/class-protocol.js';
import type { RoomSource } from '../room-source.js';
import { printableDeep } from '../printable.js';
import { asRoom } from '../room-shape.js';
import { failureText, pause } from './connection.js';

export const ROOM_POLL_MS = 2_000;

export interface RoomState {
  room?: Room;
  /** Why the last request failed; undefined once one succeeds again. */
  failure?: string;
  /** When (the instructor's clock) the room was last received. */
  receivedAt?: Date;
}

export function useRoom(source: RoomSource, { intervalMs = ROOM_POLL_MS }: { intervalMs?: number } = {}): RoomState {
  const [state, setState] = useState<RoomState>({});
  useEffect(() => {
    const stop = new AbortController();
    void (async () => {
      while (!stop.signal.aborted) {
        try {
          const room = asRoom(await source.room(stop.signal));
          if (stop.signal.aborted) return;
          setState({ room: printableDeep(room), receivedAt: new Date() });
        } catch (error) {
          if (stop.signal.aborted) return;
          setState((s) => ({ ...s, failure: failureText(error) }));
        }
        await pause(intervalMs, stop.signal);
      }
    })();
    return () => stop.abort();
  }, [source, intervalMs]);
  return state;
}
