// How a second shell finds the engine of the running TUI: the TUI writes
// <home>/tui-engine.json once its engine listens and removes it on the way out;
// `kms-workshop env` reads it. A file left by a TUI that died is ignored (its
// process is gone). Only loopback addresses and a Region: nothing secret.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';

export const RUNNING_ENGINE_FILE = 'tui-engine.json';

export interface RunningEngineInfo {
  pid: number;
  endpoint: string;
  region: string;
  /** The lesson workspaces, for the second shell to `cd` into. */
  workspace: string;
}

export function runningEnginePath(home: string): string {
  return join(home, RUNNING_ENGINE_FILE);
}

/** Announces this process's engine; the function returned removes the file, if it is still this process's. */
export function announceRunningEngine(home: string, info: Omit<RunningEngineInfo, 'pid'>): () => void {
  const file = runningEnginePath(home);
  writeFileAtomic(file, JSON.stringify({ pid: process.pid, ...info }, null, 2) + '\n', 0o644);
  return () => {
    try {
      if (readInfo(file)?.pid === process.pid) rmSync(file, { force: true });
    } catch {
      /* gone already, or the home went away: nothing to clean */
    }
  };
}

/** The engine of a TUI running with this home, or undefined when none runs. */
export function findRunningEngine(home: string): RunningEngineInfo | undefined {
  const info = readInfo(runningEnginePath(home));
  return info && isAlive(info.pid) ? info : undefined;
}

function readInfo(file: string): RunningEngineInfo | undefined {
  let parsed: Partial<RunningEngineInfo>;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<RunningEngineInfo>;
  } catch {
    return undefined; // none, or half-written by something else: as good as none
  }
  const ok =
    Number.isInteger(parsed.pid) &&
    typeof parsed.endpoint === 'string' &&
    /^http:\/\/(127\.0\.0\.1|\[::1\]|localhost):\d{1,5}$/.test(parsed.endpoint) &&
    typeof parsed.region === 'string' &&
    /^[a-z0-9-]{1,30}$/.test(parsed.region) &&
    typeof parsed.workspace === 'string';
  return ok ? (parsed as RunningEngineInfo) : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // alive, someone else's
  }
}
