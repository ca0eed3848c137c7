// The program's home folder: engine state, progress, workspaces, logs.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export function programHome(explicit?: string): string {
  if (explicit) return resolve(explicit);
  if (process.env.KMS_WORKSHOP_HOME) return resolve(process.env.KMS_WORKSHOP_HOME);
  return join(homedir(), '.kms-workshop');
}
