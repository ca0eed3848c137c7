// Object operations: PutObject, GetObject (ranges too), HeadObject, DeleteObject.
// Bytes are encrypted as they arrive, before they reach the Store, and decrypted as they
// are sent back: an object is never held whole in memory.
import type { StreamedRead } from '../streamed-file.js';
import type { EngineResponse } from '../wire.js';
import { BodyCheck, checkedChunks, rawBody } from './body.js';
import { checksumHeader } from './checksums.js';
import { requireBucket, type S3Call, type S3Context } from './context.js';
import { s3Errors } from './errors.js';
import { assertKey, objectArn } from './names.js';
import { byteRange, checkConditions, objectHeaders, storedHeaders, userMetadata } from './object-headers.js';
import { emptyReply, s3Headers } from './request.js';
import { closing, readSealedFile, writeSealedFile, type SealedFile } from './sealed-data.js';
import { sseFromRequest, sseResponseHeaders } from './sse.js';
import type { ObjectRecord, StoredEncryption } from './state.js';

/** S3's limit for one PutObject (and one part): 5 GiB. */
export const MAX_PUT_BYTES = 5 * 1024 ** 3;

export async function putObject(ctx: S3Context, call: S3Call): Promise<EngineResponse> {
  const bucket = requireBucket(ctx, call);
  assertKey(call.key);
  const headers = call.req.headers;
  const sse = sseFromRequest(headers, bucket);
  const check = new BodyCheck(headers, { requireLength: true });
  assertUploadSize(call, check.declaredSize);
  const metadata = userMetadata(headers);
  const conditions = () => checkWriteConditions(headers, ctx.state.getObject(call.bucket, call.key), call.key);
  conditions(); // before the body is read, and again when it is in
  const { dataKey, encryption } = ctx.crypto.newDataKey(sse, call.bucket, call.key, call.caller, call.requestId);
  const sealed = await sealNewObject(ctx, call.bucket, call.key, dataKey, checkedChunks(check, rawBody(call.req)));
  const body = check.checked;
  const record = await publishObject(ctx, call.bucket, sealed, conditions, {
    Key: call.key,
    Size: body.size,
    ETag: etagOf(body.md5, sealed.sealedMd5, encryption),
    LastModified: ctx.engine.clock.now().getTime(),
    ContentType: headers['content-type'] ?? 'binary/octet-stream',
    Metadata: metadata,
    Headers: storedHeaders(headers),
    Checksum: body.checksum,
    encryption,
  });
  const out: Record<string, string> = { etag: record.ETag, ...sseResponseHeaders(record.encryption, { write: true }) };
  if (record.Checksum) {
    out[checksumHeader(record.Checksum.algorithm)] = record.Checksum.value;
    out['x-amz-checksum-type'] = 'FULL_OBJECT';
  }
  return emptyReply(call.requestId, 200, out);
}

/**
 * S3's EntityTooLarge (400) for a single upload (PutObject, UploadPart) over 5 GiB, or over
 * the engine's own limit for a body, refused from its headers before a byte is read.
 */
export function assertUploadSize(call: S3Call, declared: number | undefined) {
  const max = Math.min(MAX_PUT_BYTES, call.req.stream?.limit ?? MAX_PUT_BYTES);
  if (declared !== undefined && declared > max) throw s3Errors.entityTooLarge(declared, max);
}

/** If-None-Match: * (no object may exist) and If-Match (this one must), as S3 checks a conditional write. */
function checkWriteConditions(headers: Record<string, string>, existing: ObjectRecord | undefined, key: string) {
  if (headers['if-none-match'] === '*' && existing) throw s3Errors.preconditionFailed('If-None-Match');
  if (headers['if-match'] !== undefined) {
    if (!existing) throw s3Errors.noSuchKey(key);
    checkConditions({ 'if-match': headers['if-match'] }, existing);
  }
}

/** Encrypts plaintext, as it arrives, into a new data file for bucket/key (bound to the object's ARN); the key is wiped after. */
export async function sealNewObject(ctx: S3Context, bucket: string, key: string, dataKey: Buffer, plaintext: AsyncIterable<Buffer>): Promise<SealedFile> {
  try {
    return await writeSealedFile(ctx.engine.store, ctx.state.newDataFile(bucket), dataKey, objectArn(bucket, key), plaintext);
  } finally {
    dataKey.fill(0);
  }
}

/** Makes a sealed object visible under its key once the bucket is still there and the last checks pass; else nothing is left. */
export function publishObject(ctx: S3Context, bucket: string, sealed: SealedFile, lastChecks: () => void, record: Omit<ObjectRecord, 'dataFile'>): Promise<ObjectRecord> {
  return sealed.publish(() => {
    if (!ctx.state.buckets.has(bucket)) throw s3Errors.noSuchBucket(bucket);
    lastChecks();
    return ctx.state.commitObject(bucket, { ...record, dataFile: sealed.file });
  });
}

/** SSE-S3 objects have the MD5 of their bytes as ETag; S3 documents SSE-KMS ETags as not an MD5 of the data. */
export function etagOf(plainMd5: Buffer, sealedMd5: Buffer, enc: StoredEncryption): string {
  return `"${(enc.algorithm === 'AES256' ? plainMd5 : sealedMd5).toString('hex')}"`;
}

/**
 * The object's record and its data file, opened: the file stays readable if a write
 * replaces the object meanwhile, so the record and the bytes served belong together.
 */
export async function openCurrentData(ctx: S3Context, bucket: string, key: string): Promise<{ record: ObjectRecord; reader: StreamedRead }> {
  for (;;) {
    const record = ctx.state.getObject(bucket, key);
    if (!record) throw s3Errors.noSuchKey(key);
    const reader = await ctx.engine.store.openRead(record.dataFile);
    if (reader) return { record, reader };
    if (ctx.state.getObject(bucket, key) === record) throw new Error(`object data ${record.dataFile} is missing`);
    // replaced or deleted while the file was being opened: look again
  }
}

export function getObject(ctx: S3Context, call: S3Call): Promise<EngineResponse> {
  return readObject(ctx, call, false);
}

export function headObject(ctx: S3Context, call: S3Call): Promise<EngineResponse> {
  return readObject(ctx, call, true);
}

async function readObject(ctx: S3Context, call: S3Call, headOnly: boolean): Promise<EngineResponse> {
  requireBucket(ctx, call);
  assertKey(call.key);
  if (headOnly) {
    const record = ctx.state.getObject(call.bucket, call.key);
    if (!record) throw s3Errors.noSuchKey(call.key);
    return describeRead(record, call).reply;
  }
  const { record, reader } = await openCurrentData(ctx, call.bucket, call.key);
  try {
    const { reply, range } = describeRead(record, call);
    if (reply.status === 304) {
      await reader.close();
      return reply;
    }
    // The data key first: a KMS refusal is an S3 error before any byte is sent.
    const dataKey = ctx.crypto.openDataKey(record.encryption, call.bucket, record.Key, call.caller, call.requestId);
    return { ...reply, stream: await started(readSealedFile(reader, dataKey, objectArn(call.bucket, record.Key), record.Size, range)) };
  } catch (e) {
    await reader.close();
    throw e;
  }
}

/**
 * The stream with its first piece already read: data that does not decrypt (damaged, or
 * moved from another object) fails here as an S3 error, before the reply's status is sent.
 */
async function started(stream: AsyncIterable<Buffer>): Promise<AsyncIterable<Buffer>> {
  const iterator = stream[Symbol.asyncIterator]();
  let first: IteratorResult<Buffer> | undefined = await iterator.next();
  const next = () => {
    const step = first;
    first = undefined;
    return step ? Promise.resolve(step) : iterator.next();
  };
  return closing({ next }, async () => void (await iterator.return?.()));
}

/** The reply's status and headers for a read of `record`: conditions (304, 412) and the range (206, 416). */
function describeRead(record: ObjectRecord, call: S3Call): { reply: EngineResponse; range?: { start: number; end: number } } {
  const headers = call.req.headers;
  if (checkConditions(headers, record) === 'not-modified')
    return { reply: emptyReply(call.requestId, 304, { etag: record.ETag, 'last-modified': objectHeaders(record, { withChecksum: false })['last-modified']! }) };
  const range = byteRange(headers.range, record.Size);
  const out = objectHeaders(record, { withChecksum: !range && headers['x-amz-checksum-mode'] === 'ENABLED', query: call.req.query });
  const length = range ? range.end - range.start + 1 : record.Size;
  if (range) out['content-range'] = `bytes ${range.start}-${range.end}/${record.Size}`;
  return { reply: { status: range ? 206 : 200, headers: s3Headers(call.requestId, { ...out, 'content-length': String(length) }), body: '' }, range };
}

export function deleteObject(ctx: S3Context, call: S3Call): EngineResponse {
  requireBucket(ctx, call);
  assertKey(call.key);
  ctx.state.deleteObject(call.bucket, call.key);
  return emptyReply(call.requestId, 204);
}
