// Multipart uploads through @aws-sdk/client-s3: SSE-KMS and SSE-S3, S3's multipart ETag,
// the KMS calls S3 makes, part validation errors, abort, parts encrypted on disk, restarts.
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateBucketCommand, CreateMultipartUploadCommand, GetObjectCommand, HeadObjectCommand,
  S3Client, UploadPartCommand,
} from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { startTestEngine, tempHome, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

const MiB = 1024 * 1024;
const running: { te: TestEngine; s3: S3Client }[] = [];
const homes: string[] = [];
afterEach(async () => {
  for (const { te, s3 } of running.splice(0)) {
    s3.destroy();
    await te.stop();
  }
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
});

async function start(home?: string) {
  const te = await startTestEngine(home ? { home, keepHome: true } : {});
  const s3 = new S3Client({ ...te.clientConfig, forcePathStyle: true });
  running.push({ te, s3 });
  return { te, s3 };
}

async function upload(s3: S3Client, bucket: string, key: string, uploadId: string, parts: Buffer[]) {
  const etags: string[] = [];
  for (const [i, body] of parts.entries()) etags.push((await s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: i + 1, Body: body }))).ETag!);
  return etags;
}

const complete = (s3: S3Client, bucket: string, key: string, uploadId: string, etags: string[]) =>
  s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) } }));

test('an SSE-KMS multipart upload: one GenerateDataKey, parts stored encrypted, the whole object back with a multipart ETag', async () => {
  const { te, s3 } = await start();
  const key = (await te.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
  await s3.send(new CreateBucketCommand({ Bucket: 'mpu' }));
  const created = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'mpu', Key: 'big.bin', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: key.Arn, Metadata: { kind: 'big' } }));
  expect(created.SSEKMSKeyId).toBe(key.Arn);
  const marker = Buffer.from(`MULTIPART-MARKER-${randomBytes(6).toString('hex')}`);
  const parts = [Buffer.concat([marker, randomBytes(5 * MiB - marker.length)]), Buffer.concat([randomBytes(1000), marker])];
  const etags = await upload(s3, 'mpu', 'big.bin', created.UploadId!, parts);
  for (const f of readdirSync(te.home, { recursive: true, withFileTypes: true }).filter((d) => d.isFile())) {
    expect(readFileSync(join(f.parentPath, f.name)).includes(marker), f.name).toBe(false);
  }
  const done = await complete(s3, 'mpu', 'big.bin', created.UploadId!, etags);
  const expectedEtag = createHash('md5').update(Buffer.concat(etags.map((e) => Buffer.from(e.replace(/"/g, ''), 'hex')))).digest('hex');
  expect(done.ETag).toBe(`"${expectedEtag}-2"`);
  expect(done.ServerSideEncryption).toBe('aws:kms');
  const got = await s3.send(new GetObjectCommand({ Bucket: 'mpu', Key: 'big.bin' }));
  expect(Buffer.from(await got.Body!.transformToByteArray()).equals(Buffer.concat(parts))).toBe(true);
  expect(got.Metadata).toEqual({ kind: 'big' });
  expect(got.ETag).toBe(done.ETag);

  const cloudtrail = new CloudTrailClient(te.clientConfig);
  const count = async (name: string) => (await cloudtrail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: name }] }))).Events!.length;
  expect(await count('GenerateDataKey')).toBe(1);
  // One Decrypt per part, one to assemble, one to read: S3 needs kms:Decrypt for multipart uploads.
  expect(await count('Decrypt')).toBe(4);
  cloudtrail.destroy();
});

test('an SSE-S3 multipart upload has the ETag S3 computes: MD5 of the part MD5s, dash, part count', async () => {
  const { s3 } = await start();
  await s3.send(new CreateBucketCommand({ Bucket: 'mpu-s3' }));
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'mpu-s3', Key: 'k' }));
  const parts = [randomBytes(5 * MiB), randomBytes(5 * MiB), randomBytes(10)];
  const etags = await upload(s3, 'mpu-s3', 'k', UploadId!, parts);
  expect(etags).toEqual(parts.map((p) => `"${createHash('md5').update(p).digest('hex')}"`));
  const done = await complete(s3, 'mpu-s3', 'k', UploadId!, etags);
  const md5s = Buffer.concat(parts.map((p) => createHash('md5').update(p).digest()));
  expect(done.ETag).toBe(`"${createHash('md5').update(md5s).digest('hex')}-3"`);
  expect((await s3.send(new HeadObjectCommand({ Bucket: 'mpu-s3', Key: 'k' }))).ContentLength).toBe(10 * MiB + 10);
});

test('completing with a small middle part, a wrong ETag or parts out of order fails; an aborted upload is gone', async () => {
  const { s3 } = await start();
  await s3.send(new CreateBucketCommand({ Bucket: 'mpu-bad' }));
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'mpu-bad', Key: 'k' }));
  const etags = await upload(s3, 'mpu-bad', 'k', UploadId!, [randomBytes(1000), randomBytes(1000)]);
  await expectAwsError(complete(s3, 'mpu-bad', 'k', UploadId!, etags), 'EntityTooSmall');
  await expectAwsError(complete(s3, 'mpu-bad', 'k', UploadId!, ['"00000000000000000000000000000000"']), 'InvalidPart');
  await expectAwsError(
    s3.send(new CompleteMultipartUploadCommand({ Bucket: 'mpu-bad', Key: 'k', UploadId, MultipartUpload: { Parts: [{ ETag: etags[1], PartNumber: 2 }, { ETag: etags[0], PartNumber: 1 }] } })),
    'InvalidPartOrder',
  );
  await expectAwsError(s3.send(new UploadPartCommand({ Bucket: 'mpu-bad', Key: 'k', UploadId, PartNumber: 10001, Body: 'x' })), 'InvalidArgument');
  await s3.send(new AbortMultipartUploadCommand({ Bucket: 'mpu-bad', Key: 'k', UploadId }));
  await expectAwsError(s3.send(new UploadPartCommand({ Bucket: 'mpu-bad', Key: 'k', UploadId, PartNumber: 3, Body: 'x' })), 'NoSuchUpload', 404);
  await expectAwsError(s3.send(new GetObjectCommand({ Bucket: 'mpu-bad', Key: 'k' })), 'NoSuchKey', 404);
});

test('an upload in progress survives a restart of the engine', async () => {
  const home = tempHome();
  homes.push(home);
  const first = await start(home);
  await first.s3.send(new CreateBucketCommand({ Bucket: 'mpu-restart' }));
  const { UploadId } = await first.s3.send(new CreateMultipartUploadCommand({ Bucket: 'mpu-restart', Key: 'k', ServerSideEncryption: 'aws:kms' }));
  const part1 = randomBytes(5 * MiB);
  const [etag1] = await upload(first.s3, 'mpu-restart', 'k', UploadId!, [part1]);
  first.s3.destroy();
  await first.te.stop();
  running.length = 0;

  const second = await start(home);
  const part2 = Buffer.from('the end');
  const etag2 = (await second.s3.send(new UploadPartCommand({ Bucket: 'mpu-restart', Key: 'k', UploadId, PartNumber: 2, Body: part2 }))).ETag!;
  await complete(second.s3, 'mpu-restart', 'k', UploadId!, [etag1!, etag2]);
  const got = await second.s3.send(new GetObjectCommand({ Bucket: 'mpu-restart', Key: 'k' }));
  expect(Buffer.from(await got.Body!.transformToByteArray()).equals(Buffer.concat([part1, part2]))).toBe(true);
});
