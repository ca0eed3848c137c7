// CopyObject: the source is decrypted (through KMS for SSE-KMS) and the copy encrypted
// as the copy request or the destination bucket's default encryption says.
import type { EngineResponse } from '../wire.js';
import { computeChecksum } from './checksums.js';
import { requireBucket, type S3Call, type S3Context } from './context.js';
import { s3Errors } from './errors.js';
import { assertKey } from './names.js';
import { checkConditions, storedHeaders, userMetadata } from './object-headers.js';
import { storeObject } from './objects.js';
import { isoTime, xmlReply } from './request.js';
import { SSE_HEADER, sseFromRequest, sseResponseHeaders } from './sse.js';
import type { ChecksumAlgorithm } from './state.js';
import { CHECKSUM_ALGORITHMS } from './checksums.js';
import { el } from './xml.js';

export function copyObject(ctx: S3Context, call: S3Call): EngineResponse {
  const destBucket = requireBucket(ctx, call);
  assertKey(call.key);
  const headers = call.req.headers;
  const source = copySource(headers['x-amz-copy-source']!);
  const srcBucket = ctx.state.buckets.get(source.bucket);
  if (!srcBucket) throw s3Errors.noSuchBucket(source.bucket);
  const record = ctx.state.getObject(source.bucket, source.key);
  if (!record) throw s3Errors.noSuchKey(source.key);
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
  const bytes = ctx.crypto.decrypt(record, source.bucket, ctx.state.readData(record), call.caller, call.requestId);
  const checksum = algorithm ? { algorithm, value: computeChecksum(algorithm, bytes) } : record.Checksum;
  const fields =
    directive === 'COPY'
      ? { ContentType: record.ContentType, Metadata: record.Metadata, Headers: record.Headers, Checksum: checksum }
      : { ContentType: headers['content-type'] ?? 'binary/octet-stream', Metadata: userMetadata(headers), Headers: storedHeaders(headers), Checksum: checksum };
  const copy = storeObject(ctx, call, sse, bytes, fields);
  bytes.fill(0);
  const checksumElement = copy.Checksum && el(`Checksum${copy.Checksum.algorithm}`, copy.Checksum.value);
  return xmlReply(call.requestId, el('CopyObjectResult', [el('ETag', copy.ETag), el('LastModified', isoTime(copy.LastModified)), checksumElement]), 200, sseResponseHeaders(copy.encryption, { write: true }));
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
