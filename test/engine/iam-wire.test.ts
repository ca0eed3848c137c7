// IAM and STS on the wire (raw HTTP, fetch): the AWS Query protocol's requests and XML
// answers, its errors, routing between IAM and STS, bounded bodies; every call in
// CloudTrail without a secret; and IAM's state across a restart, secrets never on disk in clear.
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, GetUserCommand, IAMClient, ListAttachedUserPoliciesCommand, PutUserPolicyCommand, CreatePolicyCommand, AttachUserPolicyCommand, GetUserPolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { startTestEngine, tempHome, type TestEngine } from '../helpers/engine.js';

const running: TestEngine[] = [];
afterEach(async () => {
  for (const te of running.splice(0)) await te.stop();
});
async function start(home?: string) {
  const te = await startTestEngine(home ? { home, keepHome: true } : {});
  running.push(te);
  return te;
}

const form = (params: Record<string, string>) => new URLSearchParams(params).toString();
function post(te: TestEngine, body: string, headers: Record<string, string> = {}) {
  return fetch(`${te.endpoint}/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', ...headers }, body });
}
const signedFor = (service: string) => ({ authorization: `AWS4-HMAC-SHA256 Credential=AKIDNOTISSUEDBYENGINE/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=00` });

describe('the Query protocol', () => {
  test('a form POSTed to / is answered in IAM\'s XML: <XResponse><XResult>, ResponseMetadata with the request id', async () => {
    const te = await start();
    const res = await post(te, form({ Action: 'CreateUser', Version: '2010-05-08', UserName: 'wire' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/xml');
    const requestId = res.headers.get('x-amzn-requestid')!;
    const xml = await res.text();
    expect(xml).toMatch(/^<CreateUserResponse xmlns="https:\/\/iam\.amazonaws\.com\/doc\/2010-05-08\/"><CreateUserResult><User><Path>\/<\/Path><UserName>wire<\/UserName><UserId>AIDA[A-Z2-7]{17}<\/UserId><Arn>arn:aws:iam::111122223333:user\/wire<\/Arn><CreateDate>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ<\/CreateDate><\/User><\/CreateUserResult>/);
    expect(xml).toContain(`<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></CreateUserResponse>`);
    const empty = await (await post(te, form({ Action: 'DeleteUser', Version: '2010-05-08', UserName: 'wire' }))).text();
    expect(empty).toMatch(/^<DeleteUserResponse xmlns="https:\/\/iam.amazonaws.com\/doc\/2010-05-08\/"><ResponseMetadata><RequestId>[\w-]+<\/RequestId><\/ResponseMetadata><\/DeleteUserResponse>$/);
  });

  test('errors are <ErrorResponse> with Type, Code, Message and RequestId, and the status IAM gives', async () => {
    const te = await start();
    const res = await post(te, form({ Action: 'GetUser', Version: '2010-05-08', UserName: 'ghost' }));
    expect(res.status).toBe(404);
    const xml = await res.text();
    expect(xml).toBe(
      `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>NoSuchEntity</Code>` +
        `<Message>The user with name ghost cannot be found.</Message></Error><RequestId>${res.headers.get('x-amzn-requestid')}</RequestId></ErrorResponse>`,
    );
    const missing = await post(te, form({ Version: '2010-05-08' }));
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain('<Code>MissingAction</Code>');
    const unknown = await post(te, form({ Action: 'CreateGroup<x>', Version: '2010-05-08' }));
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('<Code>InvalidAction</Code><Message>Could not find operation CreateGroup&lt;x&gt; for version 2010-05-08</Message>');
    const noName = await post(te, form({ Action: 'CreateUser', Version: '2010-05-08' }));
    expect(noName.status).toBe(400);
    expect(await noName.text()).toContain("<Code>ValidationError</Code><Message>1 validation error detected: Value null at &apos;userName&apos; failed to satisfy constraint: Member must not be null</Message>");
  });

  test('IAM or STS by the service the request was signed for, else by the Action', async () => {
    const te = await start();
    const sts = await post(te, form({ Action: 'GetCallerIdentity', Version: '2011-06-15' }));
    expect(await sts.text()).toMatch(/^<GetCallerIdentityResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/"><GetCallerIdentityResult><UserId>AIDA/);
    const wrongService = await post(te, form({ Action: 'CreateUser', Version: '2010-05-08', UserName: 'x' }), signedFor('sts'));
    expect(wrongService.status).toBe(400);
    const xml = await wrongService.text();
    expect(xml).toContain('xmlns="https://sts.amazonaws.com/doc/2011-06-15/"');
    expect(xml).toContain('<Code>InvalidAction</Code>');
    expect((await post(te, form({ Action: 'GetCallerIdentity', Version: '2011-06-15' }), signedFor('iam'))).status).toBe(400);
  });

  test('a request addressed to a name other than loopback\'s is refused in the Query protocol\'s shape, nothing created', async () => {
    const te = await start();
    const { request } = await import('node:http');
    const url = new URL(te.endpoint);
    const body = form({ Action: 'CreateUser', Version: '2010-05-08', UserName: 'rebound' });
    const reply = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, method: 'POST', path: '/', headers: { host: 'evil.example', 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, text }));
      });
      req.on('error', reject);
      req.end(body);
    });
    expect(reply.status).toBe(403);
    expect(reply.text).toMatch(/^<ErrorResponse xmlns="https:\/\/iam\.amazonaws\.com\/doc\/2010-05-08\/"><Error><Type>Sender<\/Type><Code>AccessDenied<\/Code><Message>This engine listens on loopback/);
    expect(te.engine.directory.user('111122223333', 'rebound')).toBeUndefined();
  });

  test('a body over the limit is refused with a 4xx, nothing created', async () => {
    const te = await start();
    const res = await post(te, form({ Action: 'CreateUser', Version: '2010-05-08', UserName: 'big', Padding: 'x'.repeat(200 * 1024) }));
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(te.engine.directory.user('111122223333', 'big')).toBeUndefined();
  });
});

describe('CloudTrail', () => {
  test('IAM and STS calls are recorded (failed ones with their error), never with a secret access key or session token', async () => {
    const te = await start();
    const iam = new IAMClient(te.clientConfig);
    const sts = new STSClient(te.clientConfig);
    const cloudtrail = new CloudTrailClient(te.clientConfig);
    await iam.send(new CreateUserCommand({ UserName: 'traced', Tags: [{ Key: 'b', Value: '2' }, { Key: 'a', Value: '1' }] }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'traced' }))).AccessKey!;
    await iam.send(new GetUserCommand({ UserName: 'nobody' })).catch(() => undefined);
    const role = await iam.send(new (await import('@aws-sdk/client-iam')).CreateRoleCommand({ RoleName: 'traced-role', AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '111122223333' }, Action: 'sts:AssumeRole' }] }) }));
    const creds = (await sts.send(new AssumeRoleCommand({ RoleArn: role.Role!.Arn, RoleSessionName: 'traced' }))).Credentials!;
    const issuedAt = new Date(Math.floor(te.clock.now().getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    te.clock.advance(60);
    const asRole = new STSClient({ ...te.clientConfig, credentials: { accessKeyId: creds.AccessKeyId!, secretAccessKey: creds.SecretAccessKey!, sessionToken: creds.SessionToken! } });
    await asRole.send(new GetCallerIdentityCommand({}));
    asRole.destroy();
    const events = (await cloudtrail.send(new LookupEventsCommand({}))).Events!.map((e) => JSON.parse(e.CloudTrailEvent!));
    const named = (name: string) => events.find((e) => e.eventName === name);
    expect(named('CreateUser')).toMatchObject({ eventSource: 'iam.amazonaws.com', awsRegion: 'us-east-1', readOnly: false, requestParameters: { userName: 'traced', tags: [{ key: 'b', value: '2' }, { key: 'a', value: '1' }] }, responseElements: { user: { userName: 'traced' } } });
    expect(named('CreateAccessKey')).toMatchObject({ responseElements: { accessKey: { accessKeyId: key.AccessKeyId, status: 'Active', userName: 'traced' } } });
    expect(named('GetUser')).toMatchObject({ errorCode: 'NoSuchEntity', errorMessage: 'The user with name nobody cannot be found.', readOnly: true, responseElements: null });
    expect(named('AssumeRole')).toMatchObject({ eventSource: 'sts.amazonaws.com', readOnly: true, responseElements: { credentials: { accessKeyId: creds.AccessKeyId }, assumedRoleUser: { arn: 'arn:aws:sts::111122223333:assumed-role/traced-role/traced' } } });
    // A call made with the session's credentials names the role session and when it was issued.
    expect(named('GetCallerIdentity').userIdentity).toMatchObject({
      type: 'AssumedRole',
      arn: 'arn:aws:sts::111122223333:assumed-role/traced-role/traced',
      accessKeyId: creds.AccessKeyId,
      sessionContext: { sessionIssuer: { type: 'Role', arn: role.Role!.Arn, userName: 'traced-role' }, attributes: { creationDate: issuedAt } },
    });
    const all = JSON.stringify(events);
    expect(all).not.toContain(key.SecretAccessKey);
    expect(all).not.toContain(creds.SecretAccessKey);
    expect(all).not.toContain(creds.SessionToken);
    for (const c of [iam, sts, cloudtrail]) c.destroy();
  });
});

describe('persistence', () => {
  test('users, keys, policies, attachments and STS sessions survive a restart; secrets and tokens are never on disk in clear', async () => {
    const home = tempHome();
    try {
      let te = await start(home);
      let iam = new IAMClient(te.clientConfig);
      await iam.send(new CreateUserCommand({ UserName: 'kept' }));
      const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'kept' }))).AccessKey!;
      const text = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*' }] });
      const policy = (await iam.send(new CreatePolicyCommand({ PolicyName: 'Mine', PolicyDocument: text }))).Policy!;
      await iam.send(new AttachUserPolicyCommand({ UserName: 'kept', PolicyArn: policy.Arn }));
      const role = (await iam.send(new CreateRoleCommand({ RoleName: 'kept-role', AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '111122223333' }, Action: 'sts:AssumeRole' }] }) }))).Role!;
      const sts0 = new STSClient(te.clientConfig);
      const creds = (await sts0.send(new AssumeRoleCommand({ RoleArn: role.Arn, RoleSessionName: 'kept-session', DurationSeconds: 900 }))).Credentials!;
      sts0.destroy();
      // Last, so that no later change saves it by the way.
      await iam.send(new PutUserPolicyCommand({ UserName: 'kept', PolicyName: 'enc', PolicyDocument: text }));
      const learner = (await iam.send(new GetUserCommand({}))).User!;
      iam.destroy();
      await running.pop()!.stop();

      const files = readdirSync(home, { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
      expect(files.map((f) => f.name)).toContain('iam.journal');
      for (const f of files) {
        const bytes = readFileSync(join(f.parentPath, f.name));
        for (const secret of [key.SecretAccessKey!, creds.SecretAccessKey!, creds.SessionToken!])
          for (const form of [secret, Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('hex')]) expect(bytes.includes(form), f.name).toBe(false);
      }

      te = await start(home);
      iam = new IAMClient(te.clientConfig);
      expect((await iam.send(new GetUserCommand({}))).User).toEqual(learner);
      expect((await iam.send(new GetUserPolicyCommand({ UserName: 'kept', PolicyName: 'enc' }))).PolicyDocument).toBe(encodeURIComponent(text));
      expect((await iam.send(new ListAttachedUserPoliciesCommand({ UserName: 'kept' }))).AttachedPolicies).toEqual([{ PolicyName: 'Mine', PolicyArn: policy.Arn }]);
      const sts = new STSClient({ ...te.clientConfig, credentials: { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! } });
      expect((await sts.send(new GetCallerIdentityCommand({}))).Arn).toBe('arn:aws:iam::111122223333:user/kept');
      const asRole = new STSClient({ ...te.clientConfig, credentials: { accessKeyId: creds.AccessKeyId!, secretAccessKey: creds.SecretAccessKey!, sessionToken: creds.SessionToken! } });
      expect((await asRole.send(new GetCallerIdentityCommand({}))).Arn).toBe('arn:aws:sts::111122223333:assumed-role/kept-role/kept-session');
      te.clock.advance(901); // still on the engine clock: it expires as it would have
      const expired = await asRole.send(new GetCallerIdentityCommand({})).catch((err: Error) => err);
      expect((expired as Error).name).toBe('ExpiredToken');
      iam.destroy();
      sts.destroy();
      asRole.destroy();
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
