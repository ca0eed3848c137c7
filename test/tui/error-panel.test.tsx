import { render } from 'ink-testing-library';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import React from 'react';
import { expect, test } from 'vitest';
import { logError, shortMessage } from '../../src/tui/error-log.js';
import { ErrorPanel } from '../../src/tui/layout/error-panel.js';

test('shows the title, the message, the detail and where the full details are', () => {
  const { lastFrame } = render(
    <ErrorPanel title="The step failed unexpectedly" message="connect ECONNREFUSED 127.0.0.1:4599" detail="while calling KMS" logFile="/home/me/.kms-workshop/logs/tui.log" />,
  );
  expect(lastFrame()).toContain('The step failed unexpectedly');
  expect(lastFrame()).toContain('connect ECONNREFUSED 127.0.0.1:4599');
  expect(lastFrame()).toContain('while calling KMS');
  expect(lastFrame()).toContain('Full details: /home/me/.kms-workshop/logs/tui.log');
});

test('without a log file it does not point at one', () => {
  const { lastFrame } = render(<ErrorPanel title="The target did not start" message="no credentials" />);
  expect(lastFrame()).toContain('no credentials');
  expect(lastFrame()).not.toContain('Full details');
});

test('a real crash, shown as the app shows it: one line on screen, the stack trace only in the log file', () => {
  const home = mkdtempSync(join(tmpdir(), 'kms-workshop-error-panel-'));
  try {
    let crash: Error;
    try {
      (undefined as unknown as { read(): void }).read();
      throw new Error('unreachable');
    } catch (e) {
      crash = e as Error;
    }
    crash.message += '\nsecond line of the message';
    expect(crash.stack).toMatch(/\n\s+at .*:\d+:\d+/);
    const logFile = logError(home, 'running a step', crash);
    const { lastFrame } = render(<ErrorPanel title="Something went wrong that the lesson does not expect" message={shortMessage(crash)} logFile={logFile} />);
    const frame = lastFrame()!;
    expect(frame).toContain("TypeError: Cannot read properties of undefined (reading 'read')");
    expect(frame).not.toContain('second line of the message');
    expect(frame).not.toMatch(/\bat .*:\d+:\d+/);
    expect(frame).toContain(`Full details: ${join(home, 'logs', 'tui.log')}`);
    const log = readFileSync(logFile, 'utf8');
    expect(log).toContain('running a step');
    expect(log).toContain(crash.stack!.split('\n').find((l) => /^\s+at /.test(l))!.trim());
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
