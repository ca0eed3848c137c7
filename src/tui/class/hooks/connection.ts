// A failed request in one plain line for the screen (never a stack): the
// error's own message, and the system's reason when there is one
// (fetch says only 'fetch failed'; its cause says ECONNREFUSED).
import { shortMessage } from '../../error-log.js';
import { printable } from '../printable.js';

export function failureText(error: unknown): string {
  const message = shortMessage(error);
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  const reason = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message.split('\n')[0] : undefined;
  return printable(reason && !message.includes(reason) ? `${message} (${reason})` : message);
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
