// Bad S3 input gets S3's XML error with the right status, and nothing stored is lost:
// a missing body, a wrong Content-MD5 or checksum, a huge key name, broken aws-chunked
// framing, bad encryption headers. Each failing write leaves the previous object intact.
import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

let te: TestEngine;
let s3: S3Client;
const B = 'careful';
const AUTH = 'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0';
beforeAll(async () => {
  te = await startTestEngine();
  s3 = new S3Client({ ...te.clientConfig, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: B }));
  await s3.send(new PutObjectCommand({ Bucket: B, Key: 'precious', Body: 'original bytes' }));
});
afterAll(async () => {
  s3.destroy();
  await te.stop();
});

async function stillIntact() {
  expect(await (await s3.send(new GetObjectCommand({ Bucket: B, Key: 'precious' }))).Body!.transformToString()).toBe('original bytes');
  expect((await s3.send(new ListObjectsV2Command({ Bucket: B }))).Contents?.map((c) => c.Key)).toEqual(['precious']);
}

function raw(method: string, path: string, headers: Record<string, string>, body?: Buffer | string, chunked = false) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: te.port, method, path, headers: { authorization: AUTH, ...headers } }, (res) => {
      let out = '';
      res.on('data', (c) => (out += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: out }));
    });
    req.on('error', reject);
    if (chunked) {
      req.write(body ?? '');
      req.end();
    } else req.end(body);
  });
}

const code = (body: string) => /<Code>([^<]*)<\/Code>/.exec(body)?.[1];

test('a PUT without Content-Length (plain chunked transfer) is MissingContentLength, 411', async () => {
  const res = await raw('PUT', `/${B}/precious`, { 'transfer-encoding': 'chunked' }, 'replacement', true);
  expect(res.status).toBe(411);
  expect(code(res.body)).toBe('MissingContentLength');
  await stillIntact();
});

test('a wrong Content-MD5 is BadDigest and a malformed one InvalidDigest; the old object stays', async () => {
  const wrong = createHash('md5').update('something else').digest('base64');
  await expectAwsError(s3.send(new PutObjectCommand({ Bucket: B, Key: 'precious', Body: 'replacement', ContentMD5: wrong })), 'BadDigest');
  await expectAwsError(s3.send(new PutObjectCommand({ Bucket: B, Key: 'precious', Body: 'replacement', ContentMD5: 'not-md5' })), 'InvalidDigest');
  await stillIntact();
  // The right one is accepted.
  const right = createHash('md5').update('fresh').digest('base64');
  await s3.send(new PutObjectCommand({ Bucket: B, Key: 'md5-ok', Body: 'fresh', ContentMD5: right }));
  expect(await (await s3.send(new GetObjectCommand({ Bucket: B, Key: 'md5-ok' }))).Body!.transformToString()).toBe('fresh');
  await s3.send(new DeleteObjectCommand({ Bucket: B, Key: 'md5-ok' }));
});

test('a checksum that does not match the bytes is BadDigest; x-amz-content-sha256 that does not is XAmzContentSHA256Mismatch', async () => {
  const err = await expectAwsError(s3.send(new PutObjectCommand({ Bucket: B, Key: 'precious', Body: 'replacement', ChecksumCRC32: 'AAAAAA==' })), 'BadDigest');
  expect(err.message).toBe('The CRC32 you specified did not match the calculated checksum.');
  const res = await raw('PUT', `/${B}/precious`, { 'x-amz-content-sha256': 'a'.repeat(64), 'content-length': '11' }, 'replacement');
  expect(res.status).toBe(400);
  expect(code(res.body)).toBe('XAmzContentSHA256Mismatch');
  await stillIntact();
});

test('a key name over 1024 bytes is KeyTooLongError', async () => {
  const err = await expectAwsError(s3.send(new PutObjectCommand({ Bucket: B, Key: 'k'.repeat(1025), Body: 'x' })), 'KeyTooLongError');
  expect(err.message).toBe('Your key is too long');
  await expectAwsError(s3.send(new PutObjectCommand({ Bucket: B, Key: 'é'.repeat(513), Body: 'x' })), 'KeyTooLongError');
  await stillIntact();
});

test('broken aws-chunked bodies are refused: bad chunk header, fewer bytes than declared, missing trailer', async () => {
  const chunkedHeaders = { 'content-encoding': 'aws-chunked', 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER' };
  const badHeader = await raw('PUT', `/${B}/precious`, { ...chunkedHeaders, 'x-amz-decoded-content-length': '5', 'content-length': '14' }, 'zz\r\nhello\r\n0\r\n\r\n');
  expect(badHeader.status).toBe(400);
  expect(code(badHeader.body)).toBe('InvalidRequest');
  const short = await raw('PUT', `/${B}/precious`, { ...chunkedHeaders, 'x-amz-decoded-content-length': '9' }, '5\r\nhello\r\n0\r\n\r\n');
  expect(code(short.body)).toBe('IncompleteBody');
  const truncated = await raw('PUT', `/${B}/precious`, { ...chunkedHeaders, 'x-amz-decoded-content-length': '5' }, '5\r\nhel');
  expect(code(truncated.body)).toBe('IncompleteBody');
  const noTrailer = await raw('PUT', `/${B}/precious`, { ...chunkedHeaders, 'x-amz-decoded-content-length': '5', 'x-amz-trailer': 'x-amz-checksum-crc32' }, '5\r\nhello\r\n0\r\n\r\n');
  expect(noTrailer.status).toBe(400);
  const noLength = await raw('PUT', `/${B}/precious`, chunkedHeaders, '5\r\nhello\r\n0\r\n\r\n');
  expect(code(noLength.body)).toBe('MissingContentLength');
  await stillIntact();
});

test('bad encryption headers are InvalidArgument; SSE-C is NotImplemented (501)', async () => {
  const bad = await raw('PUT', `/${B}/precious`, { 'x-amz-server-side-encryption': 'rot13', 'content-length': '1' }, 'x');
  expect(bad.status).toBe(400);
  expect(bad.body).toContain('<ArgumentName>x-amz-server-side-encryption</ArgumentName>');
  await expectAwsError(s3.send(new PutObjectCommand({ Bucket: B, Key: 'precious', Body: 'x', SSEKMSKeyId: 'alias/whatever' })), 'InvalidArgument');
  await expectAwsError(s3.send(new PutObjectCommand({ Bucket: B, Key: 'precious', Body: 'x', ServerSideEncryption: 'AES256', SSEKMSKeyId: 'alias/whatever' })), 'InvalidArgument');
  await expectAwsError(
    s3.send(new PutObjectCommand({ Bucket: B, Key: 'precious', Body: 'x', SSECustomerAlgorithm: 'AES256', SSECustomerKey: Buffer.alloc(32, 1).toString('base64') })),
    'NotImplemented',
    501,
  );
  await stillIntact();
});

test('a path that is not valid percent-encoding is InvalidURI; the server keeps serving', async () => {
  const res = await raw('GET', `/${B}/%E0%A4%A`, {});
  expect(res.status).toBe(400);
  expect(code(res.body)).toBe('InvalidURI');
  await stillIntact();
});
