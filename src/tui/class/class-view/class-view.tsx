// The instructor's screen: the room's calls per operation, one row per learner
// (s: only those who look stuck), and Enter on a learner for their calls as
// they happen, Esc back. Data comes from a RoomSource; the screen knows nothing
// of HTTP or AWS. A lost connection is one plain line, and the last room stays.
import { Box, Text, useApp, useInput } from 'ink';
import React, { useMemo, useState } from 'react';
import type { Room, RoomLearner } from '../../../engine/class-protocol.js';
import { KeyBar, type KeyBinding } from '../../layout/key-help.js';
import { tone } from '../../theme.js';
import { useCallScroll } from '../hooks/use-call-scroll.js';
import { useCountBaseline, type CountBaseline } from '../hooks/use-count-baseline.js';
import { useLearnerCalls, type LearnerCallsState } from '../hooks/use-learner-calls.js';
import { useLearnerSelection } from '../hooks/use-learner-selection.js';
import { useRoom, type RoomState } from '../hooks/use-room.js';
import { useStuckFilter, type StuckFilter } from '../hooks/use-stuck-filter.js';
import { callsThatFit, LearnerCalls } from '../learner-calls/learner-calls.js';
import { countsSince } from '../operation-counts/counts.js';
import { OperationCounts } from '../operation-counts/operation-counts.js';
import type { RoomSource } from '../room-source.js';
import { shortCode } from '../room-table/room-cells.js';
import { RoomTable } from '../room-table/room-table.js';
import { isStuck, STUCK_ERRORS_IN_A_ROW, stuckReason } from '../stuck/stuck.js';

export const ROOM_KEYS: KeyBinding[] = [
  { keys: '↑↓', does: 'choose' },
  { keys: 'Enter', does: 'their calls' },
  { keys: 's', does: 'stuck only' },
  { keys: '+/-', does: 'minutes' },
  { keys: 'z', does: 'zero counts' },
  { keys: 'q', does: 'quit' },
];
export const CALLS_KEYS: KeyBinding[] = [
  { keys: '↑↓', does: 'scroll' },
  { keys: 'End', does: 'live' },
  { keys: 'Esc', does: 'back to the room' },
  { keys: 'q', does: 'quit' },
];

export interface ClassViewProps {
  source: RoomSource;
  /** Where the class engine is, said on the title line. */
  endpoint: string;
  width: number;
  height: number;
  stuckMinutes?: number;
  /** Poll intervals, shorter in tests. */
  pollMs?: number;
  callsWaitSeconds?: number;
}

export function ClassView({ source, endpoint, width, height, stuckMinutes, pollMs, callsWaitSeconds }: ClassViewProps) {
  const { exit } = useApp();
  const room = useRoom(source, pollMs !== undefined ? { intervalMs: pollMs } : {});
  const [open, setOpen] = useState<string | undefined>(undefined);
  const filter = useStuckFilter({ active: open === undefined, ...(stuckMinutes !== undefined ? { initialMinutes: stuckMinutes } : {}) });
  const shown = useMemo(() => shownLearners(room.room, filter), [room.room, filter.on, filter.minutes]);
  const selected = useLearnerSelection(
    shown.map((l) => l.profile),
    { active: open === undefined, onOpen: setOpen },
  );
  const counts = useCountBaseline(room.room?.operations, { active: open === undefined });
  const calls = useLearnerCalls(source, open, { ...(callsWaitSeconds !== undefined ? { waitSeconds: callsWaitSeconds } : {}), ...(pollMs !== undefined ? { retryMs: pollMs } : {}) });
  useInput((input, key) => {
    if (input === 'q') exit();
    else if (key.escape && open !== undefined) setOpen(undefined);
  });

  const learner = open !== undefined ? room.room?.learners.find((l) => l.profile === open) : undefined;
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate-end">
        <Text bold color={tone('heading')}>
          kms-workshop class
        </Text>
        <Text color={tone('muted')}>
          {' '}
          · {endpoint}
          {room.room ? ` · ${room.room.learners.length} learner${room.room.learners.length === 1 ? '' : 's'}` : ''}
          {room.receivedAt ? ` · ${room.receivedAt.toTimeString().slice(0, 8)}` : ''}
        </Text>
      </Text>
      <ConnectionLine room={room} endpoint={endpoint} calls={open !== undefined ? calls : undefined} />
      {open !== undefined ? (
        <CallsPage profile={open} learner={learner} calls={calls} width={width} height={height - 1 - (room.failure || calls.failure ? FAILURE_ROWS : 0)} />
      ) : room.room ? (
        <RoomPage room={room.room} shown={shown} filter={filter} counts={counts} selected={selected} width={width} height={height - 1 - (room.failure ? FAILURE_ROWS : 0)} />
      ) : null}
    </Box>
  );
}

function shownLearners(room: Room | undefined, filter: StuckFilter): RoomLearner[] {
  if (!room) return [];
  return filter.on ? room.learners.filter((l) => isStuck(l, room.at, filter.minutes)) : room.learners;
}

/** Rows a failure may take: the class client's message says where and why, and what to check. */
const FAILURE_ROWS = 2;

function ConnectionLine({ room, endpoint, calls }: { room: RoomState; endpoint: string; calls?: LearnerCallsState }) {
  const failure = room.failure ?? calls?.failure;
  if (failure)
    return (
      <Box height={FAILURE_ROWS} overflow="hidden">
        <Text color={tone('warn')}>
          Trying again{room.failure && room.room ? ' (the room as it last was)' : ''}: {failure}
        </Text>
      </Box>
    );
  if (!room.room) return <Text color={tone('muted')}>Connecting to the class engine at {endpoint}…</Text>;
  return null;
}

// Rows the room page uses besides the table: the counts 2, a blank 1, the filter line 1, the chosen learner 1, a blank and the keys 2.
const ROOM_ROWS_BESIDES_TABLE = 2 + 1 + 1 + 1 + 2;

function RoomPage({ room, shown, filter, counts, selected, width, height }: { room: Room; shown: RoomLearner[]; filter: StuckFilter; counts: CountBaseline; selected?: string; width: number; height: number }) {
  const chosen = shown.find((l) => l.profile === selected);
  const stuckCount = room.learners.filter((l) => isStuck(l, room.at, filter.minutes)).length;
  return (
    <Box flexDirection="column" width={width}>
      <OperationCounts operations={countsSince(room.operations, counts.baseline)} width={width} {...(counts.since ? { since: counts.since.toTimeString().slice(0, 8) } : {})} />
      <Box marginTop={1}>
        <Text wrap="truncate-end" color={filter.on ? tone('warn') : tone('muted')}>
          {filter.on ? `Stuck only (${shown.length} of ${room.learners.length}): ` : `${stuckCount} stuck (!): `}
          on one step {filter.minutes}+ min, or {STUCK_ERRORS_IN_A_ROW}+ errors in a row
        </Text>
      </Box>
      <RoomTable
        learners={shown}
        roomAt={room.at}
        stuckMinutes={filter.minutes}
        selected={selected}
        width={width}
        rows={Math.max(3, height - ROOM_ROWS_BESIDES_TABLE)}
        empty={filter.on ? 'Nobody looks stuck. s shows everyone.' : 'No learners in the room.'}
      />
      <Text wrap="truncate-end" color={tone('muted')}>
        {chosen ? learnerNote(chosen, room.at, filter.minutes) : ' '}
      </Text>
      <Box marginTop={1}>
        <KeyBar bindings={ROOM_KEYS} />
      </Box>
    </Box>
  );
}

/** The chosen learner in a line: why they look stuck, and their last error in full. */
function learnerNote(learner: RoomLearner, roomAt: string, minutes: number): string {
  const parts = [learner.profile];
  const stuck = stuckReason(learner, roomAt, minutes);
  if (stuck) parts.push(`stuck: ${stuck}`);
  if (learner.lastError) parts.push(`${learner.lastError.operation}: ${shortCode(learner.lastError.code)}${learner.lastError.message ? `: ${learner.lastError.message}` : ''}`);
  if (learner.progress) parts.push(learner.progress.lessonTitle);
  return parts.join(' · ');
}

// Rows the calls page uses besides the calls: the learner 1, a blank 1, a blank and the keys 2.
const CALLS_ROWS_BESIDES_LOG = 1 + 1 + 2;

function CallsPage({ profile, learner, calls, width, height }: { profile: string; learner?: RoomLearner; calls: LearnerCallsState; width: number; height: number }) {
  const rows = Math.max(3, height - CALLS_ROWS_BESIDES_LOG);
  const back = useCallScroll(calls.calls.length, callsThatFit(rows));
  const p = learner?.progress;
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate-end">
        <Text bold>{profile}</Text>
        <Text color={tone('muted')}>{p ? ` · ${p.lessonTitle} · step ${p.step}/${p.steps} ${p.stepTitle}` : ' · not started'}</Text>
      </Text>
      <Box marginTop={1} height={rows} flexDirection="column">
        {calls.loaded ? <LearnerCalls calls={calls.calls} width={width} rows={rows} back={back} /> : <Text color={tone('muted')}>Loading {profile}'s calls…</Text>}
      </Box>
      <Box marginTop={1}>
        <KeyBar bindings={CALLS_KEYS} />
      </Box>
    </Box>
  );
}
