// What ReplicateKey and UpdatePrimaryRegion say when they refuse (the error and its message), and
// what they leave unchanged: a disabled or pending-deletion primary, a Region that already has a
// key of the set, a replica or single-Region key named, a replica that is not usable, and a
// replica's key policy checked against the replica's own ARN.
import {
  CreateKeyCommand, DescribeKeyCommand, DisableKeyCommand, EnableKeyRotationCommand, KMSClient, ReplicateKeyCommand, RotateKeyOnDemandCommand, ScheduleKeyDeletionCommand,
  UpdatePrimaryRegionCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

const ACCOUNT = '111122223333';
let e: TestEngine;
let east: KMSClient;
let west: KMSClient;

beforeAll(async () => {
  e = await startTestEngine();
  east = e.kms;
  west = new KMSClient({ ...e.clientConfig, region: 'eu-west-1' });
});
afterAll(async () => {
  west.destroy();
  await e.stop();
});

const arnIn = (region: string, keyId: string) => `arn:aws:kms:${region}:${ACCOUNT}:key/${keyId}`;
const primaryKey = async () => (await east.send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata!;
async function replicated() {
  const key = await primaryKey();
  await east.send(new ReplicateKeyCommand({ KeyId: key.KeyId, ReplicaRegion: 'eu-west-1' }));
  return key;
}
const message = async (call: Promise<unknown>, name: string) => (await expectAwsError(call, name)).message;
const keyType = async (client: KMSClient, KeyId: string) => (await client.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata!.MultiRegionConfiguration!.MultiRegionKeyType;

test('ReplicateKey of a disabled primary is DisabledException naming it; of one pending deletion KMSInvalidStateException; no replica is made', async () => {
  const disabled = await primaryKey();
  await east.send(new DisableKeyCommand({ KeyId: disabled.KeyId }));
  expect(await message(east.send(new ReplicateKeyCommand({ KeyId: disabled.KeyId, ReplicaRegion: 'eu-west-1' })), 'DisabledException')).toBe(`${disabled.Arn} is disabled.`);
  const deleting = await primaryKey();
  await east.send(new ScheduleKeyDeletionCommand({ KeyId: deleting.KeyId, PendingWindowInDays: 7 }));
  expect(await message(east.send(new ReplicateKeyCommand({ KeyId: deleting.KeyId, ReplicaRegion: 'eu-west-1' })), 'KMSInvalidStateException')).toBe(`${deleting.Arn} is pending deletion.`);
  for (const key of [disabled, deleting]) await expectAwsError(west.send(new DescribeKeyCommand({ KeyId: key.KeyId })), 'NotFoundException');
});

test('ReplicateKey into a Region that has a key of the set is AlreadyExistsException naming that key, the primary\'s own Region included', async () => {
  const key = await replicated();
  expect(await message(east.send(new ReplicateKeyCommand({ KeyId: key.KeyId, ReplicaRegion: 'eu-west-1' })), 'AlreadyExistsException')).toBe(`${arnIn('eu-west-1', key.KeyId!)} already exists.`);
  expect(await message(east.send(new ReplicateKeyCommand({ KeyId: key.KeyId, ReplicaRegion: 'us-east-1' })), 'AlreadyExistsException')).toBe(`${key.Arn} already exists.`);
});

test('ReplicateKey and UpdatePrimaryRegion take a multi-Region primary: a replica or a single-Region key is UnsupportedOperationException saying so', async () => {
  const key = await replicated();
  const replicaArn = arnIn('eu-west-1', key.KeyId!);
  expect(await message(west.send(new ReplicateKeyCommand({ KeyId: key.KeyId, ReplicaRegion: 'ap-southeast-2' })), 'UnsupportedOperationException'))
    .toBe(`${replicaArn} is a multi-Region replica key. ReplicateKey takes a multi-Region primary key.`);
  expect(await message(west.send(new UpdatePrimaryRegionCommand({ KeyId: key.KeyId, PrimaryRegion: 'us-east-1' })), 'UnsupportedOperationException'))
    .toBe(`${replicaArn} is a multi-Region replica key. UpdatePrimaryRegion takes a multi-Region primary key.`);
  const single = (await east.send(new CreateKeyCommand({}))).KeyMetadata!;
  expect(await message(east.send(new ReplicateKeyCommand({ KeyId: single.KeyId, ReplicaRegion: 'eu-west-1' })), 'UnsupportedOperationException'))
    .toBe(`${single.Arn} is not a multi-Region key. ReplicateKey takes a multi-Region primary key.`);
  expect(await message(east.send(new UpdatePrimaryRegionCommand({ KeyId: single.KeyId, PrimaryRegion: 'eu-west-1' })), 'UnsupportedOperationException'))
    .toBe(`${single.Arn} is not a multi-Region key. UpdatePrimaryRegion takes a multi-Region primary key.`);
});

test("rotation set on a replica is UnsupportedOperationException naming the operation and pointing to the primary", async () => {
  const key = await replicated();
  const replicaArn = arnIn('eu-west-1', key.KeyId!);
  for (const [operation, call] of [['EnableKeyRotation', west.send(new EnableKeyRotationCommand({ KeyId: key.KeyId }))], ['RotateKeyOnDemand', west.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }))]] as const)
    expect(await message(call, 'UnsupportedOperationException')).toBe(`${replicaArn} is a multi-Region replica key. ${operation} applies to its primary key, whose key material and rotation its replicas share.`);
});

test("UpdatePrimaryRegion to the primary's own Region is ValidationException; to a Region with no replica, NotFoundException naming the key there", async () => {
  const key = await replicated();
  expect(await message(east.send(new UpdatePrimaryRegionCommand({ KeyId: key.KeyId, PrimaryRegion: 'us-east-1' })), 'ValidationException'))
    .toBe(`${key.Arn} is already the primary key: PrimaryRegion must be the Region of one of its replica keys.`);
  expect(await message(east.send(new UpdatePrimaryRegionCommand({ KeyId: key.KeyId, PrimaryRegion: 'ap-northeast-1' })), 'NotFoundException'))
    .toBe(`Key '${arnIn('ap-northeast-1', key.KeyId!)}' does not exist`);
});

test('UpdatePrimaryRegion needs both keys enabled: a disabled primary or replica is DisabledException naming it, and neither changes', async () => {
  const primaryDisabled = await replicated();
  await east.send(new DisableKeyCommand({ KeyId: primaryDisabled.KeyId }));
  expect(await message(east.send(new UpdatePrimaryRegionCommand({ KeyId: primaryDisabled.KeyId, PrimaryRegion: 'eu-west-1' })), 'DisabledException')).toBe(`${primaryDisabled.Arn} is disabled.`);
  const replicaDisabled = await replicated();
  await west.send(new DisableKeyCommand({ KeyId: replicaDisabled.KeyId }));
  expect(await message(east.send(new UpdatePrimaryRegionCommand({ KeyId: replicaDisabled.KeyId, PrimaryRegion: 'eu-west-1' })), 'DisabledException'))
    .toBe(`${arnIn('eu-west-1', replicaDisabled.KeyId!)} is disabled.`);
  for (const key of [primaryDisabled, replicaDisabled]) {
    expect(await keyType(east, key.KeyId!)).toBe('PRIMARY');
    expect(await keyType(west, key.KeyId!)).toBe('REPLICA');
  }
});

test("a replica's key policy is checked for the replica's own ARN: one that lets the caller manage only the primary locks them out of the replica", async () => {
  const key = await primaryKey();
  const onlyFor = (resource: string) =>
    JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: resource }] });
  const replicate = (Policy: string) => east.send(new ReplicateKeyCommand({ KeyId: key.KeyId, ReplicaRegion: 'eu-west-1', Policy }));
  expect(await message(replicate(onlyFor(key.Arn!)), 'MalformedPolicyDocumentException')).toBe('The new key policy will not allow you to update the key policy in the future.');
  await expectAwsError(west.send(new DescribeKeyCommand({ KeyId: key.KeyId })), 'NotFoundException');
  const policy = onlyFor(arnIn('eu-west-1', key.KeyId!));
  const out = await replicate(policy);
  expect(out.ReplicaPolicy).toBe(policy);
  expect(out.ReplicaKeyMetadata).toMatchObject({ Description: '', KeyState: 'Creating', Enabled: false });
  expect(out.ReplicaTags).toEqual([]);
});
