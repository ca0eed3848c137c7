// The key store: CreateKey latency with few keys and with many, through @aws-sdk/client-kms
// over HTTP, against engines with a disk home in a temporary folder. Each engine runs in its
// own process (this file, started again with `serve`), as `kms-workshop serve` does; the
// client here measures. Like with like: two engines started the same way, one filled to few
// keys and one to many, measured in alternating rounds (so neither gets a quieter machine)
// with the same client code and the same number of calls; only the number of keys differs.
// Run: npx tsx bench/store.ts   (target: p50 at 10,000 keys <= 1.5x p50 at 100 keys)
// BENCH_STORE_KEYS=100,2000 changes the two sizes; BENCH_STORE_SAMPLES the calls at each.
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { startListening } from './engine-process.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const [FEW, MANY] = (process.env.BENCH_STORE_KEYS ?? '100,10000').split(',').map(Number) as [number, number];
const SAMPLES = Number(process.env.BENCH_STORE_SAMPLES ?? 300);
const WARM_UP = 50;
const ROUNDS = 6;
const FILL_IN_FLIGHT = 8;

async function serveHere(home: string) {
  const { startEngine } = await import('../src/engine/index.js');
  const { MAX_QUOTA_SCALE } = await import('../src/engine/kms/quotas.js');
  const running = await startEngine({ home, quotaScale: MAX_QUOTA_SCALE }); // CreateKey is 5 a second on AWS: this measures the store
  console.log(`listening on ${running.endpoint}`);
  process.on('SIGINT', () => void running.close().then(() => process.exit(0)));
}

async function startEngineProcess(home: string) {
  return startListening(['--import', 'tsx', fileURLToPath(import.meta.url), 'serve', home], 'SIGINT');
}

function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** An engine process with its own home, and CreateKey through the SDK against it. */
async function engineWithKeys() {
  const home = mkdtempSync(join(tmpdir(), 'kms-bench-store-'));
  const engine = await startEngineProcess(home);
  const kms = new KMSClient({
    endpoint: engine.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'bench' },
    maxAttempts: 1,
  });
  let stored = 0;
  const createKey = async () => {
    await kms.send(new CreateKeyCommand({ Description: `bench key ${stored}` }));
    stored++;
  };
  const times: number[] = [];
  return {
    times,
    /** Creates keys (several in flight, not measured) until `count` are stored. */
    async fillTo(count: number) {
      await Promise.all(Array.from({ length: FILL_IN_FLIGHT }, async () => {
        while (stored < count) await createKey();
      }));
    },
    /** Times CreateKey calls, one at a time. */
    async measure(calls: number) {
      for (let i = 0; i < calls; i++) {
        const t = performance.now();
        await createKey();
        times.push(performance.now() - t);
      }
    },
    async stop() {
      kms.destroy();
      await engine.stop();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

async function main() {
  const few = await engineWithKeys();
  const many = await engineWithKeys();
  try {
    const fillStarted = performance.now();
    await few.fillTo(FEW);
    await many.fillTo(MANY);
    const fillSeconds = (performance.now() - fillStarted) / 1000;
    for (const e of [few, many]) {
      await e.measure(WARM_UP);
      e.times.length = 0;
    }
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? [few, many] : [many, few];
      for (const e of order) await e.measure(SAMPLES / ROUNDS);
    }
    const stats = (times: number[]) => {
      const sorted = [...times].sort((a, b) => a - b);
      return { p50: percentile(sorted, 50), p95: percentile(sorted, 95) };
    };
    const f = stats(few.times);
    const m = stats(many.times);
    const row = (n: number, r: { p50: number; p95: number }) =>
      `${String(n).padStart(6)} keys   p50 ${r.p50.toFixed(2).padStart(6)} ms   p95 ${r.p95.toFixed(2).padStart(6)} ms`;
    console.log(`CreateKey through @aws-sdk/client-kms, each engine in its own process with a disk home (${SAMPLES} sequential calls at each size, in ${ROUNDS} alternating rounds)`);
    console.log(row(FEW, f));
    console.log(row(MANY, m));
    console.log(`ratio p50 ${(m.p50 / f.p50).toFixed(2)}x   (target: <= 1.5x; filling took ${fillSeconds.toFixed(1)} s)`);
  } finally {
    await few.stop();
    await many.stop();
  }
}

if (process.argv[2] === 'serve') await serveHere(process.argv[3]!);
else await main();
