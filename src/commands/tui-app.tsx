// The TUI's wiring: lessons and progress from disk, the alternate screen, the
// Ink app, and the runtime session opened after the first frame. Every way out
// (q, Ctrl-C, a signal, a crash) gives the terminal back as it was.
import { render } from 'ink';
import { mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { format } from 'node:util';
import React from 'react';
import type { Lesson, LessonStep, RuntimeSession, TargetKind } from '../runtime/types.js';
import { App } from '../tui/app.js';
import { logError, shortMessage } from '../tui/error-log.js';
import { enterFullScreen, untilExit } from '../tui/terminal.js';
import { colourEnabled, setColour } from '../tui/theme.js';
import { posixWord } from '../runtime/shell-quote.js';
import { loadLessonIndex } from './lesson-index.js';
import type { StepRun } from '../tui/run-store.js';
import { presentingProgressPort, progressPort } from './tui-progress.js';
import type { SessionOptions } from '../runtime/session.js';

export interface TuiOptions {
  home: string;
  /** Passed on to openSession (e.g. --target aws, set up and agreed to before the screen opens). */
  session?: Pick<SessionOptions, 'target' | 'aws' | 'class'>;
  /** The local engine's port (default 'stable': 4599 or the next free one). */
  port?: number;
  /** Presenting: a fresh engine in memory, no progress recorded, one key runs and advances, a step timer. */
  present?: boolean;
  /** A lesson pack's lessons (--lessons DIR, loaded and checked by the caller), after the built-in ones. */
  packLessons?: Lesson[];
}

export async function runTui({ home, session: sessionOptions, port, present = false, packLessons = [] }: TuiOptions): Promise<number> {
  setColour(colourEnabled());
  const index = await loadLessonIndex(home);
  const { problems } = index;
  const lessons = [...index.lessons, ...packLessons];
  for (const p of problems) logError(home, 'loading lessons', `${p.file}:${p.line}: ${p.message}`);
  const reportError = (context: string, error: unknown) => ({ message: shortMessage(error), logFile: logError(home, context, error) });

  // Whatever a library prints would tear the screen: it goes to the log instead.
  const restoreConsole = redirectConsole(home);
  const screen = enterFullScreen();
  let session: RuntimeSession | undefined;
  // Presenting touches no state in the home: the lessons' files go to a folder of this run only.
  const workspaceRoot = present ? mkdtempSync(join(tmpdir(), 'kms-workshop-present-')) : join(home, 'workspace');
  let unannounce = () => {};
  const local = (sessionOptions?.target ?? 'local') === 'local';

  const instance = render(
    <App
      lessons={lessons}
      workspaceRoot={workspaceRoot}
      progress={present ? presentingProgressPort() : progressPort(home)}
      reportError={reportError}
      present={present}
      shellLine={local ? shellLine(home) : undefined}
      // Presenting, the workspace goes at exit: the transcript goes to the folder the presenter started in.
      saveTranscript={(lesson, runOf, answers) => saveTranscript(present ? process.cwd() : workspaceRoot, lesson, session?.targetLabel ?? 'local engine', runOf, answers)}
      openSession={async () => {
        const [{ openSession }, { LOCAL_REGION }, { announceRunningEngine }] = await Promise.all([import('../runtime/session.js'), import('../runtime/local-target.js'), import('./running-engine.js')]);
        const opened = await openSession({
          home,
          ...sessionOptions,
          ...(local ? { port: port ?? ('stable' as const) } : {}),
          ...(present ? { freshEngine: true, recordProgress: false, workspaceRoot } : {}),
        }).catch((e: unknown) => {
          if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
          throw new Error(`port ${port} is in use: choose another with --port, or leave --port out (4599 or the next free one).`, { cause: e });
        });
        if (opened.endpoint) {
          try {
            unannounce = announceRunningEngine(home, { endpoint: opened.endpoint, region: LOCAL_REGION, workspace: workspaceRoot });
          } catch (error) {
            logError(home, 'telling `kms-workshop env` where the engine is', error); // the tutorial works without it
          }
        }
        return opened;
      }}
      startingLabel={STARTING[sessionOptions?.target ?? 'local']}
      onSession={(s) => (session = s)}
    />,
    { exitOnCtrlC: true, patchConsole: false },
  );

  const { crashed } = await untilExit(instance, screen);
  restoreConsole();
  unannounce();
  try {
    await (session as RuntimeSession | undefined)?.close();
  } catch (error) {
    logError(home, 'closing the runtime session', error);
  }
  if (present) rmSync(workspaceRoot, { recursive: true, force: true });
  if (crashed !== undefined) {
    const log = logError(home, 'the TUI stopped on an unexpected error', crashed);
    process.stderr.write(`kms-workshop: ${shortMessage(crashed)}\nThe full trace is in ${log}\n`);
    return 1;
  }
  return 0;
}

/** What the menu says while the session opens. */
const STARTING: Record<TargetKind, string> = { local: 'starting the local engine…', aws: 'connecting to AWS…', class: 'joining the class engine…' };

/** The line to paste into a second shell: `kms-workshop env`, with this home when it is not the default one. */
export function shellLine(home: string): string {
  const quoted = posixWord(home);
  const own = home === join(homedir(), '.kms-workshop') ? '' : ` --home ${quoted}`;
  return `eval "$(kms-workshop env${own})"`;
}

/** `t`: the lesson as it went so far, as Markdown beside the lesson's workspace (which step 1 empties); returns the file. */
async function saveTranscript(
  folder: string,
  lesson: Lesson,
  target: string,
  runOf: (step: LessonStep) => StepRun | undefined,
  answers: ReadonlyMap<string, number>,
): Promise<string> {
  const [{ lessonTranscript }, { writeFileSync, mkdirSync }] = await Promise.all([import('./transcript.js'), import('node:fs')]);
  const steps = new Map(
    lesson.steps.flatMap((step) => {
      const run = runOf(step);
      if (!run) return [];
      return [[step.id, { status: run.status, calls: run.calls, results: run.results, ...(run.durationMs !== undefined ? { durationMs: run.durationMs } : {}), ...(run.failure ? { error: run.failure.message } : run.crash ? { error: run.crash.message } : {}), ...(run.solved ? { solved: true } : {}) }] as const];
    }),
  );
  const file = join(folder, `${lesson.slug}-transcript.md`);
  mkdirSync(folder, { recursive: true });
  writeFileSync(file, lessonTranscript({ lesson, target, steps, answers }));
  return file;
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

