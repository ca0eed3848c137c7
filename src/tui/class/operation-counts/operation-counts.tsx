// The whole room's calls per operation. One of them is the point of the lesson
// being taught (GenerateDataKey during the caching lesson: the room's count
// stays small while everyone encrypts), so it stands alone, big and marked;
// the others follow on one line, busiest first, cut where the screen ends.
import { Box, Text } from 'ink';
import React from 'react';
import { tone } from '../../theme.js';
import { FEATURED_OPERATION, otherCounts } from './counts.js';

export { FEATURED_OPERATION } from './counts.js';

export interface OperationCountsProps {
  operations: Readonly<Record<string, number>>;
  /** The operation shown apart (GenerateDataKey by default). */
  featured?: string;
  width: number;
  /** When the counts were zeroed (HH:MM:SS), if they were. */
  since?: string;
}

export function OperationCounts({ operations, featured = FEATURED_OPERATION, width, since }: OperationCountsProps) {
  const count = operations[featured] ?? 0;
  const others = otherCounts(operations, featured);
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate-end">
        <Text bold>The room's calls{since ? ` since ${since}` : ''}  </Text>
        <Text bold color={tone('warn')}>
          {featured}{' '}
        </Text>
        <Text bold inverse color={tone('warn')}>
          {` ${count} `}
        </Text>
        <Text color={tone('warn')}> ◀ {count === 1 ? 'one call' : `${count} calls`}{since ? '' : ', everyone together'}</Text>
      </Text>
      <Text wrap="truncate-end" color={tone('muted')}>
        {others.length ? others.join(' · ') : 'no other calls yet'}
      </Text>
    </Box>
  );
}
