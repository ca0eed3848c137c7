// Time and quotas are per learner on a class engine (engine/class.ts, clock.ts): a learner who
// fast-forwards (POST /_class/advance-clock) or lowers a request quota changes their own
// account only: another learner's clock, key rotations, CloudTrail delivery, history and
// throttling stay as they were. Through real HTTP, with the class client and the SDK.
import { LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import { CreateKeyCommand, EnableKeyRotationCommand, GenerateDataKeyCommand, GetKeyRotationStatusCommand, KMSClient, ListKeyRotationsCommand, ListKeysCommand } from '@aws-sdk/client-kms';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../../src/engine/auth/sigv4.js';
import { afterEach, expect, test } from 'vitest';
import { SYMMETRIC_QUOTA } from '../../src/engine/kms/quotas.js';
import { TEST_REGION } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';
import { startClassEngine, stopClassEngines, type MemberClients } from './class-harness.js';

afterEach(stopClassEngines);

const DAY = 24 * 3600;
const eventNames = async (m: MemberClients) => ((await m.trail.send(new LookupEventsCommand({}))).Events ?? []).map((e) => e.EventName);

test("a learner's fast-forward moves their own clock only: not another learner's, not the engine's", async () => {
  const c = await startClassEngine();
  const [one, two] = c.learners;
  const shared = c.running.engine.clock.now().getTime();
  const moved = await one!.class.advanceClock(3600);
  expect(moved).toMatchObject({ profile: 'learner1', aheadSeconds: 3600 });
  expect(Date.parse(moved.now)).toBe(shared + 3600_000);
  expect(await two!.class.status()).toMatchObject({ aheadSeconds: 0, now: new Date(shared).toISOString() });
  expect(c.running.engine.clock.now().getTime()).toBe(shared);
  expect((await one!.class.advanceClock(60)).aheadSeconds).toBe(3660);
  // What the learner's KMS sees is their own time: a key made now is dated on their clock.
  const mine = (await one!.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
  const theirs = (await two!.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
  expect(mine.CreationDate!.getTime()).toBe(shared + 3660_000);
  expect(theirs.CreationDate!.getTime()).toBe(shared);
});

test("a learner fast-forwarding past a rotation rotates their keys, not another learner's", async () => {
  const c = await startClassEngine();
  const [one, two] = c.learners;
  const keyOf = async (m: MemberClients) => {
    const KeyId = (await m.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    await m.kms.send(new EnableKeyRotationCommand({ KeyId, RotationPeriodInDays: 90 }));
    return KeyId;
  };
  const k1 = await keyOf(one!);
  const k2 = await keyOf(two!);
  const nextOf2 = (await two!.kms.send(new GetKeyRotationStatusCommand({ KeyId: k2 }))).NextRotationDate!.getTime();
  await one!.class.advanceClock(91 * DAY);
  // learner1's request runs every key's due rotations: each on its own account's time.
  expect((await one!.kms.send(new ListKeyRotationsCommand({ KeyId: k1 }))).Rotations?.map((r) => r.RotationType)).toEqual(['AUTOMATIC']);
  expect((await two!.kms.send(new ListKeyRotationsCommand({ KeyId: k2 }))).Rotations ?? []).toEqual([]);
  expect((await two!.kms.send(new GetKeyRotationStatusCommand({ KeyId: k2 }))).NextRotationDate!.getTime()).toBe(nextOf2);
});

test("a learner's CloudTrail wait delivers their events only; another learner's stay undelivered and kept", async () => {
  const c = await startClassEngine({ cloudTrailDelaySeconds: 300 });
  const [one, two] = c.learners;
  await one!.kms.send(new ListKeysCommand({}));
  await two!.kms.send(new ListKeysCommand({}));
  expect((await one!.class.status()).secondsUntilAllDelivered).toBe(300);
  expect(await eventNames(one!)).toEqual([]);

  const after = await one!.class.advanceClock(300);
  expect(after.secondsUntilAllDelivered).toBe(0);
  expect(await eventNames(one!)).toContain('ListKeys');
  expect(await eventNames(two!)).toEqual([]);
  expect((await two!.class.status()).secondsUntilAllDelivered).toBe(300);

  // A year ahead, learner1's calls must not age learner2's events out of the history (90 days),
  // nor date learner2's next ones after learner1's year.
  await one!.class.advanceClock(365 * DAY);
  await one!.kms.send(new ListKeysCommand({}));
  await two!.kms.send(new ListKeysCommand({}));
  await two!.class.advanceClock(300);
  const events = (await two!.trail.send(new LookupEventsCommand({}))).Events!;
  expect(events.map((e) => e.EventName)).toEqual(['ListKeys', 'LookupEvents', 'ListKeys']);
  const now2 = Date.parse((await two!.class.status()).now);
  for (const e of events) expect(e.EventTime!.getTime()).toBeLessThanOrEqual(now2);
});

test("temporary credentials expire on their account's clock: the learner's fast-forward, not another's", async () => {
  const c = await startClassEngine();
  const [one, two] = c.learners;
  const sessionOf = async (m: MemberClients) => {
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${m.profile.accountId}:root` }, Action: 'sts:AssumeRole' }] });
    const role = (await m.iam.send(new CreateRoleCommand({ RoleName: 'Short', AssumeRolePolicyDocument: trust }))).Role!;
    const sts = new STSClient({ endpoint: c.running.endpoint, region: TEST_REGION, credentials: m.profile, maxAttempts: 1 });
    const out = await sts.send(new AssumeRoleCommand({ RoleArn: role.Arn, RoleSessionName: 'session', DurationSeconds: 900 }));
    sts.destroy();
    const creds = out.Credentials!;
    return new KMSClient({ endpoint: c.running.endpoint, region: TEST_REGION, maxAttempts: 1, credentials: { accessKeyId: creds.AccessKeyId!, secretAccessKey: creds.SecretAccessKey!, sessionToken: creds.SessionToken! } });
  };
  const s1 = await sessionOf(one!);
  const s2 = await sessionOf(two!);
  try {
    await one!.class.advanceClock(901);
    await expectAwsError(s1.send(new ListKeysCommand({})), 'ExpiredTokenException');
    // learner2's session still authenticates (its role has no permissions: refused as the role, not as expired).
    await expectAwsError(s2.send(new ListKeysCommand({})), 'AccessDeniedException');
  } finally {
    s1.destroy();
    s2.destroy();
  }
});

test('the clocks are kept across a restart: each account its own', async () => {
  const c = await startClassEngine();
  await c.learners[0]!.class.advanceClock(7 * DAY);
  await c.stop(true);
  const again = await startClassEngine({ home: c.home });
  expect(again.learners[0]!.profile.accountId).toBe(c.learners[0]!.profile.accountId);
  expect((await again.learners[0]!.class.status()).aheadSeconds).toBe(7 * DAY);
  expect((await again.learners[1]!.class.status()).aheadSeconds).toBe(0);
});

test('a quota lowered by one learner throttles that learner only, and null gives AWS figure back', async () => {
  const c = await startClassEngine();
  const [one, two] = c.learners;
  const set = await one!.class.setRequestQuota('GenerateDataKey', 1);
  expect(set).toMatchObject({ name: SYMMETRIC_QUOTA, perSecond: 1, awsPerSecond: 100_000 });
  expect(set.operations).toContain('Decrypt');
  const burst = async (m: MemberClients, KeyId: string) => {
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, () => m.kms.send(new GenerateDataKeyCommand({ KeyId, KeySpec: 'AES_256' })).then(() => 'ok', (e: Error) => e.name)),
    );
    return outcomes.filter((o) => o === 'ThrottlingException').length;
  };
  const k1 = (await one!.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
  const k2 = (await two!.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
  expect(await burst(one!, k1)).toBeGreaterThan(0);
  expect(await burst(two!, k2)).toBe(0);
  expect((await one!.class.setRequestQuota('GenerateDataKey', null)).perSecond).toBeGreaterThan(1000);
  expect(await burst(one!, k1)).toBe(0);
});

test("the events long poll: a learner's own calls as they are made, another learner's never, an empty reply after the wait", async () => {
  const c = await startClassEngine({ cloudTrailDelaySeconds: 300 });
  const [one, two] = c.learners;
  const start = await one!.class.events();
  expect(start.events).toEqual([]);
  const waiting = one!.class.events(start.next, 10);
  await two!.kms.send(new ListKeysCommand({}));
  await one!.kms.send(new CreateKeyCommand({ Description: 'mine' }));
  const got = await waiting;
  expect(got.events.map((e) => (e as { eventName: string }).eventName)).toEqual(['CreateKey']); // before delivery (300 s)
  expect((got.events[0] as { recipientAccountId: string }).recipientAccountId).toBe(one!.profile.accountId);
  const t0 = Date.now();
  const empty = await one!.class.events(got.next, 1);
  expect(empty).toEqual({ events: [], next: got.next });
  expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
  // learner2 sees their own call only.
  expect((await two!.class.events()).events.map((e) => (e as { eventName: string }).eventName)).toEqual(['ListKeys']);
});

test("after the engine restarts, a learner's `next` from before still brings the calls made since", async () => {
  const c = await startClassEngine();
  await c.learners[0]!.kms.send(new ListKeysCommand({}));
  await c.learners[0]!.kms.send(new ListKeysCommand({}));
  const before = await c.learners[0]!.class.events();
  expect(before.events).toHaveLength(2);
  await c.stop(true);
  const again = await startClassEngine({ home: c.home });
  await again.learners[0]!.kms.send(new CreateKeyCommand({}));
  const since = await again.learners[0]!.class.events(before.next, 5);
  expect(since.events.map((e) => (e as { eventName: string }).eventName)).toEqual(['CreateKey']);
  expect(since.next).toBeGreaterThan(before.next);
});

test("a presigned URL expires on its signer's account's clock: their fast-forward, made before or after it was signed", async () => {
  const c = await startClassEngine();
  const [one, two] = c.learners;
  const url = new URL(c.running.endpoint);
  const presignGet = async (m: MemberClients, bucket: string) => {
    const s3 = new S3Client({ endpoint: c.running.endpoint, region: TEST_REGION, credentials: m.profile, forcePathStyle: true, maxAttempts: 1 });
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'note.txt', Body: 'hello' }));
    s3.destroy();
    const signer = new SignatureV4({ service: 's3', region: TEST_REGION, credentials: m.profile, sha256: NodeSha256, uriEscapePath: false });
    const signed = await signer.presign(
      { method: 'GET', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: `/${bucket}/note.txt`, query: {}, headers: { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } },
      { expiresIn: 60 },
    );
    const query = Object.entries(signed.query ?? {}).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
    return `${c.running.endpoint}${signed.path}?${query.join('&')}`;
  };
  await one!.class.advanceClock(DAY); // before signing: the URL's minute starts on learner1's clock
  await new Promise((r) => setTimeout(r, 1100)); // signatures carry whole seconds: a move within the second signed in counts as after it (clock.ts)
  const url1 = await presignGet(one!, 'bucket-of-learner1');
  const url2 = await presignGet(two!, 'bucket-of-learner2');
  expect((await fetch(url1)).status).toBe(200);
  await one!.class.advanceClock(3600); // the engine's clock stands still in tests, so an hour, not just past the minute
  expect((await fetch(url1)).status).toBe(403);
  expect((await fetch(url2)).status).toBe(200);
});
