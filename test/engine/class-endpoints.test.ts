// A class engine's own endpoints (engine/class-endpoints.ts) through real HTTP with the class
// client (runtime/class-client.ts): only class members, signed, may use them; the room and a
// learner's calls are the instructor's alone and show nothing secret; bad input is a clear 4xx.
import { GenerateDataKeyCommand } from '@aws-sdk/client-kms';
import { CreateAccessKeyCommand } from '@aws-sdk/client-iam';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterEach, expect, test } from 'vitest';
import { NodeSha256 } from '../../src/engine/auth/sigv4.js';
import { CLASS_PATHS, type LearnerProgress } from '../../src/engine/class-protocol.js';
import { ClassClient, ClassEngineError, ClassUnreachableError } from '../../src/runtime/class-client.js';
import { startTestEngine, TEST_REGION } from '../helpers/engine.js';
import { startClassEngine, stopClassEngines } from './class-harness.js';

afterEach(stopClassEngines);

const PROGRESS: LearnerProgress = { lesson: '04-envelope', lessonTitle: 'Envelope encryption', step: 3, steps: 9, stepTitle: 'Make a data key', passed: 12, solved: 1 };

async function refusal(call: Promise<unknown>): Promise<ClassEngineError> {
  const e = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(e, 'expected the class engine to refuse').toBeInstanceOf(ClassEngineError);
  return e as ClassEngineError;
}

test("a learner's status names their own account and profile, on their own clock", async () => {
  const c = await startClassEngine();
  const [one, two] = c.learners;
  const s1 = await one!.class.status();
  expect(s1).toMatchObject({ accountId: one!.profile.accountId, profile: 'learner1', aheadSeconds: 0, cloudTrailDelaySeconds: 0, secondsUntilAllDelivered: 0 });
  expect(Date.parse(s1.now)).toBe(c.running.engine.clock.now().getTime());
  expect((await two!.class.status()).profile).toBe('learner2');
  expect((await c.instructor.class.status()).profile).toBe('instructor');
});

test('unsigned requests, unknown keys, wrong secrets and another service are refused with a message, 403', async () => {
  const c = await startClassEngine();
  const unsigned = await fetch(`${c.running.endpoint}${CLASS_PATHS.status}`);
  expect(unsigned.status).toBe(403);
  expect(((await unsigned.json()) as { message: string }).message).toMatch(/signed with a class member's access key/);

  const stranger = new ClassClient({ endpoint: c.running.endpoint, region: TEST_REGION, credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' } });
  const unknown = await refusal(stranger.status());
  expect(unknown.status).toBe(403);
  expect(unknown.message).toMatch(/class member's access key/);

  const one = c.learners[0]!.profile;
  const wrongSecret = new ClassClient({ endpoint: c.running.endpoint, region: TEST_REGION, credentials: { accessKeyId: one.accessKeyId, secretAccessKey: 'x'.repeat(40) } });
  expect((await refusal(wrongSecret.status())).status).toBe(403);

  // Signed by a member, but for KMS: a KMS signature is not a class request's.
  const signer = new SignatureV4({ service: 'kms', region: TEST_REGION, credentials: one, sha256: NodeSha256 });
  const url = new URL(c.running.endpoint);
  const signed = await signer.sign({ method: 'GET', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: CLASS_PATHS.status, query: {}, headers: { host: url.host } });
  const { host: _host, ...headers } = signed.headers;
  const kmsSigned = await fetch(`${c.running.endpoint}${CLASS_PATHS.status}`, { headers });
  expect(kmsSigned.status).toBe(403);
  expect(((await kmsSigned.json()) as { message: string }).message).toMatch(/signed for the service 'kms-workshop', not 'kms'/);
});

test("an account of the engine outside the class's roster is refused (403)", async () => {
  const c = await startClassEngine();
  const { directory } = c.running.engine;
  const outsider = directory.createLearnerAccount();
  const credentials = { accessKeyId: outsider.accessKeyId, secretAccessKey: directory.credentials(outsider.accessKeyId)!.secretAccessKey };
  const client = new ClassClient({ endpoint: c.running.endpoint, region: TEST_REGION, credentials });
  const err = await refusal(client.status());
  expect(err.status).toBe(403);
  expect(err.message).toMatch(new RegExp(`Account ${outsider.accountId} is not in this class`));
});

test('an engine that serves no class says so (404), whatever the key', async () => {
  const e = await startTestEngine();
  try {
    const client = new ClassClient({ endpoint: e.endpoint, region: TEST_REGION, credentials: e.clientConfig.credentials });
    const err = await refusal(client.status());
    expect(err.status).toBe(404);
    expect(err.message).toMatch(/serves no class.*--learners/);
  } finally {
    await e.stop();
  }
});

test('an engine that cannot be reached is a clear error naming its URL', async () => {
  const c = await startClassEngine();
  const endpoint = c.running.endpoint;
  await c.stop();
  const client = new ClassClient({ endpoint, region: TEST_REGION, credentials: c.learners[0]!.profile });
  const e = await client.status().catch((e: unknown) => e);
  expect(e).toBeInstanceOf(ClassUnreachableError);
  expect((e as Error).message).toContain(`cannot reach the class engine at ${endpoint}`);
});

test('bad input is a 4xx with a message: unknown path, wrong method, bad JSON, a body too large, bad numbers', async () => {
  const c = await startClassEngine();
  const one = c.learners[0]!.class;
  expect((await refusal(one.classRequest('GET', '/_class/nothing'))).status).toBe(404);
  expect((await refusal(one.classRequest('POST', CLASS_PATHS.status, { body: {} }))).status).toBe(405);
  expect((await refusal(one.classRequest('POST', CLASS_PATHS.advanceClock, { body: { seconds: -1 } }))).message).toMatch(/seconds must be a number >= 0/);
  expect((await refusal(one.classRequest('POST', CLASS_PATHS.advanceClock, { body: { seconds: '10' } }))).status).toBe(400);
  expect((await refusal(one.classRequest('POST', CLASS_PATHS.advanceClock, { body: [1] }))).message).toMatch(/JSON object/);
  expect((await refusal(one.classRequest('POST', CLASS_PATHS.advanceClock, { body: { seconds: 1e300 } }))).message).toMatch(/too large/);
  expect((await refusal(one.classRequest('POST', CLASS_PATHS.progress, { body: { ...PROGRESS, stepTitle: 'x'.repeat(20_000) } }))).status).toBe(413);
  expect((await refusal(one.classRequest('GET', CLASS_PATHS.events, { query: { after: 'x' } }))).message).toMatch(/after must be a number/);
  expect((await refusal(one.classRequest('GET', CLASS_PATHS.events, { query: { after: 1.5 } }))).message).toMatch(/whole number/);
  expect((await refusal(one.setRequestQuota('Nothing', 1))).message).toMatch(/operation must name a KMS operation/);
  expect((await refusal(one.setRequestQuota('GenerateDataKey', 0))).message).toMatch(/perSecond must be a number from/);
  // Raw: a body that is not JSON, and one nested too deep.
  const deep = '['.repeat(200) + ']'.repeat(200);
  for (const body of ['{', `{"seconds": ${deep}}`]) {
    const err = await refusal(rawPost(one, CLASS_PATHS.advanceClock, body));
    expect(err.status).toBe(400);
  }
});

/** A signed POST whose body is given as text (the client always sends JSON it made). */
async function rawPost(client: ClassClient, path: string, body: string) {
  const c = client as unknown as { signer: SignatureV4; url: URL };
  const signed = await c.signer.sign({ method: 'POST', protocol: 'http:', hostname: c.url.hostname, port: Number(c.url.port), path, query: {}, headers: { host: c.url.host, 'content-type': 'application/json' }, body });
  const { host: _host, ...headers } = signed.headers;
  const res = await fetch(new URL(path, c.url), { method: 'POST', headers, body });
  if (!res.ok) throw new ClassEngineError(((await res.json()) as { message: string }).message, res.status);
  return res;
}

test('progress is validated field by field: wrong types, out of range, too long, control characters, step past steps', async () => {
  const c = await startClassEngine();
  const one = c.learners[0]!.class;
  const bad: [Partial<Record<keyof LearnerProgress, unknown>>, RegExp][] = [
    [{ lesson: '' }, /lesson must be text of 1 to 100/],
    [{ lesson: 7 }, /lesson must be text/],
    [{ lessonTitle: 'x'.repeat(201) }, /lessonTitle must be text of 1 to 200/],
    [{ stepTitle: 'a\u001b[2Jb' }, /stepTitle must be text .* without control characters/],
    [{ step: 0 }, /step must be a whole number from 1 to 1000/],
    [{ step: 2.5 }, /step must be a whole number/],
    [{ steps: '9' }, /steps must be a whole number/],
    [{ passed: -1 }, /passed must be a whole number from 0/],
    [{ solved: 1e9 }, /solved must be a whole number from 0 to 100000/],
    [{ step: 10, steps: 9 }, /step must not be past steps/],
  ];
  for (const [change, message] of bad) {
    const err = await refusal(one.classRequest('POST', CLASS_PATHS.progress, { body: { ...PROGRESS, ...change } }));
    expect(err.status, JSON.stringify(change)).toBe(400);
    expect(err.message).toMatch(message);
  }
  const { lesson: _lesson, ...missing } = PROGRESS;
  expect((await refusal(one.classRequest('POST', CLASS_PATHS.progress, { body: missing }))).message).toMatch(/lesson must be/);
  expect((await c.instructor.class.room()).learners[0]!.progress).toBeUndefined(); // nothing refused was kept
  await expect(one.reportProgress(PROGRESS)).resolves.toBeUndefined();
  expect((await c.instructor.class.room()).learners[0]!.progress).toMatchObject(PROGRESS);
});

test('the room and the calls are refused to learners (403) and shown to the instructor', async () => {
  const c = await startClassEngine();
  const [one, two] = c.learners;
  for (const call of [one!.class.room(), two!.class.calls('learner1'), one!.class.calls('learner1')]) {
    const err = await refusal(call);
    expect(err.status).toBe(403);
    expect(err.message).toMatch(/instructor's alone/);
  }
  const room = await c.instructor.class.room();
  expect(room.learners.map((l) => [l.profile, l.accountId])).toEqual([
    ['learner1', one!.profile.accountId],
    ['learner2', two!.profile.accountId],
  ]);
  expect((await refusal(c.instructor.class.calls('learner3'))).status).toBe(404);
  expect((await refusal(c.instructor.class.calls('instructor'))).message).toMatch(/learner1 to learner2/);
});

test("the room shows each learner's progress, step start, calls, errors in a row and the class's count per operation", async () => {
  const c = await startClassEngine();
  const [one, two] = c.learners;
  await one!.class.reportProgress(PROGRESS);
  const since = (await c.instructor.class.room()).learners[0]!.sameStepSince;
  expect(since).toBeDefined();
  await new Promise((r) => setTimeout(r, 20));
  await one!.class.reportProgress({ ...PROGRESS, passed: 13 }); // the same step: still there since then
  expect((await c.instructor.class.room()).learners[0]!.sameStepSince).toBe(since);
  await one!.class.reportProgress({ ...PROGRESS, step: 4 });
  expect(Date.parse((await c.instructor.class.room()).learners[0]!.sameStepSince!)).toBeGreaterThan(Date.parse(since!));

  const { KeyMetadata } = await one!.kms.send(new (await import('@aws-sdk/client-kms')).CreateKeyCommand({}));
  for (let i = 0; i < 3; i++) await one!.kms.send(new GenerateDataKeyCommand({ KeyId: KeyMetadata!.KeyId, KeySpec: 'AES_256' }));
  await two!.kms.send(new GenerateDataKeyCommand({ KeyId: 'alias/nothing', KeySpec: 'AES_256' })).catch(() => undefined);
  await two!.kms.send(new GenerateDataKeyCommand({ KeyId: 'alias/nothing', KeySpec: 'AES_256' })).catch(() => undefined);
  const room = await c.instructor.class.room();
  const [r1, r2] = room.learners;
  expect(room.operations).toMatchObject({ CreateKey: 1, GenerateDataKey: 5 });
  expect(r1).toMatchObject({ callsLastMinute: 4, errorsInARow: 0 });
  expect(r1!.lastCallAt).toBeDefined();
  expect(r2).toMatchObject({ callsLastMinute: 2, errorsInARow: 2, lastError: { operation: 'GenerateDataKey', code: 'NotFoundException' } });
  expect(r2!.lastError!.message).toMatch(/alias\/nothing/);
  await two!.kms.send(new GenerateDataKeyCommand({ KeyId: KeyMetadata!.Arn, KeySpec: 'AES_256' })).catch(() => undefined); // another account's key: denied, still an error
  expect((await c.instructor.class.room()).learners[1]!.errorsInARow).toBe(3);
  await two!.kms.send(new (await import('@aws-sdk/client-kms')).ListKeysCommand({})); // a call that works: no longer in a row
  expect((await c.instructor.class.room()).learners[1]).toMatchObject({ errorsInARow: 0, lastError: { code: 'AccessDeniedException' } });
});

test("a learner's calls, live and masked: no data key plaintext and no secret access key anywhere in the room or the calls", async () => {
  const c = await startClassEngine();
  const [one] = c.learners;
  const first = await c.instructor.class.calls('learner1');
  expect(first.calls).toEqual([]);
  const waiting = c.instructor.class.calls('learner1', first.next, 10);
  const { KeyMetadata } = await one!.kms.send(new (await import('@aws-sdk/client-kms')).CreateKeyCommand({ Description: 'for the room' }));
  const woke = await waiting;
  expect(woke.calls.map((x) => x.operation)).toEqual(['CreateKey']);

  const dataKey = await one!.kms.send(new GenerateDataKeyCommand({ KeyId: KeyMetadata!.KeyId, KeySpec: 'AES_256', EncryptionContext: { purpose: 'room' } }));
  const plaintext = Buffer.from(dataKey.Plaintext!).toString('base64');
  const made = await one!.iam.send(new CreateAccessKeyCommand({}));
  const newSecret = made.AccessKey!.SecretAccessKey!;
  const rest = await c.instructor.class.calls('learner1', woke.next);
  expect(rest.calls.map((x) => [x.service, x.operation, x.outcome.ok])).toEqual([
    ['kms', 'GenerateDataKey', true],
    ['iam', 'CreateAccessKey', true],
  ]);
  expect(rest.calls[0]).toMatchObject({ caller: `arn:aws:iam::${one!.profile.accountId}:user/${one!.profile.userName}`, parameters: { keyId: KeyMetadata!.KeyId, encryptionContext: { purpose: 'room' } } });
  expect(rest.calls[0]!.seq).toBeGreaterThan(woke.next);
  const everything = JSON.stringify([await c.instructor.class.calls('learner1'), await c.instructor.class.room(), await one!.class.events()]);
  for (const secret of [plaintext, newSecret, one!.profile.secretAccessKey, c.instructor.profile.secretAccessKey]) expect(everything).not.toContain(secret);
});

test('parameters named as secrets are masked as the call log masks them', async () => {
  const { roomCall } = await import('../../src/engine/class-room.js');
  const call = roomCall(1, {
    eventSource: 'sts.amazonaws.com',
    eventName: 'Made',
    eventTime: '2026-01-01T00:00:00Z',
    userIdentity: { accountId: '111122223333', arn: 'arn:aws:iam::111122223333:user/u' },
    requestParameters: { plaintext: 'c2VjcmV0LXBsYWludGV4dA==', nested: { secretAccessKey: 'wJalrXUtnFEMI/K7MDENGbPxRfiCYzEXAMPLEKEY', sessionToken: 'FwoGZXIvYXdzEXAMPLETOKEN' } },
  } as never);
  const text = JSON.stringify(call);
  expect(text).not.toContain('c2VjcmV0LXBsYWludGV4dA==');
  expect(text).not.toContain('wJalrXUtnFEMI/K7MDENGbPxRfiCYzEXAMPLEKEY');
  expect(text).not.toContain('FwoGZXIvYXdzEXAMPLETOKEN');
  expect(call.parameters).toEqual({ plaintext: 'c2**...**A==', nested: { secretAccessKey: 'wJ**...**KEY', sessionToken: 'Fw**...**KEN' } });
});

test('whatever the method, path, query and body, a member gets a 2xx or a 4xx with a message, never a 5xx', async () => {
  const c = await startClassEngine();
  const paths = ['/_class/', '/_class/status/', '/_class/%00', '/_class/room?x=%ff', '/_class/../_engine/status', `/_class/${'a'.repeat(5000)}`, ...Object.values(CLASS_PATHS)];
  const bodies = [undefined, null, 1, 'x', [], { seconds: null }, { operation: {}, perSecond: 'x' }, { lesson: { a: 1 } }];
  const seen = new Set<number>();
  const client = c.instructor.class; // a member who may ask everything: every check is reached
  for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'])
    for (const path of paths)
      for (const body of method === 'GET' ? [undefined] : bodies) {
        const query = { after: '-1', waitSeconds: 'NaN', learner: '\u0000' };
        const status = await client.classRequest(method as 'GET', path, { body, query }).then(
          () => 200,
          (e: unknown) => {
            expect(e, `${method} ${path.slice(0, 40)} ${JSON.stringify(body)}`).toBeInstanceOf(ClassEngineError);
            expect((e as Error).message.length).toBeGreaterThan(10);
            return (e as ClassEngineError).status;
          },
        );
        seen.add(status);
        expect(status, `${method} ${path.slice(0, 40)} ${JSON.stringify(body)}`).toBeLessThan(500);
      }
  expect([...seen].sort()).toEqual(expect.arrayContaining([400, 404, 405]));
}, 60_000);
