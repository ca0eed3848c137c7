// The room, one row per learner: where they are (lesson, step n/N and its
// title), what they have done (steps passed, exercises solved), how busy they
// are (calls in the last minute) and their last error. A learner who looks
// stuck is marked '!'; the chosen one '›'. Taller rooms than the screen show a
// window around the chosen learner, as the lesson menu does.
import { Box, Text } from 'ink';
import React from 'react';
import type { RoomLearner } from '../../../engine/class-protocol.js';
import { visibleWindow } from '../../screens/home.js';
import { tone } from '../../theme.js';
import { isStuck } from '../stuck/stuck.js';
import { fitCell, learnerCells, MARK_WIDTH, roomColumns } from './room-cells.js';

export interface RoomTableProps {
  learners: readonly RoomLearner[];
  /** The room's time (Room.at): how long a learner has been on a step is measured against it. */
  roomAt: string;
  stuckMinutes: number;
  /** The chosen learner's profile. */
  selected?: string;
  width: number;
  /** Rows for the table, its header included. */
  rows: number;
  /** What to say when there is no learner to show (the stuck filter may hide everyone). */
  empty?: string;
}

export function RoomTable({ learners, roomAt, stuckMinutes, selected, width, rows, empty = 'No learners in the room.' }: RoomTableProps) {
  const columns = roomColumns(width);
  const chosen = Math.max(0, learners.findIndex((l) => l.profile === selected));
  const [first, end] = visibleWindow(learners.length, chosen, Math.max(1, rows - 1));
  return (
    <Box flexDirection="column" width={width}>
      <Text bold wrap="truncate-end">
        {' '.repeat(MARK_WIDTH)}
        {columns.map((c) => fitCell(c.title, c.width, c.right)).join('')}
      </Text>
      {learners.length === 0 ? <Text color={tone('muted')}>{empty}</Text> : null}
      {first > 0 ? <Text color={tone('muted')}>  ↑ {first} more</Text> : null}
      {learners.slice(first, end).map((learner) => {
        const cells = learnerCells(learner);
        const isChosen = learner.profile === selected;
        const stuck = isStuck(learner, roomAt, stuckMinutes);
        return (
          <Text key={learner.profile} wrap="truncate-end" bold={isChosen}>
            <Text color={tone('accent')}>{isChosen ? '›' : ' '}</Text>
            <Text color={tone('warn')}>{stuck ? '!' : ' '} </Text>
            {columns.map((c) => (
              <Text key={c.name} color={c.name === 'error' ? tone('error') : !learner.progress && c.name === 'lesson' ? tone('muted') : isChosen ? tone('accent') : undefined}>
                {fitCell(cells[c.name], c.width, c.right)}
              </Text>
            ))}
          </Text>
        );
      })}
      {end < learners.length ? <Text color={tone('muted')}>  ↓ {learners.length - end} more</Text> : null}
    </Box>
  );
}
