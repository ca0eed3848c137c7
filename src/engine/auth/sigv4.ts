// Signature Version 4 as AWS checks it: the parts a signed request carries (in its
// Authorization header, or in a presigned URL's query string), and whether its signature
// is the one its secret key makes. The canonical request and the string to sign are
// @smithy/signature-v4's own, so the engine canonicalises exactly as AWS's SDKs do; this
// module adds what a verifier needs: the request as it arrived, the expected signature
// compared in constant time, and what AWS says when a part is missing or malformed.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { getCanonicalHeaders, SignatureV4Base } from '@smithy/signature-v4';
import type { HttpRequest, SourceData } from '@smithy/types';
import type { EngineRequest } from '../wire.js';

export const ALGORITHM = 'AWS4-HMAC-SHA256';
/** How far a request's time may be from the server's, either way (AWS: 15 minutes). */
export const MAX_SKEW_MS = 15 * 60 * 1000;
/** A presigned URL is valid for at most a week. */
export const MAX_PRESIGNED_SECONDS = 7 * 24 * 3600;
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

/** Where a request carries its signature. */
export type SignedIn = 'header' | 'query';

/** The access key and scope a request names, read leniently: enough to find its credentials. */
export interface NamedCredential {
  in: SignedIn;
  accessKeyId: string;
  region: string;
  service: string;
}

/** Everything a well-formed SigV4 request says about its signature. */
export interface SignedParts {
  in: SignedIn;
  accessKeyId: string;
  /** The credential scope: YYYYMMDD, Region, service. */
  scopeDate: string;
  region: string;
  service: string;
  /** The request's time as signed, ISO 8601 basic (20260101T120000Z). */
  amzDate: string;
  /** Lower-case header names, as listed in SignedHeaders. */
  signedHeaders: string[];
  signature: string;
  /** Presigned URLs: seconds from amzDate the URL stays valid. */
  expiresSeconds?: number;
  /** X-Amz-Security-Token, where the request carries one. */
  sessionToken?: string;
}

/** A signature that cannot be read: AWS's words for it (JSON and Query services), and S3's. */
export interface Malformed {
  malformed: true;
  in: SignedIn;
  message: string;
  s3Code: string;
  s3Message: string;
  s3Status: number;
}

const headerCredential = /Credential=([^/,\s]+)\/\d{8}\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/;
const queryCredential = /^([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request$/;

/** Whether the request carries any authentication at all (a header or presigned-URL parameters). */
export function isSigned(req: EngineRequest): boolean {
  return req.headers.authorization !== undefined || req.query.has('X-Amz-Credential') || req.query.has('X-Amz-Signature') || req.query.has('X-Amz-Algorithm');
}

/** The access key, Region and service the request names, without judging the rest of its signature. */
export function namedCredential(req: EngineRequest): NamedCredential | undefined {
  const auth = req.headers.authorization;
  if (auth !== undefined) {
    const m = headerCredential.exec(auth);
    return m ? { in: 'header', accessKeyId: m[1]!, region: m[2]!, service: m[3]! } : undefined;
  }
  const credential = req.query.get('X-Amz-Credential');
  const m = credential === null ? null : queryCredential.exec(credential);
  return m ? { in: 'query', accessKeyId: m[1]!, region: m[2]!, service: m[3]! } : undefined;
}

/** Reads the request's signature strictly, as AWS does before it verifies it. */
export function signedParts(req: EngineRequest): SignedParts | Malformed {
  const auth = req.headers.authorization;
  if (auth !== undefined) {
    if (req.query.has('X-Amz-Algorithm') || req.query.has('X-Amz-Signature'))
      return malformed('header', 'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified.', {
        code: 'InvalidArgument',
        message: 'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
      });
    return fromHeader(auth, req.headers);
  }
  return fromQuery(req.query);
}

const clip = (s: string) => (s.length > 300 ? `${s.slice(0, 300)}...` : s);

function malformed(where: SignedIn, message: string, s3?: { code?: string; message: string; status?: number }): Malformed {
  const s3Default =
    where === 'header'
      ? 'The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.'
      : 'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.';
  return {
    malformed: true,
    in: where,
    message,
    s3Code: s3?.code ?? (where === 'header' ? 'AuthorizationHeaderMalformed' : 'AuthorizationQueryParametersError'),
    s3Message: s3?.message ?? s3Default,
    s3Status: s3?.status ?? 400,
  };
}

function fromHeader(auth: string, headers: Record<string, string>): SignedParts | Malformed {
  const space = auth.indexOf(' ');
  const algorithm = space < 0 ? auth : auth.slice(0, space);
  if (algorithm !== ALGORITHM)
    return malformed('header', `Unsupported AWS 'algorithm': '${clip(algorithm)}'. Sign requests with ${ALGORITHM}.`, {
      code: 'InvalidRequest',
      message: `The authorization mechanism you have provided is not supported. Please use ${ALGORITHM}.`,
    });
  const fields = new Map<string, string>();
  for (const part of auth.slice(space + 1).split(',')) {
    const p = part.trim();
    if (p === '') continue;
    const eq = p.indexOf('=');
    if (eq < 0) return malformed('header', `'${clip(p)}' not a valid key=value pair (missing equal-sign) in Authorization header: '${clip(auth)}'.`);
    fields.set(p.slice(0, eq), p.slice(eq + 1));
  }
  const amzDate = headers['x-amz-date'] ?? basicDate(headers.date);
  const missing = ['Credential', 'Signature', 'SignedHeaders'].filter((name) => !fields.get(name)).map((name) => `Authorization header requires '${name}' parameter.`);
  if (amzDate === undefined) missing.push("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  if (missing.length > 0) return malformed('header', `${missing.join(' ')} Authorization=${clip(auth)}`);
  return withScope('header', fields.get('Credential')!, amzDate!, fields.get('SignedHeaders')!, fields.get('Signature')!, headers['x-amz-security-token']);
}

const QUERY_PARAMETERS = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-Date', 'X-Amz-SignedHeaders', 'X-Amz-Expires'];

function fromQuery(query: URLSearchParams): SignedParts | Malformed {
  const missing = QUERY_PARAMETERS.filter((name) => !query.get(name));
  if (missing.length > 0)
    return malformed('query', `${missing.map((name) => `AWS query-string parameters must include '${name}'.`).join(' ')} Re-examine the query-string parameters.`);
  const algorithm = query.get('X-Amz-Algorithm')!;
  if (algorithm !== ALGORITHM) return malformed('query', `X-Amz-Algorithm only supports "${ALGORITHM}", not '${clip(algorithm)}'.`, { message: `X-Amz-Algorithm only supports "${ALGORITHM}"` });
  const expires = query.get('X-Amz-Expires')!;
  if (!/^\d{1,15}$/.test(expires)) return malformed('query', 'X-Amz-Expires should be a number', { message: 'X-Amz-Expires should be a number' });
  if (Number(expires) > MAX_PRESIGNED_SECONDS) {
    const message = `X-Amz-Expires must be less than a week (in seconds) that is ${MAX_PRESIGNED_SECONDS}`;
    return malformed('query', message, { message });
  }
  const parts = withScope('query', query.get('X-Amz-Credential')!, query.get('X-Amz-Date')!, query.get('X-Amz-SignedHeaders')!, query.get('X-Amz-Signature')!, query.get('X-Amz-Security-Token') ?? undefined);
  if ('malformed' in parts) return parts;
  return { ...parts, expiresSeconds: Number(expires) };
}

function withScope(where: SignedIn, credential: string, amzDate: string, signedHeaders: string, signature: string, sessionToken: string | undefined): SignedParts | Malformed {
  const scope = credential.split('/');
  const prefix = where === 'header' ? 'The authorization header is malformed; ' : 'Error parsing the X-Amz-Credential parameter; ';
  if (scope.length !== 5 || scope.some((s) => s === ''))
    return malformed(where, `Credential should be of the form <access key id>/<YYYYMMDD>/<region>/<service>/aws4_request, not '${clip(credential)}'.`, {
      message: `${prefix}the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`,
    });
  const [accessKeyId, scopeDate, region, service, terminator] = scope as [string, string, string, string, string];
  if (terminator !== 'aws4_request')
    return malformed(where, `Credential should be scoped with a valid terminator: 'aws4_request', not '${clip(terminator)}'.`, {
      message: `${prefix}incorrect terminal "${clip(terminator)}". This endpoint uses "aws4_request".`,
    });
  if (!/^\d{8}T\d{6}Z$/.test(amzDate) || Number.isNaN(timeOf(amzDate)))
    return malformed(where, `Date must be in ISO-8601 'basic format'. Got '${clip(amzDate)}'. See http://en.wikipedia.org/wiki/ISO_8601`, {
      code: 'AccessDenied',
      message: 'AWS authentication requires a valid Date or x-amz-date header',
      status: 403,
    });
  if (scopeDate !== amzDate.slice(0, 8))
    return malformed(where, `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${clip(scopeDate)}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`, {
      message: `${prefix}Invalid credential date "${clip(scopeDate)}". This date is not the same as X-Amz-Date: "${amzDate.slice(0, 8)}".`,
    });
  return {
    in: where,
    accessKeyId,
    scopeDate,
    region,
    service,
    amzDate,
    signedHeaders: signedHeaders.split(';').map((h) => h.trim().toLowerCase()),
    signature,
    sessionToken,
  };
}

/** An HTTP Date header (RFC 7231) as SigV4's basic ISO 8601 form; undefined if absent or unreadable. */
function basicDate(httpDate: string | undefined): string | undefined {
  if (httpDate === undefined) return undefined;
  const ms = Date.parse(httpDate);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** Epoch ms of a basic ISO 8601 time (20260101T120000Z); NaN if it names no such time. */
export function timeOf(amzDate: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!m) return NaN;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  return back.getUTCMonth() === mo - 1 && back.getUTCDate() === d && h < 24 && mi < 60 && s < 60 ? ms : NaN;
}

/** SigV4's basic ISO 8601 form of a time. */
export const basicTime = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

/** SHA-256 and HMAC-SHA-256 from node:crypto, in the shape @smithy/signature-v4 takes. */
export class NodeSha256 {
  private hash;
  private readonly secret: string | Uint8Array | undefined;
  constructor(secret?: SourceData) {
    this.secret = secret === undefined ? undefined : bytes(secret);
    this.hash = this.secret === undefined ? createHash('sha256') : createHmac('sha256', this.secret);
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.secret === undefined ? createHash('sha256') : createHmac('sha256', this.secret);
  }
}

const bytes = (data: SourceData): string | Uint8Array =>
  typeof data === 'string' ? data : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);

export const sha256Hex = (body: Buffer | string) => createHash('sha256').update(body).digest('hex');

/** smithy's canonicalisation, reached through its base class (the signer itself signs; it does not verify). */
class Canonical extends SignatureV4Base {
  constructor(uriEscapePath: boolean) {
    super({ service: 'unused', region: 'unused', credentials: { accessKeyId: '', secretAccessKey: '' }, sha256: NodeSha256, uriEscapePath });
  }
  request(req: HttpRequest, headers: Record<string, string>, payloadHash: string): string {
    return this.createCanonicalRequest(req, headers, payloadHash);
  }
  stringToSign(amzDate: string, scope: string, canonicalRequest: string): Promise<string> {
    return this.createStringToSign(amzDate, scope, canonicalRequest, ALGORITHM);
  }
}
// S3 signs its path as sent; every other service signs the path normalised and escaped twice.
const s3Canonical = new Canonical(false);
const escapedCanonical = new Canonical(true);

export interface Verification {
  ok: boolean;
  canonicalRequest: string;
  stringToSign: string;
}

/**
 * Whether the request's signature is the one `secretAccessKey` makes for it, over the
 * headers it says it signed and the payload hash it was signed with.
 */
export async function verifySignature(req: EngineRequest, parts: SignedParts, secretAccessKey: string, payloadHash: string): Promise<Verification> {
  const s3 = parts.service === 's3';
  const query: Record<string, string | string[]> = Object.create(null);
  for (const name of new Set(req.query.keys())) {
    const values = req.query.getAll(name);
    query[name] = values.length === 1 ? values[0]! : values;
  }
  const signed: Record<string, string> = Object.create(null);
  for (const name of parts.signedHeaders) signed[name] = Object.hasOwn(req.headers, name) ? req.headers[name]! : ''; // never an Object.prototype member ('constructor')
  const canonicalHeaders = getCanonicalHeaders({ headers: signed } as unknown as HttpRequest, undefined, new Set(parts.signedHeaders));
  const path = s3 ? req.path : decodedPath(req.path);
  const httpRequest = { method: req.method, path, query, headers: signed, protocol: 'http:', hostname: '' } as HttpRequest;
  const canonical = s3 ? s3Canonical : escapedCanonical;
  const canonicalRequest = canonical.request(httpRequest, canonicalHeaders, payloadHash);
  const scope = `${parts.scopeDate}/${parts.region}/${parts.service}/aws4_request`;
  const stringToSign = await canonical.stringToSign(parts.amzDate, scope, canonicalRequest);
  const expected = createHmac('sha256', signingKey(secretAccessKey, parts)).update(stringToSign).digest('hex');
  return { ok: sameText(expected, parts.signature), canonicalRequest, stringToSign };
}

/** Signing keys derived (four HMACs each) once per secret and credential scope: a key serves a whole day. */
const signingKeys = new Map<string, Buffer>();
const MAX_SIGNING_KEYS = 1000;

/** SigV4's signing key: HMAC chained over the scope's date, Region, service and "aws4_request", from "AWS4" + the secret. */
function signingKey(secretAccessKey: string, parts: SignedParts): Buffer {
  const id = `${parts.scopeDate}/${parts.region}/${parts.service}\n${secretAccessKey}`;
  let key = signingKeys.get(id);
  if (key) return key;
  key = Buffer.from(`AWS4${secretAccessKey}`);
  for (const step of [parts.scopeDate, parts.region, parts.service, 'aws4_request']) key = createHmac('sha256', key).update(step).digest();
  if (signingKeys.size >= MAX_SIGNING_KEYS) signingKeys.clear();
  signingKeys.set(id, key);
  return key;
}

function decodedPath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** Equal strings, compared in time that does not depend on where they differ. */
export function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
