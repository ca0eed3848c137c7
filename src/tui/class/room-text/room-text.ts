// The room as plain text, for where there is no terminal to draw on (CI, a
// pipe, a log): the same columns and words as the screen, one line each.
import type { Room } from '../../../engine/class-protocol.js';
import { FEATURED_OPERATION, otherCounts } from '../operation-counts/counts.js';
import { fitCell, learnerCells, roomColumns } from '../room-table/room-cells.js';
import { printableDeep } from '../printable.js';
import { isStuck, stuckReason } from '../stuck/stuck.js';

/** `width`: a log is wider than a screen, so lesson ids and error codes show whole. */
export function roomText(sent: Room, { width = 140, stuckMinutes }: { width?: number; stuckMinutes: number }): string {
  const room = printableDeep(sent); // a log is read in a terminal too
  const columns = roomColumns(width);
  const stuck = room.learners.filter((l) => isStuck(l, room.at, stuckMinutes));
  const lines = [
    `The room at ${room.at}: ${room.learners.length} learner${room.learners.length === 1 ? '' : 's'}, ${stuck.length} stuck (!)`,
    `${FEATURED_OPERATION}: ${calls(room.operations[FEATURED_OPERATION] ?? 0)}, everyone together`,
    `Other calls: ${otherCounts(room.operations, FEATURED_OPERATION).join(', ') || 'none yet'}`,
    '',
    `   ${columns.map((c) => fitCell(c.title, c.width, c.right)).join('')}`.trimEnd(),
    ...room.learners.map((l) => {
      const cells = learnerCells(l);
      return ` ${isStuck(l, room.at, stuckMinutes) ? '!' : ' '} ${columns.map((c) => fitCell(cells[c.name], c.width, c.right)).join('')}`.trimEnd();
    }),
  ];
  if (room.learners.length === 0) lines.push('   (no learners)');
  for (const l of stuck) lines.push(`${l === stuck[0] ? '\nStuck:\n' : ''}  ${l.profile}: ${stuckReason(l, room.at, stuckMinutes)}`);
  return `${lines.join('\n')}\n`;
}

const calls = (n: number) => (n === 1 ? 'one call' : `${n} calls`);
