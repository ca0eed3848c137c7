// Unexpected errors go to a log file in the program's home, with the full
// trace, so the screen can show a short message and where to find the rest.
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export function errorLogPath(home: string): string {
  return join(home, 'logs', 'tui.log');
}

/** Appends the error and returns the log's path; never throws (a full disk must not crash the UI). */
export function logError(home: string, context: string, error: unknown): string {
  const path = errorLogPath(home);
  try {
    mkdirSync(join(home, 'logs'), { recursive: true });
    const detail = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
    appendFileSync(path, `[${new Date().toISOString()}] ${context}\n${detail}\n\n`, { mode: 0o600 });
  } catch {
    // nothing better to do: the message is still on screen
  }
  return path;
}

/** One line for the screen: the message, never the stack. */
export function shortMessage(error: unknown): string {
  if (error instanceof Error) return `${error.name && error.name !== 'Error' ? `${error.name}: ` : ''}${error.message}`.split('\n')[0]!;
  return String(error).split('\n')[0]!;
}
