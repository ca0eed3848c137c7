// A lesson, one step at a time: the narrative, the step's code or its AWS CLI
// equivalent, the results once it runs, the question to think about; below,
// the API calls as they happen and how many of each. Effects (running a step)
// happen in the RunStore; this screen reads it and turns keys into intents.
import { Box, measureElement, Text, useInput, type DOMElement } from 'ink';
import React, { useEffect, useLayoutEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { Lesson, RuntimeSession } from '../../runtime/types.js';
import { CallCounter, countCalls, counterWidth } from '../calls/call-counter.js';
import { CallLog } from '../calls/call-log.js';
import { CodeBlock } from '../code/code-block.js';
import { useScroll } from '../hooks/use-scroll.js';
import { useStepNavigation } from '../hooks/use-step-navigation.js';
import { ErrorPanel } from '../layout/error-panel.js';
import { KeyBar } from '../layout/key-help.js';
import { LESSON_KEYS } from './lesson-keys.js';
import { ScrollHint, ScrollPanel } from '../layout/scroll-panel.js';
import { Markdown } from '../markdown/markdown.js';
import { Question } from '../question.js';
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
}

export function LessonScreen({ lesson, initialStep, session, startingLabel = 'starting the local engine…', store, width, height, active = true, onBack, onStepChange }: LessonScreenProps) {
  useSyncExternalStore(store.subscribe, store.getVersion);
  const nav = useStepNavigation(lesson.steps.length, initialStep, { active, onMove: onStepChange });
  const step = lesson.steps[nav.index]!;
  const run = store.runOf(lesson, step);
  const [showCli, setShowCli] = useState(false);
  const [showHint, setShowHint] = useState(false);
  const [pendingRun, setPendingRun] = useState(false);

  const compact = height < 18;
  const logRows = compact ? 2 : 4;
  const callsHeight = logRows + 1;
  const panelHeight = Math.max(3, height - 1 - 1 - callsHeight - 1 - 1);
  const scroll = useScroll(panelHeight, { active });
  const beforeResults = useRef<DOMElement>(null);
  const [resultsAt, setResultsAt] = useState(0);
  useLayoutEffect(() => {
    if (beforeResults.current) {
      const h = measureElement(beforeResults.current).height;
      if (h !== resultsAt) setResultsAt(h);
    }
  });

  useEffect(() => {
    scroll.reset();
    setShowHint(false);
  }, [nav.index]);

  const start = () => {
    if (store.running) return;
    if (session.state !== 'ready') {
      setPendingRun(session.state === 'starting');
      return;
    }
    scroll.scrollTo(resultsAt);
    void store.run(session.session, lesson, nav.current());
  };
  // A run asked for while the engine was starting goes as soon as it is up.
  useEffect(() => {
    if (pendingRun && session.state === 'ready') {
      setPendingRun(false);
      start();
    }
  }, [pendingRun, session.state]);

  useInput(
    (input, key) => {
      if (key.return || input === 'r') start();
      else if (key.escape) onBack();
      else if (input === 'c') setShowCli((v) => !v);
      else if (input === 'h') setShowHint((v) => !v);
    },
    { isActive: active },
  );

  const calls = run?.calls ?? [];
  const counts = countCalls(calls);
  const countersWidth = Math.min(40, counterWidth(counts, { highlight: WATCHED_OPERATION, compact: true }));
  const logWidth = Math.max(20, width - countersWidth - 1);
  const codeTitle = showCli ? 'AWS CLI' : `Code · steps.ts line ${step.sourceLine}`;
  return (
    <Box flexDirection="column" width={width} height={height - 1}>
      <Box>
        <Text bold color={tone('heading')} wrap="truncate-end">
          {lesson.title}
        </Text>
        <Text color={tone('muted')} wrap="truncate-end">
          {'  '}step {nav.index + 1} of {lesson.steps.length}
        </Text>
        <Text> </Text>
        <StepDots lesson={lesson} store={store} current={nav.index} />
      </Box>
      <ScrollPanel height={panelHeight} offset={scroll.offset} onContentHeight={scroll.setContentHeight}>
        <Box ref={beforeResults} flexDirection="column" flexShrink={0}>
          <Text bold>
            {nav.index + 1}. {step.title}
          </Text>
          <Box marginTop={1}>
            <Markdown text={step.text} />
          </Box>
          {showHint && step.hint ? (
            <Box marginTop={1} borderStyle="round" borderColor={tone('accent')} paddingX={1} flexDirection="column">
              <Text bold color={tone('accent')}>
                Hint
              </Text>
              <Markdown text={step.hint} />
            </Box>
          ) : null}
          {showHint && !step.hint ? <Text color={tone('muted')}>This step has no hint.</Text> : null}
          <Box marginTop={1} flexDirection="column">
            <Text>
              <Text bold>{codeTitle}</Text>
              <Text color={tone('muted')}>{step.cli ? `  (c: ${showCli ? 'show the code' : 'show the AWS CLI'})` : '  (no AWS CLI equivalent)'}</Text>
            </Text>
            <Box borderStyle="single" borderColor={tone('muted')} paddingX={1} flexDirection="column">
              {showCli && step.cli ? <CodeBlock source={step.cli} language="sh" /> : <CodeBlock source={step.source} language="ts" />}
            </Box>
          </Box>
        </Box>
        <Box marginTop={1} flexDirection="column" flexShrink={0}>
          <RunStatus run={run} session={session} pending={pendingRun} startingLabel={startingLabel} />
          {run && run.results.length > 0 ? (
            <Box marginTop={1}>
              <ResultList results={run.results} width={width} highlight={WATCHED_OPERATION} />
            </Box>
          ) : null}
          {run?.crash ? (
            <Box marginTop={1}>
              <ErrorPanel title="Something went wrong that the lesson does not expect" message={run.crash.message} logFile={run.crash.logFile} />
            </Box>
          ) : null}
        </Box>
        {step.question ? (
          <Box marginTop={1} flexShrink={0}>
            <Question key={`${lesson.id}/${step.id}`} {...step.question} active={active} arrowKeys={false} onAnswered={() => scroll.scrollTo(Number.MAX_SAFE_INTEGER)} />
          </Box>
        ) : null}
      </ScrollPanel>
      <ScrollHint offset={scroll.offset} height={panelHeight} contentHeight={scroll.contentHeight} />
      <Box height={callsHeight} flexShrink={0}>
        <Box flexDirection="column" width={logWidth} flexShrink={0}>
          <Text bold>API calls{run ? ' of this step' : ''}</Text>
          <CallLog calls={calls} limit={logRows - 1} width={logWidth} />
        </Box>
        <Box flexDirection="column" width={countersWidth} marginLeft={1} flexShrink={0}>
          <Text bold wrap="truncate-end">
            Calls by operation
          </Text>
          <CallCounter counts={counts} highlight={WATCHED_OPERATION} compact />
        </Box>
      </Box>
      <KeyBar bindings={LESSON_KEYS} />
    </Box>
  );
}

function RunStatus({ run, session, pending, startingLabel }: { run: StepRun | undefined; session: SessionState; pending: boolean; startingLabel: string }) {
  if (session.state === 'failed' && !run) return <ErrorPanel title="The target did not start" message={session.message} logFile={session.logFile} />;
  if (pending) return <Spinner label={startingLabel} />;
  if (!run)
    return (
      <Text color={tone('muted')}>
        Press <Text bold>Enter</Text> to run this step.
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
    case 'passed':
      return (
        <Box flexDirection="column">
          {caughtUp}
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
        const mark = !run ? '○' : run.status === 'passed' ? '●' : run.status === 'running' ? '◌' : '✘';
        const colour = !run ? tone('muted') : run.status === 'passed' ? tone('ok') : run.status === 'running' ? tone('accent') : tone('error');
        return (
          <Text key={s.id} color={colour} underline={i === current} bold={i === current}>
            {mark}
          </Text>
        );
      })}
    </Text>
  );
}
