import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { errorLogPath, logError, shortMessage } from '../../src/tui/error-log.js';
import { canOpenTui } from '../../src/tui/terminal.js';

test('the TUI opens only with a terminal on both ends, outside CI and dumb terminals', () => {
  const tty = { isTTY: true };
  const pipe = { isTTY: false };
  expect(canOpenTui(tty, tty, {})).toBe(true);
  expect(canOpenTui(pipe, tty, {})).toBe(false);
  expect(canOpenTui(tty, pipe, {})).toBe(false);
  expect(canOpenTui(tty, tty, { CI: 'true' })).toBe(false);
  expect(canOpenTui(tty, tty, { CI: '1' })).toBe(false);
  expect(canOpenTui(tty, tty, { CI: 'false' })).toBe(true);
  expect(canOpenTui(tty, tty, { CI: '0' })).toBe(true);
  expect(canOpenTui(tty, tty, { CI: '' })).toBe(false); // Ink counts an empty CI as CI
  expect(canOpenTui(tty, tty, { CONTINUOUS_INTEGRATION: 'yes' })).toBe(false);
  expect(canOpenTui(tty, tty, { TERM: 'dumb' })).toBe(false);
});

test('an unexpected error is logged with its full trace in the home folder, and the screen gets one line', () => {
  const home = mkdtempSync(join(tmpdir(), 'kmsws-log-'));
  try {
    const error = new TypeError('cannot read properties of undefined\nsecond line');
    const path = logError(home, 'running step encryptFile', error);
    expect(path).toBe(errorLogPath(home));
    const log = readFileSync(path, 'utf8');
    expect(log).toContain('running step encryptFile');
    expect(log).toContain('TypeError: cannot read properties of undefined');
    expect(log).toMatch(/\n\s+at /); // the stack is in the file
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(shortMessage(error)).toBe('TypeError: cannot read properties of undefined');
    expect(shortMessage('plain')).toBe('plain');
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('logging never throws, even when the home cannot be written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kmsws-log-'));
  try {
    const notAFolder = join(dir, 'file');
    writeFileSync(notAFolder, 'x');
    expect(() => logError(notAFolder, 'x', new Error('y'))).not.toThrow();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
