// S3 objects through @aws-sdk/client-s3 over HTTP: put/get/head/delete, user metadata
// round-tripped exactly, ranges, conditional requests, copies, streamed uploads with
// checksums, batch deletes.
import {
  CopyObjectCommand, CreateBucketCommand, DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command,
  PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

let te: TestEngine;
let s3: S3Client;
const B = 'objects';
beforeEach(async () => {
  te = await startTestEngine();
  s3 = new S3Client({ ...te.clientConfig, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: B }));
});
afterEach(async () => {
  s3.destroy();
  await te.stop();
});

const text = async (key: string, extra: Partial<ConstructorParameters<typeof GetObjectCommand>[0]> = {}) =>
  (await s3.send(new GetObjectCommand({ Bucket: B, Key: key, ...extra }))).Body!.transformToString();

test('put, head, get and delete an object; a missing key is NoSuchKey (GET) and NotFound (HEAD)', async () => {
  const body = randomBytes(70_000);
  const put = await s3.send(new PutObjectCommand({ Bucket: B, Key: 'folder/data.bin', Body: body, ContentType: 'application/x-demo' }));
  expect(put.ETag).toBe(`"${createHash('md5').update(body).digest('hex')}"`);
  const head = await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'folder/data.bin' }));
  expect(head.ContentLength).toBe(70_000);
  expect(head.ContentType).toBe('application/x-demo');
  expect(head.ETag).toBe(put.ETag);
  expect(head.LastModified).toBeInstanceOf(Date);
  const got = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'folder/data.bin' }));
  expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
  expect(got.ContentLength).toBe(70_000);
  await s3.send(new DeleteObjectCommand({ Bucket: B, Key: 'folder/data.bin' }));
  const missing = await expectAwsError(s3.send(new GetObjectCommand({ Bucket: B, Key: 'folder/data.bin' })), 'NoSuchKey', 404);
  expect((missing as unknown as { Key?: string }).Key).toBe('folder/data.bin');
  await expectAwsError(s3.send(new HeadObjectCommand({ Bucket: B, Key: 'folder/data.bin' })), 'NotFound', 404);
  // Deleting what is not there succeeds, as in S3.
  await s3.send(new DeleteObjectCommand({ Bucket: B, Key: 'never-was' }));
  await expectAwsError(s3.send(new PutObjectCommand({ Bucket: 'no-such-bucket', Key: 'k', Body: 'x' })), 'NoSuchBucket', 404);
});

test('an empty object and keys with spaces, unicode and odd characters round-trip', async () => {
  await s3.send(new PutObjectCommand({ Bucket: B, Key: 'empty', Body: '' }));
  expect((await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'empty' }))).ContentLength).toBe(0);
  for (const key of ['with space.txt', 'ünïcødé/日本.txt', 'a+b=c&d?e#f', 'trailing/', '%41 not decoded twice']) {
    await s3.send(new PutObjectCommand({ Bucket: B, Key: key, Body: `body of ${key}` }));
    expect(await text(key)).toBe(`body of ${key}`);
  }
  const keys = (await s3.send(new ListObjectsV2Command({ Bucket: B }))).Contents?.map((c) => c.Key);
  expect(keys).toContain('ünïcødé/日本.txt');
  expect(keys).toContain('%41 not decoded twice');
});

test('user metadata comes back exactly as stored: an encrypted data key in x-amz-meta-* survives byte for byte', async () => {
  const encryptedDataKey = randomBytes(184).toString('base64');
  const metadata = { 'encrypted-data-key': encryptedDataKey, 'key-id': 'arn:aws:kms:us-east-1:111122223333:key/1234', note: 'inner  spaces = and ; kept' };
  await s3.send(
    new PutObjectCommand({ Bucket: B, Key: 'envelope', Body: 'ciphertext', Metadata: metadata, CacheControl: 'max-age=60', ContentDisposition: 'attachment; filename="e.bin"', ContentLanguage: 'en' }),
  );
  const head = await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'envelope' }));
  expect(head.Metadata).toEqual(metadata);
  expect(head.CacheControl).toBe('max-age=60');
  expect(head.ContentDisposition).toBe('attachment; filename="e.bin"');
  expect(head.ContentLanguage).toBe('en');
  const got = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'envelope' }));
  expect(got.Metadata?.['encrypted-data-key']).toBe(encryptedDataKey);
  // Metadata names are stored lower-case, as S3 stores them.
  await s3.send(new PutObjectCommand({ Bucket: B, Key: 'cased', Body: 'x', Metadata: { 'Mixed-Case': 'Value' } }));
  expect((await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'cased' }))).Metadata).toEqual({ 'mixed-case': 'Value' });
  await expectAwsError(s3.send(new PutObjectCommand({ Bucket: B, Key: 'too-much', Body: 'x', Metadata: { big: 'v'.repeat(2100) } })), 'MetadataTooLarge');
});

test('Range reads return 206 with Content-Range; an unsatisfiable range is InvalidRange (416)', async () => {
  await s3.send(new PutObjectCommand({ Bucket: B, Key: 'digits', Body: '0123456789' }));
  const first = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'digits', Range: 'bytes=0-4' }));
  expect(first.$metadata.httpStatusCode).toBe(206);
  expect(first.ContentRange).toBe('bytes 0-4/10');
  expect(first.ContentLength).toBe(5);
  expect(await first.Body!.transformToString()).toBe('01234');
  expect(await text('digits', { Range: 'bytes=7-' })).toBe('789');
  expect(await text('digits', { Range: 'bytes=-3' })).toBe('789');
  expect(await text('digits', { Range: 'bytes=8-100' })).toBe('89');
  const head = await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'digits', Range: 'bytes=2-3' }));
  expect(head.ContentLength).toBe(2);
  expect(head.ContentRange).toBe('bytes 2-3/10');
  const err = await expectAwsError(s3.send(new GetObjectCommand({ Bucket: B, Key: 'digits', Range: 'bytes=10-' })), 'InvalidRange', 416);
  expect(err.message).toBe('The requested range is not satisfiable');
});

test('conditional reads: If-None-Match gives 304, a wrong If-Match gives PreconditionFailed (412); If-None-Match: * guards a write', async () => {
  const { ETag } = await s3.send(new PutObjectCommand({ Bucket: B, Key: 'cond', Body: 'v1' }));
  // A 304 has no body to name an error, so the SDK can only report the status.
  const notModified = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'cond', IfNoneMatch: ETag })).catch((e: { $metadata?: { httpStatusCode?: number } }) => e);
  expect(notModified.$metadata?.httpStatusCode).toBe(304);
  expect(notModified).toBeInstanceOf(Error);
  await expectAwsError(s3.send(new GetObjectCommand({ Bucket: B, Key: 'cond', IfMatch: '"0000"' })), 'PreconditionFailed', 412);
  expect(await text('cond', { IfMatch: ETag })).toBe('v1');
  await expectAwsError(s3.send(new PutObjectCommand({ Bucket: B, Key: 'cond', Body: 'v2', IfNoneMatch: '*' })), 'PreconditionFailed', 412);
  expect(await text('cond')).toBe('v1');
});

test('CopyObject copies bytes and metadata, or replaces the metadata; copying onto itself unchanged is refused', async () => {
  await s3.send(new PutObjectCommand({ Bucket: B, Key: 'orig', Body: 'original', ContentType: 'text/plain', Metadata: { a: '1' } }));
  const copy = await s3.send(new CopyObjectCommand({ Bucket: B, Key: 'copy', CopySource: `${B}/orig` }));
  expect(copy.CopyObjectResult?.ETag).toBe(`"${createHash('md5').update('original').digest('hex')}"`);
  const head = await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'copy' }));
  expect(head.Metadata).toEqual({ a: '1' });
  expect(head.ContentType).toBe('text/plain');
  expect(await text('copy')).toBe('original');
  await s3.send(new CopyObjectCommand({ Bucket: B, Key: 'replaced', CopySource: `/${B}/orig`, MetadataDirective: 'REPLACE', Metadata: { b: '2' }, ContentType: 'text/markdown' }));
  const replaced = await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'replaced' }));
  expect(replaced.Metadata).toEqual({ b: '2' });
  expect(replaced.ContentType).toBe('text/markdown');
  await expectAwsError(s3.send(new CopyObjectCommand({ Bucket: B, Key: 'orig', CopySource: `${B}/orig` })), 'InvalidRequest');
  await expectAwsError(s3.send(new CopyObjectCommand({ Bucket: B, Key: 'x', CopySource: `${B}/missing` })), 'NoSuchKey', 404);
  await expectAwsError(s3.send(new CopyObjectCommand({ Bucket: B, Key: 'x', CopySource: 'no-bucket-here/orig' })), 'NoSuchBucket', 404);
});

test('a streamed upload (aws-chunked with a CRC32 trailer) stores exactly the bytes streamed', async () => {
  const parts = [randomBytes(10_000), randomBytes(1), randomBytes(65_536)];
  const all = Buffer.concat(parts);
  const put = await s3.send(new PutObjectCommand({ Bucket: B, Key: 'streamed', Body: Readable.from(parts), ContentLength: all.length }));
  expect(put.ChecksumCRC32).toBeDefined();
  const got = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'streamed', ChecksumMode: 'ENABLED' }));
  expect(got.ChecksumCRC32).toBe(put.ChecksumCRC32);
  expect(Buffer.from(await got.Body!.transformToByteArray()).equals(all)).toBe(true);
});

test('checksums the SDK can send (CRC32C, SHA1, SHA256, CRC64NVME) are verified and returned', async () => {
  for (const algorithm of ['CRC32C', 'SHA1', 'SHA256', 'CRC64NVME'] as const) {
    const put = await s3.send(new PutObjectCommand({ Bucket: B, Key: `sum-${algorithm}`, Body: 'checksummed body', ChecksumAlgorithm: algorithm }));
    const field = `Checksum${algorithm}` as const;
    expect(put[field], algorithm).toBeDefined();
    const head = await s3.send(new HeadObjectCommand({ Bucket: B, Key: `sum-${algorithm}`, ChecksumMode: 'ENABLED' }));
    expect(head[field], algorithm).toBe(put[field]);
    // Verified: the checksum of other bytes (well formed, so not a malformed header) is BadDigest, and the object stays.
    const err = await expectAwsError(s3.send(new PutObjectCommand({ Bucket: B, Key: `sum-${algorithm}`, Body: 'checksummed bodY', [field]: put[field] })), 'BadDigest');
    expect(err.message, algorithm).toContain(algorithm);
    expect(await text(`sum-${algorithm}`), algorithm).toBe('checksummed body');
  }
  expect((await s3.send(new PutObjectCommand({ Bucket: B, Key: 'sha256', Body: 'abc', ChecksumAlgorithm: 'SHA256' }))).ChecksumSHA256).toBe(
    createHash('sha256').update('abc').digest('base64'),
  );
});

test('DeleteObjects removes many keys in one call', async () => {
  for (const k of ['d1', 'd2', 'd3', 'keep']) await s3.send(new PutObjectCommand({ Bucket: B, Key: k, Body: k }));
  const out = await s3.send(new DeleteObjectsCommand({ Bucket: B, Delete: { Objects: [{ Key: 'd1' }, { Key: 'd2' }, { Key: 'd3' }, { Key: 'absent' }] } }));
  expect(out.Deleted?.map((d) => d.Key).sort()).toEqual(['absent', 'd1', 'd2', 'd3']);
  expect((await s3.send(new ListObjectsV2Command({ Bucket: B }))).Contents?.map((c) => c.Key)).toEqual(['keep']);
});
