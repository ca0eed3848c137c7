// Object operations: PutObject, GetObject (ranges too), HeadObject, DeleteObject.
// Bytes are encrypted before they reach the Store and decrypted only to answer a GetObject.
import { createHash } from 'node:crypto';
import type { EngineResponse } from '../wire.js';
import { readPayload } from './body.js';
import { checksumHeader } from './checksums.js';
import { requireBucket, type S3Call, type S3Context } from './context.js';
import { s3Errors } from './errors.js';
import { assertKey } from './names.js';
import { byteRange, checkConditions, objectHeaders, storedHeaders, userMetadata } from './object-headers.js';
import { emptyReply, s3Headers } from './request.js';
import { sseFromRequest, sseResponseHeaders, type SseRequest } from './sse.js';
import type { ObjectRecord, StoredEncryption } from './state.js';

const MAX_OBJECT_BYTES = 5 * 1024 ** 3;

export function putObject(ctx: S3Context, call: S3Call): EngineResponse {
  const bucket = requireBucket(ctx, call);
  assertKey(call.key);
  const headers = call.req.headers;
  const sse = sseFromRequest(headers, bucket);
  const payload = readPayload(call.req, { requireLength: true });
  if (payload.bytes.length > MAX_OBJECT_BYTES) throw s3Errors.entityTooLarge(payload.bytes.length, MAX_OBJECT_BYTES);
  const metadata = userMetadata(headers);
  const existing = ctx.state.getObject(call.bucket, call.key);
  if (headers['if-none-match'] === '*' && existing) throw s3Errors.preconditionFailed('If-None-Match');
  if (headers['if-match'] !== undefined) {
    if (!existing) throw s3Errors.noSuchKey(call.key);
    checkConditions({ 'if-match': headers['if-match'] }, existing);
  }
  const record = storeObject(ctx, call, sse, payload.bytes, {
    ContentType: headers['content-type'] ?? 'binary/octet-stream',
    Metadata: metadata,
    Headers: storedHeaders(headers),
    Checksum: payload.checksum,
  });
  const out: Record<string, string> = { etag: record.ETag, ...sseResponseHeaders(record.encryption, { write: true }) };
  if (record.Checksum) {
    out[checksumHeader(record.Checksum.algorithm)] = record.Checksum.value;
    out['x-amz-checksum-type'] = 'FULL_OBJECT';
  }
  return emptyReply(call.requestId, 200, out);
}

/** Encrypts and stores bytes under call.bucket/call.key (PutObject and CopyObject). */
export function storeObject(
  ctx: S3Context,
  call: S3Call,
  sse: SseRequest,
  bytes: Buffer,
  fields: Pick<ObjectRecord, 'ContentType' | 'Metadata' | 'Headers' | 'Checksum'>,
): ObjectRecord {
  const { ciphertext, encryption } = ctx.crypto.encrypt(sse, call.bucket, call.key, bytes, call.caller, call.requestId);
  return ctx.state.putObject(
    call.bucket,
    {
      Key: call.key,
      Size: bytes.length,
      ETag: etagOf(bytes, ciphertext, encryption),
      LastModified: ctx.engine.clock.now().getTime(),
      ...fields,
      encryption,
    },
    ciphertext,
  );
}

/** SSE-S3 objects have the MD5 of their bytes as ETag; S3 documents SSE-KMS ETags as not an MD5 of the data. */
function etagOf(bytes: Buffer, ciphertext: Buffer, enc: StoredEncryption): string {
  const source = enc.algorithm === 'AES256' ? bytes : ciphertext;
  return `"${createHash('md5').update(source).digest('hex')}"`;
}

export function getObject(ctx: S3Context, call: S3Call): EngineResponse {
  return readObject(ctx, call, false);
}

export function headObject(ctx: S3Context, call: S3Call): EngineResponse {
  return readObject(ctx, call, true);
}

function readObject(ctx: S3Context, call: S3Call, headOnly: boolean): EngineResponse {
  requireBucket(ctx, call);
  assertKey(call.key);
  const record = ctx.state.getObject(call.bucket, call.key);
  if (!record) throw s3Errors.noSuchKey(call.key);
  const headers = call.req.headers;
  if (checkConditions(headers, record) === 'not-modified')
    return emptyReply(call.requestId, 304, { etag: record.ETag, 'last-modified': objectHeaders(record, { withChecksum: false })['last-modified']! });
  const range = byteRange(headers.range, record.Size);
  const out = objectHeaders(record, { withChecksum: !range && headers['x-amz-checksum-mode'] === 'ENABLED', query: call.req.query });
  const length = range ? range.end - range.start + 1 : record.Size;
  if (range) out['content-range'] = `bytes ${range.start}-${range.end}/${record.Size}`;
  const status = range ? 206 : 200;
  if (headOnly) return { status, headers: s3Headers(call.requestId, { ...out, 'content-length': String(length) }), body: '' };
  const plaintext = ctx.crypto.decrypt(record, call.bucket, ctx.state.readData(record), call.caller, call.requestId);
  const body = range ? plaintext.subarray(range.start, range.end + 1) : plaintext;
  return { status, headers: s3Headers(call.requestId, out), body };
}

export function deleteObject(ctx: S3Context, call: S3Call): EngineResponse {
  requireBucket(ctx, call);
  assertKey(call.key);
  ctx.state.deleteObject(call.bucket, call.key);
  return emptyReply(call.requestId, 204);
}
