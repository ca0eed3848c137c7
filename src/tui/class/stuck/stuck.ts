// Who in the room needs the instructor: a learner on the same step for a while,
// or one whose calls keep failing. Measured against the room's own time (the
// engine's clock), so a skewed laptop clock does not make everyone stuck.
import type { RoomLearner } from '../../../engine/class-protocol.js';

export const DEFAULT_STUCK_MINUTES = 5;
export const MIN_STUCK_MINUTES = 1;
export const MAX_STUCK_MINUTES = 60;
/** Errors in a row that count as stuck, whatever the time on the step. */
export const STUCK_ERRORS_IN_A_ROW = 3;

/** Why a learner counts as stuck ('on step 3 for 7 min', '4 errors in a row'), or undefined. */
export function stuckReason(learner: RoomLearner, roomAt: string, minutes: number): string | undefined {
  const reasons: string[] = [];
  const on = minutesOnStep(learner, roomAt);
  if (on !== undefined && on >= minutes) reasons.push(`on step ${learner.progress?.step ?? '?'} for ${on} min`);
  if (learner.errorsInARow >= STUCK_ERRORS_IN_A_ROW) reasons.push(`${learner.errorsInARow} errors in a row`);
  return reasons.length ? reasons.join(', ') : undefined;
}

export function isStuck(learner: RoomLearner, roomAt: string, minutes: number): boolean {
  return stuckReason(learner, roomAt, minutes) !== undefined;
}

/** Whole minutes on the current step, or undefined when the learner has not reported one. */
export function minutesOnStep(learner: RoomLearner, roomAt: string): number | undefined {
  if (!learner.sameStepSince) return undefined;
  const ms = Date.parse(roomAt) - Date.parse(learner.sameStepSince);
  return Number.isFinite(ms) ? Math.max(0, Math.floor(ms / 60_000)) : undefined;
}

export function clampStuckMinutes(n: number): number {
  return Math.max(MIN_STUCK_MINUTES, Math.min(MAX_STUCK_MINUTES, Math.round(n)));
}
