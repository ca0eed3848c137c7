// Lesson 10: the KMS developer demo, ported from Python to TypeScript. Each
// exported function is one step; its source is what the learner sees.
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  GenerateDataKeyCommand,
  type KeyMetadata,
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
import {
  createCipheriv,
  createDecipheriv,
  randomBytes,
} from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import type { StepContext } from '../../src/runtime/context.js';

export async function findOrCreateKey(
  { kms, show, names, expectError }: StepContext,
) {
  // 'alias/kms-workshop-developer-demo'; on AWS with your prefix
  const alias = names.alias('kms-workshop-developer-demo');
  // Part 1: the key of an earlier run, found by its alias
  let key: KeyMetadata | undefined;
  try {
    ({ KeyMetadata: key } = await kms.send(
      new DescribeKeyCommand({ KeyId: alias }),
    ));
  } catch (e) {
    if ((e as Error).name !== 'NotFoundException') throw e;
  }

  if (!key || key.KeyState === 'PendingDeletion') {
    // none yet (or only one on its way out): create it
    const found = key;
    ({ KeyMetadata: key } = await kms.send(new CreateKeyCommand({
      Description: 'kms-workshop: KMS developer demo',
    })));
    const target = { AliasName: alias, TargetKeyId: key!.KeyId };
    await kms.send(found
      ? new UpdateAliasCommand(target)
      : new CreateAliasCommand(target));
    show.text('No usable key yet: created one, with the alias.', 'ok');
  } else if (key.KeyState === 'Disabled') {
    // the last run disabled it: try to use it as it is
    await expectError(
      kms.send(new GenerateDataKeyCommand({
        KeyId: alias,
        KeySpec: 'AES_256',
      })),
      {
        code: 'DisabledException',
        why:
          'The clean-up of the last run disabled the key, as the ' +
          'demo does; a disabled key is in no cryptographic operation.',
        fix: 'EnableKey, with the key id (not the alias).',
      },
    );
    await kms.send(new EnableKeyCommand({ KeyId: key.KeyId }));
    show.text('Found the key of the last run: enabled it again.', 'ok');
  } else {
    show.text('Found the key of the last run, enabled: re-used.', 'ok');
  }

  const { KeyMetadata } = await kms.send(
    new DescribeKeyCommand({ KeyId: alias }),
  );
  const { KeyId, KeyState, CreationDate } = KeyMetadata!;
  return show.json({ KeyId, KeyState, CreationDate, Alias: alias });
}

export async function encryptMessage(
  { kms, show, path, names }: StepContext,
) {
  // Part 2: a data key, in the clear and encrypted under the KMS key
  const { Plaintext, CiphertextBlob } = await kms.send(
    new GenerateDataKeyCommand({
      KeyId: names.alias('kms-workshop-developer-demo'),
      KeySpec: 'AES_256',
    }),
  );
  // show.json masks Plaintext
  show.json({ Plaintext, CiphertextBlob }, 'GenerateDataKey');

  // encrypt the message locally: AES-256-CBC, a fresh IV
  const message = 'Hello world of cryptography with managed keys';
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', Plaintext!, iv);
  const encrypted = Buffer.concat([
    cipher.update(message, 'utf8'),
    cipher.final(),
  ]);
  // dispose of the plaintext key; keep only the encrypted one
  Plaintext!.fill(0);
  await writeFile(path('message.enc'), Buffer.concat([iv, encrypted]));
  await writeFile(path('message.key'), CiphertextBlob!);

  show.file('message.key', 'the data key, encrypted: safe to store');
  return show.hexdump('message.enc', 'IV (16 bytes), then ciphertext');
}

export async function decryptMessage({ kms, show, path }: StepContext) {
  // Decipher: KMS turns the encrypted data key back into the key
  const { Plaintext, KeyId } = await kms.send(new DecryptCommand({
    CiphertextBlob: await readFile(path('message.key')),
  }));
  show.json({ Plaintext, KeyId }, 'Decrypt');

  const file = await readFile(path('message.enc'));
  const decipher = createDecipheriv(
    'aes-256-cbc',
    Plaintext!,
    file.subarray(0, 16),
  );
  const message = Buffer.concat([
    decipher.update(file.subarray(16)),
    decipher.final(),
  ]).toString('utf8');
  Plaintext!.fill(0);

  show.text(`Deciphered: "${message}"`);
  return show.check(
    'the message is back',
    message === 'Hello world of cryptography with managed keys',
  );
}

export async function encryptFile(
  { kms, show, path, names }: StepContext,
) {
  // Part 3: a new data key for the file
  const { Plaintext, CiphertextBlob } = await kms.send(
    new GenerateDataKeyCommand({
      KeyId: names.alias('kms-workshop-developer-demo'),
      KeySpec: 'AES_256',
    }),
  );
  const picture = await readFile(path('padlock.jpg'));

  // the header: the original length as <Q (little-endian unsigned
  // 64-bit, Python's struct.pack('<Q', size)), then the IV
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(picture.length));
  const iv = randomBytes(16);

  // CBC takes whole 16-byte blocks: the demo pads with spaces
  const padding = (16 - (picture.length % 16)) % 16;
  const cipher = createCipheriv('aes-256-cbc', Plaintext!, iv);
  cipher.setAutoPadding(false);
  const body = Buffer.concat([
    cipher.update(Buffer.concat([picture, Buffer.alloc(padding, ' ')])),
    cipher.final(),
  ]);
  Plaintext!.fill(0);
  await writeFile(
    path('padlock.jpg.enc'),
    Buffer.concat([length, iv, body]),
  );
  // kept for the upload
  await writeFile(path('padlock.jpg.key'), CiphertextBlob!);

  show.hexdump('padlock.jpg.enc', 'padlock.jpg.enc, from its header on');
  return show.table(['bytes', 'field', 'value'], [
    ['0-7', 'original length, <Q', `${picture.length} bytes`],
    ['8-23', 'IV', iv.toString('hex')],
    [`24-${23 + body.length}`, 'ciphertext', `${body.length} bytes`],
  ], 'The header, field by field');
}

export async function uploadFile(
  { kms, s3, show, path, names, region }: StepContext,
) {
  const { KeyMetadata } = await kms.send(new DescribeKeyCommand({
    KeyId: names.alias('kms-workshop-developer-demo'),
  }));
  // bucket names are global: on AWS with your prefix
  const bucket = names.bucket(
    `kms-developer-demo-${KeyMetadata!.AWSAccountId}`,
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

  // the encrypted data key travels with the object, base64,
  // in its metadata under "Key"
  const encryptedKey = await readFile(path('padlock.jpg.key'));
  await s3.send(new PutObjectCommand({
    Bucket: bucket,
    Key: 'padlock.jpg.enc',
    Body: await readFile(path('padlock.jpg.enc')),
    Metadata: { Key: encryptedKey.toString('base64') },
  }));

  const { Metadata, ContentLength } = await s3.send(
    new HeadObjectCommand({ Bucket: bucket, Key: 'padlock.jpg.enc' }),
  );
  return show.json(
    { Metadata, ContentLength },
    `HeadObject s3://${bucket}/padlock.jpg.enc`,
  );
}

export async function downloadAndDecrypt(
  { kms, s3, show, path }: StepContext,
) {
  const bucket = await readFile(path('bucket-name.txt'), 'utf8');
  const { Body, Metadata } = await s3.send(new GetObjectCommand({
    Bucket: bucket,
    Key: 'padlock.jpg.enc',
  }));
  const file = Buffer.from(await Body!.transformToByteArray());
  await writeFile(path('padlock-downloaded.jpg.enc'), file);

  // the data key from the metadata (S3 gives its name in lower case)
  const { Plaintext } = await kms.send(new DecryptCommand({
    CiphertextBlob: Buffer.from(Metadata!.key!, 'base64'),
  }));

  // the header: original length (<Q), then the IV
  const length = Number(file.readBigUInt64LE(0));
  const iv = file.subarray(8, 24);
  const decipher = createDecipheriv('aes-256-cbc', Plaintext!, iv);
  decipher.setAutoPadding(false);
  const padded = Buffer.concat([
    decipher.update(file.subarray(24)),
    decipher.final(),
  ]);
  Plaintext!.fill(0);
  // drop the padding: the length says where the picture ends
  await writeFile(path('padlock.jpg.enc.jpg'), padded.subarray(0, length));

  const original = await readFile(path('padlock.jpg'));
  const result = await readFile(path('padlock.jpg.enc.jpg'));
  show.table(['file', 'bytes'], [
    ['padlock.jpg (the original)', original.length],
    ['deciphered, padded to 16-byte blocks', padded.length],
    ['padlock.jpg.enc.jpg (cut to the header\'s length)', result.length],
  ]);
  show.hexdump(result.subarray(0, 32), 'padlock.jpg.enc.jpg begins');
  return show.check(
    'padlock.jpg.enc.jpg is padlock.jpg, byte for byte',
    result.equals(original),
  );
}

export async function compareWithSseKms({ s3, show, path }: StepContext) {
  const bucket = await readFile(path('bucket-name.txt'), 'utf8');
  // what anyone allowed s3:GetObject on the bucket downloads
  const { Body, ServerSideEncryption } = await s3.send(
    new GetObjectCommand({ Bucket: bucket, Key: 'padlock.jpg.enc' }),
  );
  const bytes = await Body!.transformToByteArray();
  show.hexdump(bytes.subarray(0, 32), 'what S3 hands out');
  show.counter({ title: 'Calls during the download' });
  show.table(['', 'this demo (client side)', 'lesson 3 (SSE-KMS)'], [
    ['who calls KMS', 'your code', 'S3, on your behalf'],
    ['who holds the data key', 'your code, briefly', 'S3, briefly'],
    ['S3 stores', 'ciphertext it cannot read', 'your plaintext, '
      + 'encrypted by S3'],
    ['s3:GetObject alone gets', 'ciphertext', 'nothing (KMS denies)'],
    ['to read it you need', 'kms:Decrypt + the code', 's3:GetObject + '
      + 'kms:Decrypt'],
  ], 'Who holds the data key, who can read the object');
  return show.check(
    'S3 served the ciphertext: it never had the data key',
    !(bytes[0] === 0xff && bytes[1] === 0xd8) &&
      ServerSideEncryption !== 'aws:kms',
  );
}

export async function cleanUp(
  { kms, s3, show, path, names, target }: StepContext,
) {
  // Part 4: the files and the bucket go
  const bucket = await readFile(path('bucket-name.txt'), 'utf8');
  await s3.send(new DeleteObjectCommand({
    Bucket: bucket,
    Key: 'padlock.jpg.enc',
  }));
  await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
  for (const file of [
    'message.enc', 'message.key', 'padlock.jpg.enc', 'padlock.jpg.key',
    'padlock-downloaded.jpg.enc', 'padlock.jpg.enc.jpg', 'bucket-name.txt',
  ]) await rm(path(file), { force: true });

  // the key is disabled, not deleted, as the demo does
  const alias = names.alias('kms-workshop-developer-demo');
  const { KeyMetadata } = await kms.send(
    new DescribeKeyCommand({ KeyId: alias }),
  );
  await kms.send(new DisableKeyCommand({ KeyId: KeyMetadata!.KeyId }));
  show.table(['the key is', 'it costs'], [
    ['Enabled', '$1 a month, prorated hourly'],
    ['Disabled', '$1 a month, prorated hourly: it still exists'],
    ['Pending deletion', 'nothing'],
  ], 'What the demo\'s choice costs');

  if (target === 'aws') {
    // a real account: no key left billing, the workshop's rule
    await kms.send(new DeleteAliasCommand({ AliasName: alias }));
    await kms.send(new ScheduleKeyDeletionCommand({
      KeyId: KeyMetadata!.KeyId,
      PendingWindowInDays: 7,
    }));
    show.text(
      'On AWS the key is also scheduled for deletion (7 days), ' +
        'so it bills nothing more; the next run creates a new one.',
      'info',
    );
  }
  const { KeyState } = (await kms.send(
    new DescribeKeyCommand({ KeyId: KeyMetadata!.KeyId }),
  )).KeyMetadata!;
  return show.json({ KeyId: KeyMetadata!.KeyId, KeyState }, 'The key');
}
