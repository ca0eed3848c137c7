// The program's home folder: engine state, progress, workspaces, logs.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export function programHome(explicit?: string): string {
  if (explicit) return resolve(explicit);
  if (process.env.KMS_WORKSHOP_HOME) return resolve(process.env.KMS_WORKSHOP_HOME);
  return join(homedir(), '.kms-workshop');
}

/**
 * A file-system error met while using the home folder, in plain words with what to
 * do; undefined for any other error.
 */
export function explainHomeError(e: unknown, home: string): string | undefined {
  const err = e as NodeJS.ErrnoException;
  if (!err || typeof err !== 'object' || !err.syscall || !err.code) return undefined;
  const why: Record<string, string> = {
    ENOTDIR: 'part of that path is a file, not a folder',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'the file system is read-only',
    ENOSPC: 'the disk is full',
    EEXIST: 'a file is in the way',
  };
  return `cannot keep state in ${home} (${why[err.code] ?? err.code} at ${err.path ?? home}). Choose a writable folder with --home DIR or KMS_WORKSHOP_HOME.`;
}
