// One helper starts a fresh engine on port 0 with a temporary home, and gives
// real SDK clients pointed at it with static credentials (never real AWS).
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixedClock, type EngineClock } from '../../src/engine/clock.js';
import { startEngine, type EngineOptions, type RunningEngine } from '../../src/engine/index.js';
import { MAX_QUOTA_SCALE } from '../../src/engine/kms/quotas.js';

export const TEST_CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
export const TEST_REGION = 'us-east-1';

export interface TestEngine extends RunningEngine {
  home: string;
  clock: EngineClock;
  kms: KMSClient;
  clientConfig: { endpoint: string; region: string; credentials: typeof TEST_CREDENTIALS; maxAttempts: number };
  stop(): Promise<void>;
}

export function tempHome(prefix = 'kms-workshop-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function startTestEngine(
  opts: { home?: string; cloudTrailDelaySeconds?: number; clock?: EngineClock; keepHome?: boolean } & Pick<EngineOptions, 'quotaScale' | 'quotaTime' | 'rsaKeyPairsAtStart'> = {},
): Promise<TestEngine> {
  const home = opts.home ?? tempHome();
  const clock = opts.clock ?? fixedClock(new Date());
  // KMS's request quotas scaled far up unless a test asks (AWS's own figures are 1): a test of something else
  // makes its calls back to back with the SDK's retries off, faster than AWS's 5 CreateKey a second.
  const quotaScale = opts.quotaScale ?? MAX_QUOTA_SCALE;
  // No RSA key pairs made at start: most tests make none, and hundreds of engines would each make two.
  const running = await startEngine({ home, clock, cloudTrailDelaySeconds: opts.cloudTrailDelaySeconds ?? 0, quotaScale, quotaTime: opts.quotaTime, rsaKeyPairsAtStart: opts.rsaKeyPairsAtStart ?? false });
  const clientConfig = { endpoint: running.endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 };
  const kms = new KMSClient(clientConfig);
  return {
    ...running,
    home,
    clock,
    kms,
    clientConfig,
    stop: async () => {
      kms.destroy();
      await running.close();
      if (!opts.keepHome) rmSync(home, { recursive: true, force: true });
    },
  };
}

/** aws/s3, the AWS managed key, made as on AWS by S3's first SSE-KMS upload without a key id (into a new bucket `bucket`). */
export async function awsManagedS3Key(e: TestEngine, bucket: string) {
  const s3 = new S3Client({ ...e.clientConfig, forcePathStyle: true });
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'o', Body: 'x', ServerSideEncryption: 'aws:kms' }));
  } finally {
    s3.destroy();
  }
  return (await e.kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/s3' }))).KeyMetadata!;
}
