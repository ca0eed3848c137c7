// Lesson 3: server-side encryption with S3 and KMS (re:Invent use case 1).
// Each exported function is one step; its source is what the learner sees.
import { LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import {
  CreateAliasCommand,
  CreateGrantCommand,
  CreateKeyCommand,
  DecryptCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  RevokeGrantCommand,
  ScheduleKeyDeletionCommand,
  UpdateAliasCommand,
} from '@aws-sdk/client-kms';
import {
  type BucketLocationConstraint,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import type { StepContext } from '../../src/runtime/context.js';

export async function createKey({ kms, show, names }: StepContext) {
  // 'alias/kms_key_sse_usecase_1'; on AWS with your prefix
  const alias = names.alias('kms_key_sse_usecase_1');
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({
    Description: 'kms-workshop: SSE use case 1',
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
  show.text(
    'KMS Master Key with alias name kms_key_sse_usecase_1 ' +
      'successfully created',
    'ok',
  );
  const { KeyId, Arn } = KeyMetadata!;
  return show.json({ KeyId, Arn, Alias: alias }, 'The new key');
}

export async function uploadWithSseKms(
  { kms, s3, show, path, names, region }: StepContext,
) {
  const { KeyMetadata } = await kms.send(new DescribeKeyCommand({
    KeyId: names.alias('kms_key_sse_usecase_1'),
  }));
  // bucket names are global: on AWS with your prefix
  const bucket = names.bucket(
    `reinvent-builder-${KeyMetadata!.AWSAccountId}`,
  );
  try {
    await s3.send(new CreateBucketCommand({
      Bucket: bucket,
      // Outside us-east-1, S3 wants the bucket's Region named in the
      // request as well.
      CreateBucketConfiguration: region === 'us-east-1'
        ? undefined
        : { LocationConstraint: region as BucketLocationConstraint },
    }));
  } catch (e) {
    // left by an earlier run: reuse it
    if ((e as Error).name !== 'BucketAlreadyOwnedByYou') throw e;
  }
  // the next steps read it from here
  await writeFile(path('bucket-name.txt'), bucket);

  const response = await s3.send(new PutObjectCommand({
    Bucket: bucket,
    Key: 'encrypted_e.txt',
    Body: await readFile(path('plaintext_u.txt')),
    ServerSideEncryption: 'aws:kms',
    SSEKMSKeyId: names.alias('kms_key_sse_usecase_1'),
  }));
  const { ServerSideEncryption, SSEKMSKeyId, ETag } = response;
  show.json(
    { ServerSideEncryption, SSEKMSKeyId, ETag },
    `PutObject s3://${bucket}/encrypted_e.txt`,
  );
  return show.counter({ title: 'Calls during the upload' });
}

// The reference solution of the exercise, what `s` runs: the upload the
// AWS CLI makes.
export async function uploadYourself(
  { s3, show, path, names }: StepContext,
) {
  const bucket = await readFile(path('bucket-name.txt'), 'utf8');
  await s3.send(new PutObjectCommand({
    Bucket: bucket,
    Key: 'my_encrypted.txt',
    Body: await readFile(path('plaintext_u.txt')),
    ServerSideEncryption: 'aws:kms',
    SSEKMSKeyId: names.alias('kms_key_sse_usecase_1'),
  }));
  return show.text(`Uploaded s3://${bucket}/my_encrypted.txt.`);
}

// The exercise's check: the object is there, encrypted with the key.
export async function verifyYourUpload(
  { s3, kms, show, path, names }: StepContext,
) {
  const bucket = await readFile(path('bucket-name.txt'), 'utf8');
  const { KeyMetadata } = await kms.send(new DescribeKeyCommand({
    KeyId: names.alias('kms_key_sse_usecase_1'),
  }));
  const head = await s3.send(new HeadObjectCommand({
    Bucket: bucket,
    Key: 'my_encrypted.txt',
  })).catch(() => undefined);
  show.check(
    'my_encrypted.txt is stored encrypted under your KMS key',
    head?.ServerSideEncryption === 'aws:kms' &&
      head.SSEKMSKeyId === KeyMetadata!.Arn,
    head
      ? `it is stored with ${head.ServerSideEncryption ?? 'no'} ` +
        'encryption, under ' + (head.SSEKMSKeyId ?? 'no KMS key')
      : 'no object my_encrypted.txt in the bucket yet',
  );
}

export async function headObject(
  { kms, s3, show, path, names }: StepContext,
) {
  const bucket = await readFile(path('bucket-name.txt'), 'utf8');
  const { ServerSideEncryption, SSEKMSKeyId, ContentLength } =
    await s3.send(new HeadObjectCommand({
      Bucket: bucket,
      Key: 'encrypted_e.txt',
    }));
  const { KeyMetadata } = await kms.send(new DescribeKeyCommand({
    KeyId: names.alias('kms_key_sse_usecase_1'),
  }));
  show.json(
    { ServerSideEncryption, SSEKMSKeyId, ContentLength },
    'HeadObject',
  );
  show.check(
    'the object is encrypted with SSE-KMS (aws:kms)',
    ServerSideEncryption === 'aws:kms',
  );
  return show.check(
    'by the key behind alias/kms_key_sse_usecase_1',
    SSEKMSKeyId === KeyMetadata!.Arn,
    `${SSEKMSKeyId}`,
  );
}

export async function getObject({ s3, show, path }: StepContext) {
  const bucket = await readFile(path('bucket-name.txt'), 'utf8');
  const { Body } = await s3.send(new GetObjectCommand({
    Bucket: bucket,
    Key: 'encrypted_e.txt',
  }));
  await writeFile(
    path('plaintext_u_cycled.txt'),
    await Body!.transformToByteArray(),
  );
  show.counter({ title: 'Calls during the download' });
  const diff = show.diff('plaintext_u.txt', 'plaintext_u_cycled.txt');
  return show.check(
    'plaintext_u_cycled.txt is identical to plaintext_u.txt',
    diff.identical,
  );
}

export async function cloudTrailEvents(
  { kms, cloudtrail, show, waitForCloudTrail, names }: StepContext,
) {
  const { KeyMetadata } = await kms.send(new DescribeKeyCommand({
    KeyId: names.alias('kms_key_sse_usecase_1'),
  }));
  await waitForCloudTrail();
  const { Events } = await cloudtrail.send(new LookupEventsCommand({
    LookupAttributes: [
      { AttributeKey: 'ResourceName', AttributeValue: KeyMetadata!.Arn },
    ],
  }));
  const events = (Events ?? []).map((e) => JSON.parse(e.CloudTrailEvent!));
  show.table(
    ['time', 'event', 'invoked by', 'encryption context'],
    events.map((e) => [
      e.eventTime,
      e.eventName,
      e.userIdentity.invokedBy ?? '(you)',
      JSON.stringify(e.requestParameters?.encryptionContext ?? {}),
    ]),
    `CloudTrail events for ${KeyMetadata!.Arn}`,
  );
  const byS3 = events.filter(
    (e) => e.userIdentity.invokedBy === 's3.amazonaws.com',
  );
  show.check(
    'S3 called GenerateDataKey on your behalf for the upload',
    byS3.some((e) => e.eventName === 'GenerateDataKey'),
  );
  return show.check(
    'S3 called Decrypt on your behalf for the download',
    byS3.some((e) => e.eventName === 'Decrypt'),
  );
}

export async function ebsEnvelope(
  { kms, show, path, names }: StepContext,
) {
  // a volume id as EC2 makes them: vol- and 17 hex digits
  const volumeId = 'vol-' + randomBytes(9).toString('hex').slice(0, 17);
  const context = { 'aws:ebs:id': volumeId };

  // CreateVolume: EBS asks for an encrypted data key only
  const generated = await kms.send(
    new GenerateDataKeyWithoutPlaintextCommand({
      KeyId: names.alias('kms_key_sse_usecase_1'),
      KeySpec: 'AES_256',
      EncryptionContext: context,
    }),
  );
  // EBS keeps it with the volume's metadata
  await writeFile(path('volume-datakey.bin'), generated.CiphertextBlob!);
  show.json(generated, 'GenerateDataKeyWithoutPlaintext');
  show.check(
    'no Plaintext in the answer: EBS never holds the data key',
    !('Plaintext' in generated),
  );

  // AttachVolume: a grant lets the EC2 host decrypt, for this
  // volume only (here to your account: there is no EC2 host)
  const { KeyMetadata } = await kms.send(new DescribeKeyCommand({
    KeyId: names.alias('kms_key_sse_usecase_1'),
  }));
  const { GrantId } = await kms.send(new CreateGrantCommand({
    KeyId: KeyMetadata!.KeyId,
    GranteePrincipal: `arn:aws:iam::${KeyMetadata!.AWSAccountId}:root`,
    Operations: ['Decrypt'],
    Constraints: { EncryptionContextSubset: context },
  }));
  // the host decrypts the data key into the hypervisor's memory
  const { Plaintext } = await kms.send(new DecryptCommand({
    CiphertextBlob: await readFile(path('volume-datakey.bin')),
    EncryptionContext: context,
  }));
  show.check(
    'Decrypt with aws:ebs:id gave the 256-bit data key back',
    Plaintext!.length === 32,
  );
  Plaintext!.fill(0);
  await kms.send(new RevokeGrantCommand({
    KeyId: KeyMetadata!.KeyId,
    GrantId,
  }));
  return show.counter({
    title: 'The calls EBS and EC2 make for a volume',
    operations: [
      'GenerateDataKeyWithoutPlaintext',
      'CreateGrant',
      'Decrypt',
      'RevokeGrant',
    ],
  });
}

export async function cleanUp({ kms, s3, show, path, names }: StepContext) {
  const bucket = await readFile(path('bucket-name.txt'), 'utf8');
  // yours too, if you uploaded it (a missing object is no error)
  for (const Key of ['encrypted_e.txt', 'my_encrypted.txt'])
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key }));
  await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
  const alias = names.alias('kms_key_sse_usecase_1');
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
  await rm(path('plaintext_u_cycled.txt'));
  await rm(path('bucket-name.txt'));
  await rm(path('volume-datakey.bin'), { force: true });
  show.json(
    { KeyId: KeyMetadata!.KeyId, KeyState, DeletionDate },
    'Key scheduled for deletion',
  );
  return show.text('Cleanup Successful', 'ok');
}
