// A lesson's first page: its introduction (the markdown before the first step)
// and what it is based on, then how to begin. Shown before step 1.
import { Box, Text } from 'ink';
import React from 'react';
import type { Lesson } from '../../runtime/types.js';
import { Markdown } from '../markdown/markdown.js';
import { tone } from '../theme.js';

/** Whether the lesson has an introduction page to show: an introduction, or sources to name. */
export function hasIntroduction(lesson: Lesson): boolean {
  return lesson.intro.trim() !== '' || lesson.basedOn.length > 0;
}

export function Introduction({ lesson }: { lesson: Lesson }) {
  const first = lesson.steps[0];
  return (
    <Box flexDirection="column" flexShrink={0}>
      {lesson.intro.trim() ? <Markdown text={lesson.intro} /> : <Text>{lesson.summary}</Text>}
      {lesson.basedOn.length > 0 ? (
        <Box marginTop={1} flexDirection="column">
          <Text bold>Based on</Text>
          {lesson.basedOn.map((source) => (
            <Text key={source}>· {source}</Text>
          ))}
        </Box>
      ) : null}
      <Box marginTop={1}>
        <Text color={tone('muted')}>
          {lesson.steps.length} step{lesson.steps.length === 1 ? '' : 's'} · about {lesson.minutes} min · {lesson.level}
        </Text>
      </Box>
      {first ? (
        <Text>
          Press <Text bold>Enter</Text> or <Text bold>→</Text> to begin with step 1, {first.title}.
        </Text>
      ) : null}
    </Box>
  );
}
