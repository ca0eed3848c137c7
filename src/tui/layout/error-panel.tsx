// What a learner sees when something unexpected breaks: the message in plain
// words and where the full trace went, never the trace itself over the UI.
import { Box, Text } from 'ink';
import React from 'react';
import { tone } from '../theme.js';

export function ErrorPanel({ title, message, detail, logFile }: { title: string; message: string; detail?: string; logFile?: string }) {
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={tone('error')} paddingX={1}>
      <Text bold color={tone('error')}>
        {title}
      </Text>
      <Text>{message}</Text>
      {detail ? <Text color={tone('muted')}>{detail}</Text> : null}
      {logFile ? <Text color={tone('muted')}>Full details: {logFile}</Text> : null}
    </Box>
  );
}
