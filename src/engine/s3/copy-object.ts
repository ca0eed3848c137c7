// CopyObject: the source is decrypted (through KMS for SSE-KMS) and the copy encrypted
// as the copy request or the destination bucket's default encryption says, streamed
// through from one file to the other.
import { createHash } from 'node:crypto';
import type { EngineResponse } from '../wire.js';
import { CHECKSUM_ALGORITHMS, checksumHasher } from './checksums.js';
import { ownsBucket, requireBucket, type S3Call, type S3Context } from './context.js';
import { s3Errors } from './errors.js';
import { assertKey, objectArn } from './names.js';
import { checkConditions, storedHeaders, userMetadata } from './object-headers.js';
import { etagOf, openCurrentData, publishObject, sealNewObject } from './objects.js';
import { isoTime, xmlReply } from './request.js';
import { readSealedFile } from './sealed-data.js';
import { SSE_HEADER, sseFromRequest, sseResponseHeaders } from './sse.js';
import type { BucketRecord, ChecksumAlgorithm, ObjectRecord } from './state.js';
import { el } from './xml.js';

export async function copyObject(ctx: S3Context, call: S3Call): Promise<EngineResponse> {
  const destBucket = requireBucket(ctx, call);
  assertKey(call.key);
  const headers = call.req.headers;
  const source = copySource(headers['x-amz-copy-source']!);
  const sourceBucket = ctx.state.buckets.get(source.bucket);
  if (!sourceBucket) throw s3Errors.noSuchBucket(source.bucket);
  if (!ownsBucket(sourceBucket, call.caller)) throw s3Errors.accessDenied();
  const { record, reader } = await openCurrentData(ctx, source.bucket, source.key);
  let release = () => reader.close();
  let plan: ReturnType<typeof copyPlan>;
  let plaintext: AsyncIterable<Buffer>;
  let target: ReturnType<typeof ctx.crypto.newDataKey>;
  try {
    plan = copyPlan(call, source, record, destBucket);
    const sourceKey = ctx.crypto.openDataKey(record.encryption, source.bucket, record.Key, call.caller, call.requestId);
    const stream = (plaintext = readSealedFile(reader, sourceKey, objectArn(source.bucket, record.Key), record.Size));
    release = async () => void (await stream[Symbol.asyncIterator]().return?.());
    target = ctx.crypto.newDataKey(plan.sse, call.bucket, call.key, call.caller, call.requestId);
  } catch (e) {
    await release();
    throw e;
  }
  const md5 = createHash('md5');
  const hasher = plan.algorithm && checksumHasher(plan.algorithm);
  const seen = observed(plaintext, (chunk) => {
    md5.update(chunk);
    hasher?.update(chunk);
  });
  const sealed = await sealNewObject(ctx, call.bucket, call.key, target.dataKey, seen);
  const copy = await publishObject(ctx, call.bucket, sealed, () => {}, {
    Key: call.key,
    Size: sealed.size,
    ETag: etagOf(md5.digest(), sealed.sealedMd5, target.encryption),
    LastModified: ctx.engine.clock.now().getTime(),
    ...plan.fields,
    Checksum: plan.algorithm && hasher ? { algorithm: plan.algorithm, value: hasher.digest() } : record.Checksum,
    encryption: target.encryption,
  });
  const checksumElement = copy.Checksum && el(`Checksum${copy.Checksum.algorithm}`, copy.Checksum.value);
  return xmlReply(call.requestId, el('CopyObjectResult', [el('ETag', copy.ETag), el('LastModified', isoTime(copy.LastModified)), checksumElement]), 200, sseResponseHeaders(copy.encryption, { write: true }));
}

/** What the copy request asks for, checked as S3 checks it: conditions on the source, the directive, encryption, checksum. */
function copyPlan(call: S3Call, source: { bucket: string; key: string }, record: ObjectRecord, destBucket: BucketRecord) {
  const headers = call.req.headers;
  if (checkConditions(headers, record, 'x-amz-copy-source-if-') === 'not-modified') throw s3Errors.preconditionFailed('x-amz-copy-source-If-None-Match');
  const directive = headers['x-amz-metadata-directive'] ?? 'COPY';
  if (directive !== 'COPY' && directive !== 'REPLACE') throw s3Errors.invalidArgument('Unknown metadata directive.', 'x-amz-metadata-directive', directive);
  const changesEncryption = Object.keys(headers).some((h) => h.startsWith(SSE_HEADER));
  if (source.bucket === call.bucket && source.key === call.key && directive === 'COPY' && !changesEncryption && !headers['x-amz-storage-class'])
    throw s3Errors.invalidRequest(
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  const sse = sseFromRequest(headers, destBucket);
  const algorithm = checksumAlgorithm(headers['x-amz-checksum-algorithm']);
  const fields =
    directive === 'COPY'
      ? { ContentType: record.ContentType, Metadata: record.Metadata, Headers: record.Headers }
      : { ContentType: headers['content-type'] ?? 'binary/octet-stream', Metadata: userMetadata(headers), Headers: storedHeaders(headers) };
  return { sse, algorithm, fields };
}

/** The same bytes, each shown to `see` on the way. */
async function* observed(source: AsyncIterable<Buffer>, see: (chunk: Buffer) => void): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    see(chunk);
    yield chunk;
  }
}

/** x-amz-copy-source: "bucket/key" or "/bucket/key", URL-encoded, optionally "?versionId=". */
function copySource(value: string): { bucket: string; key: string } {
  const bad = () => s3Errors.invalidArgument('Copy Source must mention the source bucket and key: sourcebucket/sourcekey', 'x-amz-copy-source', value);
  let raw = value;
  const q = raw.indexOf('?');
  if (q >= 0) {
    const version = new URLSearchParams(raw.slice(q + 1)).get('versionId');
    if (version !== null && version !== 'null') throw s3Errors.invalidArgument('Invalid version id specified', 'x-amz-copy-source', value);
    raw = raw.slice(0, q);
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    throw bad();
  }
  if (decoded.startsWith('/')) decoded = decoded.slice(1);
  const slash = decoded.indexOf('/');
  if (slash <= 0 || slash === decoded.length - 1) throw bad();
  return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1) };
}

function checksumAlgorithm(value: string | undefined): ChecksumAlgorithm | undefined {
  if (value === undefined) return undefined;
  const upper = value.toUpperCase() as ChecksumAlgorithm;
  if (!CHECKSUM_ALGORITHMS.includes(upper)) throw s3Errors.invalidRequest('Value for x-amz-checksum-algorithm header is invalid.');
  return upper;
}
