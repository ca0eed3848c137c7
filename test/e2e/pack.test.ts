// The published package, as a user gets it: `npm pack`, install the tarball into an
// empty folder with no network, and run the CLI from there.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadLessons } from '../../src/lessons/loader.js';
import { ensureBuilt, ROOT } from '../helpers/cli.js';
import { hasTmux, Terminal } from '../tui/tmux.js';

let work: string;
let bin: string;
let home: string;
beforeAll(() => {
  ensureBuilt();
  work = mkdtempSync(join(tmpdir(), 'kms-workshop-pack-'));
  // --ignore-scripts: dist is already built; a prepack rebuild would pull dist from under other tests.
  execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', work, '--silent'], { cwd: ROOT, stdio: 'pipe' });
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'))!;
  const project = join(work, 'project');
  execFileSync('mkdir', ['-p', project]);
  execFileSync('npm', ['init', '-y'], { cwd: project, stdio: 'pipe' });
  // Its one dependency, esbuild (compiling lesson packs' steps.ts), may come from the registry; nothing else may.
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(work, tarball)], { cwd: project, stdio: 'pipe' });
  bin = join(project, 'node_modules', '.bin', 'kms-workshop');
  home = join(work, 'home');
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(...args: string[]) {
  return spawnSync('npx', ['--offline', 'kms-workshop', ...args], {
    cwd: join(work, 'project'),
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, KMS_WORKSHOP_HOME: home, CI: 'true' },
  });
}

test('the tarball installs with esbuild as its only dependency, and npx runs it', () => {
  // Everything else is bundled: the install brought the package, esbuild and esbuild's binary for this platform.
  const project = join(work, 'project');
  expect(readdirSync(join(project, 'node_modules')).filter((n) => !n.startsWith('.')).sort()).toEqual(['@esbuild', 'esbuild', 'kms-workshop']);
  const installed = JSON.parse(readFileSync(join(project, 'node_modules', 'kms-workshop', 'package.json'), 'utf8'));
  expect(Object.keys(installed.dependencies ?? {})).toEqual(['esbuild']);
  expect(statSync(bin).mode & 0o111).not.toBe(0); // the bin link points at an executable file
  const direct = spawnSync(bin, ['--version'], { encoding: 'utf8', env: { ...process.env, KMS_WORKSHOP_HOME: home, CI: 'true' } });
  expect(direct.status, direct.stderr).toBe(0);
  const r = run('--version');
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout.trim()).toBe(JSON.parse(execFileSync('node', ['-p', 'JSON.stringify(require("./package.json").version)'], { cwd: ROOT, encoding: 'utf8' })));
  expect(direct.stdout).toBe(r.stdout);
});

test('kms-workshop list from the installed package shows the lessons', () => {
  const r = run('list');
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/direct/i);
  expect(r.stdout).toMatch(/envelope/i);
});

test('kms-workshop run direct from the installed package passes on the local engine', () => {
  const r = run('run', 'direct');
  expect(r.status, r.stdout + r.stderr).toBe(0);
  expect(r.stdout).toContain('InvalidCiphertextException');
});

/** The installed CLI, run from a folder outside the project (as an instructor would, anywhere). */
function runOutside(cwd: string, ...args: string[]) {
  return spawnSync(bin, args, { cwd, encoding: 'utf8', timeout: 60_000, env: { ...process.env, KMS_WORKSHOP_HOME: home, CI: 'true' } });
}

describe('a lesson pack made with new-lesson outside the project', () => {
  let outside: string;
  let pack: string;
  beforeAll(() => {
    outside = join(work, 'outside');
    mkdirSync(join(outside, 'my-lessons', 'first-steps'), { recursive: true });
    pack = join(outside, 'my-lessons');
    const made = runOutside(outside, 'new-lesson', join('my-lessons', 'first-steps'));
    expect(made.status, made.stderr).toBe(0);
  });

  test('has no node_modules and passes check from the installed package', () => {
    expect(readdirSync(join(pack, 'first-steps')).sort()).toEqual(['lesson.md', 'steps.ts', 'tsconfig.json']);
    // The SDK and 'kms-workshop' resolve to what the installed package carries (no "Could not resolve").
    const r = run('check', join(pack, 'first-steps'));
    expect(r.stdout + r.stderr).not.toMatch(/Could not resolve/);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/1 lesson valid, 0 problems/);
    expect(r.stdout).toMatch(/2 passed, 0 failed/);
  });

  test('runs with --lessons on the local engine, after the built-in lessons', () => {
    const r = runOutside(outside, 'run', '--fresh', '--lessons', 'my-lessons', 'first-steps');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/running 1 lesson against the local engine/);
    expect(r.stdout).toMatch(/\[1\/2\] Encrypt a text\n[\s\S]*kms:CreateKey[\s\S]*kms:Encrypt[\s\S]*\[2\/2\] Clean up/);
    expect(r.stdout).toMatch(/2 passed, 0 failed/);
    const listed = runOutside(outside, 'list', '--lessons', 'my-lessons');
    expect(listed.status, listed.stderr).toBe(0);
    const ids = listed.stdout.split('\n').slice(1).map((l) => l.split(/\s+/)[1]).filter(Boolean);
    expect(ids.at(-1)).toBe('first-steps');
    expect(ids).toContain('direct-encryption');
  });

  test('the tutorial with --lessons lists the lesson of the pack (its plain list without a terminal)', () => {
    const r = runOutside(outside, '--lessons', 'my-lessons');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/first-steps\s+Encrypt a text with a key of your own/);
  });

  test('its tsconfig.json gives the editor the installed StepContext type: a wrong member is an error', () => {
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const dir = join(pack, 'first-steps');
    const clean = spawnSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8' });
    expect(clean.status, clean.stdout).toBe(0);
    const steps = readFileSync(join(dir, 'steps.ts'), 'utf8');
    try {
      writeFileSync(join(dir, 'steps.ts'), steps.replace("show.json({ KeyId, CiphertextBlob }", "show.jsonn({ KeyId, CiphertextBlob }"));
      const wrong = spawnSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8' });
      expect(wrong.status).not.toBe(0);
      expect(wrong.stdout).toMatch(/Property 'jsonn' does not exist on type 'Show'/);
    } finally {
      writeFileSync(join(dir, 'steps.ts'), steps);
    }
  });

  test('the tutorial with --lessons, in a real terminal, plays the lesson listed after the built-in ones', async () => {
    expect(hasTmux, 'tmux is needed for the real-terminal tests (apt-get install tmux)').toBe(true);
    const t = new Terminal({ columns: 100, rows: 30, env: { KMS_WORKSHOP_HOME: '' } });
    try {
      await t.waitFor(/^ready\$\s*$/m);
      t.type(`cd ${outside} && KMS_WORKSHOP_HOME=${join(t.dir, 'home')} ${bin} --lessons my-lessons`);
      await t.waitFor(/Target local engine at http:\/\/127\.0\.0\.1:\d+/, 30_000);
      const last = loadLessons().lessons.length + 1;
      t.tmux('send-keys', '-t', 'w', '-N', String(last - 1), 'Down');
      await t.waitFor(`› ${last}. Encrypt a text with a key of your own`);
      t.press('Enter');
      await t.waitFor('Replace this introduction');
      t.press('Enter');
      await t.waitFor(/step 1 of 2/);
      t.press('Enter'); // asks the prediction first
      await t.waitFor('How long is its ciphertext?');
      t.press('2');
      await t.waitFor('Your prediction: 2.');
      t.press('Enter');
      const screen = await t.waitFor('✔ done', 30_000);
      expect(screen).toMatch(/✔ CreateKey\s+you/);
      expect(screen).toMatch(/✔ Encrypt\s+you/);
      t.press('q');
      await t.waitFor(/^ready\$\s*$/m);
    } finally {
      await t.close();
    }
  }, 90_000);
});
