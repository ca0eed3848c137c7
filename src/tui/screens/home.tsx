// The menu: what the tool is, the lessons with their length, level and the
// learner's progress, where the calls go (the target) and where files land.
import { Box, Text } from 'ink';
import React from 'react';
import type { Lesson } from '../../runtime/types.js';
import { useListSelection } from '../hooks/use-list-selection.js';
import { KeyBar, type KeyBinding } from '../layout/key-help.js';
import { Prose } from '../layout/prose.js';
import { tone } from '../theme.js';

/** Where a learner stands in a lesson, as the menu shows it. */
export interface LessonProgressView {
  state: 'new' | 'in-progress' | 'done';
  /** 1-based step to resume at, when in progress. */
  step?: number;
  total: number;
}

export const HOME_KEYS: KeyBinding[] = [
  { keys: 'Enter', does: 'open' },
  { keys: '↑↓', does: 'choose' },
  { keys: '?', does: 'keys' },
  { keys: 'q', does: 'quit' },
];

export interface HomeProps {
  lessons: readonly Lesson[];
  progressOf: (lesson: Lesson) => LessonProgressView;
  target: string;
  targetState: 'starting' | 'ready' | 'failed';
  /** Something to know about the target (the local engine set a saved clock aside), on one line. */
  targetNote?: string;
  workspace: string;
  /** The line a second shell pastes to reach the engine, once it listens. */
  shellLine?: string;
  /** Presenting: said on the target line, as nothing is recorded. */
  present?: boolean;
  initialSelected?: number;
  active?: boolean;
  width: number;
  /** Rows the screen has: the lesson list shows a window around the chosen lesson when all do not fit. */
  height?: number;
  onOpen: (lesson: Lesson, index: number) => void;
}

// Rows the menu uses besides the lesson list: title and tagline 2, 'Lessons' 2, the summary
// (up to 3 lines) 4, target, note, shell and files 5, keys 2, and one row of slack for the cursor.
const ROWS_BESIDES_LIST = 2 + 2 + 4 + 5 + 2 + 1;

/** The lessons that fit in `rows`, around the chosen one: [first, end) of the list. */
export function visibleWindow(count: number, selected: number, rows: number): [number, number] {
  if (count <= rows) return [0, count];
  const size = Math.max(1, rows - 2); // two rows for the '↑ N more' and '↓ N more' lines
  const first = Math.min(Math.max(0, selected - Math.floor(size / 2)), count - size);
  return [first, first + size];
}

export function Home({ lessons, progressOf, target, targetState, targetNote, workspace, shellLine, present = false, initialSelected = 0, active = true, width, height, onOpen }: HomeProps) {
  const { selected } = useListSelection(lessons.length, { initial: initialSelected, active, onChoose: (i) => onOpen(lessons[i]!, i) });
  const current = lessons[selected];
  // Columns: marker 2, title, minutes 8, level 14 (dropped when narrow), progress 13.
  const showLevel = width >= 72;
  // As wide as the longest title ("12. " before it) where the screen has room: a title is cut only when it must be.
  const longest = Math.max(0, ...lessons.map((l, i) => `${i + 1}. ${l.title}`.length));
  const titleWidth = Math.max(12, Math.min(longest, width - 2 - 1 - 8 - (showLevel ? 14 : 0) - 13));
  const listRows = height === undefined ? lessons.length : Math.max(3, height - ROWS_BESIDES_LIST - (targetNote ? 1 : 0));
  const [first, end] = visibleWindow(lessons.length, selected, listRows);
  return (
    <Box flexDirection="column" width={width}>
      <Text>
        <Text bold color={tone('heading')}>
          kms-workshop
        </Text>
        <Text color={tone('muted')}> · learn AWS Key Management Service by doing it</Text>
      </Text>
      <Text wrap="truncate-end">Every step makes real KMS, S3 and CloudTrail calls and shows what came back.</Text>
      <Box marginTop={1} flexDirection="column">
        <Text bold>Lessons</Text>
        {lessons.length === 0 ? <Text color={tone('warn')}>No lessons found.</Text> : null}
        {first > 0 ? <Text color={tone('muted')}>  ↑ {first} more</Text> : null}
        {lessons.slice(first, end).map((lesson, at) => {
          const i = first + at;
          const chosen = i === selected;
          return (
            <Box key={lesson.id}>
              <Box width={2} flexShrink={0}>
                <Text color={tone('accent')}>{chosen ? '›' : ' '}</Text>
              </Box>
              <Box width={titleWidth} flexShrink={0} marginRight={1}>
                <Text bold={chosen} color={chosen ? tone('accent') : undefined} wrap="truncate-end">
                  {i + 1}. {lesson.title}
                </Text>
              </Box>
              <Box width={8} flexShrink={0}>
                <Text color={tone('muted')}>{lesson.minutes} min</Text>
              </Box>
              {showLevel ? (
                <Box width={14} flexShrink={0}>
                  <Text color={tone('muted')}>{lesson.level}</Text>
                </Box>
              ) : null}
              <ProgressLabel progress={progressOf(lesson)} />
            </Box>
          );
        })}
        {end < lessons.length ? <Text color={tone('muted')}>  ↓ {lessons.length - end} more</Text> : null}
      </Box>
      {current ? (
        <Box marginTop={1} paddingLeft={2} width={width}>
          <Prose>
            <Text color={tone('muted')}>
              {showLevel ? '' : `${current.level}. `}
              {current.summary}
            </Text>
          </Prose>
        </Box>
      ) : null}
      <Box marginTop={1} flexDirection="column">
        <Text wrap="truncate-end">
          <Text bold>Target </Text>
          <Text color={targetState === 'failed' ? tone('error') : targetState === 'starting' ? tone('muted') : undefined}>{target}</Text>
          {present ? <Text color={tone('warn')}> · presenting: nothing recorded</Text> : null}
        </Text>
        {targetNote ? (
          <Text wrap="truncate-end">
            <Text bold color={tone('warn')}>Note </Text>
            {targetNote}
          </Text>
        ) : null}
        {shellLine ? (
          <Text>
            <Text bold>Shell </Text>
            {shellLine}
          </Text>
        ) : null}
        <Text wrap="truncate-middle">
          <Text bold>Files </Text>
          {workspace}
        </Text>
      </Box>
      <Box marginTop={1}>
        <KeyBar bindings={HOME_KEYS} />
      </Box>
    </Box>
  );
}

export function ProgressLabel({ progress }: { progress: LessonProgressView }) {
  if (progress.state === 'done') return <Text color={tone('ok')}>✔ done</Text>;
  if (progress.state === 'in-progress')
    return (
      <Text color={tone('warn')}>
        step {progress.step} of {progress.total}
      </Text>
    );
  return <Text color={tone('muted')}>not started</Text>;
}
