// One learner's calls as they happen, for the projector: newest at the bottom,
// each on two lines (time, outcome, operation, caller, error; then the masked
// parameters). Scrolled back, it holds still and says how many newer calls
// are below; at the bottom it follows the learner live.
import { Box, Text } from 'ink';
import React from 'react';
import type { RoomCall } from '../../../engine/class-protocol.js';
import { tone } from '../../theme.js';
import { callerName, clockTime, parametersText } from './call-text.js';

export interface LearnerCallsProps {
  calls: readonly RoomCall[];
  width: number;
  /** Rows for the calls. */
  rows: number;
  /** How many of the newest calls are scrolled past (0: following live). */
  back?: number;
}

/** Calls that fit in `rows` (two rows each, one kept for the 'more' lines). */
export function callsThatFit(rows: number): number {
  return Math.max(1, Math.floor((rows - 1) / 2));
}

export function LearnerCalls({ calls, width, rows, back = 0 }: LearnerCallsProps) {
  if (calls.length === 0) return <Text color={tone('muted')}>No calls yet: they show here as the learner makes them.</Text>;
  const fit = callsThatFit(rows);
  const end = Math.max(0, calls.length - Math.min(back, Math.max(0, calls.length - fit)));
  const first = Math.max(0, end - fit);
  return (
    <Box flexDirection="column" width={width}>
      {first > 0 ? <Text color={tone('muted')}>↑ {first} earlier</Text> : null}
      {calls.slice(first, end).map((call) => (
        <Box key={call.seq} flexDirection="column">
          <Text wrap="truncate-end">
            <Text color={tone('muted')}>{clockTime(call.time)} </Text>
            <Text color={call.outcome.ok ? tone('ok') : tone('error')}>{call.outcome.ok ? '✔' : '✘'} </Text>
            <Text bold>{call.operation}</Text>
            <Text color={tone('muted')}> {call.service} · </Text>
            <Text>{callerName(call.caller)}</Text>
            {call.outcome.ok ? null : (
              <Text color={tone('error')}>
                {' '}
                {call.outcome.code}
                {call.outcome.message ? `: ${call.outcome.message}` : ''}
              </Text>
            )}
          </Text>
          <Text wrap="truncate-end" color={tone('muted')}>
            {'  '}
            {parametersText(call.parameters) || '(no parameters)'}
          </Text>
        </Box>
      ))}
      {end < calls.length ? <Text color={tone('muted')}>↓ {calls.length - end} newer (End follows live)</Text> : null}
    </Box>
  );
}
