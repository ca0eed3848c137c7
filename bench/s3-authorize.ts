// The cost of the authorization decision on S3 PutObject: small PutObjects (1 KiB, SSE-S3)
// through @aws-sdk/client-s3 against an in-process engine over HTTP, one after another, by
// the default learner (AdministratorAccess); and the decision alone (auth/authorize.ts's
// authorizeCall for s3:PutObject on an object ARN), as each S3 call makes it once.
// Run: npx tsx bench/s3-authorize.ts
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AwsError } from '../src/engine/errors.js';
import { startEngine } from '../src/engine/index.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const CALLS = Number(process.env.BENCH_PUTS ?? 2000);
const DECISIONS = Number(process.env.BENCH_DECISIONS ?? 200_000);
const ROUNDS = 3;
const DENIED = { error: (message: string) => new AwsError('AccessDenied', message, 403), quoteResource: true };

const home = mkdtempSync(join(tmpdir(), 'kms-workshop-bench-'));
const running = await startEngine({ home, rsaKeyPairsAtStart: false, quotaScale: 1000 });
const s3 = new S3Client({ endpoint: running.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'bench' }, maxAttempts: 1 });
try {
  await s3.send(new CreateBucketCommand({ Bucket: 'bench' }));
  const body = Buffer.alloc(1024, 7);
  const put = (i: number) => s3.send(new PutObjectCommand({ Bucket: 'bench', Key: `k${i % 100}`, Body: body }));
  for (let i = 0; i < 200; i++) await put(i); // warm-up
  let best = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    const t = performance.now();
    for (let i = 0; i < CALLS; i++) await put(i);
    best = Math.min(best, ((performance.now() - t) * 1000) / CALLS);
  }
  console.log(`S3 PutObject (1 KiB, SSE-S3), sequential over HTTP: ${best.toFixed(0)} us/call (best of ${ROUNDS} x ${CALLS})`);

  // The decision alone, when this engine has it (auth/authorize.ts).
  const authorize = await import('../src/engine/auth/authorize.js').catch(() => undefined);
  if (authorize) {
    const engine = running.engine;
    const caller = engine.directory.defaultLearner('111122223333', 'us-east-1');
    let bestNs = Infinity;
    for (let round = 0; round < ROUNDS; round++) {
      const t = process.hrtime.bigint();
      for (let i = 0; i < DECISIONS; i++) authorize.authorizeCall(engine, caller, 's3:PutObject', 'arn:aws:s3:::bench/k1', DENIED);
      bestNs = Math.min(bestNs, Number(process.hrtime.bigint() - t) / DECISIONS);
    }
    console.log(`the decision alone (s3:PutObject, AdministratorAccess): ${bestNs.toFixed(0)} ns/call (best of ${ROUNDS} x ${DECISIONS})`);
  } else console.log('the decision alone: not in this engine (no auth/authorize.ts)');
} finally {
  s3.destroy();
  await running.close();
  rmSync(home, { recursive: true, force: true });
}
