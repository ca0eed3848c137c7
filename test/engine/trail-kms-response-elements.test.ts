// The responseElements and resources of KMS's events, as AWS's log entry examples show them
// (AWS KMS Developer Guide, "AWS KMS log entry examples"): a deletion date written like
// "Apr 12, 2021 6:58:30 PM" in UTC, CancelKeyDeletion's key, the key and alias UpdateAlias names.
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import {
  CancelKeyDeletionCommand, CreateAliasCommand, CreateKeyCommand, EncryptCommand, ReEncryptCommand, ReplicateKeyCommand, ScheduleKeyDeletionCommand, UpdateAliasCommand,
} from '@aws-sdk/client-kms';
import { afterEach, expect, test } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';

const started: TestEngine[] = [];
afterEach(async () => {
  for (const te of started.splice(0)) await te.stop();
});

async function start() {
  const te = await startTestEngine();
  started.push(te);
  const cloudtrail = new CloudTrailClient(te.clientConfig);
  te.stop = ((stop) => async () => {
    cloudtrail.destroy();
    await stop();
  })(te.stop);
  /** The newest event of that name, as CloudTrail's JSON record. */
  const record = async (eventName: string) => {
    const out = await cloudtrail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: eventName }], MaxResults: 1 }));
    return JSON.parse(out.Events![0]!.CloudTrailEvent!);
  };
  return { te, record };
}

/** Moves the engine clock forward to the next `hh:mm:ss` UTC (a whole second). */
function advanceTo(te: TestEngine, h: number, m: number, s: number) {
  const now = te.clock.now().getTime();
  const day = new Date(now);
  let target = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), h, m, s);
  if (target <= now) target += 24 * 60 * 60 * 1000;
  te.clock.advance((target - now) / 1000);
  return new Date(target);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

test('ScheduleKeyDeletion writes the deletion date in UTC with a 12-hour clock: 12 AM after midnight, 12 PM at noon, 1 PM after', async () => {
  const { te, record } = await start();
  // [time of the call, the hour as AWS writes it, AM or PM]
  const cases: [h: number, written: string, half: string][] = [[0, '12', 'AM'], [11, '11', 'AM'], [12, '12', 'PM'], [13, '1', 'PM'], [23, '11', 'PM']];
  for (const [h, written, half] of cases) {
    const at = advanceTo(te, h, 5, 9);
    const key = (await te.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    await te.kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    const deletion = new Date(at.getTime() + 7 * 24 * 60 * 60 * 1000);
    const expected = `${MONTHS[deletion.getUTCMonth()]} ${deletion.getUTCDate()}, ${deletion.getUTCFullYear()} ${written}:05:09 ${half}`;
    expect((await record('ScheduleKeyDeletion')).responseElements, `at ${h}:05:09`).toEqual({ keyId: key.Arn, keyState: 'PendingDeletion', deletionDate: expected });
  }
});

test('minutes and seconds under ten are written with two digits, the day of the month with one', async () => {
  const { te, record } = await start();
  const at = advanceTo(te, 15, 7, 3);
  const key = (await te.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
  // A window that ends on the 1st to the 9th of a month shows a one-digit day.
  const days = [...Array(24).keys()].map((d) => d + 7).find((d) => new Date(at.getTime() + d * 86_400_000).getUTCDate() < 10)!;
  await te.kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: days }));
  const deletion = new Date(at.getTime() + days * 86_400_000);
  expect((await record('ScheduleKeyDeletion')).responseElements.deletionDate).toBe(`${MONTHS[deletion.getUTCMonth()]} ${deletion.getUTCDate()}, ${deletion.getUTCFullYear()} 3:07:03 PM`);
});

test('a multi-Region primary waiting for its replicas records no deletion date', async () => {
  const { te, record } = await start();
  const primary = (await te.kms.send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata!;
  await te.kms.send(new ReplicateKeyCommand({ KeyId: primary.KeyId, ReplicaRegion: 'us-west-2' }));
  await te.kms.send(new ScheduleKeyDeletionCommand({ KeyId: primary.KeyId, PendingWindowInDays: 7 }));
  expect((await record('ScheduleKeyDeletion')).responseElements).toEqual({ keyId: primary.Arn, keyState: 'PendingReplicaDeletion' });
});

test('CancelKeyDeletion records the key in responseElements; UpdateAlias names the key and the alias as resources, with no responseElements', async () => {
  const { te, record } = await start();
  const key = (await te.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
  const other = (await te.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
  await te.kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
  await te.kms.send(new CancelKeyDeletionCommand({ KeyId: key.KeyId }));
  const cancel = await record('CancelKeyDeletion');
  expect(cancel.responseElements).toEqual({ keyId: key.Arn });
  expect(cancel.requestParameters).toEqual({ keyId: key.KeyId });

  await te.kms.send(new CreateAliasCommand({ AliasName: 'alias/moving', TargetKeyId: key.KeyId }));
  await te.kms.send(new UpdateAliasCommand({ AliasName: 'alias/moving', TargetKeyId: other.Arn }));
  const update = await record('UpdateAlias');
  expect(update.responseElements).toBeNull();
  expect(update.requestParameters).toEqual({ aliasName: 'alias/moving', targetKeyId: other.Arn });
  expect(update.resources).toEqual([
    { accountId: '111122223333', type: 'AWS::KMS::Key', ARN: other.Arn },
    { accountId: '111122223333', type: 'AWS::KMS::Key', ARN: 'arn:aws:kms:us-east-1:111122223333:alias/moving' },
  ]);
});

test('ReEncrypt names the source key and the destination key as resources; under one key, that key once', async () => {
  const { te, record } = await start();
  const source = (await te.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
  const destination = (await te.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
  const { CiphertextBlob } = await te.kms.send(new EncryptCommand({ KeyId: source.KeyId, Plaintext: Buffer.from('move me') }));
  await te.kms.send(new ReEncryptCommand({ CiphertextBlob, DestinationKeyId: destination.KeyId }));
  const resource = (ARN: string) => ({ accountId: '111122223333', type: 'AWS::KMS::Key', ARN });
  expect((await record('ReEncrypt')).resources).toEqual([resource(source.Arn!), resource(destination.Arn!)]);
  await te.kms.send(new ReEncryptCommand({ CiphertextBlob, DestinationKeyId: source.Arn }));
  expect((await record('ReEncrypt')).resources).toEqual([resource(source.Arn!)]);
});
