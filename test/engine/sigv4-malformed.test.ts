// Signatures the engine cannot read, sent over HTTP with an access key the engine issued
// (so they are judged, not waved through as the local mode's default learner): each part of
// an Authorization header or a presigned URL that is missing or malformed gets its own
// words, in KMS's (IncompleteSignatureException) and S3's (AuthorizationHeaderMalformed,
// AuthorizationQueryParametersError...) forms; and the edges of what is accepted: a Date
// header instead of X-Amz-Date, the 15-minute skew either way, calendar dates that do not exist.
import { createHash, createHmac } from 'node:crypto';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { NodeSha256 } from '../../src/engine/auth/sigv4.js';
import { rmSync } from 'node:fs';
import { fixedClock } from '../../src/engine/clock.js';
import { startEngine } from '../../src/engine/index.js';
import { startTestEngine, tempHome, type TestEngine } from '../helpers/engine.js';

const ACCOUNT = '111122223333';
const BUCKET = 'signed-bucket';
// The engine's clock stands still at a whole second, so a request can be signed at an exact distance from it.
const ENGINE_NOW = Math.floor(Date.now() / 1000) * 1000;

let e: TestEngine;
let key: { accessKeyId: string; secretAccessKey: string };
beforeAll(async () => {
  e = await startTestEngine({ clock: fixedClock(new Date(ENGINE_NOW)) });
  const dir = e.engine.directory;
  dir.defaultLearner(ACCOUNT, 'us-east-1');
  const made = dir.createAccessKey(dir.requireUser(ACCOUNT, 'workshop-learner'));
  key = { accessKeyId: made.key.AccessKeyId, secretAccessKey: made.secretAccessKey };
  // Made with the issued key: a hook that fails would skip every test, which mutation testing counts as passing.
  const s3 = new S3Client({ ...e.clientConfig, credentials: key, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  s3.destroy();
});
afterAll(async () => {
  await e.stop();
});

const basic = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
const hex = (s: string) => createHash('sha256').update(s).digest('hex');

/** SigV4 by hand, for what smithy's signer will not make: a request dated by its Date header. */
function signByHand(headers: Record<string, string>, body: string, amzDate: string, secret: string, service = 'kms'): string {
  const names = Object.keys(headers).map((h) => h.toLowerCase()).sort();
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const canonical = ['POST', '/', '', ...names.map((n) => `${n}:${lower[n]!.trim()}`), '', names.join(';'), hex(body)].join('\n');
  const scope = `${amzDate.slice(0, 8)}/us-east-1/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, hex(canonical)].join('\n');
  let k: Buffer = Buffer.from(`AWS4${secret}`);
  for (const step of [amzDate.slice(0, 8), 'us-east-1', service, 'aws4_request']) k = createHmac('sha256', k).update(step).digest();
  return `AWS4-HMAC-SHA256 Credential=${key.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${createHmac('sha256', k).update(stringToSign).digest('hex')}`;
}

/** A KMS ListKeys signed by smithy at `at` (epoch ms), its headers then changed by `edit` before it is sent. */
async function kmsCall(opts: { at?: number; edit?: (h: Record<string, string>) => void; query?: string } = {}) {
  const url = new URL(e.endpoint);
  const signer = new SignatureV4({ service: 'kms', region: 'us-east-1', credentials: key, sha256: NodeSha256 });
  const signed = await signer.sign(
    { method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', query: {}, headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.ListKeys' }, body: '{}' },
    { signingDate: new Date(opts.at ?? ENGINE_NOW) },
  );
  const headers = { ...signed.headers } as Record<string, string>;
  delete headers.host;
  opts.edit?.(headers);
  const res = await fetch(`${e.endpoint}/${opts.query ?? ''}`, { method: 'POST', headers, body: '{}' });
  return { status: res.status, body: (await res.json()) as { __type?: string; message?: string } };
}

/** A ListBuckets on S3 signed by smithy, its headers then changed by `edit`. */
async function s3Call(edit: (h: Record<string, string>) => void = () => {}, query = '') {
  const url = new URL(e.endpoint);
  const signer = new SignatureV4({ service: 's3', region: 'us-east-1', credentials: key, sha256: NodeSha256, uriEscapePath: false });
  const signed = await signer.sign(
    { method: 'GET', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', query: {}, headers: { host: url.host, 'x-amz-content-sha256': hex('') } },
    { signingDate: new Date(ENGINE_NOW) },
  );
  const headers = { ...signed.headers } as Record<string, string>;
  delete headers.host;
  edit(headers);
  const res = await fetch(`${e.endpoint}/${query}`, { headers });
  return { status: res.status, error: new XMLParser({ parseTagValue: false }).parse(await res.text()).Error as Record<string, string> | undefined };
}

/** A presigned GET of the bucket's listing, its query then changed by `edit`. */
async function presigned(edit: (q: URLSearchParams) => void = () => {}) {
  const url = new URL(e.endpoint);
  const signer = new SignatureV4({ service: 's3', region: 'us-east-1', credentials: key, sha256: NodeSha256, uriEscapePath: false });
  const signed = await signer.presign(
    { method: 'GET', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: `/${BUCKET}`, query: {}, headers: { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } },
    { expiresIn: 300, signingDate: new Date(ENGINE_NOW) },
  );
  const q = new URLSearchParams(Object.entries(signed.query ?? {}).map(([k, v]) => [k, String(v)]));
  edit(q);
  const res = await fetch(`${e.endpoint}/${BUCKET}?${q}`);
  return { status: res.status, error: new XMLParser({ parseTagValue: false }).parse(await res.text()).Error as Record<string, string> | undefined };
}

const editAuth = (f: (a: string) => string) => (h: Record<string, string>) => {
  h.authorization = f(h.authorization!);
};

describe('a malformed Authorization header, in KMS words (IncompleteSignatureException, 400)', () => {
  test('a well-formed request is accepted: the baseline the others change one thing of', async () => {
    expect((await kmsCall()).status).toBe(200);
  });

  test('another algorithm', async () => {
    expect(await kmsCall({ edit: editAuth((a) => a.replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA512')) })).toEqual({
      status: 400,
      body: { __type: 'IncompleteSignatureException', message: "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'. Sign requests with AWS4-HMAC-SHA256." },
    });
  });

  test('a part that is no key=value pair is named, with the header', async () => {
    let sent = '';
    const res = await kmsCall({ edit: editAuth((a) => (sent = `${a}, junk`)) });
    expect(res).toEqual({ status: 400, body: { __type: 'IncompleteSignatureException', message: `'junk' not a valid key=value pair (missing equal-sign) in Authorization header: '${sent}'.` } });
  });

  test('an algorithm over 300 characters is cut at 300 in the message; one of 300 is not', async () => {
    const long = `AWS4-${'X'.repeat(400)}`;
    const res = await kmsCall({ edit: editAuth((a) => a.replace('AWS4-HMAC-SHA256', long)) });
    expect(res.body.message).toBe(`Unsupported AWS 'algorithm': '${long.slice(0, 300)}...'. Sign requests with AWS4-HMAC-SHA256.`);
    const exactly300 = `AWS4-${'X'.repeat(295)}`;
    const whole = await kmsCall({ edit: editAuth((a) => a.replace('AWS4-HMAC-SHA256', exactly300)) });
    expect(whole.body.message).toBe(`Unsupported AWS 'algorithm': '${exactly300}'. Sign requests with AWS4-HMAC-SHA256.`);
  });

  test('a signature of another length is a mismatch (InvalidSignatureException), not a failure of the engine', async () => {
    const res = await kmsCall({ edit: editAuth((a) => a.replace(/Signature=[0-9a-f]+/, 'Signature=00')) });
    expect(res).toEqual({
      status: 400,
      body: { __type: 'InvalidSignatureException', message: 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.' },
    });
  });

  test('spaces around the names in SignedHeaders are ignored', async () => {
    expect((await kmsCall({ edit: editAuth((a) => a.replace(/SignedHeaders=([^,]+)/, (_, h: string) => `SignedHeaders=${h.split(';').join(' ; ')}`)) })).status).toBe(200);
  });

  test('empty parts between commas are skipped, spaces around a part ignored', async () => {
    const res = await kmsCall({ edit: editAuth((a) => a.replace(', SignedHeaders=', ',, SignedHeaders=').replace(', Signature=', ' ,   Signature=')) });
    expect(res.status).toBe(200);
  });

  test('no X-Amz-Date and no Date header', async () => {
    let sent = '';
    const res = await kmsCall({ edit: (h) => { delete h['x-amz-date']; sent = h.authorization!; } });
    expect(res).toEqual({
      status: 400,
      body: { __type: 'IncompleteSignatureException', message: `Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=${sent}` },
    });
  });

  test('an empty SignedHeaders is missing', async () => {
    const res = await kmsCall({ edit: editAuth((a) => a.replace(/SignedHeaders=[^,]+/, 'SignedHeaders=')) });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/^Authorization header requires 'SignedHeaders' parameter\. Authorization=AWS4-HMAC-SHA256 Credential=/);
  });

  test('a Credential of six parts, or with another terminator', async () => {
    const six = await kmsCall({ edit: editAuth((a) => a.replace('/aws4_request', '/aws4_request/extra')) });
    expect(six).toEqual({
      status: 400,
      body: { __type: 'IncompleteSignatureException', message: `Credential should be of the form <access key id>/<YYYYMMDD>/<region>/<service>/aws4_request, not '${key.accessKeyId}/${basic(ENGINE_NOW).slice(0, 8)}/us-east-1/kms/aws4_request/extra'.` },
    });
    const terminator = await kmsCall({ edit: editAuth((a) => a.replace('/aws4_request', '/aws4_requestX')) });
    expect(terminator).toEqual({ status: 400, body: { __type: 'IncompleteSignatureException', message: "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws4_requestX'." } });
  });

  test('an X-Amz-Date that is no time, or names a day or time that does not exist', async () => {
    for (const amzDate of ['2026-01-01T00:00:00Z', '20260230T120000Z', '20261301T120000Z', '20260101T240000Z', '20260101T126000Z', '20260101T120060Z', '20260101T120000']) {
      const res = await kmsCall({ edit: (h) => { h['x-amz-date'] = amzDate; } });
      expect(res, amzDate).toEqual({
        status: 400,
        body: { __type: 'IncompleteSignatureException', message: `Date must be in ISO-8601 'basic format'. Got '${amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601` },
      });
    }
  });

  test("the Credential's date must be the X-Amz-Date's day", async () => {
    const day = basic(ENGINE_NOW).slice(0, 8);
    const nextDay = basic(ENGINE_NOW + 86_400_000);
    const res = await kmsCall({ edit: (h) => { h['x-amz-date'] = nextDay; } });
    expect(res).toEqual({
      status: 400,
      body: { __type: 'IncompleteSignatureException', message: `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${day}' != '${nextDay.slice(0, 8)}', from '${nextDay}'.` },
    });
  });

  test('an Authorization header and a presigned query both', async () => {
    const both = await kmsCall({ query: '?X-Amz-Algorithm=AWS4-HMAC-SHA256' });
    expect(both).toEqual({
      status: 400,
      body: { __type: 'IncompleteSignatureException', message: 'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified.' },
    });
    expect((await kmsCall({ query: '?X-Amz-Signature=00' })).body.__type).toBe('IncompleteSignatureException');
  });
});

describe('the same, in S3 words', () => {
  test('a well-formed request is accepted', async () => {
    expect((await s3Call()).status).toBe(200);
  });

  test('no date is AuthorizationHeaderMalformed', async () => {
    expect(await s3Call((h) => { delete h['x-amz-date']; })).toMatchObject({
      status: 400,
      error: { Code: 'AuthorizationHeaderMalformed', Message: 'The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.' },
    });
  });

  test('an object key with a space, a plus and ! ( ) is signed as sent (S3 does not normalise or re-escape its path)', async () => {
    const url = new URL(e.endpoint);
    const path = `/${BUCKET}/with%20space%2Bplus!(1).txt`;
    const signer = new SignatureV4({ service: 's3', region: 'us-east-1', credentials: key, sha256: NodeSha256, uriEscapePath: false });
    const body = 'x';
    const signed = await signer.sign(
      { method: 'PUT', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path, query: {}, headers: { host: url.host, 'x-amz-content-sha256': hex(body) }, body },
      { signingDate: new Date(ENGINE_NOW) },
    );
    const headers = { ...signed.headers } as Record<string, string>;
    delete headers.host;
    const res = await fetch(`${e.endpoint}${path}`, { method: 'PUT', headers, body });
    expect(res.status).toBe(200);
  });

  test('another algorithm is InvalidRequest', async () => {
    expect(await s3Call(editAuth((a) => a.replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA512')))).toMatchObject({
      status: 400,
      error: { Code: 'InvalidRequest', Message: 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.' },
    });
  });

  test('a missing Signature is AuthorizationHeaderMalformed with its three components', async () => {
    expect(await s3Call(editAuth((a) => a.replace(/, Signature=[0-9a-f]+/, '')))).toMatchObject({
      status: 400,
      error: { Code: 'AuthorizationHeaderMalformed', Message: 'The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.' },
    });
  });

  test('a Credential of the wrong form, or with another terminator', async () => {
    expect(await s3Call(editAuth((a) => a.replace('/aws4_request', '/aws4_request/extra')))).toMatchObject({
      status: 400,
      error: { Code: 'AuthorizationHeaderMalformed', Message: 'The authorization header is malformed; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".' },
    });
    expect(await s3Call(editAuth((a) => a.replace('/aws4_request', '/aws4_requestX')))).toMatchObject({
      status: 400,
      error: { Code: 'AuthorizationHeaderMalformed', Message: 'The authorization header is malformed; incorrect terminal "aws4_requestX". This endpoint uses "aws4_request".' },
    });
  });

  test('a date that is none is AccessDenied (403); a Credential of another day names both', async () => {
    expect(await s3Call((h) => { h['x-amz-date'] = '20260230T120000Z'; })).toMatchObject({
      status: 403,
      error: { Code: 'AccessDenied', Message: 'AWS authentication requires a valid Date or x-amz-date header' },
    });
    const nextDay = basic(ENGINE_NOW + 86_400_000);
    expect(await s3Call((h) => { h['x-amz-date'] = nextDay; })).toMatchObject({
      status: 400,
      error: { Code: 'AuthorizationHeaderMalformed', Message: `The authorization header is malformed; Invalid credential date "${basic(ENGINE_NOW).slice(0, 8)}". This date is not the same as X-Amz-Date: "${nextDay.slice(0, 8)}".` },
    });
  });

  test('a header and a presigned query both is InvalidArgument', async () => {
    expect(await s3Call(() => {}, '?X-Amz-Algorithm=AWS4-HMAC-SHA256')).toMatchObject({
      status: 400,
      error: { Code: 'InvalidArgument', Message: 'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified' },
    });
  });
});

describe('a malformed presigned URL (AuthorizationQueryParametersError, 400)', () => {
  test('a well-formed one is accepted', async () => {
    const res = await presigned();
    expect(res.error).toBeUndefined();
    expect(res.status).toBe(200);
  });

  test('a missing parameter', async () => {
    expect(await presigned((q) => q.delete('X-Amz-SignedHeaders'))).toMatchObject({
      status: 400,
      error: {
        Code: 'AuthorizationQueryParametersError',
        Message: 'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
      },
    });
  });

  test('another algorithm, or an X-Amz-Expires that is no number', async () => {
    expect(await presigned((q) => q.set('X-Amz-Algorithm', 'AWS4-HMAC-SHA512'))).toMatchObject({
      status: 400,
      error: { Code: 'AuthorizationQueryParametersError', Message: 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"' },
    });
    for (const expires of ['-1', '1e3', '12a', '1234567890123456'])
      expect(await presigned((q) => q.set('X-Amz-Expires', expires)), expires).toMatchObject({
        status: 400,
        error: { Code: 'AuthorizationQueryParametersError', Message: 'X-Amz-Expires should be a number' },
      });
  });

  test('exactly a week is allowed (the signature then differs: SignatureDoesNotMatch, not a parameter error)', async () => {
    expect((await presigned((q) => q.set('X-Amz-Expires', '604800'))).error?.Code).toBe('SignatureDoesNotMatch');
  });

  test("a Credential of another day, or an X-Amz-Date that is none", async () => {
    const nextDay = basic(ENGINE_NOW + 86_400_000);
    expect(await presigned((q) => q.set('X-Amz-Date', nextDay))).toMatchObject({
      status: 400,
      error: { Code: 'AuthorizationQueryParametersError', Message: `Error parsing the X-Amz-Credential parameter; Invalid credential date "${basic(ENGINE_NOW).slice(0, 8)}". This date is not the same as X-Amz-Date: "${nextDay.slice(0, 8)}".` },
    });
    expect(await presigned((q) => q.set('X-Amz-Date', 'yesterday'))).toMatchObject({ status: 403, error: { Code: 'AccessDenied' } });
  });
});

describe('when a request was signed', () => {
  test('a Date header serves when there is no X-Amz-Date', async () => {
    const headers: Record<string, string> = { host: new URL(e.endpoint).host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.ListKeys', date: new Date(ENGINE_NOW).toUTCString() };
    const authorization = signByHand(headers, '{}', basic(ENGINE_NOW), key.secretAccessKey);
    const { host: _host, ...sent } = headers;
    const res = await fetch(e.endpoint, { method: 'POST', headers: { ...sent, authorization }, body: '{}' });
    expect(res.status).toBe(200);
    // A Date header that is no date counts as none.
    const bad = await fetch(e.endpoint, { method: 'POST', headers: { ...sent, date: 'not a date', authorization }, body: '{}' });
    expect(((await bad.json()) as { message: string }).message).toMatch(/^Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header\./);
  });

  test('exactly 15 minutes from the engine time either way is accepted; a second more is not', async () => {
    const min15 = 15 * 60 * 1000;
    expect((await kmsCall({ at: ENGINE_NOW - min15 })).status).toBe(200);
    expect((await kmsCall({ at: ENGINE_NOW + min15 })).status).toBe(200);
    const early = await kmsCall({ at: ENGINE_NOW - min15 - 1000 });
    expect(early).toEqual({
      status: 400,
      body: { __type: 'InvalidSignatureException', message: `Signature expired: ${basic(ENGINE_NOW - min15 - 1000)} is now earlier than ${basic(ENGINE_NOW - min15)} (${basic(ENGINE_NOW)} - 15 min.)` },
    });
    const late = await kmsCall({ at: ENGINE_NOW + min15 + 1000 });
    expect(late).toEqual({
      status: 400,
      body: { __type: 'InvalidSignatureException', message: `Signature not yet current: ${basic(ENGINE_NOW + min15 + 1000)} is still later than ${basic(ENGINE_NOW + min15)} (${basic(ENGINE_NOW)} + 15 min.)` },
    });
  });
});

describe('in the strict mode, where a key the engine never issued is still read strictly', () => {
  test('a Credential with an empty part', async () => {
    const home = tempHome();
    const strict = await startEngine({ home, clock: fixedClock(new Date(ENGINE_NOW)), strict: true });
    try {
      const day = basic(ENGINE_NOW).slice(0, 8);
      const res = await fetch(strict.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.ListKeys', 'x-amz-date': basic(ENGINE_NOW), authorization: `AWS4-HMAC-SHA256 Credential=AKIAUNKNOWN/${day}//kms/aws4_request, SignedHeaders=host;x-amz-date, Signature=00` },
        body: '{}',
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ __type: 'IncompleteSignatureException', message: `Credential should be of the form <access key id>/<YYYYMMDD>/<region>/<service>/aws4_request, not 'AKIAUNKNOWN/${day}//kms/aws4_request'.` });
    } finally {
      await strict.close();
      rmSync(home, { recursive: true, force: true });
    }
  });
});
