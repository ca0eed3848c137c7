// A lesson, one step at a time: first its introduction (a page of its own,
// when the lesson has one), then per step the narrative, the prediction to make
// before running it, the step's code or its AWS CLI equivalent, the results
// once it runs and what they mean, the question to think about; below, the API
// calls as they happen and how many of each. Effects (running a step) happen in
// the RunStore; this screen reads it and turns keys into intents.
import { Box, measureElement, Text, useInput, type DOMElement } from 'ink';
import React, { useEffect, useLayoutEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { Lesson, RuntimeSession } from '../../runtime/types.js';
import { CallCounter, countCalls, counterWidth } from '../calls/call-counter.js';
import { CallBrowser } from '../calls/call-browser.js';
import { CallLog } from '../calls/call-log.js';
import { CodeBlock } from '../code/code-block.js';
import { useScroll } from '../hooks/use-scroll.js';
import { useStepNavigation } from '../hooks/use-step-navigation.js';
import { formatTimer, useStepTimer } from '../hooks/use-step-timer.js';
import { useTranscriptKey } from '../hooks/use-transcript-key.js';
import { ErrorPanel } from '../layout/error-panel.js';
import { KeyBar } from '../layout/key-help.js';
import { hasIntroduction, Introduction } from './introduction.js';
import { INTRO_KEYS, LESSON_KEYS } from './lesson-keys.js';
import { ScrollHint, ScrollPanel } from '../layout/scroll-panel.js';
import { InlineMarkdown, Markdown } from '../markdown/markdown.js';
import { Question } from '../question.js';
import { ExercisePanel } from '../exercise/exercise-panel.js';
import { ResultList } from '../results/result-view.js';
import { Spinner, formatElapsed } from '../results/spinner.js';
import type { RunStore, StepRun } from '../run-store.js';
import { tone } from '../theme.js';

/** The call the workshop is about (envelope encryption, caching): its count is drawn to stand out. */
const WATCHED_OPERATION = 'GenerateDataKey';

export type SessionState = { state: 'starting' } | { state: 'ready'; session: RuntimeSession } | { state: 'failed'; message: string; logFile?: string };

export interface LessonScreenProps {
  lesson: Lesson;
  initialStep: number;
  session: SessionState;
  startingLabel?: string;
  store: RunStore;
  width: number;
  height: number;
  active?: boolean;
  onBack: () => void;
  onStepChange?: (index: number) => void;
  /** Presenting: Enter runs the step, or moves on and runs the next; a step timer; results kept in view. */
  present?: boolean;
  /** Answers given, by `<step id>/question` or `<step id>/predict` (the transcript's answerKey). */
  answers?: Map<string, number>;
  /** `t`: writes this lesson's transcript; resolves to the file. */
  saveTranscript?: (lesson: Lesson) => Promise<string>;
}

export function LessonScreen({ lesson, initialStep, session, startingLabel = 'starting the local engine…', store, width, height, active = true, onBack, onStepChange, present = false, answers, saveTranscript }: LessonScreenProps) {
  useSyncExternalStore(store.subscribe, store.getVersion);
  // Page 0 is the introduction when there is one to show; a lesson resumed past its first step opens at that step.
  const introPages = hasIntroduction(lesson) ? 1 : 0;
  const nav = useStepNavigation(lesson.steps.length + introPages, initialStep === 0 ? 0 : initialStep + introPages, {
    active,
    onMove: (page) => (page >= introPages ? onStepChange?.(page - introPages) : undefined),
  });
  const onIntro = nav.index < introPages;
  const stepIndex = Math.max(0, nav.index - introPages);
  const step = lesson.steps[stepIndex]!;
  const run = store.runOf(lesson, step);
  const [showCli, setShowCli] = useState(false);
  // a: the step's calls, one opened in full in place of the step (↑↓ Enter Esc).
  const [browsingCalls, setBrowsingCalls] = useState(false);
  // The code folds to one line once the step has run, so its results have the room; v opens it again.
  const [codeOpen, setCodeOpen] = useState(true);
  const stepActive = active && !browsingCalls;
  // h shows the step's hints one level at a time, from a nudge to nearly the answer, then hides them.
  const [hintLevel, setHintLevel] = useState(0);
  const hints = [...(step.hint ? [step.hint] : []), ...(step.hints ?? [])];
  const [pendingRun, setPendingRun] = useState(false);
  // Predict, then observe: the first Enter on an unanswered prediction asks for it; a second one runs anyway.
  const predicted = useRef(false);
  const asked = useRef(false);
  const [askedToPredict, setAskedToPredict] = useState(false);
  const askToPredict = (yes: boolean) => {
    asked.current = yes;
    setAskedToPredict(yes);
  };

  const compact = height < 18;
  const logRows = compact ? 2 : 4;
  // The call pane is as tall as the calls it lists (at most logRows): rows it does not need go to the step.
  const shownCalls = store.runOf(lesson, lesson.steps[Math.max(0, nav.index - introPages)]!)?.calls.length ?? 0;
  const callsHeight = Math.min(logRows, Math.max(1, shownCalls + (shownCalls >= logRows ? 1 : 0))) + 1;
  const panelHeight = onIntro ? Math.max(3, height - 1 - 1 - 1 - 1) : Math.max(3, height - 1 - 1 - callsHeight - 1 - 1);
  const scroll = useScroll(panelHeight, { active: stepActive });
  const beforeResults = useRef<DOMElement>(null);
  const [resultsAt, setResultsAt] = useState(0);
  const beforePrediction = useRef<DOMElement>(null);
  const [predictionAt, setPredictionAt] = useState(0);
  const beforeHint = useRef<DOMElement>(null);
  const [hintAt, setHintAt] = useState(0);
  // Where each question is, so that when the screen scrolls by itself its choices are not left below the fold.
  const questionBox = useRef<DOMElement>(null);
  const predictBox = useRef<DOMElement>(null);
  const [questionSpan, setQuestionSpan] = useState<[number, number] | null>(null);
  const [predictSpan, setPredictSpan] = useState<[number, number] | null>(null);
  useLayoutEffect(() => {
    if (beforeResults.current) {
      const h = measureElement(beforeResults.current).height;
      if (h !== resultsAt) setResultsAt(h);
    }
    if (beforePrediction.current) {
      const h = measureElement(beforePrediction.current).height;
      if (h !== predictionAt) setPredictionAt(h);
    }
    if (beforeHint.current) {
      const h = measureElement(beforeHint.current).height;
      if (h !== hintAt) setHintAt(h);
    }
    const resultsHeight = resultsBox.current ? measureElement(resultsBox.current).height : 0;
    const q: [number, number] | null = questionBox.current ? [resultsAt + 1 + resultsHeight + 1, measureElement(questionBox.current).height] : null;
    if (q?.[0] !== questionSpan?.[0] || q?.[1] !== questionSpan?.[1]) setQuestionSpan(q);
    const p: [number, number] | null = predictBox.current ? [predictionAt + 1, measureElement(predictBox.current).height] : null;
    if (p?.[0] !== predictSpan?.[0] || p?.[1] !== predictSpan?.[1]) setPredictSpan(p);
  });
  const resultsBox = useRef<DOMElement>(null);
  /**
   * A question whose prompt is in view has its choices in view too: scrolled down just enough, or,
   * where what is at the top matters more (a run's status), up until the question is wholly below the fold.
   */
  const choicesInView = (offset: number, keepTop = false) => {
    for (const span of [predictSpan, questionSpan]) {
      if (!span) continue;
      const [top, rows] = span;
      if (top >= offset && top < offset + panelHeight && top + rows > offset + panelHeight)
        return keepTop && top - panelHeight >= 0 ? top - panelHeight : Math.min(top, top + rows - panelHeight);
    }
    return offset;
  };
  // When the screen moves by itself (a step opens, a run's results arrive), not when the learner scrolls.
  // followRun: a run started here, its results kept in view; atTop: the page as opened.
  const followRun = useRef(false);
  const atTop = useRef(true);
  const page = useRef(nav.index);
  const learnerScrolled = () => {
    followRun.current = false;
    atTop.current = false;
  };
  useEffect(() => {
    if (page.current !== nav.index) {
      page.current = nav.index;
      followRun.current = false;
      atTop.current = true;
    }
    const wanted = followRun.current ? resultsAt : atTop.current ? 0 : scroll.offset;
    const adjusted = choicesInView(wanted, followRun.current);
    if (followRun.current || atTop.current || adjusted !== scroll.offset) scroll.scrollTo(adjusted);
  }, [nav.index, run?.status, run?.results.length, resultsAt, predictSpan?.[0], predictSpan?.[1], questionSpan?.[0], questionSpan?.[1], scroll.contentHeight]);

  useEffect(() => {
    scroll.reset();
    setCodeOpen(true);
    setBrowsingCalls(false);
    setHintLevel(0);
    store.stopWatching();
    predicted.current = false;
    askToPredict(false);
  }, [nav.index]);

  // Going back to the menu stops following an exercise.
  useEffect(() => () => store.stopWatching(), []);

  /** Enter: a step runs; an exercise starts (its reference solution runs only with `s`). */
  const start = (index = nav.current() - introPages, solve = false) => {
    if (store.running) return;
    if (session.state !== 'ready') {
      setPendingRun(session.state === 'starting');
      return;
    }
    const target = lesson.steps[index];
    if (target?.exercise && !solve && session.session.watchExercise) {
      // The exercise's panel and checklist come right after the narrative.
      learnerScrolled();
      scroll.scrollTo(predictionAt);
      if (store.runOf(lesson, target)?.status !== 'watching') void store.startExercise(session.session, lesson, index);
      return;
    }
    scroll.scrollTo(resultsAt);
    // The results below the code need the room: the code folds (v opens it) and the screen follows it.
    if (index === nav.current() - introPages) {
      setCodeOpen(false);
      atTop.current = false;
      followRun.current = true;
    }
    void store.run(session.session, lesson, index);
  };
  /** After the lesson's clean-up: forget its runs and run it again from step 1. */
  const startOver = () => {
    if (store.running) return;
    store.forget(lesson);
    nav.go(introPages);
    start(0);
  };
  // A run asked for while the engine was starting goes as soon as it is up.
  useEffect(() => {
    if (pendingRun && session.state === 'ready') {
      setPendingRun(false);
      start();
    }
  }, [pendingRun, session.state]);

  const stepSeconds = useStepTimer(present, nav.index);
  const transcript = useTranscriptKey(saveTranscript && (() => saveTranscript(lesson)));
  // Presenting: whatever the step does next (calls, results, its end) stays in view.
  useEffect(() => {
    if (present && run) scroll.scrollTo(resultsAt);
  }, [present, run?.status, run?.results.length, resultsAt]);
  /** Presenting, Enter: run this step; once it passed, move on and run the next. */
  const presentNext = () => {
    if (store.running) return;
    const index = nav.current() - introPages;
    const status = store.runOf(lesson, lesson.steps[index]!)?.status;
    if (status !== 'passed') return start(index, true);
    if (index + 1 >= lesson.steps.length) return;
    nav.next();
    setRunOnArrival(index + 1); // once the next page is open, so the screen follows that run from its start
  };
  const [runOnArrival, setRunOnArrival] = useState<number | undefined>();
  useEffect(() => {
    if (runOnArrival === undefined || runOnArrival !== nav.index - introPages) return;
    setRunOnArrival(undefined);
    start(runOnArrival, true);
  }, [nav.index, runOnArrival]);

  useInput(
    (input, key) => {
      if (/^[jk ]$/.test(input) || key.upArrow || key.downArrow || key.pageUp || key.pageDown || key.home || key.end) learnerScrolled();
      if (transcript.notice) transcript.clear();
      if (input === 't') return transcript.write();
      if (nav.current() < introPages) {
        if (key.return) nav.next();
        else if (key.escape) onBack();
        return;
      }
      const current = lesson.steps[nav.current() - introPages]!;
      if (present && key.return) presentNext();
      else if (key.return || input === 'r') {
        if (current.predict && !predicted.current && !asked.current && !store.runOf(lesson, current)) {
          askToPredict(true);
          learnerScrolled();
          scroll.scrollTo(choicesInView(predictionAt));
        }
        else start();
      } else if (input === 'b' && store.runOf(lesson, current)?.failure?.afterCleanUp) startOver();
      else if (key.escape) onBack();
      else if (input === 'c') {
        setShowCli((v) => !v);
        setCodeOpen(true);
      } else if (input === 'v') setCodeOpen((v) => !v);
      else if (input === 'a') setBrowsingCalls(true);
      else if (input === 'h') {
        const opening = hintLevel < Math.max(1, hints.length);
        setHintLevel((n) => (n >= Math.max(1, hints.length) ? 0 : n + 1));
        // The hint opens under the narrative: bring it into view if the learner has scrolled past it or not yet to it.
        if (opening && (scroll.offset > hintAt || hintAt >= scroll.offset + panelHeight - 2)) {
          learnerScrolled();
          scroll.scrollTo(hintAt);
        }
      }
      else if (input === 's' && current.exercise) start(undefined, true);
    },
    { isActive: stepActive },
  );

  const calls = run?.calls ?? [];
  const counts = countCalls(calls);
  const countersWidth = Math.min(40, counterWidth(counts, { highlight: WATCHED_OPERATION, compact: true }));
  const logWidth = Math.max(20, width - countersWidth - 1);
  const cliShown = showCli && Boolean(step.cli);
  const codeTitle = cliShown ? 'AWS CLI' : `Code · steps.ts line ${step.sourceLine}`;
  if (onIntro)
    return (
      <Box flexDirection="column" width={width} height={height - 1}>
        <Box>
          <Text bold color={tone('heading')} wrap="truncate-end">
            {lesson.title}
          </Text>
          <Text color={tone('muted')} wrap="truncate-end">
            {'  '}introduction
          </Text>
          <Text> </Text>
          <StepDots lesson={lesson} store={store} current={-1} />
        </Box>
        <ScrollPanel height={panelHeight} offset={scroll.offset} onContentHeight={scroll.setContentHeight}>
          <Introduction lesson={lesson} />
        </ScrollPanel>
        <ScrollHint offset={scroll.offset} height={panelHeight} contentHeight={scroll.contentHeight} />
        <Box flexGrow={1} />
        <KeyBar bindings={INTRO_KEYS} />
      </Box>
    );
  // The code, or the CLI. An exercise's code is its answer: shown below its verdict once done or solved.
  const code = (
    <Box marginTop={1} flexDirection="column">
      <Text>
        <Text bold>{step.exercise ? `Solution · ${codeTitle}` : codeTitle}</Text>
        <Text color={tone('muted')}>{step.cli ? `  (c: ${showCli ? 'show the code' : 'show the AWS CLI'})` : '  (no AWS CLI equivalent)'}</Text>
        {codeOpen ? null : <Text color={tone('muted')}>{'  '}v: show it</Text>}
      </Text>
      {showCli && !step.cli ? <Text color={tone('warn')}>This step has no AWS CLI equivalent: its code is all there is.</Text> : null}
      {codeOpen ? (
        <Box borderStyle="single" borderColor={tone('muted')} paddingX={1} flexDirection="column">
          {cliShown ? <CodeBlock source={step.cli!} language="sh" width={width - 4} /> : <CodeBlock source={step.source} language="ts" width={width - 4} />}
        </Box>
      ) : null}
    </Box>
  );
  // A prediction closes when the step runs, and its answer shows once the step has passed (a failed run leaves it open).
  const predictionClosed = run?.status === 'running' || run?.status === 'passed';
  return (
    <Box flexDirection="column" width={width} height={height - 1}>
      <Box>
        <Text bold color={tone('heading')} wrap="truncate-end">
          {lesson.title}
        </Text>
        <Text color={tone('muted')} wrap="truncate-end">
          {'  '}step {stepIndex + 1} of {lesson.steps.length}
        </Text>
        <Text> </Text>
        <StepDots lesson={lesson} store={store} current={stepIndex} />
        {present ? <Text color={tone('accent')}>{`  ⏱ ${formatTimer(stepSeconds)}`}</Text> : null}
      </Box>
      {browsingCalls ? <CallBrowser calls={calls} width={width} height={panelHeight + 1} active={active} onClose={() => setBrowsingCalls(false)} /> : null}
      <Box display={browsingCalls ? 'none' : 'flex'} flexDirection="column" flexShrink={0}>
      <ScrollPanel height={panelHeight} offset={scroll.offset} onContentHeight={scroll.setContentHeight}>
        <Box ref={beforeResults} flexDirection="column" flexShrink={0}>
          <Box ref={beforePrediction} flexDirection="column" flexShrink={0}>
            <Box ref={beforeHint} flexDirection="column" flexShrink={0}>
              <Text bold>
                {stepIndex + 1}. <InlineMarkdown text={step.title} />
              </Text>
              <Box marginTop={1}>
                <Markdown text={step.text} />
              </Box>
            </Box>
            {hintLevel > 0 && hints.length > 0 ? (
              <Box marginTop={1} borderStyle="round" borderColor={tone('accent')} paddingX={1} flexDirection="column">
                {hints.slice(0, hintLevel).map((hint, i) => (
                  <Box key={i} flexDirection="column">
                    <Text bold color={tone('accent')}>
                      {hints.length > 1 ? `Hint ${i + 1} of ${hints.length}` : 'Hint'}
                      {i === hintLevel - 1 && hintLevel < hints.length ? <Text color={tone('muted')}> (h: the next)</Text> : null}
                    </Text>
                    <Markdown text={hint} />
                  </Box>
                ))}
              </Box>
            ) : null}
            {hintLevel > 0 && hints.length === 0 ? <Text color={tone('muted')}>This step has no hint.</Text> : null}
          </Box>
          {step.predict ? (
            <Box ref={predictBox} marginTop={1} flexDirection="column" flexShrink={0}>
              <Text bold color={tone('accent')}>
                Predict first
              </Text>
              <Question
                key={`${lesson.id}/${step.id}/predict`}
                {...step.predict}
                active={stepActive && !predictionClosed}
                arrowKeys={false}
                reveal={run?.status === 'passed'}
                closed={predictionClosed}
                onAnswered={(_, choice) => {
                  answers?.set(`${step.id}/predict`, choice);
                  predicted.current = true;
                  askToPredict(false);
                }}
              />
              {askedToPredict && !run ? (
                <Text color={tone('accent')}>
                  What do you expect? Press <Text bold>1-{step.predict.choices.length}</Text> to predict first (or <Text bold>Enter</Text> again to run the step
                  without).
                </Text>
              ) : null}
            </Box>
          ) : null}
          {step.exercise ? (
            <Box marginTop={1} flexDirection="column" flexShrink={0}>
              <ExercisePanel
                exercise={step.exercise}
                verdict={run?.exercise}
                watching={run?.status === 'watching'}
                endpoint={session.state === 'ready' ? session.session.endpoint : undefined}
                shellLines={session.state === 'ready' ? session.session.secondShell : undefined}
                workspace={session.state === 'ready' ? session.session.workspace(lesson) : undefined}
                width={width}
              />
            </Box>
          ) : null}
          {step.exercise ? null : code}
        </Box>
        <Box ref={resultsBox} marginTop={1} flexDirection="column" flexShrink={0}>
          <RunStatus run={run} session={session} pending={pendingRun} startingLabel={startingLabel} choices={step.predict?.choices.length} />
          {run && run.results.length > 0 ? (
            <Box marginTop={1}>
              <ResultList results={run.results} width={width} highlight={WATCHED_OPERATION} />
            </Box>
          ) : null}
          {run?.status === 'passed' && step.explain ? (
            <Box marginTop={1} flexDirection="column">
              <Text bold color={tone('accent')}>
                What happened
              </Text>
              <Markdown text={step.explain} />
            </Box>
          ) : null}
          {step.exercise && run?.status === 'passed' ? code : null}
          {run?.crash ? (
            <Box marginTop={1}>
              <ErrorPanel title="Something went wrong that the lesson does not expect" message={run.crash.message} logFile={run.crash.logFile} />
            </Box>
          ) : null}
        </Box>
        {step.question ? (
          <Box ref={questionBox} marginTop={1} flexShrink={0}>
            <Question
              key={`${lesson.id}/${step.id}`}
              {...step.question}
              active={stepActive && (!step.predict || predictionClosed)}
              arrowKeys={false}
              onAnswered={(_, choice) => {
                answers?.set(`${step.id}/question`, choice);
                learnerScrolled();
                scroll.scrollTo(Number.MAX_SAFE_INTEGER);
              }}
            />
          </Box>
        ) : null}
      </ScrollPanel>
      <ScrollHint offset={scroll.offset} height={panelHeight} contentHeight={scroll.contentHeight} />
      </Box>
      <Box height={callsHeight} flexShrink={0}>
        <Box flexDirection="column" width={logWidth} flexShrink={0}>
          <Text bold>{run?.status === 'watching' ? 'Your calls, as they reach the engine' : `API calls${run ? ' of this step' : ''}`}</Text>
          <CallLog calls={calls} limit={calls.length > callsHeight - 1 ? callsHeight - 2 : callsHeight - 1} width={logWidth} empty={run && run.status !== 'running' && run.status !== 'watching' ? 'this step made no API calls' : undefined} />
        </Box>
        <Box flexDirection="column" width={countersWidth} marginLeft={1} flexShrink={0}>
          <Text bold wrap="truncate-end">
            Calls by operation
          </Text>
          <CallCounter counts={counts} highlight={WATCHED_OPERATION} compact />
        </Box>
      </Box>
      {transcript.notice ? (
        <Text color={transcript.notice.ok ? tone('ok') : tone('error')} wrap="truncate-middle">
          {transcript.notice.text}
        </Text>
      ) : (
        <KeyBar bindings={LESSON_KEYS} />
      )}
    </Box>
  );
}

interface RunStatusProps {
  run: StepRun | undefined;
  session: SessionState;
  pending: boolean;
  startingLabel: string;
  /** The number of choices of the step's prediction, if it has one. */
  choices?: number;
}

function RunStatus({ run, session, pending, startingLabel, choices }: RunStatusProps) {
  if (session.state === 'failed' && !run) return <ErrorPanel title="The target did not start" message={session.message} logFile={session.logFile} />;
  if (pending) return <Spinner label={startingLabel} />;
  if (!run)
    return (
      <Text color={tone('muted')}>
        {choices ? 'Predict above (1-' + choices + '), then press ' : 'Press '}
        <Text bold>Enter</Text> to run this step.
      </Text>
    );
  const caughtUp = run.caughtUp?.length ? <Text color={tone('muted')}>ran first: {run.caughtUp.join(', ')}</Text> : null;
  switch (run.status) {
    case 'running':
      return run.progress ? (
        <Spinner label={`${run.progress.label} (${run.progress.done}/${run.progress.total} s)`} startedAt={run.startedAt} />
      ) : (
        <Spinner label="running…" startedAt={run.startedAt} />
      );
    case 'watching':
      return (
        <Box flexDirection="column">
          {caughtUp}
          <Spinner label="watching for your calls and files… (h: a hint, s: solve it)" startedAt={run.startedAt} />
        </Box>
      );
    case 'passed':
      if (run.exercise && !run.solved)
        return (
          <Text bold color={tone('ok')}>
            ✔ you did it <Text color={tone('muted')}>· → next step</Text>
          </Text>
        );
      return (
        <Box flexDirection="column">
          {caughtUp}
          {run.solved ? <Text color={tone('accent')}>Solved: the reference solution below ran and passed the exercise's checks.</Text> : null}
          <Text>
            <Text bold color={tone('ok')}>
              ✔ done
            </Text>
            <Text color={tone('muted')}>
              {' '}
              in {formatElapsed(run.durationMs ?? 0)} · {run.calls.length} API call{run.calls.length === 1 ? '' : 's'} · Enter runs it again, → next step
            </Text>
          </Text>
        </Box>
      );
    case 'failed':
      if (run.failure?.afterCleanUp)
        return (
          <Box flexDirection="column">
            <Text bold color={tone('warn')}>
              ✘ This lesson's resources are gone: its clean-up has run
            </Text>
            <Text>{run.failure.message}</Text>
            <Text>
              Press <Text bold color={tone('key')}>b</Text> to run the lesson again from step 1.
            </Text>
          </Box>
        );
      return (
        <Box flexDirection="column">
          {caughtUp}
          <Text bold color={tone('error')}>
            ✘ The step did not do what the lesson expects
          </Text>
          <Text>{run.failure?.message}</Text>
          {run.failure?.code || run.failure?.requestId ? (
            <Text color={tone('muted')}>
              {[run.failure.operation, run.failure.code, run.failure.requestId && `request id ${run.failure.requestId}`].filter(Boolean).join(' · ')}
            </Text>
          ) : null}
        </Box>
      );
    case 'crashed':
      return (
        <Text bold color={tone('error')}>
          ✘ stopped
        </Text>
      );
  }
}

/** One mark per step: ● passed, ✘ failed, ○ not run; the current one underlined. */
function StepDots({ lesson, store, current }: { lesson: Lesson; store: RunStore; current: number }) {
  return (
    <Text>
      {lesson.steps.map((s, i) => {
        const run = store.runOf(lesson, s);
        const waiting = run?.status === 'running' || run?.status === 'watching';
        const mark = !run ? '○' : run.status === 'passed' ? (run.solved ? '◑' : '●') : waiting ? '◌' : '✘';
        const colour = !run ? tone('muted') : run.status === 'passed' ? tone('ok') : waiting ? tone('accent') : tone('error');
        return (
          <Text key={s.id} color={colour} underline={i === current} bold={i === current}>
            {mark}
          </Text>
        );
      })}
    </Text>
  );
}
