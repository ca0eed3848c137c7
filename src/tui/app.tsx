// The TUI: the menu and the lesson screen, the key list behind `?`, `q` to quit.
// The runtime session (SDK clients, the local engine) is opened after the first
// frame, so the menu shows at once; a step asked for before it is up waits.
import { Box, Text, useApp, useInput } from 'ink';
import React, { Component, lazy, Suspense, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { Lesson, LessonStep, RuntimeSession } from '../runtime/types.js';
import { useTerminalSize } from './hooks/use-terminal-size.js';
import { ErrorPanel } from './layout/error-panel.js';
import { KeyHelp } from './layout/key-help.js';
import { isTooSmall, TooSmall } from './layout/too-small.js';
import { RunStore, type StepRun } from './run-store.js';
import { HOME_KEYS, Home, type LessonProgressView } from './screens/home.js';
import { LESSON_HELP } from './screens/lesson-keys.js';
import type { SessionState } from './screens/lesson.js';

// The lesson screen (markdown, code colouring, result views) loads after the
// menu's first frame, and is fetched as soon as that frame is out.
const loadLessonScreen = () => import('./screens/lesson.js');
const LessonScreen = lazy(() => loadLessonScreen().then((m) => ({ default: m.LessonScreen })));
import { tone } from './theme.js';

/** The learner's progress as the TUI uses it; the entry adapts src/runtime/progress.ts to this. */
export interface ProgressPort {
  view(lesson: Lesson): LessonProgressView;
  /** 0-based step to open the lesson at. */
  resumeAt(lesson: Lesson): number;
  stepPassed(lesson: Lesson, step: LessonStep): void;
  stepVisited(lesson: Lesson, index: number): void;
}

export interface AppProps {
  lessons: readonly Lesson[];
  workspaceRoot: string;
  openSession: () => Promise<RuntimeSession>;
  progress: ProgressPort;
  /** Logs an unexpected error in full and says, in one line, what to show and where the log is. */
  reportError: (context: string, error: unknown) => { message: string; logFile?: string };
  /** What the target is called while the session opens ('starting the local engine…' by default). */
  startingLabel?: string;
  /** Called with the session once it is up, so the entry can close it on the way out. */
  onSession?: (session: RuntimeSession) => void;
  /** The line a second shell pastes to reach the local engine (`eval "$(kms-workshop env)"`). */
  shellLine?: string;
  /** Presenting a live demo: Enter runs the step or moves on and runs the next, a step timer, nothing recorded. */
  present?: boolean;
  /** `t`: writes the lesson as it went as Markdown; resolves to the file written. */
  saveTranscript?: (lesson: Lesson, runOf: (step: LessonStep) => StepRun | undefined, answers: ReadonlyMap<string, number>) => Promise<string>;
}

type Screen = { name: 'home'; selected: number } | { name: 'lesson'; lessonIndex: number };

export function App({ lessons, workspaceRoot, openSession, progress, reportError, startingLabel = 'starting the local engine…', onSession, shellLine, present = false, saveTranscript }: AppProps) {
  const { exit } = useApp();
  const size = useTerminalSize();
  const [screen, setScreen] = useState<Screen>({ name: 'home', selected: 0 });
  const [help, setHelp] = useState(false);
  const [session, setSession] = useState<SessionState>({ state: 'starting' });
  const [, setProgressVersion] = useState(0);
  // The answers given to questions and predictions, for the transcript: kept while the TUI runs.
  const answers = useMemo(() => new Map<string, number>(), []);
  const store = useMemo(
    () =>
      new RunStore({
        onPassed: (lesson, step) => {
          progress.stepPassed(lesson, step);
          setProgressVersion((v) => v + 1);
        },
        onCrash: reportError,
      }),
    [],
  );

  useEffect(() => {
    void loadLessonScreen();
    let live = true;
    openSession().then(
      (s) => {
        onSession?.(s);
        if (live) setSession({ state: 'ready', session: s });
      },
      (error: unknown) => {
        const { message, logFile } = reportError('starting the runtime session', error);
        if (live) setSession({ state: 'failed', message, logFile });
      },
    );
    return () => {
      live = false;
    };
  }, []);

  useInput((input) => {
    // Keys typed fast can arrive as one chunk ("\r\u0003"), which Ink does not split: Ctrl-C in it still quits.
    if (input.length > 1 && input.includes('\u0003')) return exit();
    if (help) return setHelp(false);
    if (input === 'q') exit();
    else if (input === '?') setHelp(true);
  });

  const target =
    session.state === 'ready' ? session.session.targetLabel : session.state === 'starting' ? startingLabel : `could not start: ${session.message}`;
  const width = Math.max(40, size.columns);
  const height = Math.max(10, size.rows);
  // Unmounting the screens keeps their keys from acting unseen; the step shown comes back from progress.
  if (isTooSmall(size)) return <TooSmall size={size} />;
  return (
    <Box flexDirection="column" width={width}>
      {help ? <KeyHelp bindings={screen.name === 'home' ? [...HOME_KEYS, { keys: '1-9', does: 'choose a lesson by number' }] : LESSON_HELP} /> : null}
      <Box display={help ? 'none' : 'flex'} flexDirection="column">
        <ErrorBoundary reportError={reportError} resetKey={screen.name === 'lesson' ? screen.lessonIndex : -1} onBack={() => setScreen({ name: 'home', selected: 0 })}>
          {screen.name === 'home' ? (
            <Home
              lessons={lessons}
              progressOf={(l) => progress.view(l)}
              target={target}
              targetState={session.state}
              targetNote={session.state === 'ready' ? session.session.notes?.join(' ') : undefined}
              workspace={workspaceRoot}
              shellLine={session.state === 'ready' && session.session.endpoint ? shellLine : undefined}
              present={present}
              initialSelected={screen.selected}
              active={!help}
              width={width}
              height={height}
              onOpen={(_, i) => setScreen({ name: 'lesson', lessonIndex: i })}
            />
          ) : (
            <Suspense fallback={<Text color={tone('muted')}>opening the lesson…</Text>}>
            <LessonScreen
              key={lessons[screen.lessonIndex]!.id}
              lesson={lessons[screen.lessonIndex]!}
              initialStep={progress.resumeAt(lessons[screen.lessonIndex]!)}
              session={session}
              startingLabel={startingLabel}
              store={store}
              width={width}
              height={height}
              active={!help}
              present={present}
              answers={answers}
              {...(saveTranscript ? { saveTranscript: (l: Lesson) => saveTranscript(l, (s) => store.runOf(l, s), answers) } : {})}
              onBack={() => setScreen({ name: 'home', selected: screen.lessonIndex })}
              onStepChange={(i) => {
                progress.stepVisited(lessons[screen.lessonIndex]!, i);
                setProgressVersion((v) => v + 1);
              }}
            />
            </Suspense>
          )}
        </ErrorBoundary>
      </Box>
    </Box>
  );
}

interface BoundaryProps {
  children: ReactNode;
  resetKey: number;
  reportError: AppProps['reportError'];
  onBack: () => void;
}

/** A bug in a screen shows a panel and logs the trace; the rest of the TUI keeps working. */
class ErrorBoundary extends Component<BoundaryProps, { failure?: { message: string; logFile?: string }; key: number }> {
  state: { failure?: { message: string; logFile?: string }; key: number } = { key: this.props.resetKey };
  static getDerivedStateFromProps(props: BoundaryProps, state: { failure?: unknown; key: number }) {
    return props.resetKey !== state.key ? { failure: undefined, key: props.resetKey } : null;
  }
  componentDidCatch(error: unknown) {
    this.setState({ failure: this.props.reportError('drawing the screen', error) });
  }
  static getDerivedStateFromError() {
    return { failure: { message: '' } };
  }
  render() {
    if (!this.state.failure) return this.props.children;
    return (
      <Box flexDirection="column">
        <ErrorPanel title="This screen hit a bug" message={this.state.failure.message} logFile={this.state.failure.logFile} />
        <BackOnEscape onBack={this.props.onBack} />
      </Box>
    );
  }
}

function BackOnEscape({ onBack }: { onBack: () => void }) {
  useInput((_, key) => {
    if (key.escape) onBack();
  });
  return <Text color={tone('muted')}>Esc back to the lessons · q quit</Text>;
}
