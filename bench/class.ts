// A class of 30 on one engine: `kms-workshop serve --learners 30` in a process of its own (a
// temporary home), then 30 headless `kms-workshop join URL --profile learnerN run 1 2 3 4 --json`
// at once, each a process of its own with its own home, as 30 laptops would be. Asserts 0 errors
// (every join exits 0, every step passed) and that each learner saw only their own resources
// (ListKeys, ListAliases and ListBuckets with each learner's key afterwards). Prints the total run
// time, each learner's time, and the latency of the learners' calls as their clients measured it
// (from the call to its answer, the class engine's time plus loopback HTTP): p50, p99, max.
//
// Child processes rather than 30 sessions in one process: a session in the bench's process
// would measure its own event loop, shared by 30 learners, not the engine; 30 node processes
// (about 100 MB each) fit in memory, and on 2 shared cores they measure the worst case of a room.
//
// It builds the CLI into a folder of its own first (the checkout's dist/ is shared and rebuilt by
// others while a run goes on).
//
// Run: npx tsx bench/class.ts   (LEARNERS=N for another class size)
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KMSClient, ListAliasesCommand, ListKeysCommand } from '@aws-sdk/client-kms';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { readClassProfile } from '../src/runtime/class-target.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const LEARNERS = Number(process.env.LEARNERS ?? 30);
const LESSONS = ['1', '2', '3', '4'];

interface StepLine {
  lesson: string;
  step: string;
  status: string;
  /** Absent for a step skipped after a failure. */
  calls?: { caller: string; durationMs: number; operation: string; outcome: { ok: boolean } }[];
  error?: { message: string };
}

const home = mkdtempSync(join(tmpdir(), 'kms-workshop-bench-class-'));
const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
let serve: ChildProcessWithoutNullStreams | undefined;
let CLI = '';
try {
  CLI = await privateBuild(join(home, 'package'));
  serve = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--learners', String(LEARNERS), '--home', join(home, 'instructor'), '--cloudtrail-delay', '120'], { env, stdio: 'pipe' });
  const endpoint = await listeningOn(serve);
  const credentials = join(home, 'instructor', 'class', 'credentials');
  console.log(`class engine at ${endpoint}: ${LEARNERS} learners join and run lessons ${LESSONS.join(', ')} at once, each in a process of its own`);

  const started = performance.now();
  const runs = await Promise.all(
    Array.from({ length: LEARNERS }, (_, i) => joinRun(endpoint, `learner${i + 1}`, credentials, join(home, `learner${i + 1}`))),
  );
  const totalMs = performance.now() - started;

  const errors: string[] = [];
  const latencies: number[] = [];
  let steps = 0;
  for (const run of runs) {
    if (run.code !== 0) errors.push(`${run.profile}: exit ${run.code}: ${run.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    for (const line of run.lines) {
      steps++;
      if (line.status !== 'passed') errors.push(`${run.profile}: ${line.lesson}/${line.step} ${line.status}${line.error ? `: ${line.error.message}` : ''}`);
      for (const call of line.calls ?? []) if (call.caller === 'you') latencies.push(call.durationMs);
    }
    if (run.lines.length === 0) errors.push(`${run.profile}: no step reported`);
  }

  const seen = await Promise.all(runs.map((run) => ownResources(endpoint, run.profile, credentials)));
  const accounts = new Set(seen.map((s) => s.accountId));
  for (const s of seen) {
    if (s.keys === 0) errors.push(`${s.profile}: ListKeys shows no key of theirs: the lessons made some`);
    for (const wrong of s.foreign) errors.push(`${s.profile} (account ${s.accountId}) sees ${wrong}`);
  }
  if (accounts.size !== LEARNERS) errors.push(`${LEARNERS} learners in ${accounts.size} accounts`);

  const perLearner = runs.map((r) => r.ms).sort((a, b) => a - b);
  const sorted = [...latencies].sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
  console.log(`learners:            ${LEARNERS} (${accounts.size} accounts), ${steps} steps in all`);
  console.log(`total run time:      ${(totalMs / 1000).toFixed(2)} s (first join started to last join ended)`);
  console.log(`one learner's run:   min ${s(perLearner[0]!)}, median ${s(perLearner[Math.floor(LEARNERS / 2)]!)}, max ${s(perLearner.at(-1)!)} (process start to exit)`);
  console.log(`calls:               ${sorted.length} by the learners' clients, latency p50 ${pct(50)} ms, p99 ${pct(99)} ms, max ${sorted.at(-1) ?? 0} ms`);
  console.log(`isolation:           ListKeys, ListAliases, ListBuckets of each learner show only their own account's (${seen.reduce((n, x) => n + x.keys, 0)} keys, ${seen.reduce((n, x) => n + x.aliases, 0)} aliases, ${seen.reduce((n, x) => n + x.buckets, 0)} buckets in all)`);
  console.log(`errors:              ${errors.length}`);
  for (const e of errors.slice(0, 20)) console.log(`  ${e}`);
  process.exitCode = errors.length === 0 ? 0 : 1;
} finally {
  if (serve && serve.exitCode === null) {
    const stopped = new Promise((resolve) => serve!.once('exit', resolve));
    serve.kill('SIGINT');
    await stopped;
  }
  rmSync(home, { recursive: true, force: true });
}

/**
 * The CLI and its lessons built into a folder of the bench's own, laid out as the package ships
 * them: the checkout's dist/ may be rebuilt (emptied first) by someone else while 30 learners
 * load their modules from it. Returns its cli.js.
 */
async function privateBuild(into: string): Promise<string> {
  mkdirSync(into, { recursive: true });
  for (const part of ['package.json', 'lessons', 'assets']) cpSync(join(ROOT, part), join(into, part), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(into, 'node_modules'), 'dir');
  const { build } = await import('esbuild');
  // @ts-expect-error: a plain .mjs build script without types
  const { bundleOptions, lessonEntries } = await import('../scripts/build.mjs');
  const here = process.cwd();
  process.chdir(into); // lessonEntries() names the lessons' files from the current folder
  try {
    const lessons: Record<string, string> = lessonEntries();
    await build({ ...bundleOptions, entryPoints: { cli: join(ROOT, 'src', 'cli.ts'), ...lessons }, outdir: join(into, 'dist'), absWorkingDir: into });
    // The runtime uses a compiled steps file only while its steps.ts is the one it was built from.
    const manifest = Object.fromEntries(Object.values(lessons).map((source) => [source.split('/')[1], createHash('sha256').update(readFileSync(source)).digest('hex')]));
    writeFileSync(join('dist', 'lessons', 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  } finally {
    process.chdir(here);
  }
  return join(into, 'dist', 'cli.js');
}

function s(ms: number) {
  return `${(ms / 1000).toFixed(2)} s`;
}

function listeningOn(child: ChildProcessWithoutNullStreams): Promise<string> {
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m && /Press Ctrl-C/.test(out)) resolve(m[1]!);
    });
    child.stderr.on('data', (d: Buffer) => (out += d));
    child.once('exit', (code) => reject(new Error(`serve exited (${code}):\n${out}`)));
  });
}

function joinRun(endpoint: string, profile: string, credentials: string, learnerHome: string) {
  const started = performance.now();
  const child = spawn(process.execPath, [CLI, 'join', endpoint, '--profile', profile, '--credentials', credentials, '--home', learnerHome, 'run', ...LESSONS, '--json'], { env, stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  return new Promise<{ profile: string; code: number | null; ms: number; lines: StepLine[]; stderr: string }>((resolve) =>
    child.once('close', (code) => {
      const lines = stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as StepLine);
      resolve({ profile, code, ms: performance.now() - started, lines, stderr });
    }),
  );
}

/** What one learner's key lists, and anything in it that is not their own account's. */
async function ownResources(endpoint: string, profile: string, credentials: string) {
  const p = await readClassProfile({ profile, credentialsFile: credentials });
  const config = { endpoint, region: p.region, credentials: p, maxAttempts: 3 };
  const kms = new KMSClient(config);
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  try {
    const { Keys = [] } = await kms.send(new ListKeysCommand({ Limit: 1000 }));
    const { Aliases = [] } = await kms.send(new ListAliasesCommand({ Limit: 100 }));
    const { Buckets = [] } = await s3.send(new ListBucketsCommand({}));
    const accountId = /:(\d{12}):key\//.exec(Keys[0]?.KeyArn ?? '')?.[1] ?? '?';
    const own = (arn: string | undefined) => arn?.split(':')[4] === accountId;
    const foreign = [
      ...Keys.filter((k) => !own(k.KeyArn)).map((k) => `key ${k.KeyArn}`),
      ...Aliases.filter((a) => !own(a.AliasArn)).map((a) => `alias ${a.AliasArn}`),
      // The lessons name their buckets after the account: another account's number is another learner's bucket.
      ...Buckets.filter((b) => /\d{12}/.test(b.Name ?? '') && !b.Name!.includes(accountId)).map((b) => `bucket ${b.Name}`),
    ];
    return { profile, accountId, keys: Keys.length, aliases: Aliases.length, buckets: Buckets.length, foreign };
  } finally {
    kms.destroy();
    s3.destroy();
  }
}
