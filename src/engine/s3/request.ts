// Where an S3 request points (bucket and key, path-style or virtual-hosted-style),
// and the shapes of S3's replies. Who signed it is auth/authenticate.ts's to say.
import type { Caller } from '../caller.js';
import type { EngineRequest, EngineResponse } from '../wire.js';
import { hostId, S3Error } from './errors.js';
import { xmlDocument, type XmlElement } from './xml.js';

export interface S3Target {
  bucket?: string;
  key?: string;
}

/**
 * `bucket.localhost:PORT/key` and `bucket.s3.<region>.amazonaws.com/key` name the bucket in
 * the host; anything else (an IP address, localhost, s3.amazonaws.com) is path-style `/bucket/key`.
 */
export function targetOf(req: EngineRequest): S3Target {
  const host = (req.headers.host ?? '').toLowerCase().replace(/:\d+$/, '');
  const hostBucket = bucketInHost(host);
  const path = req.path.startsWith('/') ? req.path.slice(1) : req.path;
  if (hostBucket !== undefined) return { bucket: hostBucket, key: path === '' ? undefined : decode(path) };
  if (path === '') return {};
  const slash = path.indexOf('/');
  if (slash < 0) return { bucket: decode(path) };
  const key = path.slice(slash + 1);
  return { bucket: decode(path.slice(0, slash)), key: key === '' ? undefined : decode(key) };
}

function bucketInHost(host: string): string | undefined {
  if (host.endsWith('.localhost') && host.length > '.localhost'.length) return host.slice(0, -'.localhost'.length);
  const m = /^(.+)\.s3(?:[.-][a-z0-9-]+)*\.amazonaws\.com$/.exec(host);
  return m?.[1];
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new S3Error('InvalidURI', "Couldn't parse the specified URI.", 400, { URI: s });
  }
}

export function s3Headers(requestId: string, extra: Record<string, string> = {}): Record<string, string> {
  return { 'x-amz-request-id': requestId, 'x-amz-id-2': hostId(requestId), server: 'AmazonS3', ...extra };
}

export function xmlReply(requestId: string, root: XmlElement, status = 200, headers: Record<string, string> = {}): EngineResponse {
  return { status, headers: s3Headers(requestId, { 'content-type': 'application/xml', ...headers }), body: xmlDocument(root) };
}

export function emptyReply(requestId: string, status = 200, headers: Record<string, string> = {}): EngineResponse {
  return { status, headers: s3Headers(requestId, headers), body: '' };
}

/** S3's timestamps: ISO 8601 with milliseconds in XML, RFC 7231 in headers. */
export const isoTime = (ms: number) => new Date(ms).toISOString();
export const httpDate = (ms: number) => new Date(ms).toUTCString();

/** The canonical user id S3 shows as the owner of everything in the engine's one account. */
export function owner(caller: Caller) {
  return { ID: Buffer.from(`kms-workshop:${caller.accountId}`).toString('hex').padEnd(64, '0').slice(0, 64), DisplayName: 'workshop-learner' };
}
