// The request and response the engine's core works on, independent of node:http,
// and the AWS JSON 1.1 encoding rules (base64 blobs, epoch-second timestamps).
import { AwsError } from './errors.js';

export interface EngineRequest {
  method: string;
  /** Path without the query string, still percent-encoded. */
  path: string;
  query: URLSearchParams;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** The body, read whole: JSON 1.1 requests (small, bounded by the HTTP adapter). Empty when it comes as `stream`. */
  body: Buffer;
  /**
   * The body as it arrives, for the requests that may carry an object (every S3 request):
   * read lazily by the operation, so an object is never held whole in memory and a request
   * refused before its body is read is refused before the client sends it (Expect: 100-continue).
   */
  stream?: BodyStream;
  remoteAddress?: string;
}

export interface BodyStream extends AsyncIterable<Buffer> {
  /** The largest body this server takes (its configured limit): an operation refuses a larger one from its headers. */
  readonly limit: number;
}

export interface EngineResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer | string;
  /** A body sent as it is produced (GetObject); `body` is then empty and headers carry content-length. */
  stream?: AsyncIterable<Buffer>;
}

/** A request in AWS JSON 1.1 (KMS, CloudTrail): the engine routes these by X-Amz-Target. */
export function isJsonRequest(method: string, headers: Record<string, string | string[] | undefined>): boolean {
  const contentType = headers['content-type'];
  return headers['x-amz-target'] !== undefined || (method === 'POST' && typeof contentType === 'string' && contentType.startsWith('application/x-amz-json'));
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes the named top-level blob members of a JSON 1.1 request from base64. */
export function decodeBlobs(input: unknown, blobMembers: ReadonlySet<string>): unknown {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return input;
  const out: Record<string, unknown> = { ...(input as Record<string, unknown>) };
  for (const name of blobMembers) {
    const v = out[name];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') continue; // the operation's shape reports the wrong type
    if (!BASE64.test(v)) throw new AwsError('SerializationException', `Value at '${name.charAt(0).toLowerCase() + name.slice(1)}' is not valid base64.`);
    out[name] = Buffer.from(v, 'base64');
  }
  return out;
}

/** Renders an operation's output as JSON 1.1: Buffers as base64, Dates as epoch seconds. */
export function toWire(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64'); // a view, not a copy
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toWire);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toWire(v);
    return out;
  }
  return value;
}

export function jsonResponse(status: number, body: unknown, requestId: string): EngineResponse {
  return {
    status,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId },
    body: JSON.stringify(body),
  };
}

/** An error in JSON 1.1's shape; one without a message has no `message` member, as AWS's InvalidCiphertextException has none. */
export function jsonError(error: AwsError, requestId: string): EngineResponse {
  return jsonResponse(error.status, error.message === '' ? { __type: error.code } : { __type: error.code, message: error.message }, requestId);
}
