// SigV4 verification for S3 through @aws-sdk/client-s3 and presigned URLs made with
// @smithy/signature-v4's presign (as @aws-sdk/s3-request-presigner does): engine-issued
// credentials sign uploads (streaming ones too) and downloads; a wrong secret is
// SignatureDoesNotMatch with S3's StringToSign and CanonicalRequest; a presigned GET works
// until it is tampered with or expires on the engine clock ("Request has expired").
import { CreateBucketCommand, GetObjectCommand, ListBucketsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import { XMLParser } from 'fast-xml-parser';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { NodeSha256 } from '../../src/engine/auth/sigv4.js';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

const ACCOUNT = '111122223333';
const BUCKET = 'signed-bucket';

let e: TestEngine;
let key: { accessKeyId: string; secretAccessKey: string };
const clients: S3Client[] = [];
beforeEach(async () => {
  e = await startTestEngine();
  const dir = e.engine.directory;
  dir.defaultLearner(ACCOUNT, 'us-east-1');
  const made = dir.createAccessKey(dir.requireUser(ACCOUNT, 'workshop-learner'));
  key = { accessKeyId: made.key.AccessKeyId, secretAccessKey: made.secretAccessKey };
  await s3With(key).send(new CreateBucketCommand({ Bucket: BUCKET }));
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await e.stop();
});

function s3With(credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) {
  const c = new S3Client({ ...e.clientConfig, credentials, forcePathStyle: true });
  clients.push(c);
  return c;
}

/** A presigned GET of /bucket/key, valid `expiresIn` seconds, signed as the S3 presigner signs (UNSIGNED-PAYLOAD, host only). */
async function presignGet(objectKey: string, expiresIn: number, credentials = key): Promise<string> {
  const url = new URL(e.endpoint);
  const signer = new SignatureV4({ service: 's3', region: 'us-east-1', credentials, sha256: NodeSha256, uriEscapePath: false });
  const signed = await signer.presign(
    { method: 'GET', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: `/${BUCKET}/${objectKey}`, query: {}, headers: { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } },
    { expiresIn },
  );
  const query = Object.entries(signed.query ?? {}).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return `${e.endpoint}${signed.path}?${query.join('&')}`;
}

const xml = new XMLParser({ parseTagValue: false });
async function s3Error(res: Response): Promise<Record<string, string>> {
  return xml.parse(await res.text()).Error;
}

describe('engine-issued credentials on S3', () => {
  test('sign uploads (a body whose SHA-256 is signed, and a stream sent aws-chunked with STREAMING-UNSIGNED-PAYLOAD-TRAILER) and downloads', async () => {
    const s3 = s3With(key);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'note.txt', Body: 'signed, sealed, delivered' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'note.txt' }));
    expect(await got.Body!.transformToString()).toBe('signed, sealed, delivered');
    const big = Buffer.alloc(100_000, 7);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'streamed.bin', Body: Readable.from([big]), ContentLength: big.length }));
    const streamed = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'streamed.bin' }));
    expect(Buffer.from(await streamed.Body!.transformToByteArray()).equals(big)).toBe(true);
  });

  test('a wrong secret is SignatureDoesNotMatch (403), with what the engine signed: StringToSign and CanonicalRequest', async () => {
    const s3 = s3With({ ...key, secretAccessKey: 'not-the-secret-at-all' });
    await expectAwsError(s3.send(new ListBucketsCommand({})), 'SignatureDoesNotMatch', 403);
    const res = await fetch(await presignGet('note.txt', 60, { ...key, secretAccessKey: 'wrong' }));
    expect(res.status).toBe(403);
    const err = await s3Error(res);
    expect(err.Code).toBe('SignatureDoesNotMatch');
    expect(err.Message).toBe('The request signature we calculated does not match the signature you provided. Check your key and signing method.');
    expect(err.AWSAccessKeyId).toBe(key.accessKeyId);
    expect(err.StringToSign).toMatch(new RegExp(`^AWS4-HMAC-SHA256\\n\\d{8}T\\d{6}Z\\n\\d{8}/us-east-1/s3/aws4_request\\n[0-9a-f]{64}$`));
    expect(err.CanonicalRequest).toMatch(new RegExp(`^GET\\n/${BUCKET}/note.txt\\nX-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${key.accessKeyId}%2F`));
    expect(err.CanonicalRequest.endsWith('\nhost\nUNSIGNED-PAYLOAD')).toBe(true);
    expect(err.StringToSignBytes.startsWith('41 57 53 34')).toBe(true);
  });
});

describe('presigned URLs', () => {
  beforeEach(async () => {
    await s3With(key).send(new PutObjectCommand({ Bucket: BUCKET, Key: 'report.txt', Body: 'quarterly figures' }));
  });

  test('a presigned GET fetches the object without any credentials of its own', async () => {
    const res = await fetch(await presignGet('report.txt', 300));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('quarterly figures');
  });

  test('a presigned URL pointed at another object, or with its signature changed, is SignatureDoesNotMatch', async () => {
    const url = await presignGet('report.txt', 300);
    const otherObject = await fetch(url.replace('/report.txt?', '/other.txt?'));
    expect(otherObject.status).toBe(403);
    expect((await s3Error(otherObject)).Code).toBe('SignatureDoesNotMatch');
    const forged = await fetch(url.replace(/X-Amz-Signature=([0-9a-f])/, (_, c: string) => `X-Amz-Signature=${c === '0' ? '1' : '0'}`));
    expect(forged.status).toBe(403);
    expect((await s3Error(forged)).Code).toBe('SignatureDoesNotMatch');
  });

  test('once its X-Amz-Expires seconds have passed on the engine clock it is AccessDenied "Request has expired"', async () => {
    const url = await presignGet('report.txt', 60);
    expect((await fetch(url)).status).toBe(200);
    // The test engine's clock stood still since it started, while the URL was signed with the real time since.
    e.engine.advanceClock(120);
    const res = await fetch(url);
    expect(res.status).toBe(403);
    const err = await s3Error(res);
    expect(err).toMatchObject({ Code: 'AccessDenied', Message: 'Request has expired', 'X-Amz-Expires': '60' });
    expect(Date.parse(err.ServerTime!)).toBeGreaterThan(Date.parse(err.Expires!));
    expect(Date.parse(err.ServerTime!)).toBe(Math.floor(e.clock.now().getTime() / 1000) * 1000);
  });

  test('a URL presigned after a fast-forward counts its validity from then', async () => {
    e.engine.advanceClock(30 * 24 * 3600);
    // Signatures carry whole seconds: a fast-forward in the second a URL is signed in counts as after it.
    await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 5));
    const res = await fetch(await presignGet('report.txt', 60));
    expect(res.status).toBe(200);
  });

  test('an x-amz-* header the URL did not sign is refused, as S3 does', async () => {
    const res = await fetch(await presignGet('report.txt', 300), { headers: { 'x-amz-request-payer': 'requester' } });
    expect(res.status).toBe(403);
    expect(await s3Error(res)).toMatchObject({ Code: 'AccessDenied', Message: 'There were headers present in the request which were not signed', HeadersNotSigned: 'x-amz-request-payer' });
  });

  test('X-Amz-Expires over a week is AuthorizationQueryParametersError', async () => {
    const url = (await presignGet('report.txt', 300)).replace('X-Amz-Expires=300', 'X-Amz-Expires=604801');
    const res = await fetch(url);
    expect(res.status).toBe(400);
    expect(await s3Error(res)).toMatchObject({ Code: 'AuthorizationQueryParametersError', Message: 'X-Amz-Expires must be less than a week (in seconds) that is 604800' });
  });
});

describe('STS credentials on S3', () => {
  test('past their expiry they are ExpiredToken (400), as S3 words it', async () => {
    const dir = e.engine.directory;
    const role = dir.createRole(ACCOUNT, { RoleName: 'Uploader', Path: '/', AssumeRolePolicyDocument: '{}', MaxSessionDuration: 3600 });
    role.AttachedPolicies.push('arn:aws:iam::aws:policy/AdministratorAccess');
    const s = dir.issueSession(role, 'upload', 900, `arn:aws:iam::${ACCOUNT}:user/workshop-learner`);
    const s3 = s3With({ accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey, sessionToken: s.sessionToken });
    await s3.send(new ListBucketsCommand({}));
    e.engine.advanceClock(900);
    const err = await expectAwsError(s3.send(new ListBucketsCommand({})), 'ExpiredToken', 400);
    expect(err.message).toBe('The provided token has expired.');
  });
});
