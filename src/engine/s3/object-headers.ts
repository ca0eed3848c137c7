// An object's HTTP face: the headers a write stores (content type, x-amz-meta-*,
// Cache-Control...) and the headers a read returns, conditional requests and ranges.
import { checksumHeader } from './checksums.js';
import { s3Errors } from './errors.js';
import { httpDate } from './request.js';
import { sseResponseHeaders } from './sse.js';
import type { ObjectRecord, StoredHeader } from './state.js';
import { isXmlText } from './xml.js';

const HEADER_NAMES: Record<StoredHeader, string> = {
  CacheControl: 'cache-control',
  ContentDisposition: 'content-disposition',
  ContentEncoding: 'content-encoding',
  ContentLanguage: 'content-language',
  Expires: 'expires',
};
const MAX_METADATA_BYTES = 2048;

/**
 * User metadata as sent: names lower-cased (as S3 stores them), values byte for byte.
 * Node hands header values over as latin1 strings, which keeps every byte and goes back out unchanged.
 */
export function userMetadata(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  let size = 0;
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith('x-amz-meta-')) continue;
    const short = name.slice('x-amz-meta-'.length);
    out[short] = value;
    size += Buffer.byteLength(short, 'latin1') + Buffer.byteLength(value, 'latin1');
  }
  if (size > MAX_METADATA_BYTES) throw s3Errors.metadataTooLarge(size);
  return out;
}

export function storedHeaders(headers: Record<string, string>): ObjectRecord['Headers'] {
  const out: ObjectRecord['Headers'] = {};
  for (const [field, name] of Object.entries(HEADER_NAMES) as [StoredHeader, string][]) {
    let value: string | undefined = headers[name];
    // aws-chunked describes how this request was framed, not the object.
    if (field === 'ContentEncoding' && value !== undefined) value = value.split(',').map((e) => e.trim()).filter((e) => e && e !== 'aws-chunked').join(',') || undefined;
    if (value !== undefined) out[field] = value;
  }
  return out;
}

const RESPONSE_OVERRIDES: Record<string, string> = {
  'response-content-type': 'content-type',
  'response-content-language': 'content-language',
  'response-expires': 'expires',
  'response-cache-control': 'cache-control',
  'response-content-disposition': 'content-disposition',
  'response-content-encoding': 'content-encoding',
};

/** The headers GetObject and HeadObject return for an object (without Content-Length and ranges). */
export function objectHeaders(record: ObjectRecord, opts: { withChecksum: boolean; query?: URLSearchParams }): Record<string, string> {
  const out: Record<string, string> = {
    'content-type': record.ContentType,
    etag: record.ETag,
    'last-modified': httpDate(record.LastModified),
    'accept-ranges': 'bytes',
    ...sseResponseHeaders(record.encryption, { write: false }),
  };
  for (const [field, value] of Object.entries(record.Headers)) out[HEADER_NAMES[field as StoredHeader]] = value;
  for (const [name, value] of Object.entries(record.Metadata)) out[`x-amz-meta-${name}`] = value;
  if (opts.withChecksum && record.Checksum) {
    out[checksumHeader(record.Checksum.algorithm)] = record.Checksum.value;
    out['x-amz-checksum-type'] = 'FULL_OBJECT';
  }
  for (const [param, name] of Object.entries(RESPONSE_OVERRIDES)) {
    const v = opts.query?.get(param);
    if (v !== null && v !== undefined) out[name] = headerValue(param, v);
  }
  return out;
}

/** A response-* override becomes a header, so it must be one: Latin-1 (as S3 insists) without control characters. */
function headerValue(param: string, value: string): string {
  // The value is echoed in the error only where XML can carry it.
  const echo = isXmlText(value) ? value : undefined;
  if (/[^\u0000-\u00ff]/.test(value)) throw s3Errors.invalidArgument('Header value cannot be represented using ISO-8859-1.', param, echo);
  if (/[^\t\x20-\x7e\x80-\xff]/.test(value)) throw s3Errors.invalidArgument('Header value cannot contain control characters such as CR or LF.', param, echo);
  return value;
}

/** Evaluates If-Match / If-None-Match / If-(Un)Modified-Since as S3 does: 412, or 304 for reads. */
export function checkConditions(headers: Record<string, string>, record: ObjectRecord, prefix = 'if-'): 'ok' | 'not-modified' {
  const match = headers[`${prefix}match`];
  const noneMatch = headers[`${prefix}none-match`];
  const unmodifiedSince = headers[`${prefix}unmodified-since`];
  const modifiedSince = headers[`${prefix}modified-since`];
  const etagMatches = (list: string) => list.split(',').map((t) => t.trim()).some((t) => t === '*' || stripQuotes(t) === stripQuotes(record.ETag));
  const lastModifiedSec = Math.floor(record.LastModified / 1000) * 1000;
  if (match !== undefined && !etagMatches(match)) throw s3Errors.preconditionFailed(`${cap(prefix)}Match`);
  if (match === undefined && unmodifiedSince !== undefined && validDate(unmodifiedSince) && lastModifiedSec > Date.parse(unmodifiedSince))
    throw s3Errors.preconditionFailed(`${cap(prefix)}Unmodified-Since`);
  if (noneMatch !== undefined && etagMatches(noneMatch)) return 'not-modified';
  if (noneMatch === undefined && modifiedSince !== undefined && validDate(modifiedSince) && lastModifiedSec <= Date.parse(modifiedSince)) return 'not-modified';
  return 'ok';
}

const stripQuotes = (s: string) => s.replace(/^W\//, '').replace(/^"|"$/g, '');
const validDate = (s: string) => !Number.isNaN(Date.parse(s));
const cap = (prefix: string) => (prefix === 'if-' ? 'If-' : 'x-amz-copy-source-If-');

/** A single byte range of an object of `size` bytes; undefined means the whole object. */
export function byteRange(rangeHeader: string | undefined, size: number): { start: number; end: number } | undefined {
  if (rangeHeader === undefined) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(rangeHeader.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined; // not a single range S3 understands: the whole object
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) throw s3Errors.invalidRange(rangeHeader, size);
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) return undefined;
  if (start >= size) throw s3Errors.invalidRange(rangeHeader, size);
  return { start, end };
}
