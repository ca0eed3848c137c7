// The AWS Query protocol's edges (iam/query.ts, issue 16), on one engine for the file: what is
// a Query request, the body's bound to the byte, which service answers, each refusal's words,
// a member's length, pattern and integer bounds, lists of structures, paging, the XML of an
// answer and of a failure, who must be allowed, and what CloudTrail records of a call. A
// probe service mounted beside IAM and STS shows what no IAM operation can (a failing
// operation, any result shape, a secret member).
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { CreateUserCommand, GetUserCommand, IAMClient, ListPoliciesCommand, ListUsersCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { NodeSha256 } from '../../src/engine/auth/sigv4.js';
import { AwsError } from '../../src/engine/errors.js';
import { IAM_XMLNS, isQueryRequest, MAX_QUERY_BODY, mountQueryService, readQueryBody, type QueryCall, type QueryOperation } from '../../src/engine/iam/query.js';
import type { EngineRequest } from '../../src/engine/wire.js';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

let e: TestEngine;
const probeCalls: QueryCall[] = [];
const PROBE_XMLNS = 'https://probe.example/doc/2099-01-01/';
const WHEN = new Date('2026-05-06T07:08:09.123Z');
/** Characters XML 1.0 cannot carry (C0 controls but tab, newline and return; U+FFFE, U+FFFF; lone surrogates), among ones it can. */
const UNSAFE = '\u0000\u0008|\t\n|\u000B\u000C|\u000E\u001F|\u0020\uFFFD|\uFFFE\uFFFF|\uD800x|x\uDC00|\uD83D\uDE00|\uDBFF';

const probe = (op: Partial<QueryOperation> & Pick<QueryOperation, 'run'>): QueryOperation => ({ action: 'probe:Any', readOnly: false, resource: () => '*', ...op });
const PROBE_OPERATIONS = new Map<string, QueryOperation>([
  ['Echo', probe({ run: (call) => (probeCalls.push(call), { Region: call.caller.region, Got: call.params.optional('Value') }) })],
  ['Explode', probe({ run: () => { throw new TypeError('a bug in an operation'); } })],
  ['Refuse', probe({ run: () => { throw new AwsError('Unavailable', 'down for <maintenance>', 503); } })],
  ['Nothing', probe({ run: () => undefined })],
  ['Shapes', probe({
    run: () => ({
      When: WHEN, Count: 3, Flag: false, Text: 'a<b & "c" \u0007', Missing: undefined, List: ['x', { Inner: 'y' }],
      Nested: { Deep: { SecretAccessKey: 'hidden-secret', Kept: 'k' }, SessionToken: 'hidden-token' },
    }),
  })],
  ['Unsafe', probe({ readOnly: true, run: () => ({ Text: UNSAFE }) })],
  ['ReadShapes', probe({ readOnly: true, run: () => ({ Seen: 'not recorded' }) })],
  ['ReadRecorded', probe({ readOnly: true, recordsResponse: true, run: () => ({ Seen: 'recorded', When: WHEN }) })],
]);

beforeAll(async () => {
  e = await startTestEngine();
  mountQueryService(e.engine, { name: 'probe', version: '2099-01-01', xmlns: PROBE_XMLNS, eventSource: 'probe.amazonaws.com', region: 'eu-central-1', operations: PROBE_OPERATIONS });
});
afterAll(async () => {
  await e.stop();
});

const form = (params: Record<string, string>) => new URLSearchParams(params).toString();
const post = (body: string, headers: Record<string, string> = {}, path = '/') =>
  fetch(`${e.endpoint}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', ...headers }, body });
const iamCall = (params: Record<string, string>) => post(form({ Version: '2010-05-08', ...params }));
async function errorOf(res: Response) {
  const xml = await res.text();
  return { status: res.status, type: /<Type>(.*?)<\/Type>/.exec(xml)?.[1], code: /<Code>(.*?)<\/Code>/.exec(xml)?.[1], message: /<Message>(.*?)<\/Message>/.exec(xml)?.[1], xml };
}
/** A Query request signed with an engine-issued key for `service`. */
async function signedPost(key: { accessKeyId: string; secretAccessKey: string }, service: string, body: string) {
  const url = new URL(e.endpoint);
  const signer = new SignatureV4({ service, region: 'us-east-1', credentials: key, sha256: NodeSha256 });
  const signed = await signer.sign(
    { method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', query: {}, headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded' }, body },
    { signingDate: e.clock.now() },
  );
  const headers = { ...signed.headers } as Record<string, string>;
  delete headers.host;
  return fetch(`${e.endpoint}/`, { method: 'POST', headers, body });
}
async function trailEvent(eventName: string) {
  const cloudtrail = new CloudTrailClient(e.clientConfig);
  try {
    const events = (await cloudtrail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: eventName }] }))).Events!;
    return JSON.parse(events[0]!.CloudTrailEvent!);
  } finally {
    cloudtrail.destroy();
  }
}

describe('what a Query request is', () => {
  test('a POST to / whose content type is a form, in any case; not another method, path or type', () => {
    const req = (method: string, path: string, type?: string) => ({ method, path, headers: (type === undefined ? {} : { 'content-type': type }) as Record<string, string> });
    expect(isQueryRequest(req('POST', '/', 'application/x-www-form-urlencoded'))).toBe(true);
    expect(isQueryRequest(req('POST', '/', 'Application/X-WWW-Form-Urlencoded; charset=utf-8'))).toBe(true);
    expect(isQueryRequest(req('PUT', '/', 'application/x-www-form-urlencoded'))).toBe(false);
    expect(isQueryRequest(req('POST', '/bucket', 'application/x-www-form-urlencoded'))).toBe(false);
    expect(isQueryRequest(req('POST', '/', 'application/json'))).toBe(false);
    expect(isQueryRequest(req('POST', '/', 'text/plain; x=application/x-www-form-urlencoded'))).toBe(false);
    expect(isQueryRequest(req('POST', '/'))).toBe(false);
  });

  test('the body is read whole when it came whole, else from its stream to one chunk past the bound', async () => {
    const whole = Buffer.from('Action=ListUsers');
    async function* never(): AsyncGenerator<Buffer> {
      yield Buffer.from('not read');
    }
    expect(await readQueryBody({ body: whole, stream: never() } as unknown as EngineRequest)).toBe(whole);
    expect((await readQueryBody({ body: Buffer.alloc(0) } as unknown as EngineRequest)).length).toBe(0);
    async function* pieces(): AsyncGenerator<Buffer> {
      yield Buffer.from('Action=');
      yield Buffer.from('ListUsers');
    }
    expect((await readQueryBody({ body: Buffer.alloc(0), stream: pieces() } as unknown as EngineRequest)).toString()).toBe('Action=ListUsers');
    // Chunks that reach the bound exactly: one more is read, so that the body is known to be too long.
    let chunks = 0;
    async function* endless(): AsyncGenerator<Buffer> {
      for (;;) {
        chunks++;
        yield Buffer.alloc(1024, 0x61);
      }
    }
    const cut = await readQueryBody({ body: Buffer.alloc(0), stream: endless() } as unknown as EngineRequest);
    expect(MAX_QUERY_BODY % 1024).toBe(0);
    expect(cut.length).toBe(MAX_QUERY_BODY + 1024);
    expect(chunks).toBe(MAX_QUERY_BODY / 1024 + 1);
  });

  test('a body of exactly the bound is taken; one byte more is ValidationError naming the bound, in the shape of the service', async () => {
    const base = form({ Action: 'Echo', Value: 'v', Padding: '' });
    const exact = await post(base + 'x'.repeat(MAX_QUERY_BODY - base.length));
    expect(exact.status).toBe(200);
    const over = await errorOf(await post(base + 'x'.repeat(MAX_QUERY_BODY - base.length + 1)));
    expect(over).toMatchObject({ status: 400, type: 'Sender', code: 'ValidationError', message: `The request body is larger than ${MAX_QUERY_BODY} bytes.` });
    // Too long to be read for its Action: the service is the first mounted (IAM), or the one signed for.
    expect(over.xml).toContain(`xmlns="${IAM_XMLNS}"`);
  });
});

describe('which service answers, and its refusals', () => {
  test('the service signed for, in the header or in a presigned query, else the one that has the Action', async () => {
    const echo = await post(form({ Action: 'Echo', Value: 'hi' }));
    expect(await echo.text()).toMatch(/^<EchoResponse xmlns="https:\/\/probe\.example\/doc\/2099-01-01\/"><EchoResult><Region>eu-central-1<\/Region><Got>hi<\/Got><\/EchoResult>/);
    const presignedForSts = await errorOf(await post(form({ Action: 'Echo' }), {}, '/?X-Amz-Credential=AKIDNOTISSUEDBYENGINE%2F20260101%2Fus-east-1%2Fsts%2Faws4_request'));
    expect(presignedForSts).toMatchObject({ status: 400, code: 'InvalidAction' });
    expect(presignedForSts.xml).toContain('xmlns="https://sts.amazonaws.com/doc/2011-06-15/"');
  });

  test('no Action is MissingAction; an unknown one InvalidAction, its name and version cut short', async () => {
    expect(await errorOf(await post(form({ Version: '2010-05-08' })))).toMatchObject({ status: 400, type: 'Sender', code: 'MissingAction', message: 'Missing Action' });
    expect(await errorOf(await post(form({ Action: '', Version: '2010-05-08' })))).toMatchObject({ code: 'MissingAction' });
    const long = await errorOf(await post(form({ Action: 'A'.repeat(150), Version: '2010-05-08-and-more-text' })));
    expect(long).toMatchObject({ status: 400, code: 'InvalidAction', message: `Could not find operation ${'A'.repeat(100)} for version 2010-05-08-and-more-` });
    expect((await errorOf(await post(form({ Action: 'NoSuchThing' })))).message).toBe('Could not find operation NoSuchThing for version NO_VERSION_SPECIFIED');
  });

  test('an operation that fails on its own is ServiceFailure (500, Type Receiver), logged; an AWS error keeps its status and code', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const failed = await errorOf(await post(form({ Action: 'Explode' })));
      expect(failed).toMatchObject({ status: 500, type: 'Receiver', code: 'ServiceFailure', message: 'The local engine failed to handle this request.' });
      expect(failed.xml).toContain(`<ErrorResponse xmlns="${PROBE_XMLNS}">`);
      expect(logged).toHaveBeenCalledWith(expect.objectContaining({ message: 'a bug in an operation' }));
    } finally {
      logged.mockRestore();
    }
    const refused = await errorOf(await post(form({ Action: 'Refuse' })));
    expect(refused).toMatchObject({ status: 503, type: 'Receiver', code: 'Unavailable', message: 'down for &lt;maintenance&gt;' });
    expect(await trailEvent('Refuse')).toMatchObject({ eventSource: 'probe.amazonaws.com', errorCode: 'Unavailable', errorMessage: 'down for <maintenance>', awsRegion: 'eu-central-1' });
  });

  test('an authentication failure is answered in the shape of the service the request was signed for', async () => {
    const learner = e.engine.directory.createLearnerAccount();
    const key = { accessKeyId: learner.accessKeyId, secretAccessKey: 'not-the-secret' };
    const asSts = await errorOf(await signedPost(key, 'sts', form({ Action: 'GetCallerIdentity', Version: '2011-06-15' })));
    expect(asSts.status).toBe(403);
    expect(asSts.xml).toContain('xmlns="https://sts.amazonaws.com/doc/2011-06-15/"');
    const asIam = await errorOf(await signedPost(key, 'iam', form({ Action: 'ListUsers', Version: '2010-05-08' })));
    expect(asIam.xml).toContain(`xmlns="${IAM_XMLNS}"`);
    expect(asIam.code).toBe(asSts.code);
    // Signed for a service that speaks no Query protocol: answered as the service that has the Action.
    const byAction = await errorOf(await signedPost(key, 'kms', form({ Action: 'GetCallerIdentity', Version: '2011-06-15' })));
    expect(byAction.status).toBe(403);
    expect(byAction.xml).toContain('xmlns="https://sts.amazonaws.com/doc/2011-06-15/"');
  });

  test('signed for a service with no Query protocol (kms, s3) with an Action no service has: the authentication failure is 403 in IAM\'s XML error shape, never a 500', async () => {
    const learner = e.engine.directory.createLearnerAccount();
    for (const secretAccessKey of [learner.secretAccessKey, 'not-the-secret']) {
      for (const service of ['kms', 's3']) {
        const res = await signedPost({ accessKeyId: learner.accessKeyId, secretAccessKey }, service, form({ Action: 'NoSuchAction', Version: '2010-05-08' }));
        expect(res.status, service).toBe(403);
        expect(res.headers.get('content-type'), service).toBe('text/xml');
        const id = res.headers.get('x-amzn-requestid');
        expect(await res.text(), service).toBe(
          `<ErrorResponse xmlns="${IAM_XMLNS}"><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code>` +
            `<Message>Credential should be scoped to correct service: &apos;iam&apos;. </Message></Error><RequestId>${id}</RequestId></ErrorResponse>`,
        );
      }
    }
  });
});

describe('who must be allowed', () => {
  test('an operation\'s action on its resource is decided by the caller\'s policies, unless it needs none (GetCallerIdentity) or decides itself (AssumeRole)', async () => {
    const learner = e.engine.directory.createLearnerAccount();
    const d = e.engine.directory;
    const user = d.createUser(learner.accountId, 'limited');
    d.createUser(learner.accountId, 'mine');
    d.createUser(learner.accountId, 'theirs');
    user.InlinePolicies['one'] = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:GetUser', Resource: `arn:aws:iam::${learner.accountId}:user/mine` }] });
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: user.Arn }, Action: 'sts:AssumeRole' }] });
    const role = d.createRole(learner.accountId, { RoleName: 'trusting', Path: '/', AssumeRolePolicyDocument: trust, MaxSessionDuration: 3600 });
    const { secretAccessKey, key } = d.createAccessKey(user);
    const credentials = { accessKeyId: key.AccessKeyId, secretAccessKey };
    const iam = new IAMClient({ ...e.clientConfig, credentials });
    const sts = new STSClient({ ...e.clientConfig, credentials });
    try {
      expect((await iam.send(new GetUserCommand({ UserName: 'mine' }))).User!.UserName).toBe('mine');
      const denied = await expectAwsError(iam.send(new GetUserCommand({ UserName: 'theirs' })), 'AccessDenied', 403);
      expect(denied.message).toContain(`iam:GetUser on resource: arn:aws:iam::${learner.accountId}:user/theirs`);
      await expectAwsError(iam.send(new ListUsersCommand({})), 'AccessDenied', 403);
      expect((await sts.send(new GetCallerIdentityCommand({}))).Arn).toBe(user.Arn);
      expect((await sts.send(new AssumeRoleCommand({ RoleArn: role.Arn, RoleSessionName: 'job' }))).AssumedRoleUser!.Arn).toBe(`arn:aws:sts::${learner.accountId}:assumed-role/trusting/job`);
    } finally {
      iam.destroy();
      sts.destroy();
    }
  });
});

describe('members and their constraints', () => {
  test('a name\'s length and pattern: 1 to 64 characters, each bound named in AWS\'s words', async () => {
    const refusal = async (UserName: string) => (await errorOf(await iamCall({ Action: 'CreateUser', UserName }))).message;
    expect(await refusal('')).toBe("1 validation error detected: Value &apos;&apos; at &apos;userName&apos; failed to satisfy constraint: Member must have length greater than or equal to 1");
    expect(await refusal('n'.repeat(65))).toBe(`1 validation error detected: Value &apos;${'n'.repeat(65)}&apos; at &apos;userName&apos; failed to satisfy constraint: Member must have length less than or equal to 64`);
    expect(await refusal('a/b')).toContain('Member must satisfy regular expression pattern: [\\w+=,.@-]+');
    expect((await errorOf(await iamCall({ Action: 'CreateUser' }))).message).toBe("1 validation error detected: Value null at &apos;userName&apos; failed to satisfy constraint: Member must not be null");
    expect((await iamCall({ Action: 'CreateUser', UserName: 'q'.repeat(64) })).status).toBe(200);
    expect((await iamCall({ Action: 'CreateUser', UserName: 'q' })).status).toBe(200);
    expect((await iamCall({ Action: 'CreateUser', UserName: 'ok-path', Path: '/a/' })).status).toBe(200);
    expect(await (async () => (await errorOf(await iamCall({ Action: 'CreateUser', UserName: 'bad-path', Path: '/a' }))).message)()).toContain('Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)');
  });

  test('an integer member: digits only, within its bounds, each refusal in AWS\'s words', async () => {
    const maxItems = async (MaxItems: string) => {
      const res = await iamCall({ Action: 'ListUsers', MaxItems });
      return res.status === 200 ? 'ok' : (await errorOf(res)).message;
    };
    expect(await maxItems('1')).toBe('ok');
    expect(await maxItems('1000')).toBe('ok');
    expect(await maxItems('0')).toBe("1 validation error detected: Value &apos;0&apos; at &apos;maxItems&apos; failed to satisfy constraint: Member must have value greater than or equal to 1");
    expect(await maxItems('1001')).toBe("1 validation error detected: Value &apos;1001&apos; at &apos;maxItems&apos; failed to satisfy constraint: Member must have value less than or equal to 1000");
    expect(await maxItems('-5')).toContain('Member must have value greater than or equal to 1');
    expect(await maxItems('ten')).toBe('Invalid value for parameter maxItems, value: ten, type: class java.lang.String, expected type: class java.lang.Integer');
    expect(await maxItems('x'.repeat(60))).toBe(`Invalid value for parameter maxItems, value: ${'x'.repeat(50)}, type: class java.lang.String, expected type: class java.lang.Integer`);
    expect(await maxItems('1'.repeat(16))).toContain('Invalid value for parameter maxItems');
    expect(await maxItems(' 5')).toContain('Invalid value for parameter maxItems');
    expect(await maxItems('5x')).toContain('Invalid value for parameter maxItems');
  });

  test('a list of structures: members in index order, fields merged; a bad index or too many members refused', async () => {
    const tags = (list: Record<string, string>) => iamCall({ Action: 'CreateUser', ...list });
    const made = await tags({ UserName: 'tag-order', 'Tags.member.10.Key': 'ten', 'Tags.member.10.Value': '10', 'Tags.member.2.Value': '2', 'Tags.member.2.Key': 'two', 'Tags.member.1.Key': 'one', 'Tags.member.1.Value': '1' });
    expect(await made.text()).toContain('<Tags><member><Key>one</Key><Value>1</Value></member><member><Key>two</Key><Value>2</Value></member><member><Key>ten</Key><Value>10</Value></member></Tags>');
    for (const bad of ['Tags.member.0.Key', 'Tags.member.x.Key', 'Tags.member.1', 'Tags.member.1.Key.Deeper', 'Tags.member.12345.Key', `Tags.member.1.${'K'.repeat(33)}`]) {
      const refused = await errorOf(await tags({ UserName: 'bad-index', [bad]: 'v' }));
      expect(refused, bad).toMatchObject({ status: 400, code: 'ValidationError', message: `Invalid parameter ${bad}` });
    }
    const longName = `Tags.member.1.${'K'.repeat(150)}`;
    expect((await errorOf(await tags({ UserName: 'bad-index', [longName]: 'v' }))).message).toBe(`Invalid parameter ${longName.slice(0, 100)}`);
    const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [[`Tags.member.${i + 1}.Key`, `k${i}`], [`Tags.member.${i + 1}.Value`, 'v']]).flat());
    expect((await tags({ UserName: 'fifty-tags', ...fifty })).status).toBe(200);
    const tooMany = await errorOf(await tags({ UserName: 'too-many', ...fifty, 'Tags.member.51.Key': 'k50', 'Tags.member.51.Value': 'v' }));
    expect(tooMany.message).toBe("1 validation error detected: Value null at &apos;tags&apos; failed to satisfy constraint: Member must have length less than or equal to 50");
    expect(e.engine.directory.user('111122223333', 'too-many')).toBeUndefined();
  });

  test('ListPolicies echoes a Scope outside [All, AWS, Local] in its refusal cut to 50 characters', async () => {
    const iam = new IAMClient(e.clientConfig);
    try {
      const refusal = async (Scope: string) =>
        (await expectAwsError(iam.send(new ListPoliciesCommand({ Scope: Scope as 'All' })), 'ValidationError', 400)).message;
      const enumSet = "' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]";
      const fifty = 'abcdefghij'.repeat(5);
      expect(await refusal(fifty)).toBe(`1 validation error detected: Value '${fifty}${enumSet}`);
      expect(await refusal(`${fifty}X`)).toBe(`1 validation error detected: Value '${fifty}${enumSet}`);
      expect(await refusal(`${fifty}${'Y'.repeat(500)}`)).toBe(`1 validation error detected: Value '${fifty}${enumSet}`);
    } finally {
      iam.destroy();
    }
  });
});

describe('paging', () => {
  test('100 items a page by default; the Marker takes up where the page ended; a Marker past the end or not ours is refused', async () => {
    const learner = e.engine.directory.createLearnerAccount();
    for (let i = 0; i < 101; i++) e.engine.directory.createUser(learner.accountId, `u${String(i).padStart(3, '0')}`);
    const iam = new IAMClient({ ...e.clientConfig, credentials: learner });
    try {
      const first = await iam.send(new ListUsersCommand({}));
      expect(first.Users!.length).toBe(100);
      expect(first).toMatchObject({ IsTruncated: true, Marker: 'p100' });
      const rest = await iam.send(new ListUsersCommand({ Marker: first.Marker }));
      expect(rest.Users!.map((u) => u.UserName)).toEqual(['u100', 'workshop-learner']);
      expect(rest.IsTruncated).toBe(false);
      expect(rest.Marker).toBeUndefined();
      const page = await iam.send(new ListUsersCommand({ Marker: 'p3', MaxItems: 2 }));
      expect(page.Users!.map((u) => u.UserName)).toEqual(['u003', 'u004']);
      expect(page.Marker).toBe('p5');
      const last = await iam.send(new ListUsersCommand({ Marker: 'p100', MaxItems: 2 })); // ends exactly at the last user
      expect(last.Users!.map((u) => u.UserName)).toEqual(['u100', 'workshop-learner']);
      expect(last.IsTruncated).toBe(false);
      expect(last.Marker).toBeUndefined();
      expect((await iam.send(new ListUsersCommand({ Marker: 'p102' }))).Users).toEqual([]); // 102 users: the end
      expect((await iam.send(new ListUsersCommand({ Marker: 'p0', MaxItems: 1 }))).Users!.map((u) => u.UserName)).toEqual(['u000']);
      for (const Marker of ['p103', 'x5', 'xp5', 'p5x', 'p', 'p1234567890']) {
        const err = await expectAwsError(iam.send(new ListUsersCommand({ Marker })), 'ValidationError', 400);
        expect(err.message, Marker).toBe('Invalid Marker.');
      }
      const empty = await expectAwsError(iam.send(new ListUsersCommand({ Marker: '' })), 'ValidationError', 400);
      expect(empty.message).toContain('Member must have length greater than or equal to 1');
    } finally {
      iam.destroy();
    }
  });
});

describe('answers', () => {
  test('a result in XML: Dates to the second, lists as members, nested structures, text escaped and made XML-safe, absent members left out', async () => {
    const xml = await (await post(form({ Action: 'Shapes' }))).text();
    expect(xml).toContain(
      '<ShapesResult><When>2026-05-06T07:08:09Z</When><Count>3</Count><Flag>false</Flag><Text>a&lt;b &amp; &quot;c&quot; \ufffd</Text>' +
        '<List><member>x</member><member><Inner>y</Inner></member></List>' +
        '<Nested><Deep><SecretAccessKey>hidden-secret</SecretAccessKey><Kept>k</Kept></Deep><SessionToken>hidden-token</SessionToken></Nested></ShapesResult>',
    );
    expect(xml).not.toContain('Missing');
    const unsafe = await (await post(form({ Action: 'Unsafe' }))).text();
    expect(unsafe).toContain('<Text>\ufffd\ufffd|\t\n|\ufffd\ufffd|\ufffd\ufffd| \ufffd|\ufffd\ufffd|\ufffdx|x\ufffd|\uD83D\uDE00|\ufffd</Text>');
    const nothing = await post(form({ Action: 'Nothing' }));
    expect(await nothing.text()).toBe(`<NothingResponse xmlns="${PROBE_XMLNS}"><ResponseMetadata><RequestId>${nothing.headers.get('x-amzn-requestid')}</RequestId></ResponseMetadata></NothingResponse>`);
    expect(nothing.headers.get('content-type')).toBe('text/xml');
  });

  test('a failure\'s reply is text/xml, and its x-amzn-RequestId header is the <RequestId> in its body, new for each request', async () => {
    const learner = e.engine.directory.createLearnerAccount();
    const replies = [
      await post(form({ Action: 'NoSuchThing' })), // refused before any operation runs
      await post(form({ Action: 'Refuse' })), // an operation's own AWS error
      await post(form({ Action: 'Refuse' })),
      await signedPost({ accessKeyId: learner.accessKeyId, secretAccessKey: 'not-the-secret' }, 'iam', form({ Action: 'ListUsers', Version: '2010-05-08' })), // authentication
    ];
    const ids: string[] = [];
    for (const res of replies) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.headers.get('content-type')).toBe('text/xml');
      const header = res.headers.get('x-amzn-requestid');
      expect(header).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(await res.text()).toMatch(new RegExp(`^<ErrorResponse [^>]*>.*<RequestId>${header}</RequestId></ErrorResponse>$`));
      ids.push(header!);
    }
    expect(new Set(ids).size).toBe(replies.length);
    // The SDK reads the same id: the one CloudTrail records for the call.
    const iam = new IAMClient(e.clientConfig);
    try {
      const err = await expectAwsError(iam.send(new GetUserCommand({ UserName: 'nobody-by-this-name' })), 'NoSuchEntityException', 404);
      expect(err.$metadata?.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect((await trailEvent('GetUser')).requestID).toBe(err.$metadata?.requestId);
    } finally {
      iam.destroy();
    }
  });

  test('IAM answers as a global service: its calls carry us-east-1 whatever the client\'s Region; STS keeps the client\'s', async () => {
    const echo = await post(form({ Action: 'Echo' }));
    expect(await echo.text()).toContain('<Region>eu-central-1</Region>');
    expect(probeCalls.at(-1)!.caller.region).toBe('eu-central-1');
    const iam = new IAMClient({ ...e.clientConfig, region: 'ap-southeast-2' });
    const sts = new STSClient({ ...e.clientConfig, region: 'ap-southeast-2' });
    try {
      await iam.send(new CreateUserCommand({ UserName: 'regional' }));
      await sts.send(new GetCallerIdentityCommand({}));
      expect((await trailEvent('CreateUser')).awsRegion).toBe('us-east-1');
      expect((await trailEvent('GetCallerIdentity')).awsRegion).toBe('ap-southeast-2');
    } finally {
      iam.destroy();
      sts.destroy();
    }
  });
});

describe('CloudTrail', () => {
  test('request parameters: members lower-cased first, lists in index order as strings or objects, never Action, Version or a secret', async () => {
    await post(form({
      Action: 'Echo', Version: '2099-01-01', Value: 'v', SecretAccessKey: 'sk', SessionToken: 'st',
      'Names.member.2': 'second', 'Names.member.10': 'tenth', 'Names.member.1': 'first',
      'Pairs.member.1.Key': 'k', 'Pairs.member.1.Value': 'v', 'Pairs.member.2.Key': 'k2', 'Odd.member.x': 'kept as is',
      'Dashed-List.member.1': 'not a list', 'Pairs.member.3.Key.Extra': 'not a member',
    }));
    const event = await trailEvent('Echo');
    expect(event.requestParameters).toEqual({
      value: 'v', names: ['first', 'second', 'tenth'], pairs: [{ key: 'k', value: 'v' }, { key: 'k2' }], 'odd.member.x': 'kept as is',
      'dashed-List.member.1': 'not a list', 'pairs.member.3.Key.Extra': 'not a member',
    });
    await post(form({ Action: 'Nothing', Version: '2099-01-01' }));
    expect((await trailEvent('Nothing')).requestParameters).toBeNull();
  });

  test('response elements: a change\'s result without secrets, dates to the second; a read-only call\'s only when it says so', async () => {
    await post(form({ Action: 'Shapes' }));
    const shapes = await trailEvent('Shapes');
    expect(shapes).toMatchObject({ readOnly: false, eventSource: 'probe.amazonaws.com', eventName: 'Shapes' });
    expect(shapes.responseElements).toEqual({ when: '2026-05-06T07:08:09Z', count: 3, flag: false, text: 'a<b & "c" \u0007', list: ['x', { inner: 'y' }], nested: { deep: { kept: 'k' } } });
    await post(form({ Action: 'ReadShapes' }));
    expect(await trailEvent('ReadShapes')).toMatchObject({ readOnly: true, responseElements: null });
    await post(form({ Action: 'ReadRecorded' }));
    expect(await trailEvent('ReadRecorded')).toMatchObject({ readOnly: true, responseElements: { seen: 'recorded', when: '2026-05-06T07:08:09Z' } });
    await post(form({ Action: 'Nothing' }));
    expect(await trailEvent('Nothing')).toMatchObject({ readOnly: false, responseElements: null });
  });
});
