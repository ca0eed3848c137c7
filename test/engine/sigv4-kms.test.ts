// SigV4 verification for the JSON services (KMS, CloudTrail) through @aws-sdk/client-kms and
// raw signed requests over HTTP: engine-issued credentials are verified (a wrong secret, a
// tampered body, a header left unsigned, a malformed Authorization, a clock off by more than
// 15 minutes, STS credentials past their expiry or without their token each get KMS's error
// type, status and words); any other access key acts as the default learner in the local mode.
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { CreateKeyCommand, KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { NodeSha256 } from '../../src/engine/auth/sigv4.js';
import { fixedClock } from '../../src/engine/clock.js';
import { startTestEngine, TEST_CREDENTIALS, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

const ACCOUNT = '111122223333';
const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

let e: TestEngine;
const clients: { destroy(): void }[] = [];
beforeEach(async () => {
  e = await startTestEngine();
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await e.stop();
});

/** A new access key of the account's default learner (an administrator), as CreateAccessKey makes it. */
function learnerKey(te: TestEngine = e) {
  const dir = te.engine.directory;
  dir.defaultLearner(ACCOUNT, 'us-east-1');
  const { key, secretAccessKey } = dir.createAccessKey(dir.requireUser(ACCOUNT, 'workshop-learner'));
  return { accessKeyId: key.AccessKeyId, secretAccessKey };
}

/** STS credentials for a role (trust policy aside: issued directly), valid for `seconds` on the engine clock. */
function roleSession(seconds = 900) {
  const dir = e.engine.directory;
  dir.defaultLearner(ACCOUNT, 'us-east-1');
  const role = dir.createRole(ACCOUNT, {
    RoleName: 'KeyAdmin',
    Path: '/',
    AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' }] }),
    MaxSessionDuration: 3600,
  });
  role.AttachedPolicies.push('arn:aws:iam::aws:policy/AdministratorAccess');
  const s = dir.issueSession(role, 'lesson-session', seconds, `arn:aws:iam::${ACCOUNT}:user/workshop-learner`);
  return { role, credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey, sessionToken: s.sessionToken } };
}

function kmsWith(credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }, extra: Record<string, unknown> = {}) {
  const c = new KMSClient({ ...e.clientConfig, credentials, ...extra });
  clients.push(c);
  return c;
}

async function lastEvent(name: string, credentials?: { accessKeyId: string; secretAccessKey: string }) {
  const ct = new CloudTrailClient(credentials ? { ...e.clientConfig, credentials } : e.clientConfig);
  clients.push(ct);
  const events = (await ct.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: name }] }))).Events ?? [];
  return JSON.parse(events[0]!.CloudTrailEvent!);
}

/** A KMS request signed by smithy's signer, then sent by fetch (optionally changed after signing). */
async function signedKmsRequest(
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
  opts: { body?: string; sendBody?: string; service?: string; unsignable?: string[]; authorization?: (a: string) => string } = {},
) {
  const url = new URL(e.endpoint);
  const body = opts.body ?? '{}';
  const signer = new SignatureV4({ service: opts.service ?? 'kms', region: 'us-east-1', credentials, sha256: NodeSha256 });
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: '/',
      query: {},
      headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.ListKeys' },
      body,
    },
    { unsignableHeaders: new Set(opts.unsignable ?? []) },
  );
  const headers = { ...signed.headers } as Record<string, string>;
  delete headers.host;
  if (opts.authorization) headers.authorization = opts.authorization(headers.authorization!);
  const res = await fetch(e.endpoint, { method: 'POST', headers, body: opts.sendBody ?? body });
  return { status: res.status, body: (await res.json()) as { __type: string; message?: string } };
}

describe('engine-issued credentials', () => {
  test("an IAM user's access key signs KMS and CloudTrail calls, and CloudTrail names that user and key", async () => {
    const key = learnerKey();
    const created = await kmsWith(key).send(new CreateKeyCommand({}));
    expect(created.KeyMetadata?.KeyId).toBeDefined();
    const identity = (await lastEvent('CreateKey', key)).userIdentity;
    const user = e.engine.directory.requireUser(ACCOUNT, 'workshop-learner');
    expect(identity).toEqual({
      type: 'IAMUser',
      principalId: user.UserId,
      arn: `arn:aws:iam::${ACCOUNT}:user/workshop-learner`,
      accountId: ACCOUNT,
      accessKeyId: key.accessKeyId,
      userName: 'workshop-learner',
    });
  });

  test('a wrong secret is InvalidSignatureException (400) in KMS words', async () => {
    const key = learnerKey();
    const err = await expectAwsError(kmsWith({ ...key, secretAccessKey: key.secretAccessKey.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) }).send(new ListKeysCommand({})), 'InvalidSignatureException');
    expect(err.message).toBe(MISMATCH);
  });

  test('a body changed after signing no longer matches its signature', async () => {
    const key = learnerKey();
    expect((await signedKmsRequest(key, { body: '{"Limit":5}' })).status).toBe(200);
    const tampered = await signedKmsRequest(key, { body: '{"Limit":5}', sendBody: '{"Limit":6}' });
    expect(tampered).toEqual({ status: 400, body: { __type: 'InvalidSignatureException', message: MISMATCH } });
  });

  test('a signature that leaves out Host or X-Amz-Date is IncompleteSignatureException', async () => {
    const key = learnerKey();
    expect(await signedKmsRequest(key, { unsignable: ['host'] })).toEqual({
      status: 400,
      body: { __type: 'IncompleteSignatureException', message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization." },
    });
    const noDate = await signedKmsRequest(key, { unsignable: ['x-amz-date'] });
    expect(noDate.body.__type).toBe('IncompleteSignatureException');
    expect(noDate.body.message).toContain("'x-amz-date' must be a 'SignedHeader'");
  });

  test('an Authorization header without its Signature is IncompleteSignatureException naming what is missing', async () => {
    const key = learnerKey();
    const res = await signedKmsRequest(key, { authorization: (a) => a.replace(/, Signature=[0-9a-f]+/, '') });
    expect(res.status).toBe(400);
    expect(res.body.__type).toBe('IncompleteSignatureException');
    expect(res.body.message).toMatch(/^Authorization header requires 'Signature' parameter\. Authorization=AWS4-HMAC-SHA256 Credential=AKIA/);
  });

  test('a credential scoped to another service is refused', async () => {
    const res = await signedKmsRequest(learnerKey(), { service: 's3' });
    expect(res).toEqual({ status: 400, body: { __type: 'InvalidSignatureException', message: "Credential should be scoped to correct service: 'kms'. " } });
  });

  test('an access key made Inactive is refused even in the local mode', async () => {
    const key = learnerKey();
    e.engine.directory.state.keys.get(key.accessKeyId)!.Status = 'Inactive';
    const err = await expectAwsError(kmsWith(key).send(new ListKeysCommand({})), 'UnrecognizedClientException');
    expect(err.message).toBe('The security token included in the request is invalid.');
  });
});

describe('time', () => {
  test('a request signed more than 15 minutes from the engine time is "Signature expired" (InvalidSignatureException)', async () => {
    await e.stop();
    const engineNow = Date.now() + 20 * 60 * 1000;
    e = await startTestEngine({ clock: fixedClock(new Date(engineNow)) });
    const err = await expectAwsError(kmsWith(learnerKey()).send(new ListKeysCommand({})), 'InvalidSignatureException');
    expect(err.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/);
  });

  test('a learner who fast-forwards the engine clock (30 days) still signs with their own clock and is not locked out', async () => {
    const key = learnerKey();
    e.engine.advanceClock(30 * 24 * 3600);
    const keys = await kmsWith(key).send(new ListKeysCommand({}));
    expect(keys.Keys).toBeDefined();
  });
});

describe('STS credentials', () => {
  test('work with their session token, and CloudTrail shows the assumed role and its session', async () => {
    const { role, credentials } = roleSession();
    await kmsWith(credentials).send(new CreateKeyCommand({}));
    const identity = (await lastEvent('CreateKey')).userIdentity;
    expect(identity).toMatchObject({
      type: 'AssumedRole',
      principalId: `${role.RoleId}:lesson-session`,
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/KeyAdmin/lesson-session`,
      accountId: ACCOUNT,
      accessKeyId: credentials.accessKeyId,
      sessionContext: {
        sessionIssuer: { type: 'Role', principalId: role.RoleId, arn: role.Arn, accountId: ACCOUNT, userName: 'KeyAdmin' },
        attributes: { mfaAuthenticated: 'false' },
      },
    });
    expect(identity.userName).toBeUndefined();
  });

  test('after their expiry on the engine clock they are ExpiredTokenException', async () => {
    const { credentials } = roleSession(900);
    const kms = kmsWith(credentials);
    await kms.send(new ListKeysCommand({}));
    e.engine.advanceClock(901);
    const err = await expectAwsError(kms.send(new ListKeysCommand({})), 'ExpiredTokenException');
    expect(err.message).toBe('The security token included in the request is expired');
  });

  test('without their session token, or with another, they are UnrecognizedClientException', async () => {
    const { credentials } = roleSession();
    await expectAwsError(kmsWith({ accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey }).send(new ListKeysCommand({})), 'UnrecognizedClientException');
    const other = `${credentials.sessionToken.slice(0, -4)}AAAA`;
    await expectAwsError(kmsWith({ ...credentials, sessionToken: other }).send(new ListKeysCommand({})), 'UnrecognizedClientException');
  });
});

describe('access keys the engine never issued', () => {
  test('act as the account default learner in the local mode (CloudTrail shows the learner and the key used)', async () => {
    await kmsWith({ accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'anything' }).send(new CreateKeyCommand({}));
    const identity = (await lastEvent('CreateKey')).userIdentity;
    expect(identity).toMatchObject({ type: 'IAMUser', userName: 'workshop-learner', accountId: ACCOUNT, accessKeyId: 'AKIAUNKNOWN000000000', arn: `arn:aws:iam::${ACCOUNT}:user/workshop-learner` });
  });

  test('so does a request with a malformed Authorization header (it names no engine key)', async () => {
    const res = await fetch(e.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.ListKeys', authorization: `AWS4-HMAC-SHA256 Credential=${TEST_CREDENTIALS.accessKeyId}/20260101/us-east-1/kms/aws4_request` },
      body: '{}',
    });
    expect(res.status).toBe(200);
  });
});

describe('hostile signatures', () => {
  test('SignedHeaders naming what is not a header (constructor, __proto__) is a mismatch, not a failure of the engine', async () => {
    const key = learnerKey();
    const res = await signedKmsRequest(key, { authorization: (a) => a.replace('SignedHeaders=', 'SignedHeaders=__proto__;constructor;') });
    expect(res).toEqual({ status: 400, body: { __type: 'InvalidSignatureException', message: MISMATCH } });
  });
});
