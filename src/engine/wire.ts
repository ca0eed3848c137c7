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
  body: Buffer;
  remoteAddress?: string;
}

export interface EngineResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer | string;
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
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return Buffer.from(value).toString('base64');
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

export function jsonError(error: AwsError, requestId: string): EngineResponse {
  return jsonResponse(error.status, { __type: error.code, message: error.message }, requestId);
}
