// Object bodies streamed through the engine: an upload over the limit refused from its
// headers before a byte of the body is sent; large PutObject and multipart uploads
// round-trip byte for byte with every checksum S3 accepts; a failing check leaves the old
// object and no stray file; ranges of a large object; data moved under another object
// does not decrypt.
import {
  CompleteMultipartUploadCommand, CreateBucketCommand, CreateMultipartUploadCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client,
  UploadPartCommand, type ChecksumAlgorithm,
} from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

const MiB = 1024 * 1024;
const B = 'streams';
const AUTH = 'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0';
const ALGORITHMS: ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'];
// Not a multiple of the 64 KiB segment, so the last one is short.
const LARGE = 21 * MiB + 12_345;

let te: TestEngine;
let s3: S3Client;
let original: Buffer;
beforeAll(async () => {
  te = await startTestEngine();
  s3 = new S3Client({ ...te.clientConfig, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: B }));
  original = randomBytes(3 * MiB + 7);
  await s3.send(new PutObjectCommand({ Bucket: B, Key: 'precious', Body: original }));
});
afterAll(async () => {
  s3.destroy();
  await te.stop();
});

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const bytesOf = async (key: string, range?: string) => Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: B, Key: key, Range: range }))).Body!.transformToByteArray());

/** Every file under the engine's S3 state, relative to it. */
function s3Files(): string[] {
  const root = join(te.home, 'engine', 's3');
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name).slice(root.length + 1));
}

async function precious_intact_and_nothing_stray(dataFilesBefore: string[]) {
  expect(sha(await bytesOf('precious'))).toBe(sha(original));
  const files = s3Files();
  expect(files.filter((f) => f.includes('.tmp-'))).toEqual([]);
  expect(files.filter((f) => f.startsWith('data/')).sort()).toEqual(dataFilesBefore.sort());
}

/** Sends a request's head and no body; resolves with what the server answers (or 'no reply' after a while). */
function headOnly(lines: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(te.port, '127.0.0.1');
    let got = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(got || 'no reply');
    }, 3000);
    socket.on('data', (c) => {
      got += c.toString('latin1');
      // The first reply is enough: a 100 Continue, or a final status with its whole body.
      if (/^HTTP\/1\.1 100/.test(got) || (/\r\n\r\n/.test(got) && (/<\/Error>/.test(got) || /content-length: 0\r\n/i.test(got)))) {
        clearTimeout(timer);
        socket.destroy();
        resolve(got);
      }
    });
    socket.on('error', reject);
    socket.write([...lines, `Host: 127.0.0.1:${te.port}`, `Authorization: ${AUTH}`, '', ''].join('\r\n'));
  });
}

test('a PutObject declared over the engine limit is refused with EntityTooLarge (400) before its body is sent', async () => {
  const started = Date.now();
  const reply = await headOnly([`PUT /${B}/huge HTTP/1.1`, `Content-Length: ${300 * MiB}`]);
  expect(reply).toMatch(/^HTTP\/1\.1 400/);
  expect(reply).toContain('<Code>EntityTooLarge</Code>');
  expect(reply).toContain(`<ProposedSize>${300 * MiB}</ProposedSize>`);
  expect(reply).toContain(`<MaxSizeAllowed>${256 * MiB}</MaxSizeAllowed>`);
  expect(reply).toMatch(/connection: close/i);
  expect(Date.now() - started).toBeLessThan(2000);
  // aws-chunked declares the object's size in x-amz-decoded-content-length: refused from it too.
  const chunked = await headOnly([
    `PUT /${B}/huge HTTP/1.1`, 'Transfer-Encoding: chunked', 'Content-Encoding: aws-chunked',
    'X-Amz-Content-Sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER', `X-Amz-Decoded-Content-Length: ${6 * 1024 * MiB}`,
  ]);
  expect(chunked).toMatch(/^HTTP\/1\.1 400/);
  expect(chunked).toContain('<Code>EntityTooLarge</Code>');
  expect(chunked).toContain(`<MaxSizeAllowed>${256 * MiB}</MaxSizeAllowed>`);
  await precious_intact_and_nothing_stray(s3Files().filter((f) => f.startsWith('data/')));
});

test('Expect: 100-continue: a request refused from its headers gets its error instead of 100 Continue; an accepted one gets 100 Continue', async () => {
  const refused = await headOnly([`PUT /no-such-bucket/k HTTP/1.1`, `Content-Length: ${50 * MiB}`, 'Expect: 100-continue']);
  expect(refused).toMatch(/^HTTP\/1\.1 404/);
  expect(refused).toContain('<Code>NoSuchBucket</Code>');
  const accepted = await headOnly([`PUT /${B}/k HTTP/1.1`, `Content-Length: ${50 * MiB}`, 'Expect: 100-continue']);
  expect(accepted).toMatch(/^HTTP\/1\.1 100 Continue/);
});

test('large PutObjects stream through byte for byte with every checksum, as a header and as an aws-chunked trailer', async () => {
  const body = randomBytes(LARGE);
  for (const algorithm of ALGORITHMS) {
    // A Buffer body: the SDK sends the checksum as a header; a stream: aws-chunked with the checksum in a trailer.
    const inHeader = await s3.send(new PutObjectCommand({ Bucket: B, Key: `h-${algorithm}`, Body: body, ChecksumAlgorithm: algorithm }));
    const inTrailer = await s3.send(new PutObjectCommand({ Bucket: B, Key: `t-${algorithm}`, Body: Readable.from(chunksOf(body, 1_000_003)), ContentLength: body.length, ChecksumAlgorithm: algorithm }));
    const field = `Checksum${algorithm}` as const;
    expect(inHeader[field]).toBeDefined();
    expect(inTrailer[field]).toBe(inHeader[field]);
    for (const key of [`h-${algorithm}`, `t-${algorithm}`]) {
      const got = await s3.send(new GetObjectCommand({ Bucket: B, Key: key, ChecksumMode: 'ENABLED' }));
      expect(got.ContentLength).toBe(body.length);
      expect(got[field]).toBe(inHeader[field]);
      expect(sha(Buffer.from(await got.Body!.transformToByteArray()))).toBe(sha(body));
    }
  }
}, 120_000);

test('a large multipart upload with part checksums completes into the same bytes, and ranges of it are exact', async () => {
  const parts = [randomBytes(5 * MiB), randomBytes(5 * MiB + 1), randomBytes(3 * MiB + 333)];
  for (const algorithm of ALGORITHMS) {
    const key = `mpu-${algorithm}`;
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: B, Key: key, ChecksumAlgorithm: algorithm }));
    const done = [];
    for (const [i, part] of parts.entries()) {
      const up = await s3.send(new UploadPartCommand({ Bucket: B, Key: key, UploadId, PartNumber: i + 1, Body: part, ChecksumAlgorithm: algorithm }));
      expect(up[`Checksum${algorithm}`]).toBeDefined();
      done.push({ ETag: up.ETag, PartNumber: i + 1 });
    }
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: B, Key: key, UploadId, MultipartUpload: { Parts: done } }));
    expect(sha(await bytesOf(key))).toBe(sha(Buffer.concat(parts)));
  }
  const whole = Buffer.concat(parts);
  expect((await bytesOf('mpu-CRC32', 'bytes=5242000-5243000')).equals(whole.subarray(5242000, 5243001))).toBe(true);
}, 120_000);

test('ranges of a large object: within a segment, across segment and part boundaries, suffixes, to the end', async () => {
  const body = randomBytes(LARGE);
  await s3.send(new PutObjectCommand({ Bucket: B, Key: 'ranged', Body: body }));
  const seg = 64 * 1024;
  const cases: [string, number, number][] = [
    ['bytes=0-0', 0, 0],
    ['bytes=10-20', 10, 20],
    [`bytes=${seg - 1}-${seg}`, seg - 1, seg],
    [`bytes=${seg}-${2 * seg - 1}`, seg, 2 * seg - 1],
    [`bytes=100000-${5 * MiB}`, 100000, 5 * MiB],
    ['bytes=-70000', LARGE - 70000, LARGE - 1],
    [`bytes=${LARGE - 5}-`, LARGE - 5, LARGE - 1],
    [`bytes=${LARGE - 1}-${LARGE + 100}`, LARGE - 1, LARGE - 1],
  ];
  for (const [range, start, end] of cases) {
    const got = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'ranged', Range: range }));
    expect(got.ContentRange, range).toBe(`bytes ${start}-${end}/${LARGE}`);
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body.subarray(start, end + 1)), range).toBe(true);
  }
});

test('a wrong Content-MD5, checksum header, checksum trailer or x-amz-content-sha256 on a large upload leaves the old object and no stray file', async () => {
  const before = s3Files().filter((f) => f.startsWith('data/'));
  const body = randomBytes(9 * MiB);
  const wrongMd5 = createHash('md5').update('other').digest('base64');
  await expectAwsError(s3.send(new PutObjectCommand({ Bucket: B, Key: 'precious', Body: body, ContentMD5: wrongMd5 })), 'BadDigest');
  await expectAwsError(s3.send(new PutObjectCommand({ Bucket: B, Key: 'precious', Body: body, ChecksumSHA256: createHash('sha256').update('other').digest('base64') })), 'BadDigest');
  const trailer = await putRaw('precious', awsChunked(body, { 'x-amz-checksum-crc32c': 'AAAAAA==' }), {
    'content-encoding': 'aws-chunked', 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'x-amz-decoded-content-length': String(body.length), 'x-amz-trailer': 'x-amz-checksum-crc32c',
  });
  expect(trailer.status).toBe(400);
  expect(trailer.body).toContain('<Code>BadDigest</Code>');
  const sha256 = await putRaw('precious', body, { 'x-amz-content-sha256': 'a'.repeat(64) });
  expect(sha256.status).toBe(400);
  expect(sha256.body).toContain('<Code>XAmzContentSHA256Mismatch</Code>');
  // A part too: the upload keeps no part for it.
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: B, Key: 'precious' }));
  await expectAwsError(s3.send(new UploadPartCommand({ Bucket: B, Key: 'precious', UploadId, PartNumber: 1, Body: body, ContentMD5: wrongMd5 })), 'BadDigest');
  expect(s3Files().filter((f) => f.startsWith('parts/'))).toEqual([]);
  await precious_intact_and_nothing_stray(before);
}, 60_000);

test('a client that hangs up mid-upload leaves the old object and no stray file', async () => {
  const before = s3Files().filter((f) => f.startsWith('data/'));
  const socket = connect(te.port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write([`PUT /${B}/precious HTTP/1.1`, `Host: 127.0.0.1:${te.port}`, `Authorization: ${AUTH}`, `Content-Length: ${20 * MiB}`, '', ''].join('\r\n'));
  socket.write(randomBytes(3 * MiB));
  await new Promise((r) => setTimeout(r, 200));
  socket.destroy();
  await new Promise((r) => setTimeout(r, 300));
  await precious_intact_and_nothing_stray(before);
});

test('a small body refused part-way (a bad aws-chunked frame) is drained: the same keep-alive connection serves the next request', async () => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const send = (headers: Record<string, string>, pieces: Buffer[]) =>
    new Promise<{ status: number; body: string; socket: unknown }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: te.port, method: 'PUT', path: `/${B}/framed`, agent, headers: { authorization: AUTH, ...headers } }, (res) => {
        let out = '';
        res.on('data', (c) => (out += c));
        res.on('end', () => resolve({ status: res.statusCode!, body: out, socket: req.socket }));
      });
      req.on('error', reject);
      req.write(pieces[0]);
      setTimeout(() => req.end(pieces[1]), 100); // the rest arrives after the refusal
    });
  const framing = { 'content-encoding': 'aws-chunked', 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'x-amz-decoded-content-length': '5' };
  const bad = Buffer.from('zz\r\nhello\r\n'); // not a hex size
  const rest = Buffer.alloc(900_000, 0x61);
  const first = await send({ ...framing, 'content-length': String(bad.length + rest.length) }, [bad, rest]);
  expect(first.status).toBe(400);
  const good = Buffer.from('5\r\nhello\r\n0\r\n\r\n');
  const second = await Promise.race([
    send({ ...framing, 'content-length': String(good.length) }, [good.subarray(0, 3), good.subarray(3)]),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the second request on the connection got no answer')), 3000)),
  ]);
  expect(second.status).toBe(200);
  expect(second.socket).toBe(first.socket);
  agent.destroy();
});

test('a data file moved in place of another object does not decrypt (500 InternalError), and the object it came from still reads', async () => {
  await s3.send(new PutObjectCommand({ Bucket: B, Key: 'victim', Body: 'the victim bytes' }));
  await s3.send(new PutObjectCommand({ Bucket: B, Key: 'source', Body: 'the bytes of source' }));
  const dataOf = (key: string) => {
    const metaDir = join(te.home, 'engine', 's3', 'objects', B);
    const meta = readdirSync(metaDir).map((f) => JSON.parse(readFileSync(join(metaDir, f), 'utf8'))).find((m) => m.Key === key);
    return join(te.home, 'engine', meta.dataFile);
  };
  copyFileSync(dataOf('source'), dataOf('victim'));
  await expectAwsError(s3.send(new GetObjectCommand({ Bucket: B, Key: 'victim' })), 'InternalError', 500);
  expect((await bytesOf('source')).toString()).toBe('the bytes of source');
  // Cut short by one byte: the last segment no longer authenticates.
  const file = dataOf('source');
  writeFileSync(file, readFileSync(file).subarray(0, -1));
  await expectAwsError(s3.send(new GetObjectCommand({ Bucket: B, Key: 'source' })), 'InternalError', 500);
  // The server keeps serving.
  expect((await s3.send(new ListObjectsV2Command({ Bucket: B }))).KeyCount).toBeGreaterThan(0);
});

test("a part's data moved in place of the object it completed does not decrypt: same data key, but bound to the part", async () => {
  const body = randomBytes(200_000);
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: B, Key: 'assembled' }));
  const { ETag } = await s3.send(new UploadPartCommand({ Bucket: B, Key: 'assembled', UploadId, PartNumber: 1, Body: body }));
  // The part's file, sealed with the upload's data key, the key the completed object is sealed with too.
  const partFile = join(te.home, 'engine', 's3', s3Files().find((f) => f.startsWith(`parts/${B}/${UploadId}/`))!);
  const savedPart = readFileSync(partFile);
  await s3.send(new CompleteMultipartUploadCommand({ Bucket: B, Key: 'assembled', UploadId, MultipartUpload: { Parts: [{ ETag, PartNumber: 1 }] } }));
  expect((await bytesOf('assembled')).equals(body)).toBe(true);
  const metaDir = join(te.home, 'engine', 's3', 'objects', B);
  const meta = readdirSync(metaDir).map((f) => JSON.parse(readFileSync(join(metaDir, f), 'utf8'))).find((m) => m.Key === 'assembled');
  writeFileSync(join(te.home, 'engine', meta.dataFile), savedPart);
  await expectAwsError(s3.send(new GetObjectCommand({ Bucket: B, Key: 'assembled' })), 'InternalError', 500);
});

function* chunksOf(body: Buffer, size: number) {
  for (let i = 0; i < body.length; i += size) yield body.subarray(i, i + size);
}

/** An aws-chunked body (unsigned, as the SDK sends it) with the given trailers. */
function awsChunked(body: Buffer, trailers: Record<string, string>, size = 64 * 1024): Buffer {
  const out: Buffer[] = [];
  for (const chunk of chunksOf(body, size)) out.push(Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n'));
  out.push(Buffer.from(`0\r\n${Object.entries(trailers).map(([k, v]) => `${k}:${v}\r\n`).join('')}\r\n`));
  return Buffer.concat(out);
}

function putRaw(key: string, body: Buffer, headers: Record<string, string>) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: te.port, method: 'PUT', path: `/${B}/${key}`, headers: { authorization: AUTH, 'content-length': String(body.length), ...headers } },
      (res) => {
        let out = '';
        res.on('data', (c) => (out += c));
        res.on('end', () => resolve({ status: res.statusCode!, body: out }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
