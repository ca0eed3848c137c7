// Who is calling: every request is authenticated here, once, before any service sees it.
// Requests signed with credentials the engine issued (an IAM user's access key, STS
// temporary credentials) are verified as AWS verifies Signature Version 4. Any other
// access key acts as its account's default learner (an administrator) in the default
// local mode, so the AWS CLI and the SDKs work with whatever credentials they have; the
// strict mode refuses it, and refuses unsigned requests.
//
// Time. A client signs with its own clock, which the engine's fast-forward does not move.
// So the 15-minute skew check compares a request's time with the engine's real time (its
// clock less the fast-forward): a learner who fast-forwards is not locked out of the
// engine. What expires (STS credentials, presigned URLs) expires on the engine clock, so
// fast-forwarding past the end shows it expire, as waiting would on AWS; a presigned
// URL's validity is counted from when it was signed, on the engine clock of that moment.
import { makeCaller, ENGINE_ACCOUNT, type Caller } from '../caller.js';
import type { EngineClock } from '../clock.js';
import type { AwsError } from '../errors.js';
import type { EngineRequest } from '../wire.js';
import { authError, type AuthFailure, type AuthProtocol } from './authenticate-errors.js';
import { isSigned, MAX_SKEW_MS, namedCredential, sameText, sha256Hex, signedParts, timeOf, UNSIGNED_PAYLOAD, verifySignature, type SignedParts } from './sigv4.js';
import type { Directory, IssuedCredentials } from './types.js';

export type { AuthProtocol } from './authenticate-errors.js';

export interface AuthenticationContext {
  /** Where engine-issued credentials are found; undefined while the engine has no IAM (every key is unknown). */
  directory: Directory | undefined;
  clock: EngineClock;
  /** Refuse unsigned requests and access keys the engine never issued. */
  strict: boolean;
}

/**
 * The caller a request authenticates as, or the error its protocol answers with. Only a
 * request signed with engine-issued credentials has its body hashed: JSON and Query bodies,
 * read whole already; S3 names its payload hash, so an upload is never buffered to check it.
 */
export async function authenticate(req: EngineRequest, protocol: AuthProtocol, ctx: AuthenticationContext): Promise<Caller | AwsError> {
  const named = namedCredential(req);
  const issued = named && ctx.directory?.credentials(named.accessKeyId);
  if (issued) {
    const outcome = await verify(req, protocol, issued, ctx);
    return 'kind' in outcome ? authError(protocol, outcome) : outcome;
  }
  if (ctx.strict) {
    if (!isSigned(req)) return authError(protocol, { kind: 'missing' });
    const parts = signedParts(req);
    if ('malformed' in parts) return authError(protocol, { kind: 'malformed', detail: parts });
    return authError(protocol, { kind: 'unknown-key', accessKeyId: parts.accessKeyId });
  }
  const region = named?.region;
  const learner = ctx.directory?.defaultLearner(ENGINE_ACCOUNT, region ?? 'us-east-1') ?? makeCaller({ region });
  return { ...learner, accessKeyId: named?.accessKeyId ?? 'ANONYMOUS', sourceIp: req.remoteAddress ?? '127.0.0.1', userAgent: req.headers['user-agent'] ?? '' };
}

async function verify(req: EngineRequest, protocol: AuthProtocol, issued: IssuedCredentials, ctx: AuthenticationContext): Promise<Caller | AuthFailure> {
  const parts = signedParts(req);
  if ('malformed' in parts) return { kind: 'malformed', detail: parts };
  const expected = expectedServices(protocol, req);
  if (expected && !expected.includes(parts.service)) return { kind: 'wrong-service', signed: parts.service, expected: expected[0]!, presigned: parts.in === 'query' };
  const unsigned = unsignedHeaders(req, parts, protocol);
  if (unsigned.length > 0) return { kind: 'unsigned-headers', headers: unsigned };
  if (issued.status !== 'Active') return { kind: 'unknown-key', accessKeyId: parts.accessKeyId };
  const tokenProblem = checkToken(parts, issued);
  if (tokenProblem) return tokenProblem;
  const payloadHash = payloadHashOf(req, parts, protocol);
  if (payloadHash === undefined) return { kind: 'missing-content-sha256' };
  const verification = await verifySignature(req, parts, issued.secretAccessKey, payloadHash);
  if (!verification.ok)
    return { kind: 'mismatch', accessKeyId: parts.accessKeyId, signatureProvided: parts.signature, canonicalRequest: verification.canonicalRequest, stringToSign: verification.stringToSign };
  const caller = issued.caller(parts.region);
  // Times on the caller's account's clock: a class's learners each have their own (clock.ts).
  const timeProblem = checkTime(parts, ctx.clock, caller.accountId);
  if (timeProblem) return timeProblem;
  if (issued.expiresAt !== undefined && ctx.clock.nowFor(caller.accountId) >= issued.expiresAt) return { kind: 'expired-token', token: parts.sessionToken ?? '' };
  return { ...caller, sourceIp: req.remoteAddress ?? '127.0.0.1', userAgent: req.headers['user-agent'] ?? '' };
}

/** The service a request's credential scope must name: the endpoint's own. */
function expectedServices(protocol: AuthProtocol, req: EngineRequest): readonly string[] | undefined {
  if (protocol === 'rest') return ['s3'];
  if (protocol === 'query') return ['iam', 'sts'];
  const target = req.headers['x-amz-target'] ?? '';
  if (target.startsWith('TrentService.')) return ['kms'];
  if (target.includes('CloudTrail')) return ['cloudtrail'];
  return undefined;
}

/**
 * Headers a signature must cover and this one does not: host always (else it could be replayed
 * at another endpoint), the date it was made at (header signatures), and for S3 every x-amz-*
 * header the request carries, as S3 requires.
 */
function unsignedHeaders(req: EngineRequest, parts: SignedParts, protocol: AuthProtocol): string[] {
  const signed = new Set(parts.signedHeaders);
  const out: string[] = [];
  if (!signed.has('host')) out.push('host');
  if (parts.in === 'header') {
    const dateHeader = req.headers['x-amz-date'] !== undefined ? 'x-amz-date' : 'date';
    if (!signed.has(dateHeader)) out.push(dateHeader);
  }
  if (protocol === 'rest') for (const name of Object.keys(req.headers)) if (name.startsWith('x-amz-') && !signed.has(name) && !out.includes(name)) out.push(name);
  return out;
}

/** STS credentials are good only with their session token; an IAM user's key with none. */
function checkToken(parts: SignedParts, issued: IssuedCredentials): AuthFailure | undefined {
  if (issued.sessionToken === undefined) return parts.sessionToken === undefined ? undefined : { kind: 'invalid-token', token: parts.sessionToken };
  if (parts.sessionToken === undefined) return { kind: 'unknown-key', accessKeyId: parts.accessKeyId };
  return sameText(parts.sessionToken, issued.sessionToken) ? undefined : { kind: 'invalid-token', token: parts.sessionToken };
}

/**
 * The payload hash the signature was made over. S3 names it (x-amz-content-sha256: a hex
 * SHA-256, which S3 checks against the body as it reads it; UNSIGNED-PAYLOAD; or STREAMING-*,
 * whose chunk signatures the engine does not verify one by one) and a presigned S3 URL signs
 * UNSIGNED-PAYLOAD; undefined for an S3 header signature that names none. Every other service
 * hashes the body it read whole, whatever a header claims.
 */
function payloadHashOf(req: EngineRequest, parts: SignedParts, protocol: AuthProtocol): string | undefined {
  if (protocol !== 'rest') return sha256Hex(req.body);
  const named = req.headers['x-amz-content-sha256'] ?? (parts.in === 'query' ? queryValue(req.query, 'x-amz-content-sha256') : undefined);
  return named ?? (parts.in === 'query' ? UNSIGNED_PAYLOAD : undefined);
}

function queryValue(query: URLSearchParams, lowerName: string): string | undefined {
  for (const [name, value] of query) if (name.toLowerCase() === lowerName) return value;
  return undefined;
}

/**
 * A header signature made over 15 minutes from the engine's real time is refused (see the
 * top of this file); a presigned URL, once its X-Amz-Expires seconds have passed on the engine clock.
 */
function checkTime(parts: SignedParts, clock: EngineClock, accountId: string): AuthFailure | undefined {
  const signedAt = timeOf(parts.amzDate);
  const engineNow = clock.nowFor(accountId);
  if (parts.expiresSeconds !== undefined) {
    const expiresMs = signedAt + clock.offsetAt(signedAt, accountId) + parts.expiresSeconds * 1000;
    return engineNow > expiresMs ? { kind: 'presign-expired', expiresSeconds: parts.expiresSeconds, expiresMs, serverMs: engineNow } : undefined;
  }
  const realNow = engineNow - clock.accountAheadSeconds(accountId) * 1000;
  return Math.abs(signedAt - realNow) > MAX_SKEW_MS ? { kind: 'skewed', amzDate: parts.amzDate, requestMs: signedAt, serverMs: realNow } : undefined;
}
