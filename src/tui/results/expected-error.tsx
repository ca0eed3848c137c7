// An error the lesson provokes on purpose, in plain words: which error, why it
// happened, what fixes it. Drawn as a lesson, not as a failure.
import { Box, Text } from 'ink';
import React from 'react';
import { Markdown } from '../markdown/markdown.js';
import { tone } from '../theme.js';

export interface ExpectedErrorProps {
  code: string;
  message: string;
  why: string;
  fix: string;
  operation?: string;
}

export function ExpectedError({ code, message, why, fix, operation }: ExpectedErrorProps) {
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={tone('warn')} paddingX={1}>
      <Text>
        <Text color={tone('warn')} bold>
          Expected error
        </Text>
        {operation ? ` from ${operation}` : ''}: <Text bold>{code}</Text>
      </Text>
      <Text color={tone('muted')}>{message}</Text>
      <Box>
        <Box width={5} flexShrink={0}>
          <Text bold>Why</Text>
        </Box>
        <Markdown text={why} />
      </Box>
      <Box>
        <Box width={5} flexShrink={0}>
          <Text bold>Fix</Text>
        </Box>
        <Markdown text={fix} />
      </Box>
    </Box>
  );
}
