// How a request names a key (model.ts's resolve: key id, key ARN, alias name, alias ARN) and
// what each wrong name answers: a key ARN of another Region, an ARN that is no KMS key's, an
// alias of another account or Region, an alias where only a key may be named. And a key
// deleted at the end of its waiting period, to the millisecond, takes its aliases in its own
// Region with it, no other.
import {
  CreateAliasCommand, CreateKeyCommand, DecryptCommand, DescribeKeyCommand, EncryptCommand, KMSClient, ListAliasesCommand, ReplicateKeyCommand, ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

const ACCOUNT = '111122223333';
let e: TestEngine;
let west: KMSClient;

beforeAll(async () => {
  e = await startTestEngine();
  west = new KMSClient({ ...e.clientConfig, region: 'eu-west-1' });
});
afterAll(async () => {
  west.destroy();
  await e.stop();
});

const newKey = async (client: KMSClient = e.kms) => (await client.send(new CreateKeyCommand({}))).KeyMetadata!;
const notFound = async (KeyId: string, client: KMSClient = e.kms) => (await expectAwsError(client.send(new DescribeKeyCommand({ KeyId })), 'NotFoundException')).message;
const describeKey = async (KeyId: string, client: KMSClient = e.kms) => (await client.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata!;

// AWS's words for a key ARN of another Region, as real replies quoted in public reports show them
// ("NotFoundException: Invalid arn us-west-2" from KMS in us-east-1, for DynamoDB replicas and
// Kinesis stream keys): the ARN's Region, not the key.
test("a key's ARN names it in its own Region only; in another Region it is NotFoundException 'Invalid arn' naming the ARN's Region", async () => {
  const key = await newKey();
  expect((await describeKey(key.Arn!)).KeyId).toBe(key.KeyId);
  expect(await notFound(key.Arn!, west)).toBe('Invalid arn us-east-1');
  const elsewhere = key.Arn!.replace('us-east-1', 'eu-west-1');
  expect(await notFound(elsewhere)).toBe('Invalid arn eu-west-1');
  expect(await notFound(key.KeyId!, west)).toBe(`Key 'arn:aws:kms:eu-west-1:${ACCOUNT}:key/${key.KeyId}' does not exist`);
});

test("a ciphertext names its key in the key's own Region only: decrypted in another it is InvalidCiphertextException", async () => {
  const key = await newKey();
  const { CiphertextBlob } = await e.kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('east only') }));
  await expectAwsError(west.send(new DecryptCommand({ CiphertextBlob })), 'InvalidCiphertextException');
  expect(Buffer.from((await e.kms.send(new DecryptCommand({ CiphertextBlob }))).Plaintext!).toString()).toBe('east only');
});

test("an ARN that is no KMS key's or alias's is NotFoundException 'Invalid arn'", async () => {
  for (const arn of ['arn:aws:s3:::my-bucket', 'arn:aws:kms:us-east-1:111122223333:grant/abc', 'arn:'])
    expect(await notFound(arn), arn).toBe(`Invalid arn ${arn}`);
});

test('an alias is found by name or by its ARN in its own account and Region; elsewhere it is NotFoundException naming the alias ARN', async () => {
  const key = await newKey();
  await e.kms.send(new CreateAliasCommand({ AliasName: 'alias/named', TargetKeyId: key.KeyId }));
  const aliasArn = `arn:aws:kms:us-east-1:${ACCOUNT}:alias/named`;
  expect((await describeKey('alias/named')).KeyId).toBe(key.KeyId);
  expect((await describeKey(aliasArn)).KeyId).toBe(key.KeyId);
  // Another account's alias of the same name, by its ARN: AWS never resolves another account's alias.
  const learner = e.engine.directory.createLearnerAccount();
  const theirs = new KMSClient({ ...e.clientConfig, credentials: { accessKeyId: learner.accessKeyId, secretAccessKey: learner.secretAccessKey } });
  try {
    await theirs.send(new CreateAliasCommand({ AliasName: 'alias/named', TargetKeyId: (await newKey(theirs)).KeyId }));
  } finally {
    theirs.destroy();
  }
  const otherAccount = `arn:aws:kms:us-east-1:${learner.accountId}:alias/named`;
  expect(await notFound(otherAccount)).toBe(`Alias ${otherAccount} is not found.`);
  const otherRegion = `arn:aws:kms:eu-west-1:${ACCOUNT}:alias/named`;
  expect(await notFound(otherRegion)).toBe(`Alias ${otherRegion} is not found.`);
  expect(await notFound('alias/named', west)).toBe(`Alias arn:aws:kms:eu-west-1:${ACCOUNT}:alias/named is not found.`);
  expect(await notFound('alias/never-made')).toBe(`Alias arn:aws:kms:us-east-1:${ACCOUNT}:alias/never-made is not found.`);
});

test("where only a key may be named (an alias's target), an alias name or alias ARN is NotFoundException 'Invalid keyId'", async () => {
  const key = await newKey();
  await e.kms.send(new CreateAliasCommand({ AliasName: 'alias/target-only', TargetKeyId: key.KeyId }));
  for (const ref of ['alias/target-only', `arn:aws:kms:us-east-1:${ACCOUNT}:alias/target-only`])
    expect((await expectAwsError(e.kms.send(new CreateAliasCommand({ AliasName: 'alias/onto-alias', TargetKeyId: ref })), 'NotFoundException')).message).toBe(`Invalid keyId ${ref}`);
});

test("each Region has its own alias names: the same name in two Regions, each listed in its own", async () => {
  const east = await newKey();
  const westKey = await newKey(west);
  await e.kms.send(new CreateAliasCommand({ AliasName: 'alias/regional', TargetKeyId: east.KeyId }));
  await west.send(new CreateAliasCommand({ AliasName: 'alias/regional', TargetKeyId: westKey.KeyId }));
  expect((await describeKey('alias/regional')).KeyId).toBe(east.KeyId);
  expect((await describeKey('alias/regional', west)).KeyId).toBe(westKey.KeyId);
  const names = async (client: KMSClient) => (await client.send(new ListAliasesCommand({}))).Aliases!.filter((a) => !a.AliasName!.startsWith('alias/aws/')).map((a) => [a.AliasName, a.TargetKeyId]);
  expect(await names(west)).toEqual([['alias/regional', westKey.KeyId]]);
  expect(await names(e.kms)).toContainEqual(['alias/regional', east.KeyId]);
  expect(await names(e.kms)).not.toContainEqual(['alias/regional', westKey.KeyId]);
});

test('a key is deleted at the end of its waiting period to the millisecond, with its aliases in its Region; a replica\'s deletion leaves the primary\'s aliases', async () => {
  const local = await startTestEngine();
  const localWest = new KMSClient({ ...local.clientConfig, region: 'eu-west-1' });
  try {
    const primary = (await local.kms.send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata!;
    await local.kms.send(new ReplicateKeyCommand({ KeyId: primary.KeyId, ReplicaRegion: 'eu-west-1' }));
    await local.kms.send(new CreateAliasCommand({ AliasName: 'alias/both', TargetKeyId: primary.KeyId }));
    await localWest.send(new CreateAliasCommand({ AliasName: 'alias/both', TargetKeyId: primary.KeyId }));
    const { DeletionDate } = await localWest.send(new ScheduleKeyDeletionCommand({ KeyId: primary.KeyId, PendingWindowInDays: 7 }));
    local.clock.advance((DeletionDate!.getTime() - local.clock.now().getTime() - 1) / 1000);
    expect((await describeKey(primary.KeyId!, localWest)).KeyState).toBe('PendingDeletion'); // one millisecond before
    local.clock.advance(0.001);
    await expectAwsError(localWest.send(new DescribeKeyCommand({ KeyId: primary.KeyId })), 'NotFoundException');
    expect((await localWest.send(new ListAliasesCommand({}))).Aliases!.filter((a) => a.AliasName === 'alias/both')).toEqual([]);
    expect((await describeKey('alias/both', local.kms)).KeyId).toBe(primary.KeyId); // the primary and its alias stay
  } finally {
    localWest.destroy();
    await local.stop();
  }
});
