// The published package, as a user gets it: `npm pack`, install the tarball into an
// empty folder with no network, and run the CLI from there.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ensureBuilt, ROOT } from '../helpers/cli.js';

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
  // --offline: the package must need nothing from the registry.
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', join(work, tarball)], { cwd: project, stdio: 'pipe' });
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

test('the tarball installs offline with no dependencies to fetch, and npx runs it', () => {
  // Everything is bundled: the install brought the package and nothing else.
  const project = join(work, 'project');
  expect(readdirSync(join(project, 'node_modules')).filter((n) => !n.startsWith('.'))).toEqual(['kms-workshop']);
  const installed = JSON.parse(readFileSync(join(project, 'node_modules', 'kms-workshop', 'package.json'), 'utf8'));
  expect(installed.dependencies ?? {}).toEqual({});
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
