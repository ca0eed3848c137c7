// Which server-side encryption a write asks for: the request's x-amz-server-side-encryption*
// headers, or else the bucket's default encryption (SSE-S3 when none was set, as S3
// has applied to every bucket since January 2023).
import { s3Errors } from './errors.js';
import type { BucketRecord, StoredEncryption } from './state.js';

export interface SseRequest {
  algorithm: 'AES256' | 'aws:kms';
  /** The KMS key as the caller named it (id, ARN, alias or alias ARN); undefined: the AWS managed key aws/s3. */
  keyRef?: string;
  /** Extra encryption context from x-amz-server-side-encryption-context. */
  userContext?: Record<string, string>;
  bucketKey: boolean;
}

export const SSE_HEADER = 'x-amz-server-side-encryption';
export const SSE_KEY_HEADER = 'x-amz-server-side-encryption-aws-kms-key-id';
export const SSE_CONTEXT_HEADER = 'x-amz-server-side-encryption-context';
export const SSE_BUCKET_KEY_HEADER = 'x-amz-server-side-encryption-bucket-key-enabled';

export function sseFromRequest(headers: Record<string, string>, bucket: BucketRecord): SseRequest {
  if (headers['x-amz-server-side-encryption-customer-algorithm'] !== undefined) throw s3Errors.notImplemented('Server-side encryption with customer-provided keys (SSE-C)');
  const algorithm = headers[SSE_HEADER];
  const keyRef = headers[SSE_KEY_HEADER];
  const contextHeader = headers[SSE_CONTEXT_HEADER];
  const bucketKeyHeader = headers[SSE_BUCKET_KEY_HEADER];
  if (algorithm !== undefined && algorithm !== 'AES256' && algorithm !== 'aws:kms' && algorithm !== 'aws:kms:dsse')
    throw s3Errors.invalidArgument('The encryption method specified is not supported', SSE_HEADER, algorithm);
  if (algorithm === 'aws:kms:dsse') throw s3Errors.notImplemented('Dual-layer server-side encryption (aws:kms:dsse)');
  if (algorithm !== 'aws:kms') {
    if (keyRef !== undefined)
      throw s3Errors.invalidArgument('Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms', SSE_KEY_HEADER, keyRef);
    if (contextHeader !== undefined)
      throw s3Errors.invalidArgument('Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms', SSE_CONTEXT_HEADER, contextHeader);
  }
  if (bucketKeyHeader !== undefined && !/^(true|false)$/i.test(bucketKeyHeader))
    throw s3Errors.invalidArgument(`Invalid value for header ${SSE_BUCKET_KEY_HEADER}`, SSE_BUCKET_KEY_HEADER, bucketKeyHeader);
  const rule = bucket.Encryption;
  const ruleIsKms = rule?.SSEAlgorithm === 'aws:kms';
  const bucketKey = bucketKeyHeader !== undefined ? bucketKeyHeader.toLowerCase() === 'true' : ruleIsKms && rule!.BucketKeyEnabled;
  if (algorithm === 'aws:kms') {
    if (keyRef !== undefined && keyRef.trim() === '') throw s3Errors.invalidArgument('KMS key ID must not be empty', SSE_KEY_HEADER, keyRef);
    return { algorithm, keyRef, userContext: contextHeader === undefined ? undefined : parseContextHeader(contextHeader), bucketKey };
  }
  if (algorithm === 'AES256') return { algorithm, bucketKey: false };
  if (ruleIsKms) return { algorithm: 'aws:kms', keyRef: rule!.KMSMasterKeyID, bucketKey };
  if (rule?.SSEAlgorithm === 'aws:kms:dsse') throw s3Errors.notImplemented('Dual-layer server-side encryption (aws:kms:dsse)');
  return { algorithm: 'AES256', bucketKey: false };
}

/** The context header: base64 of a UTF-8 JSON object whose values are strings. */
function parseContextHeader(value: string): Record<string, string> {
  const bad = () =>
    s3Errors.invalidArgument(
      "The header 'x-amz-server-side-encryption-context' shall be Base64-encoded UTF-8 string holding JSON which represents a string-string map",
      SSE_CONTEXT_HEADER,
      value,
    );
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) throw bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw bad();
  for (const v of Object.values(parsed)) if (typeof v !== 'string') throw bad();
  return parsed as Record<string, string>;
}

/** The response headers that describe how an object is encrypted; S3 echoes the context on writes only. */
export function sseResponseHeaders(enc: StoredEncryption, opts: { write: boolean }): Record<string, string> {
  const out: Record<string, string> = { [SSE_HEADER]: enc.algorithm };
  if (enc.algorithm === 'aws:kms') {
    out[SSE_KEY_HEADER] = enc.kmsKeyArn!;
    if (enc.userContext && opts.write) out[SSE_CONTEXT_HEADER] = Buffer.from(JSON.stringify(enc.userContext)).toString('base64');
    if (enc.bucketKey) out[SSE_BUCKET_KEY_HEADER] = 'true';
  }
  return out;
}
