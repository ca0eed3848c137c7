// The engine as an attacker (or a long class) sees it: every case issue 11 reproduced, then
// a few thousand seeded random requests across KMS (JSON 1.1), CloudTrail LookupEvents and
// S3 (REST/XML), over real HTTP to an engine in a process of its own. None may get a 5xx
// (S3's documented 501 NotImplemented aside) or hang; the engine must still work normally
// afterwards, log no stack trace, and its memory must stay bounded.
// A failure names the seed and the request; rerun one with FUZZ_SEED=<seed>.
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { CreateKeyCommand, DecryptCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { CreateBucketCommand, CreateMultipartUploadCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { request, type OutgoingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { TEST_CREDENTIALS, TEST_REGION } from '../helpers/engine.js';
import { forkTestEngine, type EngineProcess } from '../helpers/engine-process.js';

const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed11);
const RANDOM_REQUESTS = 3000;
const WARM_UP_REQUESTS = 500;
const CONCURRENCY = 8;
const REPLY_TIMEOUT_MS = 15_000;
const RSS_BUDGET_BYTES = 50 * 1024 * 1024;

// --- a seeded random source ----------------------------------------------------

class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** mulberry32: small, fast and good enough to pick test cases. */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  text(max: number, alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789-_./ '): string {
    let s = '';
    for (let i = this.int(max + 1); i > 0; i--) s += alphabet[this.int(alphabet.length)];
    return s;
  }
  /** Any UTF-16 code units, lone surrogates and controls included. */
  anyText(max: number): string {
    let s = '';
    for (let i = this.int(max + 1); i > 0; i--) s += String.fromCharCode(this.chance(0.7) ? 32 + this.int(95) : this.int(0x10000));
    return s;
  }
  bytes(max: number): Buffer {
    const b = Buffer.alloc(this.int(max + 1));
    for (let i = 0; i < b.length; i++) b[i] = this.int(256);
    return b;
  }
}

// --- what is sent ----------------------------------------------------------------

interface Shot {
  label: string;
  method: string;
  path: string;
  headers: OutgoingHttpHeaders;
  body?: Buffer | string;
  /**
   * normal: a reply is due. abort: the client hangs up mid-body (no reply expected).
   * headers-only: headers are sent and the body never is (a refusal by its declared size is due).
   * connect: an HTTP CONNECT. raw: bytes written on a socket as they are (each reply counted).
   */
  mode?: 'normal' | 'abort' | 'headers-only' | 'connect' | 'raw';
}

const KMS_TARGET = 'TrentService';
const TRAIL_TARGET = 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101';
const AUTH = (region = 'us-east-1') => `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/${region}/s3/aws4_request, SignedHeaders=host, Signature=0`;
const json = (target: string, body: string | Buffer, extra: OutgoingHttpHeaders = {}): Shot => ({
  label: `${target} ${describe(body)}`,
  method: 'POST',
  path: '/',
  headers: { 'x-amz-target': target, 'content-type': 'application/x-amz-json-1.1', ...extra },
  body,
});
const s3 = (method: string, path: string, body?: string | Buffer, headers: OutgoingHttpHeaders = {}): Shot => ({
  label: `${method} ${path.slice(0, 120)} ${describe(body)}`,
  method,
  path,
  headers: { authorization: AUTH(), ...headers },
  body,
});
function describe(body: string | Buffer | undefined): string {
  if (body === undefined) return '';
  const text = Buffer.isBuffer(body) ? body.toString('latin1') : body;
  return text.length > 160 ? `${JSON.stringify(text.slice(0, 120))}... (${text.length} chars)` : JSON.stringify(text);
}
/** Percent-encodes the UTF-8 of any string (encodeURIComponent throws on a lone surrogate). */
const pct = (s: string) => [...Buffer.from(s)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
const nested = (depth: number, open = '[', close = ']') => `{"X": ${open.repeat(depth)}${close.repeat(depth)}}`;
const createBucketConfiguration = (inner: string) => `<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${inner}</CreateBucketConfiguration>`;

/** Requests with a junk member of about 1 MB (each refused), to KMS and to CloudTrail. */
function junkMembers(count: number): Shot[] {
  const junk = 'x'.repeat(1024 * 1024 - 100);
  return Array.from({ length: count }, (_, i) =>
    i % 5 === 4
      ? json(`${TRAIL_TARGET}.LookupEvents`, `{"Junk${i}":"${junk}"}`)
      : json(`${KMS_TARGET}.${['Encrypt', 'CreateKey', 'GenerateDataKey', 'DescribeKey'][i % 4]}`, `{"KeyId":"alias/none","Junk${i}":"${junk}"}`),
  );
}

/** Every case issue 11 reproduced, as a web page, a broken client or an attacker would send it. */
function issueCases(port: number): Shot[] {
  const page = { 'content-type': 'text/plain', origin: 'http://evil.example' };
  return [
    // Control endpoints as a web page reaches them, and through a rebinding Host.
    { label: 'advance-clock 8 days, no headers', method: 'POST', path: '/_engine/advance-clock?seconds=691200', headers: {} },
    { label: 'advance-clock from a page', method: 'POST', path: '/_engine/advance-clock?seconds=691200', headers: page, body: 'x' },
    { label: 'advance-clock 1e13', method: 'POST', path: '/_engine/advance-clock?seconds=1e13', headers: page },
    { label: 'cloudtrail-delay 1e9', method: 'POST', path: '/_engine/cloudtrail-delay?seconds=1e9', headers: page },
    { label: 'status through a rebinding Host', method: 'GET', path: '/_engine/status', headers: { host: `evil.example:${port}` } },
    { ...json(`${KMS_TARGET}.ListKeys`, '{}', { host: `evil.example:${port}` }), label: 'ListKeys through a rebinding Host' },
    { ...s3('GET', '/', undefined, { host: 'evil.example' }), label: 'ListBuckets through a rebinding Host' },
    // Deeply nested JSON to every JSON 1.1 target, then a lookup that pages over what was recorded.
    json(`${KMS_TARGET}.Encrypt`, nested(4000)),
    json(`${KMS_TARGET}.CreateKey`, nested(20_000, '{"a":', '}')),
    json(`${KMS_TARGET}.Decrypt`, nested(100_000)),
    json(`${TRAIL_TARGET}.LookupEvents`, nested(5000)),
    json(`${TRAIL_TARGET}.LookupEvents`, '{"MaxResults": 50}'),
    // Junk operation names that exist on every JavaScript object.
    ...['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf', '__defineGetter__'].map((op) => json(`${KMS_TARGET}.${op}`, '{}')),
    json('CloudTrail_20131101.constructor', '{}'),
    // 1 MB junk members, all refused; they must not be kept.
    ...junkMembers(50),
    // S3 XML with a character reference outside Unicode, and entities.
    s3('PUT', '/not-unicode', createBucketConfiguration('<LocationConstraint>&#x110000;</LocationConstraint>')),
    s3('PUT', '/laughs', `<!DOCTYPE c [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>${createBucketConfiguration('<LocationConstraint>&c;</LocationConstraint>')}`),
    s3('PUT', '/external', `<!DOCTYPE c [<!ENTITY x SYSTEM "file:///etc/passwd">]>${createBucketConfiguration('<LocationConstraint>&x;</LocationConstraint>')}`),
    // response-* overrides that cannot be headers.
    s3('GET', '/fuzz/doc.txt?response-content-type=text%2Fplain%3B%20%E5%80%89'),
    s3('HEAD', '/fuzz/doc.txt?response-content-type=%E2%82%AC'),
    s3('GET', '/fuzz/doc.txt?response-content-disposition=inline%0D%0ASet-Cookie%3A%20a%3D1'),
    s3('HEAD', '/fuzz/doc.txt?response-cache-control=a%0Ab'),
    // NotImplemented must not hide what S3 says first.
    s3('PUT', '/UPPER?location'),
    // CONNECT, and clients hanging up mid-body.
    { label: 'CONNECT', method: 'CONNECT', path: 'example.com:443', headers: {}, mode: 'connect' },
    { ...json(`${KMS_TARGET}.Encrypt`, '{"KeyId":"alias/x","Plaintext":"'), headers: { 'x-amz-target': `${KMS_TARGET}.Encrypt`, 'content-length': '1000' }, mode: 'abort', label: 'KMS aborted mid-body' },
    { ...s3('PUT', '/fuzz/aborted', 'half an object'), headers: { authorization: AUTH(), 'content-length': '100000' }, mode: 'abort', label: 'S3 PUT aborted mid-body' },
    // Bodies over the limit are refused by their declared length, before any byte is read.
    { ...s3('PUT', '/fuzz/too-big'), headers: { authorization: AUTH(), 'content-length': String(300 * 1024 * 1024) }, mode: 'headers-only', label: 'S3 PUT declaring 300 MB' },
    { ...json(`${KMS_TARGET}.Encrypt`, ''), headers: { 'x-amz-target': `${KMS_TARGET}.Encrypt`, 'content-length': String(2 * 1024 * 1024) }, mode: 'headers-only', label: 'KMS call declaring 2 MB' },
  ];
}

// --- random requests ---------------------------------------------------------------

const KMS_OPERATIONS = [
  'CreateKey', 'DescribeKey', 'ListKeys', 'UpdateKeyDescription', 'EnableKey', 'DisableKey', 'ScheduleKeyDeletion', 'CancelKeyDeletion', 'CreateAlias',
  'UpdateAlias', 'DeleteAlias', 'ListAliases', 'Encrypt', 'Decrypt', 'ReEncrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'GenerateRandom',
  'TagResource', 'UntagResource', 'ListResourceTags', 'Sign', 'GetKeyPolicy', 'CreateGrant', 'GenerateMac',
];
const JUNK_OPERATIONS = ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__lookupGetter__', 'prototype', '', ' ', 'encrypt', 'Encrypt ', 'Encrypt.Encrypt', 'a'.repeat(3000)];
const JSON_PREFIXES = [KMS_TARGET, KMS_TARGET, KMS_TARGET, TRAIL_TARGET, 'CloudTrail_20131101', '', 'TrentService.TrentService', 'constructor', '__proto__', 'Unknown'];
const MEMBERS = [
  'KeyId', 'Plaintext', 'CiphertextBlob', 'EncryptionContext', 'GrantTokens', 'KeySpec', 'NumberOfBytes', 'AliasName', 'TargetKeyId', 'Description', 'KeyUsage',
  'Tags', 'TagKey', 'TagValue', 'TagKeys', 'PendingWindowInDays', 'Limit', 'Marker', 'DestinationKeyId', 'SourceKeyId', 'SourceEncryptionContext',
  'DestinationEncryptionContext', 'Policy', 'Origin', 'MultiRegion', 'KeySpec', 'CustomerMasterKeySpec', 'EncryptionAlgorithm', 'DryRun',
  'LookupAttributes', 'AttributeKey', 'AttributeValue', 'StartTime', 'EndTime', 'MaxResults', 'NextToken', 'EventCategory',
  '__proto__', 'constructor', 'toString', 'prototype', '', 'Junk',
];

interface Known {
  keyIds: string[];
  ciphertexts: string[];
  uploadIds: string[];
}

function jsonString(r: Rng, known: Known): string {
  return r.pick([
    () => r.text(40),
    () => r.anyText(30),
    () => r.pick(known.keyIds),
    () => `alias/${r.text(20)}`,
    () => 'alias/aws/s3',
    () => `arn:aws:kms:us-east-1:111122223333:key/${r.pick(known.keyIds)}`,
    () => r.pick(known.ciphertexts),
    () => r.bytes(r.chance(0.1) ? 6000 : 200).toString('base64'),
    () => r.pick(['SYMMETRIC_DEFAULT', 'AES_256', 'AES_128', 'RSA_2048', 'ENCRYPT_DECRYPT', 'AWS_KMS', 'EventName', 'Username', 'ReadOnly', 'true', '']),
    () => new Date(r.int(4e12)).toISOString(),
  ])();
}

function jsonValue(r: Rng, known: Known, depth: number): string {
  const kind = r.int(depth > 3 ? 5 : 8);
  switch (kind) {
    case 0:
      return r.pick(['null', 'true', 'false']);
    case 1:
      return r.pick(['0', '-1', '1', '7', '30', '1024', '4097', '1e999', '-1e999', '1.5', '-0', '9007199254740993', '1e308', String(Date.now() / 1000)]);
    case 2:
    case 3:
    case 4:
      return JSON.stringify(jsonString(r, known));
    case 5:
      return `[${Array.from({ length: r.int(4) }, () => jsonValue(r, known, depth + 1)).join(',')}]`;
    default:
      return jsonObject(r, known, depth + 1);
  }
}

function jsonObject(r: Rng, known: Known, depth: number): string {
  const members = Array.from({ length: r.int(6) }, () => `${JSON.stringify(r.chance(0.9) ? r.pick(MEMBERS) : r.anyText(12))}:${jsonValue(r, known, depth)}`);
  return `{${members.join(',')}}`;
}

function jsonBody(r: Rng, known: Known): string | Buffer {
  const roll = r.next();
  if (roll < 0.65) return jsonObject(r, known, 0);
  if (roll < 0.8) {
    const valid = jsonObject(r, known, 0);
    return r.pick([
      () => valid.slice(0, r.int(valid.length)),
      () => `${valid}${r.anyText(5)}`,
      () => Buffer.concat([Buffer.from(valid), r.bytes(8)]),
      () => `\uFEFF${valid}`,
      () => r.pick(['', 'null', '[]', '"x"', '1', 'true', '{', '}', '{"a":}', '{"a":1,}', '{"a" 1}', "{'a':1}", '{"a":"\\ud800"}', '{"a":"\\u0000"}', 'NaN', '{"a":NaN}']),
    ])();
  }
  if (roll < 0.9) {
    const depth = r.pick([100, 1000, 5000, 20_000, 100_000]);
    return r.chance(0.5) ? nested(depth) : nested(depth, '{"a":', '}');
  }
  if (roll < 0.95) return `{"KeyId":${JSON.stringify(r.pick(known.keyIds))},"${r.pick(MEMBERS)}":"${'j'.repeat(r.int(900_000))}"}`;
  return `{"GrantTokens":[${Array.from({ length: 20_000 }, () => '"t"').join(',')}],"EncryptionContext":{${Array.from({ length: 5000 }, (_, i) => `"k${i}":"v"`).join(',')}}}`;
}

function randomJson(r: Rng, known: Known): Shot {
  const prefix = r.pick(JSON_PREFIXES);
  const operation = r.chance(0.85) ? r.pick(prefix === TRAIL_TARGET || prefix === 'CloudTrail_20131101' ? ['LookupEvents'] : KMS_OPERATIONS) : r.pick(JUNK_OPERATIONS);
  const shot = json(`${prefix}.${operation}`, operation === 'LookupEvents' && r.chance(0.5) ? lookupBody(r) : jsonBody(r, known));
  if (r.chance(0.05)) shot.method = r.pick(['GET', 'PUT', 'DELETE']);
  if (r.chance(0.05)) shot.headers['content-type'] = r.pick(['text/plain', 'application/json', 'application/x-amz-json-1.0']);
  if (r.chance(0.03)) delete shot.headers['x-amz-target'];
  if (r.chance(0.05)) shot.headers.authorization = r.pick([AUTH(), AUTH('eu-west-1'), 'junk', 'AWS4-HMAC-SHA256 Credential=//////', `AWS4-HMAC-SHA256 Credential=${'A'.repeat(5000)}`]);
  return shot;
}

function lookupBody(r: Rng): string {
  const attribute = () =>
    `{"AttributeKey":${JSON.stringify(r.pick(['EventId', 'EventName', 'ReadOnly', 'Username', 'ResourceType', 'ResourceName', 'EventSource', 'AccessKeyId', 'Junk', '']))},"AttributeValue":${r.pick([JSON.stringify(r.text(20)), '1', 'null', '[]', JSON.stringify(r.anyText(10))])}}`;
  const members = [
    r.chance(0.6) && `"LookupAttributes":[${Array.from({ length: r.int(3) }, attribute).join(',')}]`,
    r.chance(0.5) && `"MaxResults":${r.pick(['-1', '0', '1', '50', '51', '1e9', '"5"', 'null', '1.5'])}`,
    r.chance(0.4) && `"StartTime":${r.pick(['0', '-1e300', '1e300', '"2020-01-01"', '"junk"', String(Date.now() / 1000), 'null', '{}'])}`,
    r.chance(0.4) && `"EndTime":${r.pick(['0', '1e300', '"2999-01-01T00:00:00Z"', '"junk"', String(Date.now() / 1000 + 3600), '[]'])}`,
    r.chance(0.4) && `"NextToken":${JSON.stringify(r.pick([r.text(30), Buffer.from(r.anyText(40)).toString('base64'), Buffer.from('{"offset":-1}').toString('base64'), 'x'.repeat(100_000)]))}`,
    r.chance(0.2) && `"EventCategory":${JSON.stringify(r.pick(['insight', 'junk', '']))}`,
  ].filter(Boolean);
  return `{${members.join(',')}}`;
}

const SUBRESOURCES = [
  'acl', 'tagging', 'encryption', 'location', 'delete', 'uploads', 'policy', 'torrent', 'versioning', 'cors', 'website', 'lifecycle', 'attributes', 'restore',
  'select', 'retention', 'legal-hold', 'object-lock', 'publicAccessBlock', 'notification', 'versions', 'session',
];
const RESPONSE_OVERRIDES = ['response-content-type', 'response-content-disposition', 'response-cache-control', 'response-content-encoding', 'response-content-language', 'response-expires'];
const OVERRIDE_VALUES = ['text%2Fplain', 'a%0D%0Ab', 'a%0Ab', '%E5%80%89', '%FF%FE', '%00', '%F0%9F%98%80', 'caf%C3%A9', '%7F', `${'v'.repeat(9000)}`, '%0D%0ASet-Cookie%3A%20x%3D1', ''];

function queryParam(r: Rng, known: Known): string {
  return r.pick([
    () => r.pick(SUBRESOURCES),
    () => `${r.pick(RESPONSE_OVERRIDES)}=${r.pick(OVERRIDE_VALUES)}`,
    () => `uploadId=${r.chance(0.6) ? r.pick(known.uploadIds) : pct(r.anyText(20))}`,
    () => `partNumber=${r.pick(['1', '0', '-1', '10001', 'abc', '1e3', '2', ''])}`,
    () => `list-type=${r.pick(['2', '1', 'x'])}`,
    () => `max-keys=${r.pick(['0', '-1', '1', '1001', '1e9', 'abc', '99999999999999999999'])}`,
    () => `continuation-token=${pct(r.pick([r.text(20), r.anyText(20), Buffer.from(r.anyText(30)).toString('base64')]))}`,
    () => `${r.pick(['prefix', 'delimiter', 'marker', 'start-after', 'versionId', 'encoding-type'])}=${pct(r.anyText(10))}`,
    () => `X-Amz-Credential=${pct(r.pick(['AKIA/20260101/eu-west-1/s3/aws4_request', 'junk', '////', `${r.anyText(20)}/20260101/us-east-1/s3/aws4_request`]))}`,
    () => `%ZZ=%ZZ`,
    () => `${pct(r.anyText(8))}=${pct(r.anyText(8))}`,
  ])();
}

function s3Path(r: Rng, known: Known): { path: string; host?: string } {
  const bucket = r.pick(['fuzz', 'fuzz', 'fuzz', 'fuzz-two', 'missing-bucket', 'UPPER', 'a', 'bad_name', 'xn--reserved', '..', '%ZZ', '%00', 'a'.repeat(70), r.text(12, 'abcdefghij-.')]);
  const key = r.chance(0.3)
    ? undefined
    : r.pick(['doc.txt', 'doc.txt', 'enc.bin', 'a/b/c', 'new-object', '%ZZ', '%00nul', '..%2F..%2Fetc%2Fpasswd', '../../etc/passwd', 'k'.repeat(1100), '%C0%AE%C0%AE', '%E2%82%AC', pct(r.anyText(20)), '']);
  const query = Array.from({ length: r.int(3) }, () => queryParam(r, known)).join('&');
  const tail = `${key === undefined ? '' : `/${key}`}${query ? `?${query}` : ''}`;
  if (r.chance(0.1)) return { path: tail || '/', host: `${bucket.toLowerCase()}.localhost` };
  return { path: r.chance(0.03) ? `/${tail}` : `/${bucket}${tail}` };
}

function s3Headers(r: Rng, known: Known): OutgoingHttpHeaders {
  const choices: [string, () => string][] = [
    ['x-amz-server-side-encryption', () => r.pick(['aws:kms', 'AES256', 'rot13', '', 'aws:kms:dsse'])],
    ['x-amz-server-side-encryption-aws-kms-key-id', () => r.pick([r.pick(known.keyIds), 'alias/aws/s3', 'alias/none', 'junk', `arn:aws:kms:eu-west-1:1:key/${r.text(10)}`])],
    ['x-amz-server-side-encryption-context', () => r.pick([
      Buffer.from('{"a":"b"}').toString('base64'),
      Buffer.from(nested(5000)).toString('base64'),
      Buffer.from('[]').toString('base64'),
      Buffer.from(r.anyText(20)).toString('base64'),
      'not base64!',
      Buffer.from(`{${Array.from({ length: 300 }, (_, i) => `"k${i}":"v"`).join(',')}}`).toString('base64'),
    ])],
    ['x-amz-server-side-encryption-bucket-key-enabled', () => r.pick(['true', 'false', 'maybe'])],
    ['x-amz-server-side-encryption-customer-algorithm', () => 'AES256'],
    ['x-amz-copy-source', () => r.pick(['fuzz/doc.txt', '/fuzz/doc.txt', 'missing/x', '%ZZ', '', 'fuzz/doc.txt?versionId=1', 'UPPER/x', `fuzz/${'k'.repeat(1100)}`, 'fuzz', '/'])],
    ['x-amz-metadata-directive', () => r.pick(['COPY', 'REPLACE', 'junk'])],
    ['x-amz-copy-source-if-match', () => r.pick(['"x"', '*', ''])],
    ['range', () => r.pick(['bytes=0-1', 'bytes=-1', 'bytes=5-1', 'bytes=abc', 'bytes=0-0,2-3', 'bytes=99999999999999999999-', 'items=0-1', 'bytes=-0', 'bytes=-'])],
    ['if-match', () => r.pick(['"x"', '*', '', 'W/"x"'])],
    ['if-none-match', () => r.pick(['"x"', '*', ''])],
    ['if-modified-since', () => r.pick(['junk', 'Tue, 01 Jan 2999 00:00:00 GMT', '0', new Date(r.int(4e12)).toUTCString()])],
    ['if-unmodified-since', () => r.pick(['junk', 'Thu, 01 Jan 1970 00:00:00 GMT', '-1'])],
    ['content-md5', () => r.pick([r.bytes(16).toString('base64'), 'junk', '', 'AAAA'])],
    ['x-amz-checksum-crc32', () => r.pick(['AAAAAA==', 'junk', ''])],
    ['x-amz-checksum-sha256', () => r.pick([r.bytes(32).toString('base64'), 'x'])],
    ['x-amz-sdk-checksum-algorithm', () => r.pick(['CRC32', 'SHA1', 'junk'])],
    ['x-amz-content-sha256', () => r.pick(['UNSIGNED-PAYLOAD', 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'a'.repeat(64), 'junk'])],
    ['content-encoding', () => r.pick(['aws-chunked', 'gzip', 'aws-chunked,gzip', ','])],
    ['x-amz-decoded-content-length', () => r.pick(['5', '-1', 'abc', '99999999999999', '', '0'])],
    ['x-amz-trailer', () => r.pick(['x-amz-checksum-crc32', 'junk', 'x-amz-checksum-sha256'])],
    [`x-amz-meta-${r.text(10, 'abcdef-')}`, () => r.pick([r.text(20), 'caf\u00e9', 'v'.repeat(3000), ''])],
    ['content-type', () => r.pick(['application/xml', 'text/plain', 'application/x-amz-json-1.1', 'multipart/form-data; boundary=x', ''])],
    ['authorization', () => r.pick([AUTH('eu-west-1'), 'junk', 'AWS4-HMAC-SHA256 Credential=/////', 'AWS AKIA:sig', ''])],
    ['x-amz-date', () => r.pick(['junk', '20260101T000000Z', ''])],
    ['x-amz-tagging', () => r.pick(['a=b', '%ZZ', 'a'.repeat(3000)])],
    ['x-amz-acl', () => r.pick(['private', 'public-read', 'junk'])],
    ['x-amz-storage-class', () => r.pick(['STANDARD', 'GLACIER', 'junk'])],
    ['expect', () => '100-continue'],
    ['cache-control', () => r.pick(['no-cache', 'caf\u00e9', ''])],
    ['content-disposition', () => r.pick(['attachment; filename="a.txt"', 'caf\u00e9'])],
  ];
  const headers: OutgoingHttpHeaders = { authorization: AUTH() };
  for (let n = r.int(5); n > 0; n--) {
    const [name, value] = r.pick(choices);
    headers[name] = value();
  }
  return headers;
}

function xmlBody(r: Rng): string | Buffer {
  const inner = r.pick([
    () => `<LocationConstraint>${r.pick(['eu-west-1', 'us-east-1', '', 'junk', '&#x110000;', '&#0;', '&#xD800;', '&amp;', '&foo;', '&#99999999999;', '<![CDATA[eu-west-1]]>'])}</LocationConstraint>`,
    () => `<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>${r.pick(['aws:kms', 'AES256', 'junk'])}</SSEAlgorithm><KMSMasterKeyID>${r.pick(['alias/aws/s3', 'junk', ''])}</KMSMasterKeyID></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>${r.pick(['true', 'x'])}</BucketKeyEnabled></Rule>`.repeat(r.int(3)),
    () => Array.from({ length: r.int(30) }, () => `<Object><Key>${r.pick(['doc.txt', '&lt;&amp;', '&#13;&#10;', ' ', r.text(20), '&#x110000;', '<x/>'])}</Key></Object>`).join('') + r.pick(['', '<Quiet>true</Quiet>']),
    () => Array.from({ length: r.int(30) }, (_, i) => `<Part><PartNumber>${r.pick([String(i + 1), '0', '-1', 'x', '1e3'])}</PartNumber><ETag>${r.pick(['"x"', '', 'x'])}</ETag></Part>`).join(''),
  ])();
  const root = r.pick(['CreateBucketConfiguration', 'ServerSideEncryptionConfiguration', 'Delete', 'CompleteMultipartUpload', 'Junk', 'Delete']);
  const doc = `<?xml version="1.0" encoding="UTF-8"?><${root} xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${inner}</${root}>`;
  return r.pick([
    () => doc,
    () => doc,
    () => doc.slice(0, r.int(doc.length)),
    () => `<!DOCTYPE ${root} [<!ENTITY a "${'a'.repeat(r.int(50))}"><!ENTITY b "&a;&a;&a;&a;&a;">]>${doc.replace('</', '&b;</')}`,
    () => `<!DOCTYPE ${root} [<!ENTITY x SYSTEM "${r.pick(['file:///etc/passwd', 'http://127.0.0.1:1/x', 'expect://id'])}">]>${doc.replace('</', '&x;</')}`,
    () => `<${root}>${'<a>'.repeat(r.pick([100, 5000, 50_000]))}`,
    () => `<${root}>${'<a>'.repeat(2000)}${'</a>'.repeat(2000)}</${root}>`,
    () => `${doc}${doc}`,
    () => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(doc, 'utf16le')]),
    () => r.bytes(200),
    () => doc.replace('<', '<\u0000'),
    () => `<${root}><a b="<" c='&x;'>${r.anyText(50)}</a></${root}>`,
  ])();
}

function awsChunkedBody(r: Rng): string {
  return r.pick([
    '5\r\nhello\r\n0\r\n\r\n',
    '5;chunk-signature=junk\r\nhello\r\n0;chunk-signature=x\r\n\r\n',
    '5\r\nhello\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n',
    'zz\r\nhello\r\n0\r\n\r\n',
    'ffffffffffffffff\r\nhello\r\n0\r\n\r\n',
    '-5\r\nhello\r\n0\r\n\r\n',
    '5\r\nhel',
    '5\nhello\n0\n\n',
    '0\r\n' + 'x-amz-checksum-crc32: junk\r\n'.repeat(100) + '\r\n',
    `${'1\r\na\r\n'.repeat(2000)}0\r\n\r\n`,
    '',
  ]);
}

function randomS3(r: Rng, known: Known): Shot {
  const method = r.pick(['GET', 'GET', 'GET', 'PUT', 'PUT', 'PUT', 'POST', 'POST', 'DELETE', 'HEAD', 'HEAD', 'OPTIONS', 'PATCH', 'TRACE', 'PROPFIND', 'COPY']);
  const { path, host } = s3Path(r, known);
  const headers = s3Headers(r, known);
  if (host) headers.host = host;
  let body: string | Buffer | undefined;
  if (method === 'PUT' || method === 'POST' || r.chance(0.05)) {
    body = r.pick([
      () => r.bytes(r.chance(0.05) ? 200_000 : 300),
      () => xmlBody(r),
      () => xmlBody(r),
      () => awsChunkedBody(r),
      () => '',
    ])();
  }
  const shot = s3(method, path, body, headers);
  if (body !== undefined && r.chance(0.05)) {
    // Transfer-Encoding: chunked, without a Content-Length.
    shot.headers['transfer-encoding'] = 'chunked';
  }
  if (r.chance(0.02)) shot.mode = 'abort';
  return shot;
}

/** Bytes node:http would not send: malformed requests, lying lengths, pipelining. */
function randomRaw(r: Rng, port: number): Shot {
  const host = `127.0.0.1:${port}`;
  const text = r.pick([
    `PUT /fuzz/lie HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 5\r\n\r\nhello and then some more bytes that are not a request\r\n\r\n`,
    `POST / HTTP/1.1\r\nHost: ${host}\r\nX-Amz-Target: TrentService.ListKeys\r\nContent-Length: 2\r\n\r\n{}GET / HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
    `GET /fuzz/doc.txt HTTP/1.1\r\nHost: ${host}\r\nX-Amz-Meta-A: a\x7fb\r\n\r\n`,
    `PUT /fuzz/del-meta HTTP/1.1\r\nHost: ${host}\r\nX-Amz-Meta-A: a\x7fb\r\nContent-Length: 1\r\n\r\nx`,
    `PUT /fuzz/utf8-meta HTTP/1.1\r\nHost: ${host}\r\nX-Amz-Meta-A: ${Buffer.from('é€😀').toString('latin1')}\r\nCache-Control: ${Buffer.from('€').toString('latin1')}\r\nContent-Length: 1\r\n\r\nx`,
    `GET /fuzz/doc.txt HTTP/1.1\r\nHost: ${host}\r\nX-Bad: a\x00b\r\n\r\n`,
    `GET /fuzz/doc.txt HTTP/1.1\nHost: ${host}\n\n`,
    `GET /\x00 HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
    `GET / HTTP/9.9\r\nHost: ${host}\r\n\r\n`,
    `GET / HTTP/1.0\r\n\r\n`,
    `GET /fuzz HTTP/1.1\r\n\r\n`,
    `GET /fuzz HTTP/1.1\r\nHost: ${host}\r\nHost: evil.example\r\n\r\n`,
    `GET /fuzz HTTP/1.1\r\nHost: ${host}\r\nX-Big: ${'b'.repeat(100_000)}\r\n\r\n`,
    `POST / HTTP/1.1\r\nHost: ${host}\r\nX-Amz-Target: TrentService.Encrypt\r\nContent-Length: 10\r\nContent-Length: 20\r\n\r\n{}`,
    `POST / HTTP/1.1\r\nHost: ${host}\r\nX-Amz-Target: TrentService.Encrypt\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n2\r\n{}\r\n0\r\n\r\n`,
    `POST / HTTP/1.1\r\nHost: ${host}\r\nX-Amz-Target: TrentService.Encrypt\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
    `PUT /fuzz/te HTTP/1.1\r\nHost: ${host}\r\nTransfer-Encoding: chunked\r\n\r\n${'1\r\nx\r\n'.repeat(100)}0\r\n\r\n`,
    `DELETE /fuzz/doc.txt?tagging HTTP/1.1\r\nHost: ${host}\r\nContent-Length: -1\r\n\r\n`,
    `GET /fuzz?response-content-type=%0d%0a HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
  ]);
  return { label: `raw ${JSON.stringify(text.slice(0, 140))}`, method: 'RAW', path: '', headers: {}, body: Buffer.from(text, 'latin1'), mode: 'raw' };
}

function randomShot(index: number, known: Known, port: number): Shot {
  const r = new Rng(SEED ^ Math.imul(index + 1, 0x9e3779b1));
  const roll = r.next();
  if (roll < 0.45) return randomJson(r, known);
  if (roll < 0.97) return randomS3(r, known);
  return randomRaw(r, port);
}

// --- sending, and what counts as a failure -----------------------------------------

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(port: number, shot: Shot): Promise<Reply[] | 'no reply expected'> {
  if (shot.mode === 'raw') return sendRaw(port, shot.body as Buffer);
  return new Promise((resolve, reject) => {
    const headers = { ...shot.headers };
    if (shot.body !== undefined && headers['transfer-encoding'] === undefined && headers['content-length'] === undefined) headers['content-length'] = String(Buffer.byteLength(shot.body));
    const req = request({ host: '127.0.0.1', port, method: shot.method, path: shot.path, headers, agent: false, setHost: headers.host === undefined });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no reply within ${REPLY_TIMEOUT_MS} ms`));
    }, REPLY_TIMEOUT_MS);
    const done = (value: Reply[] | 'no reply expected') => {
      clearTimeout(timer);
      resolve(value);
      req.destroy(); // a request whose body was never sent is over once answered
    };
    const collect = (status: number, resHeaders: Reply['headers'], stream: NodeJS.ReadableStream | undefined) => {
      if (!stream) return done([{ status, headers: resHeaders, body: '' }]);
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => done([{ status, headers: resHeaders, body: Buffer.concat(chunks).toString('utf8') }]));
      stream.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    };
    req.on('response', (res) => collect(res.statusCode!, res.headers, res));
    req.on('connect', (res, socket) => {
      socket.destroy();
      collect(res.statusCode!, res.headers, undefined);
    });
    req.on('error', (e) => {
      clearTimeout(timer);
      if (shot.mode === 'abort') resolve('no reply expected');
      else reject(e);
    });
    if (shot.mode === 'abort') {
      req.write(shot.body ?? 'x');
      setTimeout(() => {
        req.destroy();
        done('no reply expected');
      }, 20);
    } else if (shot.mode === 'headers-only' || shot.mode === 'connect') {
      if (shot.mode === 'connect') req.end();
      else req.flushHeaders();
    } else req.end(shot.body);
  });
}

/** Writes bytes as they are and reads every reply until the server closes (or stays quiet a moment once it has answered). */
function sendRaw(port: number, bytes: Buffer): Promise<Reply[]> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let quiet: NodeJS.Timeout | undefined;
    const finish = () => {
      clearTimeout(timer);
      clearTimeout(quiet);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const replies = [...text.matchAll(/HTTP\/1\.[01] (\d{3})[^\r\n]*\r\n([\s\S]*?)\r\n\r\n/g)].map((m) => ({ status: Number(m[1]), headers: {}, body: '' }));
      if (replies.length === 0) reject(new Error(`no HTTP reply to raw bytes (got ${JSON.stringify(text.slice(0, 200))})`));
      else resolve(replies);
    };
    const timer = setTimeout(finish, REPLY_TIMEOUT_MS);
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      clearTimeout(quiet);
      quiet = setTimeout(finish, 300);
    });
    socket.on('end', finish);
    socket.on('error', finish);
    socket.write(bytes);
  });
}

const isJsonRequest = (shot: Shot) =>
  shot.headers['x-amz-target'] !== undefined || (shot.method === 'POST' && String(shot.headers['content-type'] ?? '').startsWith('application/x-amz-json'));

/** Why a reply is a failure, or undefined: no 5xx but S3's NotImplemented; errors in the shape of their protocol. */
function problem(shot: Shot, reply: Reply): string | undefined {
  const xmlCode = /<Code>([^<]*)<\/Code>/.exec(reply.body)?.[1];
  if (reply.status >= 500) {
    const s3NotImplemented = reply.status === 501 && !isJsonRequest(shot) && (xmlCode === 'NotImplemented' || shot.method === 'HEAD' || shot.mode === 'raw');
    if (!s3NotImplemented) return `answered ${reply.status} ${reply.body.slice(0, 300)}`;
  }
  if (shot.mode === 'raw' || shot.mode === 'connect' || shot.path.startsWith('/_engine/') || reply.status < 400 || reply.body === '') return undefined;
  if (isJsonRequest(shot)) {
    try {
      const parsed = JSON.parse(reply.body) as { __type?: unknown };
      if (typeof parsed.__type !== 'string') return `a JSON error without __type: ${reply.body.slice(0, 200)}`;
    } catch {
      return `a JSON 1.1 error that is not JSON: ${reply.body.slice(0, 200)}`;
    }
  } else if (!reply.body.startsWith('<?xml') || xmlCode === undefined) return `an S3 error that is not S3's XML: ${reply.body.slice(0, 200)}`;
  return undefined;
}

// --- the run --------------------------------------------------------------------------

let engine: EngineProcess;
let known: Known;
let atStart: NodeJS.MemoryUsage;
let before: NodeJS.MemoryUsage;
let warmUpFailures: string[] = [];
const statuses = new Map<number, number>();
const config = () => ({ endpoint: engine.endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });

async function fire(shots: Shot[]): Promise<string[]> {
  const failures: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < shots.length) {
      const index = next++;
      const shot = shots[index]!;
      try {
        const replies = await send(engine.port, shot);
        if (replies === 'no reply expected') continue;
        for (const reply of replies) {
          statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
          const why = problem(shot, reply);
          if (why) failures.push(`#${index} ${shot.label}: ${why}`);
        }
      } catch (e) {
        failures.push(`#${index} ${shot.label}: ${(e as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return failures;
}

const report = (failures: string[]) => `seed ${SEED} (rerun with FUZZ_SEED=${SEED}); ${failures.length} failing requests:\n${failures.slice(0, 40).join('\n')}`;

beforeAll(async () => {
  engine = await forkTestEngine();
  const kms = new KMSClient(config());
  const s3Client = new S3Client({ ...config(), forcePathStyle: true });
  try {
    const keyIds: string[] = [];
    const ciphertexts: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: `fuzz ${i}` }));
      keyIds.push(KeyMetadata!.KeyId!);
      const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: KeyMetadata!.KeyId!, Plaintext: Buffer.from('secret'), EncryptionContext: { a: 'b' } }));
      ciphertexts.push(Buffer.from(CiphertextBlob!).toString('base64'));
    }
    await s3Client.send(new CreateBucketCommand({ Bucket: 'fuzz' }));
    await s3Client.send(new CreateBucketCommand({ Bucket: 'fuzz-two' }));
    await s3Client.send(new PutObjectCommand({ Bucket: 'fuzz', Key: 'doc.txt', Body: 'hello' }));
    await s3Client.send(new PutObjectCommand({ Bucket: 'fuzz', Key: 'enc.bin', Body: 'kms', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyIds[0] }));
    const { UploadId } = await s3Client.send(new CreateMultipartUploadCommand({ Bucket: 'fuzz', Key: 'multi' }));
    known = { keyIds, ciphertexts, uploadIds: [UploadId!, 'junk'] };
  } finally {
    kms.destroy();
    s3Client.destroy();
  }
  // A first round of the same traffic brings the allocators to their working size, so the
  // figure compared afterwards is what the run kept, not the first use of each code path.
  atStart = await engine.memory();
  warmUpFailures = await fire([...junkMembers(CONCURRENCY * 2), ...Array.from({ length: WARM_UP_REQUESTS }, (_, i) => randomShot(RANDOM_REQUESTS + i, known, engine.port))]);
  before = await engine.memory();
}, 60_000);

afterAll(async () => {
  await engine?.stop();
});

test('every case issue 11 reproduced gets a 4xx (or a reply), never a 5xx or silence', async () => {
  const failures = await fire(issueCases(engine.port));
  expect(failures, report(failures)).toEqual([]);
}, 60_000);

test(`${RANDOM_REQUESTS} seeded random requests across KMS, CloudTrail and S3 get no 5xx and no hang`, async () => {
  const shots = Array.from({ length: RANDOM_REQUESTS }, (_, i) => randomShot(i, known, engine.port));
  const failures = [...warmUpFailures, ...(await fire(shots))];
  console.log(`fuzz seed ${SEED}: statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`);
  expect(failures, report(failures)).toEqual([]);
}, 120_000);

test('after it all the engine still creates keys, encrypts, decrypts, pages the trail and serves objects', async () => {
  const kms = new KMSClient(config());
  const trail = new CloudTrailClient(config());
  const s3Client = new S3Client({ ...config(), forcePathStyle: true });
  try {
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: 'after the fuzz' }));
    const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: KeyMetadata!.KeyId!, Plaintext: Buffer.from('still works'), EncryptionContext: { k: 'v' } }));
    const { Plaintext } = await kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { k: 'v' } }));
    expect(Buffer.from(Plaintext!).toString()).toBe('still works');
    // Every page of the trail, the fuzz's events included, can be read.
    let NextToken: string | undefined;
    let events = 0;
    for (let page = 0; page < 200; page++) {
      const out = await trail.send(new LookupEventsCommand({ MaxResults: 50, NextToken }));
      events += out.Events?.length ?? 0;
      NextToken = out.NextToken;
      if (!NextToken) break;
    }
    expect(events).toBeGreaterThan(0);
    await s3Client.send(new CreateBucketCommand({ Bucket: 'after-fuzz' }));
    await s3Client.send(new PutObjectCommand({ Bucket: 'after-fuzz', Key: 'k', Body: 'object after the fuzz', ServerSideEncryption: 'aws:kms' }));
    expect(await (await s3Client.send(new GetObjectCommand({ Bucket: 'after-fuzz', Key: 'k' }))).Body!.transformToString()).toBe('object after the fuzz');
  } finally {
    kms.destroy();
    trail.destroy();
    s3Client.destroy();
  }
}, 60_000);

test('the engine process grew by less than 50 MB over the issue cases and the random requests', async () => {
  const after = await engine.memory();
  const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
  const figures = (['rss', 'heapTotal', 'heapUsed', 'external', 'arrayBuffers'] as const).map((k) => `${k} ${mb(before[k])} -> ${mb(after[k])}`).join(', ');
  console.log(`fuzz seed ${SEED}: engine ${figures} (rss ${mb(atStart.rss)} before the warm-up)`);
  expect(after.rss - before.rss, `seed ${SEED}: ${figures}`).toBeLessThan(RSS_BUDGET_BYTES);
});

test('the engine logged no stack trace', () => {
  const lines = engine.output().split('\n');
  const traced = lines.filter((line, i) => !/^\s+at /.test(line) && /^\s+at /.test(lines[i + 1] ?? ''));
  const distinct = [...new Set(traced)];
  expect(distinct, `seed ${SEED}: ${traced.length} stack traces; the first:\n${engine.output().slice(0, 2000)}`).toEqual([]);
});
