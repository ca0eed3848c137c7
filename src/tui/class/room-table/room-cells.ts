// What each column of the room says about a learner, as plain strings, and how
// wide each column is for a screen width: shared by the Ink table and the plain
// text printed without a terminal, so both say the same thing.
import type { RoomLearner } from '../../../engine/class-protocol.js';

export type RoomColumnName = 'profile' | 'lesson' | 'step' | 'passed' | 'solved' | 'calls' | 'error';

export interface RoomColumn {
  name: RoomColumnName;
  title: string;
  /** Characters, the gap after the column included. */
  width: number;
  right?: boolean;
}

/** The selection and stuck marks before the columns: '›' and '!' and a space. */
export const MARK_WIDTH = 3;
const FIXED = { profile: 11, passed: 5, solved: 4, calls: 5 };
const FIXED_WIDTH = MARK_WIDTH + FIXED.profile + FIXED.passed + FIXED.solved + FIXED.calls;

/** The columns for a screen `width` wide: lesson, step and the last error share what the fixed ones leave. */
export function roomColumns(width: number): RoomColumn[] {
  const rest = Math.max(32, width - FIXED_WIDTH);
  const lesson = clamp(Math.round(rest * 0.27), 10, 26);
  const error = clamp(Math.round(rest * 0.33), 12, 40);
  const step = rest - lesson - error;
  return [
    { name: 'profile', title: 'learner', width: FIXED.profile },
    { name: 'lesson', title: 'lesson', width: lesson },
    { name: 'step', title: 'step', width: step },
    { name: 'passed', title: 'pass', width: FIXED.passed, right: true },
    { name: 'solved', title: 'sol', width: FIXED.solved, right: true },
    { name: 'calls', title: '/min', width: FIXED.calls, right: true },
    { name: 'error', title: 'last error', width: error },
  ];
}

export function learnerCells(learner: RoomLearner): Record<RoomColumnName, string> {
  const p = learner.progress;
  return {
    profile: learner.profile,
    lesson: p ? p.lesson : 'not started',
    step: p ? `${p.step}/${p.steps} ${p.stepTitle}` : '',
    passed: String(p?.passed ?? 0),
    solved: String(p?.solved ?? 0),
    calls: String(learner.callsLastMinute),
    error: learner.lastError ? `${shortCode(learner.lastError.code)} (${learner.lastError.operation})` : '',
  };
}

/** 'InvalidCiphertextException' -> 'InvalidCiphertext': the part that says what went wrong. */
export function shortCode(code: string): string {
  const short = code.replace(/Exception$/, '');
  return short === '' ? code : short;
}

/** `text` in `width` characters (one left for the gap), cut with '…' and padded. */
export function fitCell(text: string, width: number, right = false): string {
  const room = Math.max(1, width - 1);
  const cut = [...text].length > room ? `${[...text].slice(0, room - 1).join('').trimEnd()}…` : text;
  return right ? `${cut.padStart(room)} ` : cut.padEnd(width);
}

function clamp(n: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, n));
}
