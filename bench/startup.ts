// Start-up: time from process start to the first frame of the menu in a real
// terminal, beside a bare Ink "hello" bundled the same way (esbuild, the same
// options as scripts/build.mjs), as a ratio. Each program runs under `script`,
// which gives it a pseudo-terminal of 80x24; the clock stops when the text a
// person would see first appears on that terminal.
// The menu's lessons come from the lesson index cached in the home after the
// first start; that first start is measured apart.
// Run: npm run build && npx tsx bench/startup.ts   (target: ratio <= 1.3)
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error: a plain .mjs build script without types
import { bundleOptions } from '../scripts/build.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const MENU_MARKER = /Lessons[\s\S]*Enter open/; // the menu's list and its key bar: the first full frame

const stripAnsi = (s: string) => s.replace(/\u001B\[[0-?]*[ -/]*[@-~]|\u001B[()][0-9A-B]|\u001B[=>]/g, '');

/** Milliseconds from spawn until `marker` is on the pseudo-terminal's screen. */
function timeToFirstFrame(file: string, marker: RegExp, env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const command = `stty rows 24 cols 80; exec ${JSON.stringify(process.execPath)} ${JSON.stringify(file)}`;
    const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
    delete childEnv.CI; // Ink draws nothing live under CI; the bench measures a person's terminal
    delete childEnv.CONTINUOUS_INTEGRATION;
    const child = spawn('script', ['-qfec', command, '/dev/null'], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    let done = false;
    const timer = setTimeout(() => finish(new Error(`no first frame from ${file} in 20 s:\n${stripAnsi(out).slice(-500)}`)), 20_000);
    const finish = (result: number | Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      child.once('close', () => (typeof result === 'number' ? resolve(result) : reject(result)));
    };
    child.stdout.on('data', (d) => {
      out += d;
      if (marker.test(stripAnsi(out))) finish(performance.now() - started);
    });
    child.on('exit', (code) => {
      if (!done) finish(new Error(`${file} exited with ${code} before its first frame:\n${stripAnsi(out).slice(-800)}`));
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  const out = mkdtempSync(join(tmpdir(), 'kmsws-bench-'));
  const home = join(out, 'home');
  try {
    await build({ ...bundleOptions, entryPoints: { hello: join(ROOT, 'bench/hello.tsx') }, outdir: out, absWorkingDir: ROOT });
    const hello = join(out, 'hello.js');
    const cli = join(ROOT, 'dist/cli.js');
    const env = { KMS_WORKSHOP_HOME: home, TERM: 'xterm-256color' };
    // Warm the file cache for both before measuring.
    await timeToFirstFrame(hello, /hello from ink/, env);
    await timeToFirstFrame(cli, MENU_MARKER, env);
    const helloMs: number[] = [];
    const cliMs: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      helloMs.push(await timeToFirstFrame(hello, /hello from ink/, env));
      cliMs.push(await timeToFirstFrame(cli, MENU_MARKER, env));
    }
    // The very first start in a home has no lesson index cached yet (see src/commands/lesson-index.ts).
    const coldMs: number[] = [];
    for (let i = 0; i < Math.max(3, Math.floor(ROUNDS / 3)); i++) {
      coldMs.push(await timeToFirstFrame(cli, MENU_MARKER, { ...env, KMS_WORKSHOP_HOME: join(out, `cold-${i}`) }));
    }
    const h = median(helloMs);
    const c = median(cliMs);
    const cold = median(coldMs);
    console.log(`start-up to first frame, median of ${ROUNDS} runs in an 80x24 pseudo-terminal`);
    console.log(`  bare Ink hello (bundled the same way)  ${h.toFixed(1)} ms`);
    console.log(`  kms-workshop menu                      ${c.toFixed(1)} ms`);
    console.log(`  ratio                                  ${(c / h).toFixed(2)}x (target <= 1.3x)`);
    console.log(`  first start in a new home (lessons not yet indexed): ${cold.toFixed(1)} ms, ${(cold / h).toFixed(2)}x (median of ${coldMs.length})`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

await main();
