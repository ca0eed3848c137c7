// ListObjectsV2 and ListObjects (V1): keys in UTF-8 binary order, prefix, delimiter
// with CommonPrefixes, max-keys paging, encoding-type=url (the AWS CLI always asks for it).
import type { EngineResponse } from '../wire.js';
import { requireBucket, type S3Call, type S3Context } from './context.js';
import { s3Errors } from './errors.js';
import { isoTime, owner, xmlReply } from './request.js';
import type { ObjectRecord } from './state.js';
import { el, type XmlElement } from './xml.js';

interface Listing {
  contents: ObjectRecord[];
  commonPrefixes: string[];
  truncated: boolean;
  /** The last key or common prefix returned: where the next page starts after. */
  last?: string;
}

const utf8Compare = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

function list(objects: Map<string, ObjectRecord>, prefix: string, delimiter: string, after: string, maxKeys: number): Listing {
  const keys = [...objects.keys()].filter((k) => k.startsWith(prefix) && utf8Compare(k, after) > 0).sort(utf8Compare);
  const out: Listing = { contents: [], commonPrefixes: [], truncated: false };
  if (maxKeys === 0) return out; // max-keys=0 asks for no keys at all
  for (const key of keys) {
    const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
    const common = cut >= 0 ? key.slice(0, cut + delimiter.length) : undefined;
    if (common !== undefined && (common === out.commonPrefixes.at(-1) || utf8Compare(common, after) <= 0)) continue;
    if (out.contents.length + out.commonPrefixes.length >= maxKeys) {
      out.truncated = true;
      break;
    }
    if (common !== undefined) out.commonPrefixes.push(common);
    else out.contents.push(objects.get(key)!);
    out.last = common ?? key;
  }
  return out;
}

function commonParams(call: S3Call) {
  const q = call.req.query;
  const encoding = q.get('encoding-type');
  if (encoding !== null && encoding !== 'url') throw s3Errors.invalidArgument('Invalid Encoding Method specified in Request', 'encoding-type', encoding);
  const maxText = q.get('max-keys');
  const maxKeys = maxText === null ? 1000 : Number(maxText);
  if (maxText !== null && (!/^\d+$/.test(maxText) || !Number.isSafeInteger(maxKeys)))
    throw s3Errors.invalidArgument('Provided max-keys not an integer or within integer range', 'max-keys', maxText);
  const enc = (s: string) => (encoding === 'url' ? encodeURIComponent(s).replace(/%2F/g, '/') : s);
  return { prefix: q.get('prefix') ?? '', delimiter: q.get('delimiter') ?? '', maxKeys: Math.min(maxKeys, 1000), encoding, enc };
}

function contentsOf(r: ObjectRecord, enc: (s: string) => string, withOwner: XmlElement | undefined): XmlElement {
  return el('Contents', [
    el('Key', enc(r.Key)),
    el('LastModified', isoTime(r.LastModified)),
    el('ETag', r.ETag),
    r.Checksum && el('ChecksumAlgorithm', r.Checksum.algorithm),
    r.Checksum && el('ChecksumType', 'FULL_OBJECT'),
    el('Size', r.Size),
    withOwner,
    el('StorageClass', 'STANDARD'),
  ]);
}

export function listObjectsV2(ctx: S3Context, call: S3Call): EngineResponse {
  requireBucket(ctx, call);
  const q = call.req.query;
  const p = commonParams(call);
  const token = q.get('continuation-token');
  const startAfter = q.get('start-after');
  let after = startAfter ?? '';
  if (token !== null) {
    const decoded = /^v2:(.*)$/s.exec(Buffer.from(token, 'base64url').toString('utf8'));
    if (!token || !decoded) throw s3Errors.invalidToken();
    after = decoded[1]!;
  }
  const page = list(ctx.state.objectsIn(call.bucket), p.prefix, p.delimiter, after, p.maxKeys);
  const me = owner(call.caller);
  const ownerEl = q.get('fetch-owner') === 'true' ? el('Owner', [el('ID', me.ID), el('DisplayName', me.DisplayName)]) : undefined;
  return xmlReply(
    call.requestId,
    el('ListBucketResult', [
      el('Name', call.bucket),
      el('Prefix', p.enc(p.prefix)),
      p.delimiter !== '' && el('Delimiter', p.enc(p.delimiter)),
      el('MaxKeys', p.maxKeys),
      p.encoding !== null && el('EncodingType', p.encoding),
      el('KeyCount', page.contents.length + page.commonPrefixes.length),
      el('IsTruncated', page.truncated),
      token !== null && el('ContinuationToken', token),
      page.truncated && el('NextContinuationToken', Buffer.from(`v2:${page.last}`).toString('base64url')),
      startAfter !== null && el('StartAfter', p.enc(startAfter)),
      ...page.contents.map((r) => contentsOf(r, p.enc, ownerEl)),
      ...page.commonPrefixes.map((c) => el('CommonPrefixes', [el('Prefix', p.enc(c))])),
    ]),
  );
}

export function listObjectsV1(ctx: S3Context, call: S3Call): EngineResponse {
  requireBucket(ctx, call);
  const p = commonParams(call);
  const marker = call.req.query.get('marker') ?? '';
  const page = list(ctx.state.objectsIn(call.bucket), p.prefix, p.delimiter, marker, p.maxKeys);
  const me = owner(call.caller);
  const ownerEl = el('Owner', [el('ID', me.ID), el('DisplayName', me.DisplayName)]);
  return xmlReply(
    call.requestId,
    el('ListBucketResult', [
      el('Name', call.bucket),
      el('Prefix', p.enc(p.prefix)),
      el('Marker', p.enc(marker)),
      // S3 returns NextMarker only when a delimiter is given; without one, the last key is the marker.
      page.truncated && p.delimiter !== '' && el('NextMarker', p.enc(page.last!)),
      el('MaxKeys', p.maxKeys),
      p.delimiter !== '' && el('Delimiter', p.enc(p.delimiter)),
      el('IsTruncated', page.truncated),
      p.encoding !== null && el('EncodingType', p.encoding),
      ...page.contents.map((r) => contentsOf(r, p.enc, ownerEl)),
      ...page.commonPrefixes.map((c) => el('CommonPrefixes', [el('Prefix', p.enc(c))])),
    ]),
  );
}
