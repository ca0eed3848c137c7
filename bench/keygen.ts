// RSA key generation as a client sees it, with the engine in this process on a loopback port
// (as the runtime runs it): the time of CreateKey RSA_2048 and of GetParametersForImport with an
// RSA_2048 wrapping key, one a second (a learner's pace) and back to back; and how long the
// engine stops answering while RSA_4096 keys are made: a GenerateRandom sent every 10 ms during
// CreateKey RSA_4096 calls, its worst wait and the event loop's longest delay.
// Run: npx tsx bench/keygen.ts
import { CreateKeyCommand, GenerateRandomCommand, GetParametersForImportCommand, KMSClient } from '@aws-sdk/client-kms';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { startEngine } from '../src/engine/index.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const PACE_MS = 1000;

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `median ${s[Math.floor(s.length / 2)]!.toFixed(0).padStart(5)} ms  max ${s.at(-1)!.toFixed(0).padStart(5)} ms`;
};
const timed = async (call: () => Promise<unknown>) => {
  const t = performance.now();
  await call();
  return performance.now() - t;
};

async function main() {
  const home = mkdtempSync(join(tmpdir(), 'kms-bench-keygen-'));
  const running = await startEngine({ home, quotaScale: 1000 });
  const kms = new KMSClient({ endpoint: running.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'bench' }, maxAttempts: 1 });
  try {
    await kms.send(new GenerateRandomCommand({ NumberOfBytes: 8 })); // the client's first call loads its code
    const createRsa = () => kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' }));
    const external = (await kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }))).KeyMetadata!.KeyId!;
    const parameters = () => kms.send(new GetParametersForImportCommand({ KeyId: external, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }));

    console.log(`RSA key generation through @aws-sdk/client-kms, engine in process (node ${process.version}, ${ROUNDS} calls each)`);
    for (const [label, call] of [['CreateKey RSA_2048', createRsa], ['GetParametersForImport RSA_2048', parameters]] as const) {
      const first = await timed(call);
      const paced: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        await sleep(PACE_MS);
        paced.push(await timed(call));
      }
      await sleep(PACE_MS);
      const burst: number[] = [];
      for (let i = 0; i < ROUNDS; i++) burst.push(await timed(call));
      console.log(`  ${label.padEnd(32)} first ${first.toFixed(0).padStart(5)} ms`);
      console.log(`  ${''.padEnd(32)} one a second: ${stats(paced)}`);
      console.log(`  ${''.padEnd(32)} back to back: ${stats(burst)}`);
    }

    // The engine's responsiveness while RSA_4096 keys are made.
    await sleep(PACE_MS);
    const delay = monitorEventLoopDelay({ resolution: 5 });
    const waits: number[] = [];
    let creating = true;
    delay.enable();
    const t = performance.now();
    const creates = (async () => {
      for (let i = 0; i < 2; i++) await kms.send(new CreateKeyCommand({ KeySpec: 'RSA_4096', KeyUsage: 'SIGN_VERIFY' }));
      creating = false;
    })();
    while (creating) {
      waits.push(await timed(() => kms.send(new GenerateRandomCommand({ NumberOfBytes: 32 }))));
      await sleep(10);
    }
    await creates;
    delay.disable();
    console.log(`  two CreateKey RSA_4096            ${(performance.now() - t).toFixed(0).padStart(5)} ms; meanwhile ${waits.length} GenerateRandom: ${stats(waits)}; event loop delay max ${(delay.max / 1e6).toFixed(0)} ms`);
  } finally {
    kms.destroy();
    await running.close();
    rmSync(home, { recursive: true, force: true });
  }
}

await main();
