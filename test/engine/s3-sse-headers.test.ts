// Which server-side encryption a PutObject asks for, header by header: every value S3
// refuses gets its error (code, status, message, the header named), every value it takes
// is honoured, and the bucket's default applies when the request names none.
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, PutBucketEncryptionCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';
import { rawRequest } from '../helpers/raw-http.js';

let te: TestEngine;
let s3: S3Client;
let n = 0;
beforeAll(async () => {
  te = await startTestEngine();
  s3 = new S3Client({ ...te.clientConfig, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'headers' }));
  await s3.send(new CreateBucketCommand({ Bucket: 'kms-default' }));
  await s3.send(
    new PutBucketEncryptionCommand({
      Bucket: 'kms-default',
      ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' }, BucketKeyEnabled: true }] },
    }),
  );
});
afterAll(async () => {
  s3.destroy();
  await te.stop();
});

const b64 = (text: string) => Buffer.from(text).toString('base64');

/** A PUT with exactly these headers; the error's parts when it fails. */
async function put(headers: Record<string, string>, bucket = 'headers') {
  const key = `object-${++n}`;
  const reply = await rawRequest(te.endpoint, { method: 'PUT', path: `/${bucket}/${key}`, headers: { 'content-length': '4', ...headers }, body: 'data' });
  const entities: Record<string, string> = { '&apos;': "'", '&quot;': '"', '&lt;': '<', '&gt;': '>', '&amp;': '&' };
  const tag = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(reply.body)?.[1]?.replace(/&\w+;/g, (e) => entities[e] ?? e);
  return { key, status: reply.status, headers: reply.headers, code: tag('Code'), message: tag('Message'), argument: tag('ArgumentName'), value: tag('ArgumentValue') };
}

const NOT_KMS = 'Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms';
const BAD_CONTEXT = "The header 'x-amz-server-side-encryption-context' shall be Base64-encoded UTF-8 string holding JSON which represents a string-string map";

test.each([
  [{ 'x-amz-server-side-encryption': 'rot13' }, 'The encryption method specified is not supported', 'x-amz-server-side-encryption', 'rot13'],
  [{ 'x-amz-server-side-encryption-aws-kms-key-id': 'alias/k' }, NOT_KMS, 'x-amz-server-side-encryption-aws-kms-key-id', 'alias/k'],
  [{ 'x-amz-server-side-encryption': 'AES256', 'x-amz-server-side-encryption-aws-kms-key-id': 'alias/k' }, NOT_KMS, 'x-amz-server-side-encryption-aws-kms-key-id', 'alias/k'],
  [{ 'x-amz-server-side-encryption-context': b64('{"a":"b"}') }, NOT_KMS, 'x-amz-server-side-encryption-context', b64('{"a":"b"}')],
  [{ 'x-amz-server-side-encryption': 'AES256', 'x-amz-server-side-encryption-context': b64('{"a":"b"}') }, NOT_KMS, 'x-amz-server-side-encryption-context', b64('{"a":"b"}')],
  [{ 'x-amz-server-side-encryption-bucket-key-enabled': 'yes' }, 'Invalid value for header x-amz-server-side-encryption-bucket-key-enabled', 'x-amz-server-side-encryption-bucket-key-enabled', 'yes'],
  [{ 'x-amz-server-side-encryption-bucket-key-enabled': 'truer' }, 'Invalid value for header x-amz-server-side-encryption-bucket-key-enabled', 'x-amz-server-side-encryption-bucket-key-enabled', 'truer'],
  [{ 'x-amz-server-side-encryption-bucket-key-enabled': 'untrue' }, 'Invalid value for header x-amz-server-side-encryption-bucket-key-enabled', 'x-amz-server-side-encryption-bucket-key-enabled', 'untrue'],
  // (HTTP drops the spaces around a header value: blanks arrive as an empty value)
  [{ 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': '   ' }, 'KMS key ID must not be empty', 'x-amz-server-side-encryption-aws-kms-key-id', ''],
])('%o is InvalidArgument naming the header', async (headers, message, argument, value) => {
  const r = await put(headers);
  expect(r).toMatchObject({ status: 400, code: 'InvalidArgument', message, argument, value });
});

test.each([
  ['characters outside base64', '{"a":"b"}!!!!'],
  ['base64 after junk', `####${b64('{"a":"b"}')}`],
  ['base64 before junk', `${b64('{"a":"b"}')}####`],
  ['a length that is not a multiple of 4', b64('{"a":"bc"}').replace(/=+$/, '')],
  ['not JSON', b64('{"a":')],
  ['JSON null', b64('null')],
  ['a JSON list', b64('["a","b"]')],
  ['a JSON text', b64('"a"')],
  ['a number as a value', b64('{"a":1}')],
  ['an object as a value', b64('{"a":{"b":"c"}}')],
])('an encryption context header with %s is InvalidArgument', async (_, context) => {
  const r = await put({ 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-context': context });
  expect(r).toMatchObject({ status: 400, code: 'InvalidArgument', message: BAD_CONTEXT, argument: 'x-amz-server-side-encryption-context' });
});

test('dual-layer SSE (aws:kms:dsse) and SSE-C are NotImplemented (501), each named', async () => {
  const dsse = await put({ 'x-amz-server-side-encryption': 'aws:kms:dsse' });
  expect(dsse).toMatchObject({ status: 501, code: 'NotImplemented' });
  expect(dsse.message).toContain('aws:kms:dsse');
  const ssec = await put({ 'x-amz-server-side-encryption-customer-algorithm': 'AES256' });
  expect(ssec).toMatchObject({ status: 501, code: 'NotImplemented' });
  expect(ssec.message).toContain('SSE-C');
});

test('accepted: an empty context object, a Bucket Key header in any case, and each is honoured', async () => {
  const empty = await put({ 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-context': b64('{}') });
  expect(empty.status).toBe(200);
  const upper = await put({ 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-bucket-key-enabled': 'TRUE' });
  expect(upper.status).toBe(200);
  expect(upper.headers['x-amz-server-side-encryption-bucket-key-enabled']).toBe('true');
  const off = await put({ 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-bucket-key-enabled': 'False' });
  expect(off.status).toBe(200);
  expect(off.headers['x-amz-server-side-encryption-bucket-key-enabled']).toBeUndefined();
  const context = await put({ 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-context': b64('{"dept":"x","team":"y"}') });
  expect(context.status).toBe(200);
  expect(JSON.parse(Buffer.from(String(context.headers['x-amz-server-side-encryption-context']), 'base64').toString())).toEqual({ dept: 'x', team: 'y' });
});

test("no header: the bucket's default, SSE-S3 unless set; a request's own choice wins over the default, and its Bucket Key header too", async () => {
  const head = async (Bucket: string, Key: string) => s3.send(new HeadObjectCommand({ Bucket, Key }));
  const plain = await put({});
  expect((await head('headers', plain.key)).ServerSideEncryption).toBe('AES256');
  const byDefault = await put({}, 'kms-default');
  const managed = await head('kms-default', byDefault.key);
  expect(managed).toMatchObject({ ServerSideEncryption: 'aws:kms', BucketKeyEnabled: true });
  expect(managed.SSEKMSKeyId).toMatch(/^arn:aws:kms:us-east-1:111122223333:key\//);
  const own = await put({ 'x-amz-server-side-encryption': 'AES256' }, 'kms-default');
  expect((await head('kms-default', own.key)).ServerSideEncryption).toBe('AES256');
  const noBucketKey = await put({ 'x-amz-server-side-encryption-bucket-key-enabled': 'false' }, 'kms-default');
  const shown = await head('kms-default', noBucketKey.key);
  expect(shown.ServerSideEncryption).toBe('aws:kms');
  expect(shown.BucketKeyEnabled).toBeUndefined();
  for (const [Bucket, Key] of [['headers', plain.key], ['kms-default', byDefault.key], ['kms-default', own.key]])
    expect(await (await s3.send(new GetObjectCommand({ Bucket, Key }))).Body!.transformToString()).toBe('data');
});

test('what S3 answers about encryption on a read: no context echoed, the Bucket Key only when used', async () => {
  const written = await put({ 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-context': b64('{"a":"b"}'), 'x-amz-server-side-encryption-bucket-key-enabled': 'true' });
  expect(written.headers['x-amz-server-side-encryption-context']).toBe(b64('{"a":"b"}'));
  const read = await rawRequest(te.endpoint, { method: 'GET', path: `/headers/${written.key}` });
  expect(read.status).toBe(200);
  expect(read.headers['x-amz-server-side-encryption']).toBe('aws:kms');
  expect(read.headers['x-amz-server-side-encryption-context']).toBeUndefined();
  expect(read.headers['x-amz-server-side-encryption-bucket-key-enabled']).toBe('true');
  const sseS3 = await rawRequest(te.endpoint, { method: 'HEAD', path: `/headers/${(await put({})).key}` });
  expect(sseS3.headers['x-amz-server-side-encryption']).toBe('AES256');
  expect(sseS3.headers['x-amz-server-side-encryption-aws-kms-key-id']).toBeUndefined();
  expect(sseS3.headers['x-amz-server-side-encryption-bucket-key-enabled']).toBeUndefined();
});
