// Lesson 5: a key's life. Each exported function is one step; its source is
// what the learner sees as "the code" on screen.
import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  EncryptCommand,
  ListAliasesCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
  ScheduleKeyDeletionCommand,
  TagResourceCommand,
  UpdateAliasCommand,
} from '@aws-sdk/client-kms';
import {
  type BucketLocationConstraint,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { readFile, rm, writeFile } from 'node:fs/promises';
import type { StepContext } from '../../src/runtime/context.js';

export async function createKey({ kms, show, path }: StepContext) {
  // No parameters at all, as the workshop's first command
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
  const k = KeyMetadata!;
  await writeFile(path('key-id.txt'), k.KeyId!); // the next step names it
  return show.table(['field', 'value', 'what it tells you'], [
    ['KeyId', k.KeyId, 'the key for ever: a UUID, never reused'],
    ['Arn', k.Arn, 'the key with its Region and account'],
    ['KeyState', k.KeyState, 'what it can do now'],
    ['KeyUsage', k.KeyUsage, 'encrypt and decrypt, or sign, or MAC'],
    ['KeySpec', k.KeySpec, 'the kind of key: AES-256 here'],
    ['Origin', k.Origin, 'who made the key material'],
    ['KeyManager', k.KeyManager, 'who runs its life: you, or AWS'],
    ['Description', k.Description || '(none)', 'free text'],
  ], 'KeyMetadata, field by field');
}

export async function nameTagAndUse(ctx: StepContext) {
  const { kms, show, path, names } = ctx;
  const keyId = await readFile(path('key-id.txt'), 'utf8');
  const alias = names.alias('kms-workshop-lifecycle');
  try {
    await kms.send(new CreateAliasCommand({
      AliasName: alias,
      TargetKeyId: keyId,
    }));
  } catch (e) {
    // A run stopped before its clean-up left the alias: move it here.
    if ((e as Error).name !== 'AlreadyExistsException') throw e;
    await kms.send(new UpdateAliasCommand({
      AliasName: alias,
      TargetKeyId: keyId,
    }));
  }
  await kms.send(new TagResourceCommand({
    KeyId: keyId,
    Tags: [
      { TagKey: 'project', TagValue: 'kms-workshop' },
      { TagKey: 'lesson', TagValue: 'key-lifecycle' },
    ],
  }));
  const { Tags } = await kms.send(new ListResourceTagsCommand({
    KeyId: keyId,
  }));
  show.table(['TagKey', 'TagValue'],
    Tags!.map((t) => [t.TagKey, t.TagValue]), 'Tags on the key');

  // From here on, code names the key by its alias only
  const { CiphertextBlob, KeyId } = await kms.send(new EncryptCommand({
    KeyId: alias,
    Plaintext: Buffer.from('Sample Secret Text to Encrypt\n'),
  }));
  await writeFile(path('secret.encrypted'), CiphertextBlob!);
  return show.json({ alias, KeyId }, 'Encrypt by alias: the response');
}

export async function listKeysAndAliases(ctx: StepContext) {
  const { kms, show, path, names } = ctx;
  const keyId = await readFile(path('key-id.txt'), 'utf8');
  // ListKeys answers a page at a time: follow NextMarker to the end
  const keys = [];
  let Marker: string | undefined;
  do {
    const page = await kms.send(new ListKeysCommand({ Marker }));
    keys.push(...page.Keys!);
    Marker = page.Truncated ? page.NextMarker : undefined;
  } while (Marker);
  show.json(keys.find((k) => k.KeyId === keyId), 'Your key in ListKeys');
  show.text(`Keys in this account and Region: ${keys.length}`);

  const alias = names.alias('kms-workshop-lifecycle');
  const { Aliases } = await kms.send(new ListAliasesCommand({
    KeyId: keyId,
  }));
  show.table(['AliasName', 'TargetKeyId'],
    Aliases!.map((a) => [a.AliasName, a.TargetKeyId]),
    'ListAliases for your key');
  return show.check(`ListKeys lists your key; ${alias} names it`,
    keys.some((k) => k.KeyId === keyId) &&
      Aliases!.some((a) => a.AliasName === alias));
}

export async function awsManagedKey(ctx: StepContext) {
  const { kms, s3, show, path, names, region, expectError } = ctx;
  const mine = await kms.send(new DescribeKeyCommand({
    KeyId: names.alias('kms-workshop-lifecycle'),
  }));
  const account = mine.KeyMetadata!.AWSAccountId;
  const bucket = names.bucket(`kms-workshop-lifecycle-${account}`);
  try {
    await s3.send(new CreateBucketCommand({
      Bucket: bucket,
      // Outside us-east-1, S3 wants the bucket's Region named as well.
      CreateBucketConfiguration: region === 'us-east-1'
        ? undefined
        : { LocationConstraint: region as BucketLocationConstraint },
    }));
  } catch (e) {
    // left by an earlier run: reuse it
    if ((e as Error).name !== 'BucketAlreadyOwnedByYou') throw e;
  }
  await writeFile(path('bucket-name.txt'), bucket);

  // SSE-KMS without SSEKMSKeyId: S3 chooses the key
  await s3.send(new PutObjectCommand({
    Bucket: bucket,
    Key: 'lifecycle.txt',
    Body: 'Sample Secret Text to Encrypt\n',
    ServerSideEncryption: 'aws:kms',
  }));
  const head = await s3.send(new HeadObjectCommand({
    Bucket: bucket,
    Key: 'lifecycle.txt',
  }));
  const managed = await kms.send(new DescribeKeyCommand({
    KeyId: 'alias/aws/s3',
  }));
  const m = managed.KeyMetadata!;
  const k = mine.KeyMetadata!;
  show.table(['', 'your key', 'aws/s3'], [
    ['KeyManager', k.KeyManager, m.KeyManager],
    ['Description', k.Description || '(none)', m.Description],
    ['KeyState', k.KeyState, m.KeyState],
    ['protects the object', head.SSEKMSKeyId === k.Arn ? 'yes' : 'no',
      head.SSEKMSKeyId === m.Arn ? 'yes' : 'no'],
  ], 'A customer managed key and an AWS managed key');

  // Its life is AWS's: try to disable it
  return expectError(kms.send(new DisableKeyCommand({ KeyId: m.KeyId })), {
    code: 'AccessDeniedException',
    why: 'AWS managed keys are permanently enabled; their life is ' +
      "AWS's, not yours.",
    fix: 'Use a customer managed key when you need to control its life.',
  });
}

export async function disableKey(ctx: StepContext) {
  const { kms, show, path, names, expectError } = ctx;
  const keyId = await readFile(path('key-id.txt'), 'utf8');
  // DisableKey takes a key id or ARN: an alias is not accepted here
  await kms.send(new DisableKeyCommand({ KeyId: keyId }));
  const { KeyMetadata } = await kms.send(new DescribeKeyCommand({
    KeyId: keyId,
  }));
  const { KeyState, Enabled } = KeyMetadata!;
  show.json({ KeyState, Enabled }, 'DescribeKey after DisableKey');

  // Something new to encrypt, by the alias as before
  await expectError(kms.send(new EncryptCommand({
    KeyId: names.alias('kms-workshop-lifecycle'),
    Plaintext: Buffer.from('a new secret\n'),
  })), {
    code: 'DisabledException',
    why: 'A disabled key encrypts nothing until it is enabled.',
    fix: 'EnableKey, then call again.',
  });

  // The ciphertext of step 2, back to KMS
  const secret = await readFile(path('secret.encrypted'));
  const decrypt = kms.send(new DecryptCommand({ CiphertextBlob: secret }));
  return expectError(decrypt, {
    code: 'DisabledException',
    why: 'A disabled key is in no cryptographic operation until enabled.',
    fix: 'EnableKey, then call again.',
  });
}

export async function whatADisabledKeyCosts(ctx: StepContext) {
  const { kms, show, path } = ctx;
  const keyId = await readFile(path('key-id.txt'), 'utf8');
  const { KeyMetadata } = await kms.send(new DescribeKeyCommand({
    KeyId: keyId,
  }));
  const listed = [];
  let Marker: string | undefined;
  do {
    const page = await kms.send(new ListKeysCommand({ Marker }));
    listed.push(...page.Keys!.map((k) => k.KeyId));
    Marker = page.Truncated ? page.NextMarker : undefined;
  } while (Marker);
  // AWS KMS pricing, key storage and key usage (us-east-1)
  show.table(['the key is', 'it costs'], [
    ['Enabled', '$1 a month, prorated hourly'],
    ['Disabled', '$1 a month, prorated hourly: it still exists'],
    ['PendingDeletion', 'nothing during the waiting period'],
    ['back (CancelKeyDeletion)', 'as though never scheduled for deletion'],
    ['AWS managed (aws/s3)', 'no monthly charge; requests are charged'],
    ['each request', '$0.03 per 10,000; 20,000 a month free'],
  ], 'What a key costs');
  show.check('the disabled key still exists: ListKeys lists it',
    listed.includes(keyId));
  return show.check('it is Disabled, not deleted: it is billed as before',
    KeyMetadata!.KeyState === 'Disabled', KeyMetadata!.KeyState);
}

export async function enableKey({ kms, show, path }: StepContext) {
  const keyId = await readFile(path('key-id.txt'), 'utf8');
  await kms.send(new EnableKeyCommand({ KeyId: keyId }));
  const { Plaintext } = await kms.send(new DecryptCommand({
    CiphertextBlob: await readFile(path('secret.encrypted')),
  }));
  await writeFile(path('secret.decrypted.txt'), Plaintext!);
  return show.file('secret.decrypted.txt', 'decrypted after EnableKey');
}

export async function scheduleDeletion(ctx: StepContext) {
  const { kms, show, path, expectError } = ctx;
  const keyId = await readFile(path('key-id.txt'), 'utf8');
  // 7 days is the shortest waiting period, 30 the longest and the default
  const { KeyState, DeletionDate } = await kms.send(
    new ScheduleKeyDeletionCommand({
      KeyId: keyId,
      PendingWindowInDays: 7,
    }),
  );
  show.json({ KeyState, DeletionDate }, 'ScheduleKeyDeletion');

  const secret = await readFile(path('secret.encrypted'));
  const decrypt = kms.send(new DecryptCommand({ CiphertextBlob: secret }));
  return expectError(decrypt, {
    code: 'KMSInvalidStateException',
    why: 'A key pending deletion is in no cryptographic operation.',
    fix: 'CancelKeyDeletion during the waiting period, then EnableKey.',
  });
}

export async function cancelDeletion({ kms, show, path }: StepContext) {
  const keyId = await readFile(path('key-id.txt'), 'utf8');
  await kms.send(new CancelKeyDeletionCommand({ KeyId: keyId }));
  const after = await kms.send(new DescribeKeyCommand({ KeyId: keyId }));
  show.json({
    KeyState: after.KeyMetadata!.KeyState,
    DeletionDate: after.KeyMetadata!.DeletionDate ?? '(none)',
  }, 'DescribeKey after CancelKeyDeletion');

  await kms.send(new EnableKeyCommand({ KeyId: keyId }));
  const { Plaintext } = await kms.send(new DecryptCommand({
    CiphertextBlob: await readFile(path('secret.encrypted')),
  }));
  return show.check('enabled again, the key decrypts step 2\'s ciphertext',
    Buffer.from(Plaintext!).toString() ===
      'Sample Secret Text to Encrypt\n');
}

export async function cleanUp({ kms, s3, show, path, names }: StepContext) {
  const bucket = await readFile(path('bucket-name.txt'), 'utf8');
  await s3.send(new DeleteObjectCommand({
    Bucket: bucket,
    Key: 'lifecycle.txt',
  }));
  await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
  const keyId = await readFile(path('key-id.txt'), 'utf8');
  await kms.send(new DeleteAliasCommand({
    AliasName: names.alias('kms-workshop-lifecycle'),
  }));
  const { KeyState, DeletionDate } = await kms.send(
    new ScheduleKeyDeletionCommand({
      KeyId: keyId,
      PendingWindowInDays: 7,
    }),
  );
  for (const name of ['secret.decrypted.txt', 'bucket-name.txt']) {
    await rm(path(name), { force: true });
  }
  return show.json({ KeyId: keyId, KeyState, DeletionDate },
    'Key scheduled for deletion');
}
