// The engine's control secret (control.ts checks it): made once per process, written to the
// engine's state folder for the process that started it, removed when the engine stops.
import { randomBytes } from 'node:crypto';

/** The secret's file in the engine's state folder (<home>/engine/control.secret). */
export const CONTROL_SECRET_FILE = 'control.secret';

export function newControlSecret(): string {
  return randomBytes(32).toString('base64url');
}
