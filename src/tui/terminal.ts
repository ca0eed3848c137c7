// The terminal around the TUI: the alternate screen while it runs, and the
// learner's terminal given back exactly as it was on every way out (quit,
// Ctrl-C, a signal, a crash): normal screen, visible cursor, cooked mode.
const ENTER_ALTERNATE_SCREEN = '\u001B[?1049h\u001B[H';
const LEAVE_ALTERNATE_SCREEN = '\u001B[?1049l';
const SHOW_CURSOR = '\u001B[?25h';

export interface FullScreen {
  restore(): void;
}

export function enterFullScreen(stdout: NodeJS.WriteStream = process.stdout, stdin: NodeJS.ReadStream = process.stdin): FullScreen {
  stdout.write(ENTER_ALTERNATE_SCREEN);
  // Raw mode now, not when Ink's input hook mounts after the first frame: a key
  // typed in between would be echoed onto the screen and turned from \r into \n.
  try {
    if (stdin.isTTY) stdin.setRawMode(true);
  } catch {
    // not a terminal after all: Ink will say so
  }
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    process.off('exit', restore);
    try {
      if (stdin.isTTY && stdin.isRaw) stdin.setRawMode(false);
    } catch {
      // stdin already closed: nothing to give back
    }
    stdout.write(SHOW_CURSOR + LEAVE_ALTERNATE_SCREEN);
  };
  // Last resort: whatever path ends the process, the terminal is put back.
  process.on('exit', restore);
  return { restore };
}

/** Ink's useInput needs raw mode, which needs a terminal on both ends; CI gets plain text. */
export function canOpenTui(stdin: { isTTY?: boolean } = process.stdin, stdout: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  // The same test as Ink's (is-in-ci): with CI set to anything but 0 or false, Ink draws no live frames.
  const set = (name: string) => name in env && env[name] !== '0' && env[name] !== 'false';
  const ci = set('CI') || set('CONTINUOUS_INTEGRATION');
  return Boolean(stdin.isTTY && stdout.isTTY) && !ci && env.TERM !== 'dumb';
}

/** What untilExit needs of an Ink app: render()'s instance. */
export interface RunningApp {
  unmount(): void;
  waitUntilExit(): Promise<unknown>;
}

/**
 * Waits for an app on the full screen to end, however it ends: q or Ctrl-C inside it, SIGTERM or
 * SIGHUP from outside (unmounted), an error nothing caught (unmounted, and returned so the caller
 * logs it). The screen is given back before it returns, whichever way it went.
 */
export async function untilExit(app: RunningApp, screen: FullScreen): Promise<{ crashed?: unknown }> {
  let crashed: unknown;
  const stop = () => app.unmount();
  const crash = (error: unknown) => {
    crashed = error;
    app.unmount();
  };
  process.on('SIGTERM', stop);
  process.on('SIGHUP', stop);
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  try {
    await app.waitUntilExit();
  } catch (error) {
    crashed ??= error;
  } finally {
    process.off('SIGTERM', stop);
    process.off('SIGHUP', stop);
    process.off('uncaughtException', crash);
    process.off('unhandledRejection', crash);
    screen.restore();
  }
  return crashed === undefined ? {} : { crashed };
}
