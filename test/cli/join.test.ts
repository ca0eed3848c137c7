// `kms-workshop join URL --profile learnerN run ...`: the built CLI against a class engine of its
// own process (`serve --learners 2`), with the credentials file serve wrote. A lesson runs
// headless in the learner's own account there, the progress reaches the engine (the
// instructor's room shows it), fast-forwards move only the learner's clock, and every way joining
// can go wrong (a profile not in the file, a refused key, no engine, the engine gone mid-lesson)
// is one plain line and a non-zero exit code, never a stack trace.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ListKeysCommand, KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { classHome } from '../../src/commands/join.js';
import { ClassClient } from '../../src/runtime/class-client.js';
import { readClassProfile } from '../../src/runtime/class-target.js';
import { CLI, startServe, type Served } from '../helpers/cli.js';
import { tempHome } from '../helpers/engine.js';

let served: Served;
let home: string;
const homes: string[] = [];
beforeAll(async () => {
  home = tempHome();
  // 120 s, as the tutorial's own engine: lesson 12 shows that nothing is delivered at once.
  served = await startServe(['--home', home, '--learners', '2', '--cloudtrail-delay', '120']);
}, 60_000);
afterAll(async () => {
  await served.stop();
  for (const h of [home, ...homes]) rmSync(h, { recursive: true, force: true });
});

const credentials = () => join(home, 'class', 'credentials');
const learnerHome = () => {
  const h = tempHome('kms-workshop-join-');
  homes.push(h);
  return h;
};
/** A stack trace's frame: '    at fn (file:line:col)'. */
const STACK = /^\s+at .+:\d+:\d+\)?$/m;

function joinCli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [CLI, 'join', ...args], { env: { ...process.env, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function classClientOf(profile: string, endpoint = served.endpoint) {
  const p = await readClassProfile({ profile, credentialsFile: credentials() });
  return new ClassClient({ endpoint, region: p.region, credentials: p });
}

test('join --profile learner1 run 1 plays lesson 1 headless on the class engine, in the learner\'s own account, and the instructor sees where they got to', async () => {
  const h = learnerHome();
  const r = joinCli([served.endpoint, '--profile', 'learner1', '--credentials', credentials(), '--home', h, 'run', '3', '1']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const learner1 = await (await classClientOf('learner1')).status();
  expect(r.stdout).toContain(`running 2 lessons against the class engine at ${served.endpoint}, as learner1 (account ${learner1.accountId})`);
  expect(r.stdout).toMatch(/^2 lessons, (\d+) steps: \1 passed, 0 failed/m);
  expect(r.stdout).toContain(`arn:aws:kms:us-east-1:${learner1.accountId}:key/`);
  // S3's calls on the learner's behalf are seen when the upload returns, as locally: the step counts them.
  expect(r.stdout).toMatch(/Calls during the upload:\n(.*\n)*?\s+GenerateDataKey\s+1 {2}by s3\.amazonaws\.com on your behalf\n/);

  // Progress stays on the learner's machine, per class and profile...
  const saved = JSON.parse(readFileSync(join(classHome(h, served.endpoint, 'learner1'), 'progress.json'), 'utf8'));
  const lesson = Object.keys(saved.lessons).find((id) => id.startsWith('direct'))!;
  expect(saved.lessons[lesson].completedAt).toBeDefined();
  // ...and reached the engine: the instructor's room has learner1 on the lesson's last step, learner2 nowhere yet.
  const room = await (await classClientOf('instructor')).room();
  const row = room.learners.find((l) => l.profile === 'learner1')!;
  const steps = Object.keys(saved.lessons[lesson].steps).length;
  const all = Object.values(saved.lessons as Record<string, { steps: object }>).reduce((n, l) => n + Object.keys(l.steps).length, 0);
  expect(row.progress).toMatchObject({ lesson, step: steps, steps, passed: all });
  expect(room.learners.find((l) => l.profile === 'learner2')!.progress).toBeUndefined();

  // learner2's account has none of learner1's keys.
  const p2 = await readClassProfile({ profile: 'learner2', credentialsFile: credentials() });
  const kms = new KMSClient({ endpoint: served.endpoint, region: p2.region, credentials: p2, maxAttempts: 1 });
  try {
    const { Keys } = await kms.send(new ListKeysCommand({}));
    expect(Keys!.every((k) => !k.KeyArn!.includes(learner1.accountId))).toBe(true);
  } finally {
    kms.destroy();
  }
}, 120_000);

test('a learner\'s fast-forwards move their own clock only: learner1 runs lesson 7 (91 days on), learner2 lesson 12 (a CloudTrail wait), neither moves the other', async () => {
  const [c1, c2] = [await classClientOf('learner1'), await classClientOf('learner2')];
  const before2 = (await c2.status()).aheadSeconds;
  const r1 = joinCli([served.endpoint, '--profile', 'learner1', '--credentials', credentials(), '--home', learnerHome(), 'run', '7']);
  expect(r1.stderr).toBe('');
  expect(r1.code).toBe(0);
  expect(r1.stdout).toContain("Your account's clock on the class engine (no one else's) moved forward");
  const ahead1 = (await c1.status()).aheadSeconds;
  expect(ahead1).toBeGreaterThanOrEqual(90 * 86_400);
  expect((await c2.status()).aheadSeconds).toBe(before2);

  const r2 = joinCli([served.endpoint, '--profile', 'learner2', '--credentials', credentials(), '--home', learnerHome(), 'run', '12']);
  expect(r2.stderr).toBe('');
  expect(r2.code).toBe(0);
  expect((await c2.status()).aheadSeconds).toBeGreaterThan(before2);
  expect((await c1.status()).aheadSeconds).toBe(ahead1);
}, 180_000);

test('a profile that is not in the credentials file: one plain line naming the file and its profiles, exit 1', () => {
  const r = joinCli([served.endpoint, '--profile', 'learner9', '--credentials', credentials(), '--home', learnerHome(), 'run', '1']);
  expect(r.code).toBe(1);
  expect(r.stdout).toBe('');
  expect(r.stderr).toBe(`kms-workshop join: no access key for profile 'learner9' in ${credentials()} (its profiles: instructor, learner1, learner2): use the profile your instructor handed you, with --credentials FILE (or AWS_SHARED_CREDENTIALS_FILE) naming the file it is in\n`);
});

test('the profile named by AWS_PROFILE and found through AWS_SHARED_CREDENTIALS_FILE, as the AWS CLI finds them, but with a wrong secret: the engine refuses it, said in one line, exit 1', () => {
  const h = learnerHome();
  const wrong = join(h, 'credentials');
  // learner1's secret with its first character changed
  writeFileSync(wrong, readFileSync(credentials(), 'utf8').replace(/(\[learner1\]\naws_access_key_id = \S+\naws_secret_access_key = )(\S)/, (_, head: string, c: string) => `${head}${c === 'A' ? 'B' : 'A'}`));
  const r = joinCli([served.endpoint, '--home', h, 'run', '1'], { AWS_PROFILE: 'learner1', AWS_SHARED_CREDENTIALS_FILE: wrong, AWS_CONFIG_FILE: join(h, 'no-config') });
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(new RegExp(`^kms-workshop join: the class engine at ${served.endpoint} refused profile 'learner1' \\(.*InvalidSignatureException.*\\): use the profile your instructor handed you for this class\\n$`));
  expect(r.stderr).not.toMatch(STACK);
});

test('no class engine at the URL: one plain line, exit 1, nothing run', () => {
  const h = learnerHome();
  const r = joinCli(['http://127.0.0.1:9', '--profile', 'learner1', '--credentials', credentials(), '--home', h, 'run', '1']);
  expect(r.code).toBe(1);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/^kms-workshop join: cannot reach the class engine at http:\/\/127\.0\.0\.1:9 \(.+\): check the URL and that the instructor's engine is running\n$/);
  expect(existsSync(join(h, 'classes'))).toBe(false);
});

test('usage errors name what is missing, exit 2: no URL, no --profile, a word other than run after the URL', () => {
  expect(joinCli([])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^kms-workshop join: name the class engine's URL/) });
  expect(joinCli([served.endpoint], { AWS_PROFILE: '' })).toMatchObject({ code: 2, stderr: expect.stringMatching(/^kms-workshop join: name your profile with --profile/) });
  expect(joinCli([served.endpoint, '--profile', 'learner1', 'walk'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/run <lesson\.\.\.\|all>, not 'walk'/) });
});

test('the class engine gone mid-run: the plain message to join again, exit 1, no stack trace; the same command then carries on', async () => {
  const h2 = tempHome();
  homes.push(h2);
  let engine = await startServe(['--home', h2, '--learners', '1']);
  const port = new URL(engine.endpoint).port;
  const file = join(h2, 'class', 'credentials');
  const args = [CLI, 'join', engine.endpoint, '--profile', 'learner1', '--credentials', file, '--home', learnerHome(), 'run', '1', '2'];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  await expect.poll(() => /passed \(\d+ ms\)/.test(out), { timeout: 60_000, interval: 20 }).toBe(true);
  engine.child.kill('SIGKILL');
  const code = await exited;
  const lost = `lost the class engine at ${engine.endpoint}; your progress is saved; run the same join command to resume`;
  expect(code).toBe(1);
  expect(err).toContain(`kms-workshop join: ${lost}\n`);
  expect(out).toContain(`FAILED: ${lost}`);
  expect(out + err).not.toMatch(STACK);
  expect(out).not.toMatch(/^2 lessons, \d+ steps: \d+ passed, 0 failed/m);

  // The instructor starts the engine again on the same home and port: the same command passes.
  engine = await startServe(['--home', h2, '--learners', '1', '--port', port]);
  try {
    const again = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 120_000 });
    expect(again.stderr).toBe('');
    expect(again.status).toBe(0);
  } finally {
    await engine.stop();
  }
}, 180_000);
