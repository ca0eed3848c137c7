// What per-account clocks (engine/clock.ts, issue 15) cost on the hot path, in process (no
// HTTP): a GenerateDataKey through front-door.ts's handleRequest in ns/op on the local engine
// (no account has a clock of its own: one boolean read more than before), then once an account
// has one (a class whose learner fast-forwarded: each request runs in its account's
// AsyncLocalStorage context, which makes node track async context for every promise); and
// EngineClock.now() alone, each way.
// Run: npx tsx bench/account-clock.ts
import { createEngine } from '../src/engine/index.js';
import { handleRequest } from '../src/engine/front-door.js';
import type { EngineRequest } from '../src/engine/wire.js';

const N = Number(process.env.BENCH_N ?? 20000);
const ROUNDS = 5;

function request(target: string, body: unknown): EngineRequest {
  return {
    method: 'POST',
    path: '/',
    query: new URLSearchParams(),
    headers: { host: '127.0.0.1', 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `TrentService.${target}` },
    body: Buffer.from(JSON.stringify(body)),
  };
}

async function perOp(fn: () => Promise<unknown> | unknown, n: number): Promise<number> {
  for (let i = 0; i < 500; i++) await fn();
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t) / n);
  }
  return best;
}

function perOpSync(fn: () => unknown, n: number): number {
  for (let i = 0; i < 10000; i++) fn();
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t) / n);
  }
  return best;
}

async function main() {
  const engine = createEngine({ home: null, quotaScale: 1000 });
  const created = await handleRequest(engine, request('CreateKey', {}));
  const keyId = (JSON.parse(String(created.body)) as { KeyMetadata: { KeyId: string } }).KeyMetadata.KeyId;
  const gdk = () => handleRequest(engine, request('GenerateDataKey', { KeyId: keyId, KeySpec: 'AES_256' }));
  const now = () => engine.clock.now();
  const ahead = () => engine.clock.accountsAhead;

  const f = (ns: number) => `${ns.toFixed(1)} ns`;
  // BENCH_MODE=local or class measures one way only (a process each: once an account context has been
  // entered, node tracks async context for the rest of the process); by default both, local first.
  const mode = process.env.BENCH_MODE ?? 'both';
  let local: number | undefined;
  if (mode !== 'class') {
    console.log(`EngineClock.now(), no account clocks:              ${f(perOpSync(now, N * 50))}`);
    console.log(`accountsAhead (handleRequest's added step):      ${f(perOpSync(ahead, N * 50))}`);
    local = await perOp(gdk, N);
    console.log(`handleRequest GenerateDataKey, local engine:       ${(local / 1000).toFixed(2)} us/op`);
  }
  if (mode !== 'local') {
    engine.clock.advanceAccount('999999999999', 60); // another account's clock: every request now enters its account's context
    console.log(`EngineClock.now(), account clocks, no context:     ${f(perOpSync(now, N * 50))}`);
    console.log(`EngineClock.now(), in an account's context:        ${f(engine.clock.inAccount('999999999999', () => perOpSync(now, N * 50)))}`);
    const klass = await perOp(gdk, N);
    const more = local === undefined ? '' : ` (${(((klass - local) / local) * 100).toFixed(1)}% more)`;
    console.log(`handleRequest GenerateDataKey, account clocks on:  ${(klass / 1000).toFixed(2)} us/op${more}`);
  }
  engine.close();
}

void main();
