// A class engine serving the instructor's lesson pack: `serve --learners 2 --lessons DIR`
// (the CLI from source, a process of its own), GET /_class/lessons signed by a class member,
// and `join ... run <pack lesson>` fetching the pack into the learner's home and playing it
// in the learner's own account.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { classHome } from '../../src/commands/join.js';
import { newLesson } from '../../src/commands/new-lesson.js';
import { CLASS_PATHS } from '../../src/engine/class-protocol.js';
import type { LessonPackArchive } from '../../src/lessons/pack-archive.js';
import { ClassClient } from '../../src/runtime/class-client.js';
import { readClassProfile } from '../../src/runtime/class-target.js';
import { ROOT } from '../helpers/cli.js';

const temp: string[] = [];
const tempDir = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  temp.push(d);
  return d;
};
const quiet = { write: () => true } as unknown as NodeJS.WritableStream;
const SOURCE_CLI = ['--import', 'tsx', join(ROOT, 'src', 'cli.ts')];

let serveProcess: ChildProcessWithoutNullStreams;
let endpoint: string;
let home: string;
let pack: string;
beforeAll(async () => {
  pack = tempDir('kms-workshop-pack-');
  expect(newLesson({ dir: join(pack, 'class-extra'), out: quiet, err: quiet })).toBe(0);
  home = tempDir('kms-workshop-class-');
  serveProcess = spawn(process.execPath, [...SOURCE_CLI, 'serve', '--port', '0', '--home', home, '--learners', '2', '--lessons', pack], { cwd: ROOT, stdio: 'pipe' });
  let out = '';
  serveProcess.stdout.on('data', (d) => (out += d));
  serveProcess.stderr.on('data', (d) => (out += d));
  endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${out}`)), 45_000);
    serveProcess.stdout.on('data', () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m && /Press Ctrl-C/.test(out)) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    serveProcess.on('exit', (code) => reject(new Error(`serve exited with ${code}:\n${out}`)));
  });
  expect(out).toContain('Your lessons (class-extra) are served to learners who join');
}, 60_000);
afterAll(async () => {
  if (serveProcess.exitCode === null) {
    const exited = new Promise((r) => serveProcess.once('exit', r));
    serveProcess.kill('SIGINT');
    await exited;
  }
  temp.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

const credentials = () => join(home, 'class', 'credentials');
async function clientOf(profile: string) {
  const p = await readClassProfile({ profile, credentialsFile: credentials() });
  return new ClassClient({ endpoint, region: p.region, credentials: p });
}

test('GET /_class/lessons gives a class member the pack as files (not its tsconfig.json), and refuses an unsigned request', async () => {
  const archive = await (await clientOf('learner2')).classRequest<LessonPackArchive>('GET', CLASS_PATHS.lessons);
  expect(archive.files.map((f) => f.path).sort()).toEqual(['class-extra/lesson.md', 'class-extra/steps.ts']);
  const steps = archive.files.find((f) => f.path.endsWith('steps.ts'))!;
  expect(Buffer.from(steps.base64, 'base64').toString('utf8')).toBe(readFileSync(join(pack, 'class-extra', 'steps.ts'), 'utf8'));
  const unsigned = await fetch(new URL(CLASS_PATHS.lessons, endpoint));
  expect(unsigned.status).toBe(403);
  expect(((await unsigned.json()) as { message: string }).message).toMatch(/signed with a class member's access key/);
});

test("join --profile learner1 run <the pack's lesson> fetches the pack into the learner's home and plays it in their own account", async () => {
  const learnerHome = tempDir('kms-workshop-join-');
  const r = spawnSync(process.execPath, [...SOURCE_CLI, 'join', endpoint, '--profile', 'learner1', '--credentials', credentials(), '--home', learnerHome, 'run', 'class-extra'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(r.status, r.stdout + r.stderr).toBe(0);
  const learner1 = await (await clientOf('learner1')).status();
  expect(r.stdout).toContain(`as learner1 (account ${learner1.accountId})`);
  expect(r.stdout).toMatch(/\[1\/2\] Encrypt a text[\s\S]*\[2\/2\] Clean up/);
  expect(r.stdout).toMatch(/2 passed, 0 failed/);
  expect(r.stdout).toContain(`arn:aws:kms:us-east-1:${learner1.accountId}:key/`);
  const fetched = join(classHome(learnerHome, endpoint, 'learner1'), 'class-lessons');
  expect(readdirSync(join(fetched, 'class-extra')).sort()).toEqual(['lesson.md', 'steps.ts']);
});

test("join --lessons DIR uses the learner's own pack instead of the class's", async () => {
  const own = tempDir('kms-workshop-pack-');
  expect(newLesson({ dir: join(own, 'own-lesson'), out: quiet, err: quiet })).toBe(0);
  const learnerHome = tempDir('kms-workshop-join-');
  const joinRun = (lesson: string) =>
    spawnSync(process.execPath, [...SOURCE_CLI, 'join', endpoint, '--profile', 'learner2', '--credentials', credentials(), '--home', learnerHome, '--lessons', own, 'run', lesson], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
    });
  const r = joinRun('own-lesson');
  expect(r.status, r.stdout + r.stderr).toBe(0);
  expect(r.stdout).toMatch(/2 passed, 0 failed/);
  const notServed = joinRun('class-extra');
  expect(notServed.status).toBe(2);
  expect(notServed.stderr).toContain("no lesson 'class-extra'");
});

test('serve --lessons without --learners is refused before any engine starts', () => {
  const other = tempDir('kms-workshop-class-');
  const served = spawnSync(process.execPath, [...SOURCE_CLI, 'serve', '--port', '0', '--home', other, '--lessons', pack], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  expect(served.status).toBe(2);
  expect(served.stderr).toContain('--lessons serves your lessons to a class: give --learners N too');
  expect(readdirSync(other)).toEqual([]);
});
