// A class on one engine (engine/class.ts): each learner in an account of their own sees and
// uses only that account's KMS keys and aliases, S3 buckets and CloudTrail events, as on AWS;
// the instructor's account reads every account's events; the class is the same after a restart.
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GetKeyPolicyCommand,
  KMSClient,
  ListAliasesCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
  PutKeyPolicyCommand,
  ScheduleKeyDeletionCommand,
  TagResourceCommand,
} from '@aws-sdk/client-kms';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { DeleteAccessKeyCommand, IAMClient } from '@aws-sdk/client-iam';
import { afterEach, expect, test } from 'vitest';
import { MAX_LEARNERS, readRoster, seesEveryAccount, setUpClass, type ProfileCredentials } from '../../src/engine/class.js';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

const engines: TestEngine[] = [];
const clients: { destroy(): void }[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  for (const e of engines.splice(0)) await e.stop();
});

async function engine(opts: { home?: string; keepHome?: boolean } = {}) {
  const e = await startTestEngine(opts);
  engines.push(e);
  return e;
}

function clientsOf(e: TestEngine, p: ProfileCredentials) {
  const config = { ...e.clientConfig, credentials: { accessKeyId: p.accessKeyId, secretAccessKey: p.secretAccessKey } };
  const c = { kms: new KMSClient(config), s3: new S3Client({ ...config, forcePathStyle: true }), trail: new CloudTrailClient(config), iam: new IAMClient(config) };
  clients.push(c.kms, c.s3, c.trail, c.iam);
  return c;
}

async function classOfTwo() {
  const e = await engine();
  const [instructor, learner1, learner2] = setUpClass(e.engine, 2);
  return { e, instructor: clientsOf(e, instructor!), one: clientsOf(e, learner1!), two: clientsOf(e, learner2!), profiles: { instructor: instructor!, learner1: learner1!, learner2: learner2! } };
}

test('a class: the instructor and each learner in an account of their own, other than the engine default', async () => {
  const e = await engine();
  const profiles = setUpClass(e.engine, 3);
  expect(profiles.map((p) => p.profile)).toEqual(['instructor', 'learner1', 'learner2', 'learner3']);
  const accounts = new Set(profiles.map((p) => p.accountId));
  expect(accounts.size).toBe(4);
  expect(accounts.has('111122223333')).toBe(false);
  for (const p of profiles) expect(e.engine.directory.credentials(p.accessKeyId)?.caller('us-east-1').accountId).toBe(p.accountId);
  expect(() => setUpClass(e.engine, 0)).toThrow(RangeError);
  expect(() => setUpClass(e.engine, MAX_LEARNERS + 1)).toThrow(RangeError);
});

test('KMS: a learner lists only their own keys and aliases; alias names are per account', async () => {
  const { one, two } = await classOfTwo();
  const key = (await one.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
  await one.kms.send(new CreateAliasCommand({ AliasName: 'alias/class-key', TargetKeyId: key.KeyId }));
  expect((await one.kms.send(new ListKeysCommand({}))).Keys!.map((k) => k.KeyId)).toEqual([key.KeyId]);
  expect((await two.kms.send(new ListKeysCommand({}))).Keys).toEqual([]);
  expect((await two.kms.send(new ListAliasesCommand({}))).Aliases!.map((a) => a.AliasName)).not.toContain('alias/class-key');
  // The same alias name in another account is another alias, on that account's own key.
  const theirs = (await two.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
  await two.kms.send(new CreateAliasCommand({ AliasName: 'alias/class-key', TargetKeyId: theirs.KeyId }));
  expect((await two.kms.send(new DescribeKeyCommand({ KeyId: 'alias/class-key' }))).KeyMetadata!.KeyId).toBe(theirs.KeyId);
  expect((await one.kms.send(new DescribeKeyCommand({ KeyId: 'alias/class-key' }))).KeyMetadata!.KeyId).toBe(key.KeyId);
  expect((await one.kms.send(new ListAliasesCommand({}))).Aliases!.filter((a) => a.AliasName === 'alias/class-key').map((a) => a.AliasArn)).toEqual([
    key.Arn!.replace(/key\/.*$/, 'alias/class-key'),
  ]);
});

test("KMS: another account's key is not found by its id, and by its ARN is denied by its default key policy", async () => {
  const { one, two, profiles } = await classOfTwo();
  const key = (await one.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
  const notFound = await expectAwsError(two.kms.send(new DescribeKeyCommand({ KeyId: key.KeyId })), 'NotFoundException');
  expect(notFound.message).toBe(`Key 'arn:aws:kms:us-east-1:${profiles.learner2.accountId}:key/${key.KeyId}' does not exist`);
  // By ARN the key is found; its default key policy trusts only its own account, so AWS says who may not do what.
  const denied = await expectAwsError(two.kms.send(new DescribeKeyCommand({ KeyId: key.Arn })), 'AccessDeniedException');
  expect(denied.message).toContain(`arn:aws:iam::${profiles.learner2.accountId}:user/workshop-learner is not authorized to perform: kms:DescribeKey on resource: ${key.Arn}`);
  await expectAwsError(two.kms.send(new EncryptCommand({ KeyId: key.Arn, Plaintext: Buffer.from('x') })), 'AccessDeniedException');
  // An alias ARN of another account names nothing here.
  await one.kms.send(new CreateAliasCommand({ AliasName: 'alias/mine', TargetKeyId: key.KeyId }));
  await expectAwsError(two.kms.send(new DescribeKeyCommand({ KeyId: key.Arn!.replace(/key\/.*$/, 'alias/mine') })), 'NotFoundException');
});

test("KMS: a key policy that lets another account in makes cross-account use by ARN work, for the operations AWS allows across accounts only", async () => {
  const { one, two, profiles } = await classOfTwo();
  const policy = (accounts: string[]) =>
    JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'both', Effect: 'Allow', Principal: { AWS: accounts.map((a) => `arn:aws:iam::${a}:root`) }, Action: 'kms:*', Resource: '*' }] });
  const key = (await one.kms.send(new CreateKeyCommand({ Policy: policy([profiles.learner1.accountId, profiles.learner2.accountId]) }))).KeyMetadata!;
  expect((await two.kms.send(new DescribeKeyCommand({ KeyId: key.Arn }))).KeyMetadata!.KeyId).toBe(key.KeyId);
  const sealed = await two.kms.send(new EncryptCommand({ KeyId: key.Arn, Plaintext: Buffer.from('across accounts') }));
  expect(Buffer.from((await one.kms.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob }))).Plaintext!).toString()).toBe('across accounts');
  // Still another account's key: not listed, not named by its id, and not managed from here, whatever its policy allows.
  expect((await two.kms.send(new ListKeysCommand({}))).Keys).toEqual([]);
  await expectAwsError(two.kms.send(new DescribeKeyCommand({ KeyId: key.KeyId })), 'NotFoundException');
  await expectAwsError(two.kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.Arn, PendingWindowInDays: 7 })), 'NotFoundException');
  await expectAwsError(two.kms.send(new PutKeyPolicyCommand({ KeyId: key.Arn, PolicyName: 'default', Policy: policy([profiles.learner2.accountId]) })), 'NotFoundException');
  await expectAwsError(two.kms.send(new GetKeyPolicyCommand({ KeyId: key.Arn, PolicyName: 'default' })), 'NotFoundException');
  await expectAwsError(two.kms.send(new TagResourceCommand({ KeyId: key.Arn, Tags: [{ TagKey: 'owner', TagValue: 'learner2' }] })), 'NotFoundException');
  await expectAwsError(two.kms.send(new ListResourceTagsCommand({ KeyId: key.Arn })), 'NotFoundException');
  await expectAwsError(two.kms.send(new CreateAliasCommand({ AliasName: 'alias/borrowed', TargetKeyId: key.Arn })), 'NotFoundException');
  expect((await one.kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.KeyState).toBe('Enabled');
});

test("S3: bucket names are global, buckets are not: another account's name is taken, its bucket denied, ListBuckets shows one's own", async () => {
  const { one, two } = await classOfTwo();
  await one.s3.send(new CreateBucketCommand({ Bucket: 'learner1-data' }));
  await one.s3.send(new PutObjectCommand({ Bucket: 'learner1-data', Key: 'secret.txt', Body: 'learner1 only' }));
  await two.s3.send(new CreateBucketCommand({ Bucket: 'learner2-data' }));
  expect((await one.s3.send(new ListBucketsCommand({}))).Buckets!.map((b) => b.Name)).toEqual(['learner1-data']);
  expect((await two.s3.send(new ListBucketsCommand({}))).Buckets!.map((b) => b.Name)).toEqual(['learner2-data']);
  const taken = await expectAwsError(two.s3.send(new CreateBucketCommand({ Bucket: 'learner1-data' })), 'BucketAlreadyExists', 409);
  expect(taken.message).toContain('The requested bucket name is not available');
  // Its owner may create it again in us-east-1 (S3's legacy 200), and nothing was lost.
  await one.s3.send(new CreateBucketCommand({ Bucket: 'learner1-data' }));
  await expectAwsError(two.s3.send(new GetObjectCommand({ Bucket: 'learner1-data', Key: 'secret.txt' })), 'AccessDenied', 403);
  await expectAwsError(two.s3.send(new PutObjectCommand({ Bucket: 'learner1-data', Key: 'planted.txt', Body: 'x' })), 'AccessDenied', 403);
  await expectAwsError(two.s3.send(new ListObjectsV2Command({ Bucket: 'learner1-data' })), 'AccessDenied', 403);
  await expectAwsError(two.s3.send(new GetBucketLocationCommand({ Bucket: 'learner1-data' })), 'AccessDenied', 403);
  const head = await two.s3.send(new HeadBucketCommand({ Bucket: 'learner1-data' })).catch((err: { $metadata?: { httpStatusCode?: number } }) => err);
  expect(head.$metadata?.httpStatusCode).toBe(403); // a HEAD answer has no body to name the error
  // Copying out of another account's bucket into one's own is refused as reading it is.
  await expectAwsError(two.s3.send(new CopyObjectCommand({ Bucket: 'learner2-data', Key: 'stolen.txt', CopySource: 'learner1-data/secret.txt' })), 'AccessDenied', 403);
  const listed = await one.s3.send(new ListObjectsV2Command({ Bucket: 'learner1-data' }));
  expect(listed.Contents!.map((o) => o.Key)).toEqual(['secret.txt']);
});

type Ev = { EventName?: string; CloudTrailEvent?: string };
const accountsOf = (events: Ev[]) => new Set(events.map((ev) => (JSON.parse(ev.CloudTrailEvent!) as { recipientAccountId: string }).recipientAccountId));

test("CloudTrail: a learner's LookupEvents shows their own account's events only; the instructor's shows every account's", async () => {
  const { one, two, instructor, profiles } = await classOfTwo();
  await one.kms.send(new CreateKeyCommand({ Description: 'learner1 key' }));
  await one.s3.send(new CreateBucketCommand({ Bucket: 'learner1-trail' }));
  await two.kms.send(new ListKeysCommand({}));
  const seenByTwo = (await two.trail.send(new LookupEventsCommand({}))).Events as Ev[];
  expect(seenByTwo.map((ev) => ev.EventName)).toEqual(['ListKeys']);
  expect([...accountsOf(seenByTwo)]).toEqual([profiles.learner2.accountId]);
  const byName = (await two.trail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateKey' }] }))).Events;
  expect(byName).toEqual([]);
  const seenByOne = (await one.trail.send(new LookupEventsCommand({}))).Events as Ev[];
  expect([...accountsOf(seenByOne)]).toEqual([profiles.learner1.accountId]);
  const all = (await instructor.trail.send(new LookupEventsCommand({}))).Events as Ev[];
  expect(accountsOf(all)).toEqual(new Set([profiles.learner1.accountId, profiles.learner2.accountId]));
  expect(all.map((ev) => ev.EventName)).toEqual(expect.arrayContaining(['CreateKey', 'CreateBucket', 'ListKeys']));
});

test('without a class nobody reads across accounts, the engine default account included', async () => {
  const e = await engine();
  const caller = e.engine.directory.defaultLearner('111122223333', 'us-east-1');
  expect(seesEveryAccount(e.engine.store, caller)).toBe(false);
  const learner = e.engine.directory.createLearnerAccount();
  const theirs = clientsOf(e, { profile: 'x', ...learner });
  await theirs.kms.send(new ListKeysCommand({}));
  const seenByDefault = (await new CloudTrailClient(e.clientConfig).send(new LookupEventsCommand({}))).Events as Ev[];
  expect(accountsOf(seenByDefault).has(learner.accountId)).toBe(false);
});

test('serving the same home again re-uses the class: same accounts and keys; a deleted key is replaced, more learners added', async () => {
  const first = await engine({ keepHome: true });
  const before = setUpClass(first.engine, 2);
  const learner1 = clientsOf(first, before[1]!);
  await learner1.kms.send(new CreateKeyCommand({}));
  await learner1.iam.send(new DeleteAccessKeyCommand({ AccessKeyId: before[1]!.accessKeyId }));
  await first.stop();
  const again = await engine({ home: first.home });
  const after = setUpClass(again.engine, 3);
  expect(after.map((p) => p.accountId).slice(0, 3)).toEqual(before.map((p) => p.accountId));
  expect(after[0]).toEqual(before[0]); // the instructor's key unchanged
  expect(after[2]).toEqual(before[2]); // learner2's key unchanged
  expect(after[1]!.accessKeyId).not.toBe(before[1]!.accessKeyId); // learner1 deleted theirs: a new one
  expect(new Set(after.map((p) => p.accountId)).size).toBe(4);
  expect((await clientsOf(again, after[1]!).kms.send(new ListKeysCommand({}))).Keys).toHaveLength(1); // learner1's key is still theirs
  // Fewer learners later: the others keep their accounts in the roster, unlisted.
  expect(setUpClass(again.engine, 1).map((p) => p.profile)).toEqual(['instructor', 'learner1']);
  expect(readRoster(again.engine.store)!.learners).toHaveLength(3);
});
