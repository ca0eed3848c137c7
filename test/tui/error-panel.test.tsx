import { render } from 'ink-testing-library';
import React from 'react';
import { expect, test } from 'vitest';
import { ErrorPanel } from '../../src/tui/layout/error-panel.js';

test('says what went wrong and where the full trace is, without the trace', () => {
  const { lastFrame } = render(
    <ErrorPanel title="The step failed unexpectedly" message="connect ECONNREFUSED 127.0.0.1:4599" logFile="/home/me/.kms-workshop/logs/tui.log" />,
  );
  expect(lastFrame()).toContain('The step failed unexpectedly');
  expect(lastFrame()).toContain('connect ECONNREFUSED 127.0.0.1:4599');
  expect(lastFrame()).toContain('Full details: /home/me/.kms-workshop/logs/tui.log');
  expect(lastFrame()).not.toMatch(/\bat .*\(.*:\d+:\d+\)/);
});
