// The TUI's wiring: lessons and progress from disk, the alternate screen, the
// Ink app, and the runtime session opened after the first frame. Every way out
// (q, Ctrl-C, a signal, a crash) gives the terminal back as it was.
import { render } from 'ink';
import { join } from 'node:path';
import { format } from 'node:util';
import React from 'react';
import type { RuntimeSession } from '../runtime/types.js';
import { App } from '../tui/app.js';
import { logError, shortMessage } from '../tui/error-log.js';
import { enterFullScreen } from '../tui/terminal.js';
import { colourEnabled, setColour } from '../tui/theme.js';
import { loadLessonIndex } from './lesson-index.js';
import { progressPort } from './tui-progress.js';
import type { TuiOptions } from './tui.js';

export async function runTui({ home, session: sessionOptions }: TuiOptions): Promise<number> {
  setColour(colourEnabled());
  const { lessons, problems } = await loadLessonIndex(home);
  for (const p of problems) logError(home, 'loading lessons', `${p.file}:${p.line}: ${p.message}`);
  const reportError = (context: string, error: unknown) => ({ message: shortMessage(error), logFile: logError(home, context, error) });

  // Whatever a library prints would tear the screen: it goes to the log instead.
  const restoreConsole = redirectConsole(home);
  const screen = enterFullScreen();
  let session: RuntimeSession | undefined;
  let crashed: unknown;

  const instance = render(
    <App
      lessons={lessons}
      workspaceRoot={join(home, 'workspace')}
      progress={progressPort(home)}
      reportError={reportError}
      openSession={async () => {
        const { openSession } = await import('../runtime/session.js');
        return openSession({ home, ...sessionOptions });
      }}
      startingLabel={sessionOptions?.target === 'aws' ? 'connecting to AWS…' : 'starting the local engine…'}
      onSession={(s) => (session = s)}
    />,
    { exitOnCtrlC: true, patchConsole: false },
  );

  const stop = () => instance.unmount();
  const crash = (error: unknown) => {
    crashed = error;
    instance.unmount();
  };
  process.on('SIGTERM', stop);
  process.on('SIGHUP', stop);
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  try {
    await instance.waitUntilExit();
  } catch (error) {
    crashed ??= error;
  } finally {
    process.off('SIGTERM', stop);
    process.off('SIGHUP', stop);
    process.off('uncaughtException', crash);
    process.off('unhandledRejection', crash);
    screen.restore();
    restoreConsole();
  }
  try {
    await (session as RuntimeSession | undefined)?.close();
  } catch (error) {
    logError(home, 'closing the runtime session', error);
  }
  if (crashed !== undefined) {
    const log = logError(home, 'the TUI stopped on an unexpected error', crashed);
    process.stderr.write(`kms-workshop: ${shortMessage(crashed)}\nThe full trace is in ${log}\n`);
    return 1;
  }
  return 0;
}

function redirectConsole(home: string): () => void {
  const saved = { log: console.log, info: console.info, warn: console.warn, error: console.error, debug: console.debug };
  const toLog = (level: string) => (...args: unknown[]) => logError(home, `console.${level}`, format(...args));
  console.log = toLog('log');
  console.info = toLog('info');
  console.warn = toLog('warn');
  console.error = toLog('error');
  console.debug = toLog('debug');
  return () => Object.assign(console, saved);
}

