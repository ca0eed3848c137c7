// One learner's calls, live: the recent ones first, then a long poll that
// returns as soon as the learner makes another. Choosing another learner (or
// none) drops the poll in flight. Failures are said in one line and retried.
import { useEffect, useState } from 'react';
import type { RoomCall } from '../../../engine/class-protocol.js';
import type { RoomSource } from '../room-source.js';
import { printableDeep } from '../printable.js';
import { asRoomCalls } from '../room-shape.js';
import { failureText, pause } from './connection.js';

export const CALLS_WAIT_SECONDS = 20;
export const CALLS_RETRY_MS = 2_000;
/** Calls kept on screen per learner: memory stays bounded however long the class runs. */
export const CALLS_KEPT = 500;

export interface LearnerCallsState {
  calls: RoomCall[];
  failure?: string;
  /** Whether the first answer has come. */
  loaded: boolean;
}

export function useLearnerCalls(
  source: RoomSource,
  learner: string | undefined,
  { waitSeconds = CALLS_WAIT_SECONDS, retryMs = CALLS_RETRY_MS }: { waitSeconds?: number; retryMs?: number } = {},
): LearnerCallsState {
  const [state, setState] = useState<LearnerCallsState>({ calls: [], loaded: false });
  useEffect(() => {
    setState({ calls: [], loaded: false });
    if (learner === undefined) return;
    const stop = new AbortController();
    void (async () => {
      let after = 0;
      while (!stop.signal.aborted) {
        try {
          const page = asRoomCalls(await source.calls(learner, after, after === 0 ? 0 : waitSeconds, stop.signal));
          if (stop.signal.aborted) return;
          after = page.next;
          setState((s) => ({ calls: [...s.calls, ...printableDeep(page.calls)].slice(-CALLS_KEPT), loaded: true }));
          // A long poll that came back empty waited its time out; a moment's pause keeps a server that does not wait from being hammered.
          if (page.calls.length === 0) await pause(250, stop.signal);
        } catch (error) {
          if (stop.signal.aborted) return;
          setState((s) => ({ ...s, failure: failureText(error) }));
          await pause(retryMs, stop.signal);
        }
      }
    })();
    return () => stop.abort();
  }, [source, learner, waitSeconds, retryMs]);
  return state;
}
