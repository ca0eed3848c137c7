// Wall time of `kms-workshop run all`: the built CLI in a child process, from
// spawn to exit, as CI or an instructor runs it (engine start, SDK load, every
// lesson, shut-down). Two cases: a clean home (engine state on disk, as
// by default) and --fresh (engine in memory). Also the time each lesson's
// steps took inside the run, from `--json`.
// Run: npm run build && npx tsx bench/lessons.ts   (target: run all < 3 s)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CLI = join(ROOT, 'dist', 'cli.js');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const TARGET_MS = 3000;

if (!existsSync(CLI)) {
  console.error('bench/lessons.ts: build first (npm run build).');
  process.exit(1);
}

function runAll(extra: string[]): { ms: number; stdout: string } {
  const home = mkdtempSync(join(tmpdir(), 'kms-workshop-bench-'));
  try {
    const started = performance.now();
    const r = spawnSync(process.execPath, [CLI, 'run', 'all', '--home', home, ...extra], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const ms = performance.now() - started;
    if (r.status !== 0) throw new Error(`run all failed (exit ${r.status}):\n${r.stdout.slice(-2000)}${r.stderr}`);
    return { ms, stdout: r.stdout };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0]!, median: s[Math.floor(s.length / 2)]!, max: s.at(-1)! };
};
const f = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

console.log(`kms-workshop run all: wall time of the built CLI, ${ROUNDS} rounds each (node ${process.version})`);
let worst = 0;
for (const [label, extra] of [
  ['clean home (engine state on disk)', []],
  ['--fresh (engine in memory)', ['--fresh']],
] as const) {
  const times = Array.from({ length: ROUNDS }, () => runAll([...extra]).ms);
  const { min, median, max } = stats(times);
  worst = Math.max(worst, median);
  console.log(`  ${label.padEnd(36)} median ${f(median)}  min ${f(min)}  max ${f(max)}`);
}

const { stdout } = runAll(['--json']);
// Backoff: time the SDK's retries waited after ThrottlingException (a quota AWS documents, held by the engine).
const perLesson = new Map<string, { steps: number; ms: number; backoffMs: number }>();
for (const line of stdout.trim().split('\n')) {
  const step = JSON.parse(line) as { lesson: string; durationMs: number; calls?: { retries?: { delayMs: number } }[] };
  const entry = perLesson.get(step.lesson) ?? { steps: 0, ms: 0, backoffMs: 0 };
  entry.steps++;
  entry.ms += step.durationMs;
  for (const call of step.calls ?? []) entry.backoffMs += call.retries?.delayMs ?? 0;
  perLesson.set(step.lesson, entry);
}
console.log('  inside one run, the steps of each lesson:');
const idWidth = Math.max(...[...perLesson.keys()].map((id) => id.length));
for (const [lesson, { steps, ms, backoffMs }] of perLesson) {
  const backoff = backoffMs > 0 ? `  of which ${String(Math.round(backoffMs)).padStart(5)} ms in the SDK's backoff after ThrottlingException` : '';
  console.log(`    ${lesson.padEnd(idWidth)} ${String(steps).padStart(2)} steps  ${String(ms).padStart(5)} ms${backoff}`);
}
console.log(`target: run all < ${f(TARGET_MS)}: ${worst < TARGET_MS ? 'met' : 'NOT met'} (median ${f(worst)})`);
