// The strict mode (EngineOptions.strict, serve --strict): only requests signed with
// credentials the engine issued get through; an unsigned request and an access key the
// engine never issued are refused as each service refuses them on AWS (KMS, S3, IAM/STS),
// while engine-issued keys keep working. And IAM/STS's own words for a wrong signature.
import { KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { fixedClock } from '../../src/engine/clock.js';
import { startEngine, type RunningEngine } from '../../src/engine/index.js';
import { MAX_QUOTA_SCALE } from '../../src/engine/kms/quotas.js';
import { startTestEngine, tempHome, TEST_CREDENTIALS, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

const ACCOUNT = '111122223333';
const INVALID_TOKEN = 'The security token included in the request is invalid.';

function issuedKey(engine: RunningEngine['engine']) {
  engine.directory.defaultLearner(ACCOUNT, 'us-east-1');
  const { key, secretAccessKey } = engine.directory.createAccessKey(engine.directory.requireUser(ACCOUNT, 'workshop-learner'));
  return { accessKeyId: key.AccessKeyId, secretAccessKey };
}

const clients: { destroy(): void }[] = [];
function config(endpoint: string, credentials: { accessKeyId: string; secretAccessKey: string }) {
  return { endpoint, region: 'us-east-1', credentials, maxAttempts: 1 };
}
const kms = (endpoint: string, credentials = TEST_CREDENTIALS) => track(new KMSClient(config(endpoint, credentials)));
const s3 = (endpoint: string, credentials = TEST_CREDENTIALS) => track(new S3Client({ ...config(endpoint, credentials), forcePathStyle: true }));
const sts = (endpoint: string, credentials = TEST_CREDENTIALS) => track(new STSClient(config(endpoint, credentials)));
function track<T extends { destroy(): void }>(c: T): T {
  clients.push(c);
  return c;
}

describe('strict mode', () => {
  let running: RunningEngine;
  let home: string;
  beforeEach(async () => {
    home = tempHome();
    running = await startEngine({ home, clock: fixedClock(new Date()), quotaScale: MAX_QUOTA_SCALE, strict: true });
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await running.close();
    rmSync(home, { recursive: true, force: true });
  });

  const post = (headers: Record<string, string>, body: string) => fetch(running.endpoint, { method: 'POST', headers, body });

  test('an unsigned KMS request is MissingAuthenticationTokenException (400)', async () => {
    const res = await post({ 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.ListKeys' }, '{}');
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ __type: 'MissingAuthenticationTokenException', message: 'Request is missing Authentication Token' });
  });

  test('an unsigned S3 request is anonymous: AccessDenied (403)', async () => {
    const res = await fetch(`${running.endpoint}/some-bucket`);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('<Code>AccessDenied</Code><Message>Access Denied</Message>');
  });

  test('an unsigned STS request is MissingAuthenticationToken (403)', async () => {
    const res = await post({ 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, 'Action=GetCallerIdentity&Version=2011-06-15');
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('<Code>MissingAuthenticationToken</Code>');
  });

  test('an access key the engine never issued: KMS UnrecognizedClientException, S3 InvalidAccessKeyId, STS InvalidClientTokenId', async () => {
    const k = await expectAwsError(kms(running.endpoint).send(new ListKeysCommand({})), 'UnrecognizedClientException', 400);
    expect(k.message).toBe(INVALID_TOKEN);
    const s = await expectAwsError(s3(running.endpoint).send(new ListBucketsCommand({})), 'InvalidAccessKeyId', 403);
    expect(s.message).toBe('The AWS Access Key Id you provided does not exist in our records.');
    const t = await expectAwsError(sts(running.endpoint).send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId', 403);
    expect(t.message).toBe(INVALID_TOKEN);
  });

  test('a malformed Authorization header is IncompleteSignatureException', async () => {
    const res = await post(
      { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.ListKeys', authorization: `AWS4-HMAC-SHA256 Credential=${TEST_CREDENTIALS.accessKeyId}/20260101/us-east-1/kms/aws4_request` },
      '{}',
    );
    expect(res.status).toBe(400);
    const body = (await res.json()) as { __type: string; message: string };
    expect(body.__type).toBe('IncompleteSignatureException');
    expect(body.message).toContain("Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter.");
  });

  test('keys the engine issued work on KMS, S3 and STS', async () => {
    const key = issuedKey(running.engine);
    expect((await kms(running.endpoint, key).send(new ListKeysCommand({}))).Keys).toEqual([]);
    expect((await s3(running.endpoint, key).send(new ListBucketsCommand({}))).Buckets ?? []).toEqual([]);
    expect((await sts(running.endpoint, key).send(new GetCallerIdentityCommand({}))).Arn).toBe(`arn:aws:iam::${ACCOUNT}:user/workshop-learner`);
  });
});

describe('IAM and STS (AWS Query)', () => {
  let e: TestEngine;
  beforeEach(async () => {
    e = await startTestEngine();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await e.stop();
  });

  test('a wrong secret is SignatureDoesNotMatch (403) in IAM/STS words', async () => {
    const key = issuedKey(e.engine);
    const err = await expectAwsError(sts(e.endpoint, { ...key, secretAccessKey: `${key.secretAccessKey}x` }).send(new GetCallerIdentityCommand({})), 'SignatureDoesNotMatch', 403);
    expect(err.message).toBe(
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
  });

  test('expired STS credentials are ExpiredToken (403)', async () => {
    const dir = e.engine.directory;
    dir.defaultLearner(ACCOUNT, 'us-east-1');
    const role = dir.createRole(ACCOUNT, { RoleName: 'Reader', Path: '/', AssumeRolePolicyDocument: '{}', MaxSessionDuration: 3600 });
    const s = dir.issueSession(role, 'short', 900, `arn:aws:iam::${ACCOUNT}:user/workshop-learner`);
    const client = sts(e.endpoint, { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey, sessionToken: s.sessionToken } as never);
    expect((await client.send(new GetCallerIdentityCommand({}))).Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/Reader/short`);
    e.engine.advanceClock(900);
    const err = await expectAwsError(client.send(new GetCallerIdentityCommand({})), 'ExpiredToken', 403);
    expect(err.message).toBe('The security token included in the request is expired');
  });
});
