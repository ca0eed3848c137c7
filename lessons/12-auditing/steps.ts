// Lesson 12: auditing key usage with CloudTrail (workshop section 4).
// Each exported function is one step; its source is what the learner sees.
import { LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  GenerateDataKeyCommand,
  ScheduleKeyDeletionCommand,
  UpdateAliasCommand,
} from '@aws-sdk/client-kms';
import {
  type BucketLocationConstraint,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { readFile, rm, writeFile } from 'node:fs/promises';
import type { StepContext } from '../../src/runtime/context.js';

export async function useTheKey({ kms, show, path, names }: StepContext) {
  // 'alias/kms-workshop-audit'; on AWS with your prefix
  const alias = names.alias('kms-workshop-audit');
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({
    Description: 'kms-workshop: audit',
  }));
  const target = { AliasName: alias, TargetKeyId: KeyMetadata!.KeyId };
  try {
    await kms.send(new CreateAliasCommand(target));
  } catch (e) {
    // A run stopped before its clean-up left the alias behind:
    // point it at the new key.
    if ((e as Error).name !== 'AlreadyExistsException') throw e;
    await kms.send(new UpdateAliasCommand(target));
  }
  const { CiphertextBlob } = await kms.send(new GenerateDataKeyCommand({
    KeyId: alias,
    KeySpec: 'AES_256',
    EncryptionContext: { project: 'workshop' },
  }));
  await writeFile(path('datakey.bin'), CiphertextBlob!);
  // The next steps look up events from this second on (event times
  // are whole seconds)
  const start = new Date(KeyMetadata!.CreationDate!);
  start.setMilliseconds(0);
  await writeFile(path('lesson-start.txt'), start.toISOString());
  const { KeyId, Arn } = KeyMetadata!;
  return show.json({ KeyId, Arn, Alias: alias }, 'The key');
}

export async function aFailedCall(
  { kms, path, expectError }: StepContext,
) {
  return expectError(
    kms.send(new DecryptCommand({
      CiphertextBlob: await readFile(path('datakey.bin')),
      // no EncryptionContext
    })),
    {
      code: 'InvalidCiphertextException',
      why: 'The data key was encrypted with project=workshop as its ' +
        'encryption context, and Decrypt was not given it.',
      fix: 'Pass the same EncryptionContext: { project: "workshop" }.',
    },
  );
}

export async function uploadWithSseKms(
  { kms, s3, show, path, names, region }: StepContext,
) {
  const { KeyMetadata } = await kms.send(new DescribeKeyCommand({
    KeyId: names.alias('kms-workshop-audit'),
  }));
  // bucket names are global: on AWS with your prefix
  const bucket = names.bucket(
    `kms-workshop-audit-${KeyMetadata!.AWSAccountId}`,
  );
  try {
    await s3.send(new CreateBucketCommand({
      Bucket: bucket,
      CreateBucketConfiguration: region === 'us-east-1'
        ? undefined
        : { LocationConstraint: region as BucketLocationConstraint },
    }));
  } catch (e) {
    // left by an earlier run: reuse it
    if ((e as Error).name !== 'BucketAlreadyOwnedByYou') throw e;
  }
  await writeFile(path('bucket-name.txt'), bucket);
  await writeFile(
    path('audited.txt'),
    'Every use of a key leaves a trace.\n',
  );
  await s3.send(new PutObjectCommand({
    Bucket: bucket,
    Key: 'audited.txt',
    Body: await readFile(path('audited.txt')),
    ServerSideEncryption: 'aws:kms',
    SSEKMSKeyId: names.alias('kms-workshop-audit'),
  }));
  return show.counter({ title: 'Calls during the upload' });
}

export async function waitForDelivery(
  { kms, cloudtrail, show, names, target, waitForCloudTrail }: StepContext,
) {
  const { KeyMetadata } = await kms.send(new DescribeKeyCommand({
    KeyId: names.alias('kms-workshop-audit'),
  }));
  const byKey = new LookupEventsCommand({
    LookupAttributes: [
      { AttributeKey: 'ResourceName', AttributeValue: KeyMetadata!.Arn },
    ],
  });
  // At once: the calls were made seconds ago
  const before = await cloudtrail.send(byKey);
  await waitForCloudTrail();
  const after = await cloudtrail.send(byKey);
  show.table(['lookup', 'events for the key'], [
    ['at once', before.Events?.length ?? 0],
    ['after the wait', after.Events?.length ?? 0],
  ], `LookupEvents ResourceName=${KeyMetadata!.Arn}`);
  // On AWS an earlier event may already be there
  show.check(
    'nothing delivered at once (locally)',
    target === 'aws' || (before.Events ?? []).length === 0,
  );
  return show.check(
    'the key\'s events are there after the wait',
    (after.Events ?? []).length > 0,
  );
}

export async function lookupByEventName(
  { kms, cloudtrail, show, path, names }: StepContext,
) {
  const { KeyMetadata } = await kms.send(new DescribeKeyCommand({
    KeyId: names.alias('kms-workshop-audit'),
  }));
  const { Events } = await cloudtrail.send(new LookupEventsCommand({
    LookupAttributes: [
      { AttributeKey: 'EventName', AttributeValue: 'GenerateDataKey' },
    ],
    StartTime: new Date(await readFile(path('lesson-start.txt'), 'utf8')),
  }));
  show.table(
    ['time', 'user name', 'key', 'invoked by'],
    (Events ?? []).map((e) => [
      e.EventTime,
      e.Username,
      e.Resources?.find((r) => r.ResourceType === 'AWS::KMS::Key')
        ?.ResourceName,
      JSON.parse(e.CloudTrailEvent!).userIdentity.invokedBy ?? '(you)',
    ]),
    'LookupEvents EventName=GenerateDataKey',
  );
  const ours = (Events ?? []).filter((e) => e.Resources?.some(
    (r) => r.ResourceName === KeyMetadata!.Arn,
  ));
  return show.check(
    'two GenerateDataKey on this key: yours and the upload\'s',
    ours.length === 2,
    `${ours.length} found`,
  );
}

export async function lookupByKey(
  { kms, cloudtrail, show, names }: StepContext,
) {
  const { KeyMetadata } = await kms.send(new DescribeKeyCommand({
    KeyId: names.alias('kms-workshop-audit'),
  }));
  const { Events } = await cloudtrail.send(new LookupEventsCommand({
    LookupAttributes: [
      { AttributeKey: 'ResourceName', AttributeValue: KeyMetadata!.Arn },
    ],
  }));
  const events = (Events ?? []).map((e) => JSON.parse(e.CloudTrailEvent!));
  show.table(
    ['time', 'event', 'invoked by', 'error'],
    events.map((e) => [
      e.eventTime,
      e.eventName,
      e.userIdentity.invokedBy ?? '(you)',
      e.errorCode ?? '',
    ]),
    `LookupEvents ResourceName=${KeyMetadata!.Arn}`,
  );
  const generated = events.filter((e) => e.eventName === 'GenerateDataKey');
  show.check(
    'the key\'s creation',
    events.some((e) => e.eventName === 'CreateKey'),
  );
  return show.check(
    'both GenerateDataKey: yours and S3\'s',
    generated.length === 2,
  );
}

export async function readOneEvent(
  { kms, cloudtrail, show, names }: StepContext,
) {
  const { KeyMetadata } = await kms.send(new DescribeKeyCommand({
    KeyId: names.alias('kms-workshop-audit'),
  }));
  const { Events } = await cloudtrail.send(new LookupEventsCommand({
    LookupAttributes: [
      { AttributeKey: 'ResourceName', AttributeValue: KeyMetadata!.Arn },
    ],
  }));
  // Your own GenerateDataKey: not one a service made for you
  const event = (Events ?? [])
    .map((e) => JSON.parse(e.CloudTrailEvent!))
    .find((e) => e.eventName === 'GenerateDataKey' &&
      !e.userIdentity.invokedBy);
  show.json(event, 'Your GenerateDataKey, as CloudTrail keeps it');
  show.check(
    'the encryption context is in requestParameters',
    event?.requestParameters?.encryptionContext?.project === 'workshop',
  );
  return show.check(
    'no data key in the event: responseElements is null',
    event !== undefined && event.responseElements === null,
  );
}

export async function findFailedCalls(
  { cloudtrail, show, path, names }: StepContext,
) {
  const { Events } = await cloudtrail.send(new LookupEventsCommand({
    LookupAttributes: [
      { AttributeKey: 'EventName', AttributeValue: 'Decrypt' },
    ],
    StartTime: new Date(await readFile(path('lesson-start.txt'), 'utf8')),
  }));
  // LookupEvents cannot filter on the error: keep those that have one
  const failed = (Events ?? [])
    .map((e) => JSON.parse(e.CloudTrailEvent!))
    .filter((e) => e.errorCode);
  show.table(
    ['time', 'event', 'user', 'errorCode'],
    failed.map((e) => [
      e.eventTime,
      e.eventName,
      e.userIdentity.userName ?? e.userIdentity.arn,
      e.errorCode,
    ]),
    'Decrypt calls that failed',
  );
  // Lesson 9's identities, refused on purpose: the last 90 days
  const denied = [];
  for (const user of ['kms-workshop-novice', 'kms-workshop-app']) {
    const byUser = await cloudtrail.send(new LookupEventsCommand({
      LookupAttributes: [
        { AttributeKey: 'Username', AttributeValue: names.iam(user) },
      ],
    }));
    denied.push(...(byUser.Events ?? [])
      .map((e) => JSON.parse(e.CloudTrailEvent!))
      .filter((e) => /^AccessDenied/.test(e.errorCode ?? '')));
  }
  if (denied.length === 0)
    show.text(
      'No denied calls of lesson 9\'s identities: play lesson 9 ' +
        '(who may use a key) first, and they show here.',
      'info',
    );
  else
    show.table(
      ['time', 'event', 'user', 'errorCode'],
      denied.map((e) => [
        e.eventTime,
        e.eventName,
        e.userIdentity.userName,
        e.errorCode,
      ]),
      'Lesson 9\'s calls refused for lack of permission',
    );
  return show.check(
    'the Decrypt without its context, with InvalidCiphertextException',
    failed.some((e) => e.errorCode === 'InvalidCiphertextException'),
  );
}

export async function callsMadeByS3(
  { kms, cloudtrail, show, names }: StepContext,
) {
  const { KeyMetadata } = await kms.send(new DescribeKeyCommand({
    KeyId: names.alias('kms-workshop-audit'),
  }));
  const { Events } = await cloudtrail.send(new LookupEventsCommand({
    LookupAttributes: [
      { AttributeKey: 'ResourceName', AttributeValue: KeyMetadata!.Arn },
    ],
  }));
  const byS3 = (Events ?? [])
    .map((e) => JSON.parse(e.CloudTrailEvent!))
    .filter((e) => e.userIdentity.invokedBy === 's3.amazonaws.com');
  show.table(
    ['event', 'user', 'invoked by', 'encryption context'],
    byS3.map((e) => [
      e.eventName,
      e.userIdentity.userName ?? e.userIdentity.arn,
      e.userIdentity.invokedBy,
      JSON.stringify(e.requestParameters?.encryptionContext ?? {}),
    ]),
    'Calls S3 made with your key, on your behalf',
  );
  return show.check(
    'S3\'s GenerateDataKey for audited.txt, by the object\'s ARN',
    byS3.some((e) => e.eventName === 'GenerateDataKey' &&
      /audited\.txt$/.test(
        e.requestParameters?.encryptionContext?.['aws:s3:arn'] ?? '',
      )),
  );
}

export async function lookupByUser(ctx: StepContext) {
  const { kms, cloudtrail, show, path, names, target } = ctx;
  const { KeyMetadata } = await kms.send(new DescribeKeyCommand({
    KeyId: names.alias('kms-workshop-audit'),
  }));
  const byKey = await cloudtrail.send(new LookupEventsCommand({
    LookupAttributes: [
      { AttributeKey: 'ResourceName', AttributeValue: KeyMetadata!.Arn },
    ],
  }));
  // The "User name" of one of your events, as the workshop does
  const userName = byKey.Events?.find((e) => e.Username)?.Username;
  const { Events } = await cloudtrail.send(new LookupEventsCommand({
    LookupAttributes: [
      { AttributeKey: 'Username', AttributeValue: userName ?? '' },
    ],
    StartTime: new Date(await readFile(path('lesson-start.txt'), 'utf8')),
  }));
  show.table(
    ['time', 'source', 'event'],
    (Events ?? []).map((e) => [e.EventTime, e.EventSource, e.EventName]),
    `LookupEvents Username=${userName}`,
  );
  const sources = new Set((Events ?? []).map((e) => e.EventSource));
  show.check('your KMS calls', sources.has('kms.amazonaws.com'));
  // On AWS the lookups' own events may still be on their way
  return show.check(
    'and your lookups: CloudTrail records them too',
    sources.has('cloudtrail.amazonaws.com') || target === 'aws',
  );
}

export async function whatToAlertOn(ctx: StepContext) {
  const { kms, cloudtrail, show, path, names, waitForCloudTrail } = ctx;
  const { KeyMetadata } = await kms.send(new DescribeKeyCommand({
    KeyId: names.alias('kms-workshop-audit'),
  }));
  const KeyId = KeyMetadata!.KeyId;
  // Harmless here: enabled again at once
  await kms.send(new DisableKeyCommand({ KeyId }));
  await kms.send(new EnableKeyCommand({ KeyId }));
  await waitForCloudTrail();
  const { Events } = await cloudtrail.send(new LookupEventsCommand({
    LookupAttributes: [
      { AttributeKey: 'EventName', AttributeValue: 'DisableKey' },
    ],
    StartTime: new Date(await readFile(path('lesson-start.txt'), 'utf8')),
  }));
  show.table(
    ['time', 'user name', 'key'],
    (Events ?? []).map((e) => [
      e.EventTime,
      e.Username,
      e.Resources?.[0]?.ResourceName,
    ]),
    'LookupEvents EventName=DisableKey',
  );
  // An EventBridge rule's pattern that matches these calls as they come
  show.json({
    source: ['aws.kms'],
    'detail-type': ['AWS API Call via CloudTrail'],
    detail: {
      eventSource: ['kms.amazonaws.com'],
      eventName: ['ScheduleKeyDeletion', 'DisableKey', 'PutKeyPolicy'],
    },
  }, 'An EventBridge event pattern to alert on (not created here)');
  return show.check(
    'your DisableKey is in the event history',
    (Events ?? []).some((e) => e.Resources?.some(
      (r) => r.ResourceName === KeyMetadata!.Arn,
    )),
  );
}

export async function cleanUp({ kms, s3, show, path, names }: StepContext) {
  const bucket = await readFile(path('bucket-name.txt'), 'utf8')
    .catch(() => undefined);
  if (bucket) {
    await s3.send(new DeleteObjectCommand({
      Bucket: bucket,
      Key: 'audited.txt',
    }));
    await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
  }
  const alias = names.alias('kms-workshop-audit');
  const { KeyMetadata } = await kms.send(
    new DescribeKeyCommand({ KeyId: alias }),
  );
  await kms.send(new DeleteAliasCommand({ AliasName: alias }));
  const { KeyState, DeletionDate } = await kms.send(
    new ScheduleKeyDeletionCommand({
      KeyId: KeyMetadata!.KeyId,
      PendingWindowInDays: 7,
    }),
  );
  const files = ['datakey.bin', 'bucket-name.txt', 'audited.txt'];
  for (const file of [...files, 'lesson-start.txt']) {
    await rm(path(file), { force: true });
  }
  return show.json(
    { KeyId: KeyMetadata!.KeyId, KeyState, DeletionDate },
    'Key scheduled for deletion',
  );
}
