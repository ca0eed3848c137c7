// What authentication checks after a signature reads well, over HTTP with keys the engine
// issued: the service its credential scope names (each endpoint its own: KMS, CloudTrail,
// IAM/STS, S3, presigned S3), the headers it must sign (S3's x-amz-* each named once), a
// session token where none belongs, S3's payload hash header, a presigned URL's last valid
// second; and who an unrecognised key acts as, with the address and agent CloudTrail shows.
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { GetUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import { XMLParser } from 'fast-xml-parser';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { NodeSha256 } from '../../src/engine/auth/sigv4.js';
import { fixedClock } from '../../src/engine/clock.js';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';

const ACCOUNT = '111122223333';
const BUCKET = 'scoped-bucket';
const ENGINE_NOW = Math.floor(Date.now() / 1000) * 1000;
const SHA_EMPTY = createHash('sha256').update('').digest('hex');

let e: TestEngine;
let key: { accessKeyId: string; secretAccessKey: string };
const clients: { destroy(): void }[] = [];
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
  for (const c of clients.splice(0)) c.destroy();
  await e.stop();
});

const xmlError = async (res: Response) => new XMLParser({ parseTagValue: false }).parse(await res.text()).Error as Record<string, string>;

/** A request signed by smithy for `service` (scope) and sent as is, but for the changes `edit` makes. */
async function signedFetch(opts: {
  service: string;
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  unsignable?: string[];
  edit?: (h: Record<string, string>) => void;
  at?: number;
}) {
  const url = new URL(e.endpoint);
  const signer = new SignatureV4({ service: opts.service, region: 'us-east-1', credentials: key, sha256: NodeSha256, uriEscapePath: opts.service !== 's3' });
  const signed = await signer.sign(
    { method: opts.method ?? 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: opts.path ?? '/', query: {}, headers: { host: url.host, ...opts.headers }, body: opts.body },
    { signingDate: new Date(opts.at ?? ENGINE_NOW), unsignableHeaders: new Set(opts.unsignable ?? []) },
  );
  const headers = { ...signed.headers } as Record<string, string>;
  delete headers.host;
  opts.edit?.(headers);
  return fetch(`${e.endpoint}${opts.path ?? '/'}`, { method: opts.method ?? 'POST', headers, body: opts.body });
}

const json = (target: string) => ({ 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target });
const form = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };

describe('the service a credential is scoped to', () => {
  test('CloudTrail takes cloudtrail, not kms', async () => {
    const target = 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents';
    const ok = await signedFetch({ service: 'cloudtrail', headers: json(target), body: '{}' });
    expect(ok.status).toBe(200);
    const res = await signedFetch({ service: 'kms', headers: json(target), body: '{}' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ __type: 'InvalidSignatureException', message: "Credential should be scoped to correct service: 'cloudtrail'. " });
  });

  test('IAM takes iam, STS sts; a Query request scoped to kms is SignatureDoesNotMatch (403)', async () => {
    const iam = new IAMClient({ ...e.clientConfig, credentials: key });
    clients.push(iam);
    expect((await iam.send(new GetUserCommand({}))).User?.UserName).toBe('workshop-learner');
    const sts = await signedFetch({ service: 'sts', headers: form, body: 'Action=GetCallerIdentity&Version=2011-06-15' });
    expect(sts.status).toBe(200);
    const wrong = await signedFetch({ service: 'kms', headers: form, body: 'Action=GetCallerIdentity&Version=2011-06-15' });
    expect(wrong.status).toBe(403);
    const text = await wrong.text();
    expect(text).toContain('<Code>SignatureDoesNotMatch</Code>');
    expect(text).toContain('<Message>Credential should be scoped to correct service: &apos;iam&apos;. </Message>');
  });

  test('S3 takes s3: another service is AuthorizationHeaderMalformed, or in a presigned URL AuthorizationQueryParametersError', async () => {
    const res = await signedFetch({ service: 'kms', method: 'GET', headers: { 'x-amz-content-sha256': SHA_EMPTY } });
    expect(res.status).toBe(400);
    expect(await xmlError(res)).toMatchObject({ Code: 'AuthorizationHeaderMalformed', Message: 'The authorization header is malformed; incorrect service "kms". This endpoint belongs to "s3".' });
    const url = new URL(e.endpoint);
    const signer = new SignatureV4({ service: 'kms', region: 'us-east-1', credentials: key, sha256: NodeSha256, uriEscapePath: false });
    const presigned = await signer.presign({ method: 'GET', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: `/${BUCKET}`, query: {}, headers: { host: url.host } }, { expiresIn: 60, signingDate: new Date(ENGINE_NOW) });
    const q = new URLSearchParams(Object.entries(presigned.query ?? {}).map(([k, v]) => [k, String(v)]));
    const viaUrl = await fetch(`${e.endpoint}/${BUCKET}?${q}`);
    expect(viaUrl.status).toBe(400);
    expect(await xmlError(viaUrl)).toMatchObject({ Code: 'AuthorizationQueryParametersError', Message: 'Error parsing the X-Amz-Credential parameter; incorrect service "kms". This endpoint belongs to "s3".' });
  });
});

describe('headers a signature must cover', () => {
  test('on S3, an unsigned X-Amz-Date is named once; another unsigned x-amz-* header is named after it', async () => {
    const res = await signedFetch({ service: 's3', method: 'GET', headers: { 'x-amz-content-sha256': SHA_EMPTY }, unsignable: ['x-amz-date'] });
    expect(res.status).toBe(403);
    expect(await xmlError(res)).toMatchObject({ Code: 'AccessDenied', Message: 'There were headers present in the request which were not signed', HeadersNotSigned: 'x-amz-date' });
    const two = await signedFetch({ service: 's3', method: 'GET', headers: { 'x-amz-content-sha256': SHA_EMPTY }, unsignable: ['x-amz-date'], edit: (h) => { h['x-amz-meta-note'] = 'x'; } });
    expect((await xmlError(two)).HeadersNotSigned).toBe('x-amz-date, x-amz-meta-note');
  });

  test('on KMS an unsigned x-amz-* header other than the date is allowed (only S3 requires them signed)', async () => {
    const res = await signedFetch({ service: 'kms', headers: json('TrentService.ListKeys'), body: '{}', edit: (h) => { h['x-amz-user-agent'] = 'extra'; } });
    expect(res.status).toBe(200);
  });

  test('S3 needs x-amz-content-sha256 with a header signature: InvalidRequest without it', async () => {
    const res = await signedFetch({ service: 's3', method: 'GET', edit: (h) => { delete h['x-amz-content-sha256']; } });
    expect(res.status).toBe(400);
    expect(await xmlError(res)).toMatchObject({ Code: 'InvalidRequest', Message: 'Missing required header for this request: x-amz-content-sha256' });
  });

  test('a presigned URL may carry its payload hash in the query, under any case', async () => {
    const url = new URL(e.endpoint);
    const signer = new SignatureV4({ service: 's3', region: 'us-east-1', credentials: key, sha256: NodeSha256, uriEscapePath: false });
    const signed = await signer.presign(
      { method: 'GET', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: `/${BUCKET}`, query: { prefix: 'x', 'X-Amz-Content-Sha256': SHA_EMPTY }, headers: { host: url.host } },
      { expiresIn: 60, signingDate: new Date(ENGINE_NOW) },
    );
    // Another parameter first: the hash is found by its name, not its place.
    const entries = Object.entries(signed.query ?? {}).map(([k, v]) => [k, String(v)] as [string, string]);
    const q = new URLSearchParams([...entries.filter(([k]) => k === 'prefix'), ...entries.filter(([k]) => k !== 'prefix')]);
    expect(q.toString().startsWith('prefix=x&')).toBe(true);
    expect((await fetch(`${e.endpoint}/${BUCKET}?${q}`)).status).toBe(200);
  });
});

describe('session tokens', () => {
  test("an IAM user's access key with a session token is refused: UnrecognizedClientException on KMS, InvalidToken on S3", async () => {
    const token = 'FwoGZXIvYXdzEXAMPLETOKEN';
    const kms = await signedFetch({ service: 'kms', headers: { ...json('TrentService.ListKeys'), 'x-amz-security-token': token }, body: '{}' });
    expect(kms.status).toBe(400);
    expect(await kms.json()).toEqual({ __type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' });
    const s3 = await signedFetch({ service: 's3', method: 'GET', headers: { 'x-amz-content-sha256': SHA_EMPTY, 'x-amz-security-token': token } });
    expect(s3.status).toBe(400);
    expect(await xmlError(s3)).toMatchObject({ Code: 'InvalidToken', Message: 'The provided token is malformed or otherwise invalid.', 'Token-0': token });
  });

  test('STS credentials with a token one character off are InvalidToken on S3; without one, InvalidAccessKeyId', async () => {
    const dir = e.engine.directory;
    const role = dir.createRole(ACCOUNT, { RoleName: `Reader${Date.now()}`, Path: '/', AssumeRolePolicyDocument: '{}', MaxSessionDuration: 3600 });
    role.AttachedPolicies.push('arn:aws:iam::aws:policy/AdministratorAccess');
    const s = dir.issueSession(role, 's', 900, `arn:aws:iam::${ACCOUNT}:user/workshop-learner`);
    const asSession = async (sessionToken?: string) => {
      const url = new URL(e.endpoint);
      const signer = new SignatureV4({ service: 's3', region: 'us-east-1', credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey, sessionToken }, sha256: NodeSha256, uriEscapePath: false });
      const signed = await signer.sign({ method: 'GET', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', query: {}, headers: { host: url.host, 'x-amz-content-sha256': SHA_EMPTY } }, { signingDate: new Date(ENGINE_NOW) });
      const headers = { ...signed.headers } as Record<string, string>;
      delete headers.host;
      return fetch(`${e.endpoint}/`, { headers });
    };
    expect((await asSession(s.sessionToken)).status).toBe(200);
    const off = `${s.sessionToken.slice(0, -1)}${s.sessionToken.endsWith('A') ? 'B' : 'A'}`;
    const wrong = await asSession(off);
    expect(wrong.status).toBe(400);
    expect(await xmlError(wrong)).toMatchObject({ Code: 'InvalidToken', 'Token-0': off });
    const none = await asSession(undefined);
    expect(none.status).toBe(403);
    expect(await xmlError(none)).toMatchObject({ Code: 'InvalidAccessKeyId', AWSAccessKeyId: s.accessKeyId });
  });
});

describe('a presigned URL\'s last second', () => {
  async function presignedAt(at: number, expiresIn: number) {
    const url = new URL(e.endpoint);
    const signer = new SignatureV4({ service: 's3', region: 'us-east-1', credentials: key, sha256: NodeSha256, uriEscapePath: false });
    const signed = await signer.presign(
      { method: 'GET', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: `/${BUCKET}`, query: {}, headers: { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } },
      { expiresIn, signingDate: new Date(at) },
    );
    const q = new URLSearchParams(Object.entries(signed.query ?? {}).map(([k, v]) => [k, String(v)]));
    return fetch(`${e.endpoint}/${BUCKET}?${q}`);
  }

  test('valid through its X-Amz-Expires-th second, expired the second after; not bound by the 15-minute skew', async () => {
    expect((await presignedAt(ENGINE_NOW - 3600_000, 3600)).status).toBe(200);
    const expired = await presignedAt(ENGINE_NOW - 3601_000, 3600);
    expect(expired.status).toBe(403);
    const err = await xmlError(expired);
    expect(err).toMatchObject({ Code: 'AccessDenied', Message: 'Request has expired', 'X-Amz-Expires': '3600' });
    expect(err.Expires).toBe(new Date(ENGINE_NOW - 1000).toISOString().replace('.000Z', 'Z'));
    expect(err.ServerTime).toBe(new Date(ENGINE_NOW).toISOString().replace('.000Z', 'Z'));
  });
});

describe('who a request acts as', () => {
  async function lastEvent(name: string) {
    const ct = new CloudTrailClient(e.clientConfig);
    clients.push(ct);
    const events = (await ct.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: name }] }))).Events ?? [];
    return JSON.parse(events[0]!.CloudTrailEvent!) as { userIdentity: Record<string, unknown>; sourceIPAddress: string; userAgent: string; awsRegion: string };
  }

  test('an engine-issued key: CloudTrail shows the address and user agent it came with', async () => {
    const res = await signedFetch({ service: 'kms', headers: { ...json('TrentService.CreateKey'), 'user-agent': 'issued-agent/1.0' }, body: '{}' });
    expect(res.status).toBe(200);
    const ev = await lastEvent('CreateKey');
    expect(ev).toMatchObject({ sourceIPAddress: '127.0.0.1', userAgent: 'issued-agent/1.0', userIdentity: { accessKeyId: key.accessKeyId } });
  });

  test('an unknown key acts as the learner in the Region it signed for; an unsigned request as ANONYMOUS in us-east-1', async () => {
    const kms = new KMSClient({ ...e.clientConfig, region: 'eu-west-1', credentials: { accessKeyId: 'AKIAUNKNOWNREGION000', secretAccessKey: 'x' }, customUserAgent: 'unknown-agent' });
    clients.push(kms);
    const made = await kms.send(new CreateKeyCommand({}));
    expect(made.KeyMetadata?.Arn).toMatch(/^arn:aws:kms:eu-west-1:111122223333:key\//);
    const unsigned = await fetch(e.endpoint, { method: 'POST', headers: { ...json('TrentService.CreateKey'), 'user-agent': 'bare-agent' }, body: '{}' });
    const body = (await unsigned.json()) as { KeyMetadata: { Arn: string } };
    expect(body.KeyMetadata.Arn).toMatch(/^arn:aws:kms:us-east-1:111122223333:key\//);
    const ev = await lastEvent('CreateKey');
    expect(ev).toMatchObject({ sourceIPAddress: '127.0.0.1', userAgent: 'bare-agent', awsRegion: 'us-east-1', userIdentity: { accessKeyId: 'ANONYMOUS', userName: 'workshop-learner' } });
  });
});
