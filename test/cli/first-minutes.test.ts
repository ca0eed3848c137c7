// What a newcomer meets in the first five minutes, through the built CLI with no TTY:
// each message says what happened and what to do, never a stack trace.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { CLI, ensureBuilt } from '../helpers/cli.js';

const temp: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'kms-workshop-first-'));
  temp.push(d);
  return d;
};
function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, CI: 'true', ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const noTrace = (s: string) => expect(s).not.toMatch(/\n\s+at .+:\d+/);

beforeAll(() => ensureBuilt());
afterAll(() => temp.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

test('a corrupt progress file: list says so, keeps it aside, and starts afresh', () => {
  const home = tempDir();
  writeFileSync(join(home, 'progress.json'), '{"version": 1, "lessons": ');
  const r = cli(['list', '--home', home]);
  expect(r.code).toBe(0);
  expect(r.stderr).toMatch(/your progress file could not be read; it was kept as .*progress\.json\.unreadable-\d+ and progress starts afresh/);
  expect(r.stdout).toContain('not started');
  const aside = readdirSync(home).find((f) => f.startsWith('progress.json.unreadable-'))!;
  expect(readFileSync(join(home, aside), 'utf8')).toBe('{"version": 1, "lessons": ');
  expect(existsSync(join(home, 'progress.json'))).toBe(false);
  noTrace(r.stderr);
});

test('--version prints the package version', () => {
  const r = cli(['--version']);
  expect(r.code).toBe(0);
  expect(r.stdout.trim()).toBe(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version);
});

test('--help lists every command, and each command has a page naming every option it accepts', () => {
  const overview = cli(['--help']);
  expect(overview.code).toBe(0);
  for (const command of ['serve', 'run', 'list', 'check', 'reset']) expect(overview.stdout).toContain(`kms-workshop ${command}`);
  const options: Record<string, string[]> = {
    serve: ['--port', '--host', '--home', '--cloudtrail-delay'],
    run: ['--json', '--fresh', '--home', '--target', '--yes'],
    list: ['--json', '--home'],
    check: ['DIR'],
    reset: ['--home'],
  };
  for (const [command, flags] of Object.entries(options)) {
    const page = cli([command, '--help']);
    expect(page.code, command).toBe(0);
    expect(page.stdout, command).toMatch(new RegExp(`^Usage: kms-workshop ${command}`));
    for (const flag of flags) expect(page.stdout, `${command} ${flag}`).toContain(flag);
    expect(cli(['help', command]).stdout).toBe(page.stdout);
  }
  const tutorial = cli(['--home', tempDir(), '--help']);
  expect(tutorial.stdout).toMatch(/^Usage: kms-workshop \[--home DIR\]/);
});

test('an unknown command or option is one line with the help hint, exit code 2', () => {
  const unknown = cli(['frobnicate']);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
  expect(unknown.stderr).toContain("unknown command 'frobnicate'. Run 'kms-workshop --help'");
  for (const command of ['run', 'list', 'serve', 'reset']) {
    const bad = cli([command, '--frobnicate']);
    expect(bad.code, command).toBe(2);
    expect(bad.stderr.trim().split('\n'), command).toHaveLength(1);
    expect(bad.stderr, command).toContain(`Unknown option '--frobnicate'. Run 'kms-workshop ${command} --help'`);
  }
  const tutorial = cli(['--frobnicate']);
  expect(tutorial.code).toBe(2);
  expect(tutorial.stderr).toContain("unknown command '--frobnicate'");
  const helpFor = cli(['help', 'nothing']);
  expect(helpFor.code).toBe(2);
});

test('with no terminal, no command prints the lesson list and how to run one, exit 0', () => {
  const r = cli(['--home', tempDir()]);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('direct-encryption');
  expect(r.stdout).toMatch(/kms-workshop run/);
  noTrace(r.stderr);
});

test('a home folder that cannot be used: one clear line, not a trace', () => {
  const r = cli(['run', 'direct', '--home', `${CLI}/not-a-folder`]);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/not-a-folder/);
  expect(r.stderr).toMatch(/--home|KMS_WORKSHOP_HOME/);
  noTrace(r.stderr + r.stdout);
});
