// Lesson 11: quotas, throttling and backoff. Each exported function is one
// step; its source is what the learner sees as "the code" on screen.
import {
  buildClient,
  CommitmentPolicy,
  getLocalCryptographicMaterialsCache,
  KmsKeyringNode,
  NodeCachingMaterialsManager,
} from '@aws-crypto/client-node';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  GenerateDataKeyCommand,
  ScheduleKeyDeletionCommand,
  UpdateAliasCommand,
} from '@aws-sdk/client-kms';
import {
  type BucketLocationConstraint,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { readFile, rm, writeFile } from 'node:fs/promises';
import type { StepContext } from '../../src/runtime/context.js';

export async function createKey(ctx: StepContext) {
  const { kmsWithRetries, show, names } = ctx;
  // 'alias/kms-workshop-quotas'; on AWS with your prefix
  const alias = names.alias('kms-workshop-quotas');
  // CreateKey has a quota of its own (5 a second): lessons played
  // back to back may just have used it, so this client backs off.
  const kms = kmsWithRetries({ maxAttempts: 5 });
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({
    Description: 'kms-workshop: quotas and backoff',
  }));
  const target = { AliasName: alias, TargetKeyId: KeyMetadata!.KeyId };
  try {
    await kms.send(new CreateAliasCommand(target));
  } catch (e) {
    // A run stopped before its clean-up left the alias behind:
    // point it at the new key.
    if ((e as Error).name !== 'AlreadyExistsException') throw e;
    await kms.send(new UpdateAliasCommand(target));
  }
  const { KeyId, Arn } = KeyMetadata!;
  return show.json({ KeyId, Arn, Alias: alias }, 'The new key');
}

export async function burstWithoutRetries(ctx: StepContext) {
  const { kmsWithRetries, lowerRequestQuota, expectError, names, show } =
    ctx;
  // 5 a second, until this step ends (locally only)
  const lowered = await lowerRequestQuota('GenerateDataKey', 5);
  if (!lowered.applied) {
    // On AWS: no burst against a real account's shared quota
    return show.text(
      'Skipped on AWS: 20 GenerateDataKey at once, one attempt each, ' +
        'against a quota of 5 a second.',
      'info',
    );
  }
  // One attempt per call: the SDK's retries are off
  const kms = kmsWithRetries({ maxAttempts: 1 });
  const generate = () => kms.send(new GenerateDataKeyCommand({
    KeyId: names.alias('kms-workshop-quotas'),
    KeySpec: 'AES_256',
  }));
  const results = await Promise.allSettled(
    Array.from({ length: 20 }, generate),
  );
  const throttled = results.filter((r) => r.status === 'rejected');
  show.table(
    ['GenerateDataKey calls', 'count'],
    [
      ['sent at once', results.length],
      ['got a data key', results.length - throttled.length],
      ['throttled', throttled.length],
    ],
    'One attempt each',
  );
  show.check('some calls were throttled', throttled.length > 0);
  return expectError(
    throttled.length > 0
      ? Promise.reject((throttled[0] as PromiseRejectedResult).reason)
      : Promise.resolve(),
    {
      code: 'ThrottlingException',
      why: 'More GenerateDataKey requests in a second than the quota.',
      fix: 'Retry with backoff (the SDK does), or call KMS less often.',
    },
  );
}

export async function burstWithStandardRetries(ctx: StepContext) {
  const { kmsWithRetries, lowerRequestQuota, names, show } = ctx;
  const lowered = await lowerRequestQuota('GenerateDataKey', 5);
  if (!lowered.applied) {
    return show.text(
      'Skipped on AWS: the same burst, with the standard retry mode.',
      'info',
    );
  }
  // Up to 8 attempts, exponential backoff with jitter between them
  const kms = kmsWithRetries({ maxAttempts: 8, retryMode: 'standard' });
  const generate = () => kms.send(new GenerateDataKeyCommand({
    KeyId: names.alias('kms-workshop-quotas'),
    KeySpec: 'AES_256',
  }));
  const results = await Promise.allSettled(
    Array.from({ length: 10 }, generate),
  );
  const rows = results.map((r, i) => r.status === 'fulfilled'
    ? [i + 1, r.value.$metadata.attempts, r.value.$metadata.totalRetryDelay]
    : [i + 1, 'failed', (r.reason as Error).name]);
  show.table(['call', 'attempts', 'waited (ms)'], rows, 'standard');
  const failed = results.filter((r) => r.status === 'rejected').length;
  return show.check('every call got its data key', failed === 0);
}

export async function burstWithAdaptiveRetries(ctx: StepContext) {
  const { kmsWithRetries, lowerRequestQuota, names, show } = ctx;
  const lowered = await lowerRequestQuota('GenerateDataKey', 5);
  if (!lowered.applied) {
    return show.text(
      'Skipped on AWS: the same burst, with the adaptive retry mode.',
      'info',
    );
  }
  // Backoff, plus a rate limiter in the client that slows down
  // after a throttle
  const kms = kmsWithRetries({ maxAttempts: 8, retryMode: 'adaptive' });
  const generate = () => kms.send(new GenerateDataKeyCommand({
    KeyId: names.alias('kms-workshop-quotas'),
    KeySpec: 'AES_256',
  }));
  const results = await Promise.allSettled(
    Array.from({ length: 10 }, generate),
  );
  const rows = results.map((r, i) => r.status === 'fulfilled'
    ? [i + 1, r.value.$metadata.attempts, r.value.$metadata.totalRetryDelay]
    : [i + 1, 'failed', (r.reason as Error).name]);
  show.table(['call', 'attempts', 'waited (ms)'], rows, 'adaptive');
  const failed = results.filter((r) => r.status === 'rejected').length;
  return show.check('every call got its data key', failed === 0);
}

export async function s3BucketKeys(ctx: StepContext) {
  const { kms, s3, show, path, names, region, calls } = ctx;
  const { KeyMetadata } = await kms.send(new DescribeKeyCommand({
    KeyId: names.alias('kms-workshop-quotas'),
  }));
  // bucket names are global: on AWS with your prefix
  const bucket = names.bucket(
    `kms-workshop-quotas-${KeyMetadata!.AWSAccountId}`,
  );
  try {
    await s3.send(new CreateBucketCommand({
      Bucket: bucket,
      CreateBucketConfiguration: region === 'us-east-1'
        ? undefined
        : { LocationConstraint: region as BucketLocationConstraint },
    }));
  } catch (e) {
    // left by an earlier run: reuse it
    if ((e as Error).name !== 'BucketAlreadyOwnedByYou') throw e;
  }
  // the clean-up reads it from here
  await writeFile(path('bucket-name.txt'), bucket);
  // S3 calls KMS for you: count them by who made them
  const byS3 = () => calls.filter((c) =>
    c.operation === 'GenerateDataKey' && c.caller === 's3.amazonaws.com',
  ).length;
  const counts: Record<string, number> = {};
  for (const BucketKeyEnabled of [false, true]) {
    const before = byS3();
    for (let n = 1; n <= 10; n++) {
      await s3.send(new PutObjectCommand({
        Bucket: bucket,
        Key: `bucket-key-${BucketKeyEnabled}/object-${n}.txt`,
        Body: `object ${n}`,
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: names.alias('kms-workshop-quotas'),
        BucketKeyEnabled,
      }));
    }
    counts[String(BucketKeyEnabled)] = byS3() - before;
  }
  if (ctx.target === 'aws') {
    // S3's calls for you reach only CloudTrail, minutes later
    return show.text(
      'On AWS the calls S3 makes for you are not seen as they happen: ' +
        'find them in CloudTrail (lesson 12) to compare the two counts.',
      'info',
    );
  }
  show.table(
    ['10 uploads with SSE-KMS', 'GenerateDataKey made by S3'],
    [
      ['without a Bucket Key', counts.false],
      ['with a Bucket Key', counts.true],
    ],
  );
  return show.check(
    'the Bucket Key cut the calls S3 made for you',
    counts.true! < counts.false!,
  );
}

export async function dataKeyCaching(ctx: StepContext) {
  const { kms, show, names, calls, lowerRequestQuota } = ctx;
  // The same 5 a second as the bursts (locally only)
  await lowerRequestQuota('GenerateDataKey', 5);
  const { KeyMetadata } = await kms.send(new DescribeKeyCommand({
    KeyId: names.alias('kms-workshop-quotas'),
  }));
  const keyring = new KmsKeyringNode({
    generatorKeyId: KeyMetadata!.Arn,
    clientProvider: () => kms,
  });
  const cachingCmm = new NodeCachingMaterialsManager({
    backingMaterials: keyring,
    cache: getLocalCryptographicMaterialsCache(100),
    // a cached data key lives at most 5 minutes...
    maxAge: 5 * 60 * 1000,
    // ...and encrypts at most 100 messages
    maxMessagesEncrypted: 100,
  });
  const { encrypt } = buildClient(
    CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
  );
  // 20 messages in a row, as fast as they go: twice the burst
  for (let n = 1; n <= 20; n++) {
    await encrypt(cachingCmm, `message ${n}`, {
      encryptionContext: { lesson: 'quotas' },
    });
  }
  show.counter({
    title: 'KMS calls for 20 encryptions',
    operations: ['GenerateDataKey'],
  });
  const generated = calls.filter((c) => c.operation === 'GenerateDataKey');
  const throttled = generated.filter((c) => !c.outcome.ok);
  show.check('no call was throttled', throttled.length === 0);
  return show.check(
    'far fewer GenerateDataKey calls than messages',
    generated.length < 20,
  );
}

export async function quotaIncrease({ show, region }: StepContext) {
  // Figures from the AWS KMS Developer Guide, "Request quotas"
  show.table(
    ['Regions', 'symmetric cryptographic operations a second'],
    [
      ['us-east-1, us-west-2, eu-west-1', '100,000'],
      ['us-east-2, ap-southeast-1, ap-southeast-2,', ''],
      ['  ap-northeast-1, eu-central-1, eu-west-2', '20,000'],
      ['the other Regions', '10,000'],
    ],
    'Cryptographic operations (symmetric) request rate',
  );
  return show.text(
    `Your lessons run in ${region}. A higher quota is asked for in the ` +
      'Service Quotas console (AWS Key Management Service), or with ' +
      'the API: the commands are shown with this step.',
    'info',
  );
}

export async function cleanUp({ kms, s3, show, path, names }: StepContext) {
  // No file: the lesson stopped before the S3 step made its bucket
  const bucket = await readFile(path('bucket-name.txt'), 'utf8')
    .catch(() => undefined);
  if (bucket) {
    // a missing object is no error
    for (const prefix of ['bucket-key-false', 'bucket-key-true'])
      for (let n = 1; n <= 10; n++)
        await s3.send(new DeleteObjectCommand({
          Bucket: bucket,
          Key: `${prefix}/object-${n}.txt`,
        }));
    await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
  }
  const alias = names.alias('kms-workshop-quotas');
  const { KeyMetadata } = await kms.send(
    new DescribeKeyCommand({ KeyId: alias }),
  );
  await kms.send(new DeleteAliasCommand({ AliasName: alias }));
  const { KeyState, DeletionDate } = await kms.send(
    new ScheduleKeyDeletionCommand({
      KeyId: KeyMetadata!.KeyId,
      PendingWindowInDays: 7,
    }),
  );
  await rm(path('bucket-name.txt'), { force: true });
  show.json(
    { KeyId: KeyMetadata!.KeyId, KeyState, DeletionDate },
    'Key scheduled for deletion',
  );
  return show.text('Cleanup Successful', 'ok');
}
