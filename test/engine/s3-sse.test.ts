// S3 server-side encryption for real: SSE-KMS through the engine's KMS (recorded in
// CloudTrail as S3 acting for the caller), S3 Bucket Keys, SSE-S3, KMS failures as S3
// reports them, and no object bytes or data keys on disk in clear.
import { CloudTrailClient, LookupEventsCommand, type Event } from '@aws-sdk/client-cloudtrail';
import { CreateAliasCommand, CreateKeyCommand, DecryptCommand, DescribeKeyCommand, DisableKeyCommand, EnableKeyCommand, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import {
  CopyObjectCommand, CreateBucketCommand, GetObjectCommand, HeadObjectCommand, PutBucketEncryptionCommand, PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

let te: TestEngine;
let s3: S3Client;
let cloudtrail: CloudTrailClient;
beforeEach(async () => {
  te = await startTestEngine();
  s3 = new S3Client({ ...te.clientConfig, forcePathStyle: true });
  cloudtrail = new CloudTrailClient(te.clientConfig);
});
afterEach(async () => {
  s3.destroy();
  cloudtrail.destroy();
  await te.stop();
});

async function newKey(alias?: string) {
  const meta = (await te.kms.send(new CreateKeyCommand({ Description: 'for s3' }))).KeyMetadata!;
  if (alias) await te.kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: meta.KeyId }));
  return meta;
}

async function kmsEvents(eventName: string): Promise<Event[]> {
  const out = await cloudtrail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: eventName }] }));
  return (out.Events ?? []).filter((e) => e.EventSource === 'kms.amazonaws.com');
}

const detail = (e: Event) => JSON.parse(e.CloudTrailEvent!) as Record<string, any>;

test('put with SSE-KMS by alias, head shows aws:kms and the key ARN, get returns the same bytes, CloudTrail shows one GenerateDataKey by S3', async () => {
  const key = await newKey('alias/workshop-s3');
  await s3.send(new CreateBucketCommand({ Bucket: 'sse-kms' }));
  const body = randomBytes(5000);
  const put = await s3.send(new PutObjectCommand({ Bucket: 'sse-kms', Key: 'docs/report.bin', Body: body, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'alias/workshop-s3' }));
  expect(put.ServerSideEncryption).toBe('aws:kms');
  expect(put.SSEKMSKeyId).toBe(key.Arn);
  expect(put.BucketKeyEnabled).toBeUndefined();

  const head = await s3.send(new HeadObjectCommand({ Bucket: 'sse-kms', Key: 'docs/report.bin' }));
  expect(head.ServerSideEncryption).toBe('aws:kms');
  expect(head.SSEKMSKeyId).toBe(key.Arn);
  expect(head.ContentLength).toBe(5000);

  const got = await s3.send(new GetObjectCommand({ Bucket: 'sse-kms', Key: 'docs/report.bin' }));
  expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
  expect(got.SSEKMSKeyId).toBe(key.Arn);

  const generated = await kmsEvents('GenerateDataKey');
  expect(generated).toHaveLength(1);
  const event = detail(generated[0]!);
  expect(event.userIdentity.invokedBy).toBe('s3.amazonaws.com');
  expect(event.requestParameters.encryptionContext).toEqual({ 'aws:s3:arn': 'arn:aws:s3:::sse-kms/docs/report.bin' });
  expect(event.requestParameters.keySpec).toBe('AES_256');
  expect(event.resources[0].ARN).toBe(key.Arn);
  expect(generated[0]!.Resources).toEqual([{ ResourceType: 'AWS::KMS::Key', ResourceName: key.Arn }]);

  // Reading it back was one Decrypt by S3, under the same context.
  const decrypts = await kmsEvents('Decrypt');
  expect(decrypts).toHaveLength(1);
  expect(detail(decrypts[0]!).requestParameters.encryptionContext).toEqual({ 'aws:s3:arn': 'arn:aws:s3:::sse-kms/docs/report.bin' });
  expect(detail(decrypts[0]!).userIdentity.invokedBy).toBe('s3.amazonaws.com');
});

test('no key named: S3 creates the AWS managed key alias/aws/s3 on first use and uses it from then on', async () => {
  await s3.send(new CreateBucketCommand({ Bucket: 'managed' }));
  const first = await s3.send(new PutObjectCommand({ Bucket: 'managed', Key: 'a', Body: 'one', ServerSideEncryption: 'aws:kms' }));
  const second = await s3.send(new PutObjectCommand({ Bucket: 'managed', Key: 'b', Body: 'two', ServerSideEncryption: 'aws:kms' }));
  const meta = (await te.kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/s3' }))).KeyMetadata!;
  expect(meta.KeyManager).toBe('AWS');
  expect(meta.Description).toBe('Default key that protects my S3 objects when no other key is defined');
  expect(first.SSEKMSKeyId).toBe(meta.Arn);
  expect(second.SSEKMSKeyId).toBe(meta.Arn);
  expect(await (await s3.send(new GetObjectCommand({ Bucket: 'managed', Key: 'b' }))).Body!.transformToString()).toBe('two');
  // The alias/aws/ prefix stays reserved for AWS managed keys.
  await expectAwsError(te.kms.send(new CreateAliasCommand({ AliasName: 'alias/aws/s3-mine', TargetKeyId: meta.KeyId })), 'NotAuthorizedException');
});

test("the caller's encryption context is added to aws:s3:arn, echoed by the put, and used again to decrypt", async () => {
  await newKey('alias/ctx');
  await s3.send(new CreateBucketCommand({ Bucket: 'ctx-bucket' }));
  const context = Buffer.from(JSON.stringify({ project: 'workshop' })).toString('base64');
  const put = await s3.send(new PutObjectCommand({ Bucket: 'ctx-bucket', Key: 'k', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'alias/ctx', SSEKMSEncryptionContext: context }));
  expect(put.SSEKMSEncryptionContext).toBe(context);
  const got = await s3.send(new GetObjectCommand({ Bucket: 'ctx-bucket', Key: 'k' }));
  expect(await got.Body!.transformToString()).toBe('x');
  const [event] = await kmsEvents('GenerateDataKey');
  expect(detail(event!).requestParameters.encryptionContext).toEqual({ project: 'workshop', 'aws:s3:arn': 'arn:aws:s3:::ctx-bucket/k' });
  const [decrypt] = await kmsEvents('Decrypt');
  expect(detail(decrypt!).requestParameters.encryptionContext).toEqual({ project: 'workshop', 'aws:s3:arn': 'arn:aws:s3:::ctx-bucket/k' });

  const bad = Buffer.from('not json').toString('base64');
  const err = await expectAwsError(s3.send(new PutObjectCommand({ Bucket: 'ctx-bucket', Key: 'k2', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSEncryptionContext: bad })), 'InvalidArgument');
  expect(err.message).toContain('x-amz-server-side-encryption-context');
});

test('a Bucket Key lowers the KMS calls for N objects from N GenerateDataKey to 1', async () => {
  await newKey('alias/bk');
  const n = 8;
  await s3.send(new CreateBucketCommand({ Bucket: 'per-object' }));
  await s3.send(new CreateBucketCommand({ Bucket: 'with-bucket-key' }));
  for (let i = 0; i < n; i++) {
    await s3.send(new PutObjectCommand({ Bucket: 'per-object', Key: `o${i}`, Body: `object ${i}`, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'alias/bk' }));
  }
  const perObject = (await kmsEvents('GenerateDataKey')).length;
  for (let i = 0; i < n; i++) {
    const put = await s3.send(
      new PutObjectCommand({ Bucket: 'with-bucket-key', Key: `o${i}`, Body: `object ${i}`, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'alias/bk', BucketKeyEnabled: true }),
    );
    expect(put.BucketKeyEnabled).toBe(true);
  }
  const all = await kmsEvents('GenerateDataKey');
  expect(perObject).toBe(n);
  expect(all.length - perObject).toBe(1);
  // The bucket key's data key is bound to the bucket ARN, not to an object.
  expect(detail(all[0]!).requestParameters.encryptionContext).toEqual({ 'aws:s3:arn': 'arn:aws:s3:::with-bucket-key' });

  for (let i = 0; i < n; i++) {
    const got = await s3.send(new GetObjectCommand({ Bucket: 'with-bucket-key', Key: `o${i}` }));
    expect(await got.Body!.transformToString()).toBe(`object ${i}`);
    expect(got.BucketKeyEnabled).toBe(true);
  }
  // Reading objects under a bucket key needs no Decrypt while the bucket key is in memory.
  expect(await kmsEvents('Decrypt')).toHaveLength(0);
});

test('bucket default encryption with SSE-KMS and a Bucket Key applies to puts without encryption headers', async () => {
  const key = await newKey('alias/default-enc');
  await s3.send(new CreateBucketCommand({ Bucket: 'defaults' }));
  await s3.send(
    new PutBucketEncryptionCommand({
      Bucket: 'defaults',
      ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/default-enc' }, BucketKeyEnabled: true }] },
    }),
  );
  for (const k of ['a', 'b', 'c']) {
    const put = await s3.send(new PutObjectCommand({ Bucket: 'defaults', Key: k, Body: k }));
    expect(put.ServerSideEncryption).toBe('aws:kms');
    expect(put.SSEKMSKeyId).toBe(key.Arn);
    expect(put.BucketKeyEnabled).toBe(true);
  }
  expect(await kmsEvents('GenerateDataKey')).toHaveLength(1);
  // An explicit AES256 header still wins over the bucket default.
  const sseS3 = await s3.send(new PutObjectCommand({ Bucket: 'defaults', Key: 'plain', Body: 'p', ServerSideEncryption: 'AES256' }));
  expect(sseS3.ServerSideEncryption).toBe('AES256');
  expect(sseS3.SSEKMSKeyId).toBeUndefined();
});

test('a disabled key makes GetObject and PutObject fail with KMS.DisabledException; enabling it again restores access', async () => {
  const key = await newKey('alias/to-disable');
  await s3.send(new CreateBucketCommand({ Bucket: 'disabled-key' }));
  await s3.send(new PutObjectCommand({ Bucket: 'disabled-key', Key: 'secret', Body: 'kept safe', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: key.KeyId }));
  await te.kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));

  const getErr = await expectAwsError(s3.send(new GetObjectCommand({ Bucket: 'disabled-key', Key: 'secret' })), 'KMS.DisabledException');
  expect(getErr.message).toContain(key.Arn!);
  await expectAwsError(s3.send(new PutObjectCommand({ Bucket: 'disabled-key', Key: 'new', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: key.KeyId })), 'KMS.DisabledException');
  // HeadObject needs no KMS call, so it still answers.
  expect((await s3.send(new HeadObjectCommand({ Bucket: 'disabled-key', Key: 'secret' }))).SSEKMSKeyId).toBe(key.Arn);
  // The failed Decrypt is in CloudTrail with its error, made by S3 for the caller.
  const failed = (await kmsEvents('Decrypt')).map(detail).find((e) => e.errorCode);
  expect(failed?.errorCode).toBe('DisabledException');
  expect(failed?.userIdentity.invokedBy).toBe('s3.amazonaws.com');

  await te.kms.send(new EnableKeyCommand({ KeyId: key.KeyId }));
  expect(await (await s3.send(new GetObjectCommand({ Bucket: 'disabled-key', Key: 'secret' }))).Body!.transformToString()).toBe('kept safe');
});

test('a disabled key also stops objects under a cached Bucket Key', async () => {
  const key = await newKey();
  await s3.send(new CreateBucketCommand({ Bucket: 'bk-disabled' }));
  await s3.send(new PutObjectCommand({ Bucket: 'bk-disabled', Key: 'k', Body: 'v', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: key.Arn, BucketKeyEnabled: true }));
  await te.kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
  await expectAwsError(s3.send(new GetObjectCommand({ Bucket: 'bk-disabled', Key: 'k' })), 'KMS.DisabledException');
  await expectAwsError(s3.send(new PutObjectCommand({ Bucket: 'bk-disabled', Key: 'k2', Body: 'v', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: key.Arn, BucketKeyEnabled: true })), 'KMS.DisabledException');
});

test('an unknown key is KMS.NotFoundException and a key pending deletion is KMS.KMSInvalidStateException; nothing is stored', async () => {
  await s3.send(new CreateBucketCommand({ Bucket: 'bad-keys' }));
  await expectAwsError(s3.send(new PutObjectCommand({ Bucket: 'bad-keys', Key: 'a', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'alias/no-such-key' })), 'KMS.NotFoundException');
  const key = await newKey();
  await s3.send(new PutObjectCommand({ Bucket: 'bad-keys', Key: 'b', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: key.KeyId }));
  await te.kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
  await expectAwsError(s3.send(new GetObjectCommand({ Bucket: 'bad-keys', Key: 'b' })), 'KMS.KMSInvalidStateException');
  await expectAwsError(s3.send(new HeadObjectCommand({ Bucket: 'bad-keys', Key: 'a' })), 'NotFound', 404);
});

test('SSE-S3 (AES256) is the default: every object is encrypted, with the MD5 of its bytes as ETag', async () => {
  await s3.send(new CreateBucketCommand({ Bucket: 'sse-s3' }));
  const put = await s3.send(new PutObjectCommand({ Bucket: 'sse-s3', Key: 'hello.txt', Body: 'hello' }));
  expect(put.ServerSideEncryption).toBe('AES256');
  expect(put.ETag).toBe('"5d41402abc4b2a76b9719d911017c592"');
  const got = await s3.send(new GetObjectCommand({ Bucket: 'sse-s3', Key: 'hello.txt' }));
  expect(got.ServerSideEncryption).toBe('AES256');
  expect(await got.Body!.transformToString()).toBe('hello');
  expect(await kmsEvents('GenerateDataKey')).toHaveLength(0);
});

test('CopyObject decrypts the source through KMS and encrypts the copy as asked', async () => {
  const key = await newKey('alias/copy-src');
  const other = await newKey('alias/copy-dst');
  await s3.send(new CreateBucketCommand({ Bucket: 'copies' }));
  await s3.send(new PutObjectCommand({ Bucket: 'copies', Key: 'src', Body: 'copied bytes', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: key.KeyId }));
  const copy = await s3.send(new CopyObjectCommand({ Bucket: 'copies', Key: 'dst', CopySource: 'copies/src', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'alias/copy-dst' }));
  expect(copy.SSEKMSKeyId).toBe(other.Arn);
  expect(await (await s3.send(new GetObjectCommand({ Bucket: 'copies', Key: 'dst' }))).Body!.transformToString()).toBe('copied bytes');
  const contexts = (await kmsEvents('GenerateDataKey')).map((e) => detail(e).requestParameters.encryptionContext['aws:s3:arn']);
  expect(contexts.sort()).toEqual(['arn:aws:s3:::copies/dst', 'arn:aws:s3:::copies/src']);
});

function allFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}

test('object bytes, data keys and bucket keys are never on disk in clear', async () => {
  const key = await newKey('alias/on-disk');
  await s3.send(new CreateBucketCommand({ Bucket: 'on-disk' }));
  const marker = `TOP-SECRET-${randomBytes(8).toString('hex')}-`;
  const text = marker.repeat(200);
  await s3.send(new PutObjectCommand({ Bucket: 'on-disk', Key: 'kms', Body: text, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'alias/on-disk' }));
  await s3.send(new PutObjectCommand({ Bucket: 'on-disk', Key: 'bk', Body: text, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: key.KeyId, BucketKeyEnabled: true }));
  await s3.send(new PutObjectCommand({ Bucket: 'on-disk', Key: 'sse-s3', Body: text }));
  const files = allFiles(te.home);
  expect(files.some((f) => f.endsWith('.bin'))).toBe(true);
  // The secrets to look for: every KMS key's material, the data key and bucket key S3 got
  // from KMS (recovered here by asking KMS to decrypt what S3 stored), and the SSE-S3 key.
  const engineKms = te.engine.kms;
  const secrets = [...engineKms.keys.values()].flatMap((k) => engineKms.materialForTest(k.KeyId));
  const metas = files.filter((f) => f.includes(`${join('s3', 'objects')}`)).map((f) => JSON.parse(readFileSync(f, 'utf8')));
  const kmsMeta = metas.find((m) => m.Key === 'kms').encryption;
  const bkMeta = metas.find((m) => m.Key === 'bk').encryption;
  const dataKey = await te.kms.send(new DecryptCommand({ CiphertextBlob: Buffer.from(kmsMeta.encryptedDataKey, 'base64'), EncryptionContext: { 'aws:s3:arn': 'arn:aws:s3:::on-disk/kms' } }));
  const bucketKey = await te.kms.send(new DecryptCommand({ CiphertextBlob: Buffer.from(bkMeta.bucketKeyBlob, 'base64'), EncryptionContext: { 'aws:s3:arn': 'arn:aws:s3:::on-disk' } }));
  secrets.push(Buffer.from(dataKey.Plaintext!), Buffer.from(bucketKey.Plaintext!), te.engine.store.unwrap(readFileSync(join(te.home, 'engine', 's3', 'sse-s3.key'))));
  expect(secrets.every((k) => k.length === 32)).toBe(true);
  for (const f of files) {
    const bytes = readFileSync(f);
    expect(bytes.includes(Buffer.from(marker)), f).toBe(false);
    expect(bytes.includes(Buffer.from(Buffer.from(text).toString('base64').slice(0, 40))), f).toBe(false);
    for (const k of secrets) {
      expect(bytes.includes(k), f).toBe(false);
      expect(bytes.includes(Buffer.from(k.toString('base64'))), f).toBe(false);
      expect(bytes.includes(Buffer.from(k.toString('hex'))), f).toBe(false);
    }
  }
  // Still readable, so the ciphertext on disk really is the object.
  for (const k of ['kms', 'bk', 'sse-s3']) expect(await (await s3.send(new GetObjectCommand({ Bucket: 'on-disk', Key: k }))).Body!.transformToString()).toBe(text);
});
