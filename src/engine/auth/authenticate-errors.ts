// Why a request was not authenticated, and how each protocol says it: AWS JSON services
// (KMS, CloudTrail), the Query services (IAM, STS) and S3 each have their own error types,
// HTTP statuses and words for the same failure.
import { AwsError } from '../errors.js';
import { S3Error } from '../s3/errors.js';
import { basicTime, MAX_SKEW_MS, type Malformed } from './sigv4.js';

export type AuthProtocol = 'json' | 'query' | 'rest';

export type AuthFailure =
  /** No signature at all (strict mode). */
  | { kind: 'missing' }
  | { kind: 'malformed'; detail: Malformed }
  /** Headers that must be signed and were not: host and the date always, S3's x-amz-* too. */
  | { kind: 'unsigned-headers'; headers: string[] }
  /** S3: a header-signed request must say what payload hash it signed. */
  | { kind: 'missing-content-sha256' }
  | { kind: 'wrong-service'; signed: string; expected: string; presigned: boolean }
  /** An access key the engine never issued (strict mode), or one made Inactive, or an ASIA key without its token. */
  | { kind: 'unknown-key'; accessKeyId: string }
  | { kind: 'invalid-token'; token: string }
  | { kind: 'expired-token'; token: string }
  | { kind: 'mismatch'; accessKeyId: string; signatureProvided: string; canonicalRequest: string; stringToSign: string }
  /** The request's time is over 15 minutes from the server's (both epoch ms). */
  | { kind: 'skewed'; amzDate: string; requestMs: number; serverMs: number }
  | { kind: 'presign-expired'; expiresSeconds: number; expiresMs: number; serverMs: number };

const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const INVALID_TOKEN = 'The security token included in the request is invalid.';
const EXPIRED_TOKEN = 'The security token included in the request is expired';
const MISSING_TOKEN = 'Request is missing Authentication Token';

/** The failure as the protocol's error: AwsError for JSON and Query, S3Error (with S3's extra elements) for S3. */
export function authError(protocol: AuthProtocol, failure: AuthFailure): AwsError {
  return protocol === 'rest' ? s3Error(failure) : protocol === 'json' ? jsonError(failure) : queryError(failure);
}

function jsonError(f: AuthFailure): AwsError {
  switch (f.kind) {
    case 'missing':
      return new AwsError('MissingAuthenticationTokenException', MISSING_TOKEN, 400);
    case 'malformed':
      return new AwsError('IncompleteSignatureException', f.detail.message, 400);
    case 'unsigned-headers':
    case 'missing-content-sha256':
      return new AwsError('IncompleteSignatureException', unsignedMessage(f), 400);
    case 'wrong-service':
      return new AwsError('InvalidSignatureException', `Credential should be scoped to correct service: '${f.expected}'. `, 400);
    case 'unknown-key':
    case 'invalid-token':
      return new AwsError('UnrecognizedClientException', INVALID_TOKEN, 400);
    case 'expired-token':
      return new AwsError('ExpiredTokenException', EXPIRED_TOKEN, 400);
    case 'mismatch':
      return new AwsError('InvalidSignatureException', SIGNATURE_MISMATCH, 400);
    case 'skewed':
      return new AwsError('InvalidSignatureException', skewMessage(f), 400);
    case 'presign-expired':
      return new AwsError('InvalidSignatureException', presignExpiredMessage(f), 400);
  }
}

function queryError(f: AuthFailure): AwsError {
  switch (f.kind) {
    case 'missing':
      return new AwsError('MissingAuthenticationToken', MISSING_TOKEN, 403);
    case 'malformed':
      return new AwsError('IncompleteSignature', f.detail.message, 400);
    case 'unsigned-headers':
    case 'missing-content-sha256':
      return new AwsError('IncompleteSignature', unsignedMessage(f), 400);
    case 'wrong-service':
      return new AwsError('SignatureDoesNotMatch', `Credential should be scoped to correct service: '${f.expected}'. `, 403);
    case 'unknown-key':
    case 'invalid-token':
      return new AwsError('InvalidClientTokenId', INVALID_TOKEN, 403);
    case 'expired-token':
      return new AwsError('ExpiredToken', EXPIRED_TOKEN, 403);
    case 'mismatch':
      return new AwsError('SignatureDoesNotMatch', SIGNATURE_MISMATCH, 403);
    case 'skewed':
      return new AwsError('SignatureDoesNotMatch', skewMessage(f), 403);
    case 'presign-expired':
      return new AwsError('SignatureDoesNotMatch', presignExpiredMessage(f), 403);
  }
}

function s3Error(f: AuthFailure): S3Error {
  switch (f.kind) {
    case 'missing':
      return new S3Error('AccessDenied', 'Access Denied', 403);
    case 'malformed':
      return new S3Error(f.detail.s3Code, f.detail.s3Message, f.detail.s3Status);
    case 'unsigned-headers':
      return new S3Error('AccessDenied', 'There were headers present in the request which were not signed', 403, { HeadersNotSigned: f.headers.join(', ') });
    case 'missing-content-sha256':
      return new S3Error('InvalidRequest', 'Missing required header for this request: x-amz-content-sha256', 400);
    case 'wrong-service': {
      const prefix = f.presigned ? 'Error parsing the X-Amz-Credential parameter; ' : 'The authorization header is malformed; ';
      return new S3Error(f.presigned ? 'AuthorizationQueryParametersError' : 'AuthorizationHeaderMalformed', `${prefix}incorrect service "${f.signed}". This endpoint belongs to "s3".`, 400);
    }
    case 'unknown-key':
      return new S3Error('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', 403, { AWSAccessKeyId: f.accessKeyId });
    case 'invalid-token':
      return new S3Error('InvalidToken', 'The provided token is malformed or otherwise invalid.', 400, { 'Token-0': f.token });
    case 'expired-token':
      return new S3Error('ExpiredToken', 'The provided token has expired.', 400, { 'Token-0': f.token });
    case 'mismatch':
      return new S3Error('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', 403, {
        AWSAccessKeyId: f.accessKeyId,
        StringToSign: f.stringToSign,
        SignatureProvided: f.signatureProvided,
        StringToSignBytes: hexBytes(f.stringToSign),
        CanonicalRequest: f.canonicalRequest,
        CanonicalRequestBytes: hexBytes(f.canonicalRequest),
      });
    case 'skewed':
      return new S3Error('RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.', 403, {
        RequestTime: f.amzDate,
        ServerTime: isoSeconds(f.serverMs),
        MaxAllowedSkewMilliseconds: MAX_SKEW_MS,
      });
    case 'presign-expired':
      return new S3Error('AccessDenied', 'Request has expired', 403, {
        'X-Amz-Expires': f.expiresSeconds,
        Expires: isoSeconds(f.expiresMs),
        ServerTime: isoSeconds(f.serverMs),
      });
  }
}

function unsignedMessage(f: { kind: 'unsigned-headers'; headers: string[] } | { kind: 'missing-content-sha256' }): string {
  if (f.kind === 'missing-content-sha256') return "Missing the 'x-amz-content-sha256' in canonical headers.";
  return f.headers
    .map((h) => (h === 'host' ? "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization." : `'${h}' must be a 'SignedHeader' in the AWS Authorization.`))
    .join(' ');
}

/** AWS's words for a request signed too long ago or too far ahead: "Signature expired: T is now earlier than N (S - 15 min.)". */
function skewMessage(f: { amzDate: string; requestMs: number; serverMs: number }): string {
  const server = basicTime(f.serverMs);
  if (f.requestMs < f.serverMs) return `Signature expired: ${f.amzDate} is now earlier than ${basicTime(f.serverMs - MAX_SKEW_MS)} (${server} - 15 min.)`;
  return `Signature not yet current: ${f.amzDate} is still later than ${basicTime(f.serverMs + MAX_SKEW_MS)} (${server} + 15 min.)`;
}

function presignExpiredMessage(f: { expiresMs: number; serverMs: number }): string {
  return `Signature expired: the presigned request expired at ${basicTime(f.expiresMs)}, and it is now ${basicTime(f.serverMs)}.`;
}

const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** S3 spells out StringToSign and CanonicalRequest byte by byte too ("41 57 53 34 ..."). */
const hexBytes = (s: string) => Array.from(Buffer.from(s), (b) => b.toString(16).padStart(2, '0')).join(' ');
