// Lesson 2: envelope encryption. Each exported function is one step; its
// source is what the learner sees as "the code" on screen.
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  GenerateDataKeyCommand,
  ScheduleKeyDeletionCommand,
  UpdateAliasCommand,
} from '@aws-sdk/client-kms';
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  randomBytes,
} from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import type { StepContext } from '../../src/runtime/context.js';

export async function createKeyAndSecret(
  { kms, show, path, names }: StepContext,
) {
  // 'alias/kms-workshop-envelope'; on AWS with your prefix
  const alias = names.alias('kms-workshop-envelope');
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({
    Description: 'kms-workshop: envelope encryption',
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
  await writeFile(
    path('samplesecret.txt'),
    'Sample Secret Text to Encrypt\n',
  );
  const { KeyId, Arn } = KeyMetadata!;
  show.json({ KeyId, Arn, Alias: alias }, 'The new key');
  return show.file('samplesecret.txt', 'the secret to protect');
}

export async function encryptWithDataKey(
  { kms, show, path, names }: StepContext,
) {
  const { Plaintext, CiphertextBlob, KeyId } = await kms.send(
    new GenerateDataKeyCommand({
      KeyId: names.alias('kms-workshop-envelope'),
      KeySpec: 'AES_256',
      EncryptionContext: { project: 'workshop' },
    }),
  );
  // show.json masks Plaintext
  show.json(
    { Plaintext, KeyId, CiphertextBlob },
    'GenerateDataKey response',
  );

  // Encrypt locally with the plaintext data key:
  // AES-256-GCM, a fresh 12-byte IV.
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', Plaintext!, iv);
  const secret = await readFile(path('samplesecret.txt'));
  const encrypted = Buffer.concat([cipher.update(secret), cipher.final()]);
  await writeFile(
    path('encryptedSecret.txt'),
    Buffer.concat([iv, cipher.getAuthTag(), encrypted]),
  );
  // the encrypted data key is stored beside the data
  await writeFile(path('datakeyEncrypted.txt'), CiphertextBlob!);
  // forget the plaintext key: only KMS can give it back now
  Plaintext!.fill(0);

  show.file(
    'encryptedSecret.txt',
    'IV (12 bytes) + tag (16 bytes) + ciphertext',
  );
  show.file(
    'datakeyEncrypted.txt',
    'the data key, encrypted under the KMS key',
  );
  return show.hexdump('encryptedSecret.txt');
}

export async function opensslTrap({ show, path }: StepContext) {
  // `openssl enc -aes256 -k fileb://datakeyPlainText.txt`
  // uses this TEXT as a password:
  const password = Buffer.from('fileb://datakeyPlainText.txt');
  // OpenSSL's key derivation for enc (EVP_BytesToKey, SHA-256,
  // one round) with a random salt
  const salt = randomBytes(8);
  const sha256 = (...parts: Buffer[]) =>
    parts.reduce((h, p) => h.update(p), createHash('sha256')).digest();
  const d1 = sha256(password, salt);
  const d2 = sha256(d1, password, salt);
  const cipher = createCipheriv('aes-256-cbc', d1, d2.subarray(0, 16));
  const secret = await readFile(path('samplesecret.txt'));
  const body = Buffer.concat([cipher.update(secret), cipher.final()]);
  await writeFile(
    path('encryptedSecret-openssl-k.txt'),
    Buffer.concat([Buffer.from('Salted__'), salt, body]),
  );
  show.hexdump(
    'encryptedSecret-openssl-k.txt',
    'what the workshop command writes: ' +
      '"Salted__", the salt, then ciphertext',
  );

  // An attacker who read the command decrypts it: the salt is in
  // the file, the password in the docs.
  const file = await readFile(path('encryptedSecret-openssl-k.txt'));
  const readSalt = file.subarray(8, 16);
  const text = Buffer.from('fileb://datakeyPlainText.txt');
  const k1 = sha256(text, readSalt);
  const k2 = sha256(k1, text, readSalt);
  const decipher = createDecipheriv('aes-256-cbc', k1, k2.subarray(0, 16));
  const recovered = Buffer.concat([
    decipher.update(file.subarray(16)),
    decipher.final(),
  ]);
  const words = JSON.stringify(recovered.toString('utf8'));
  show.text(`Recovered without KMS: ${words}`, 'warn');
  return show.check(
    'the file opens with the command text alone, no data key needed',
    recovered.equals(secret),
  );
}

export async function decryptKeyWithoutContext(
  { kms, path, expectError }: StepContext,
) {
  const encryptedKey = await readFile(path('datakeyEncrypted.txt'));
  return expectError(
    kms.send(new DecryptCommand({ CiphertextBlob: encryptedKey })),
    {
      code: 'InvalidCiphertextException',
      why:
        'The data key was generated with the encryption context ' +
        'project=workshop; Decrypt must present the same context.',
      fix:
        "Add EncryptionContext: { project: 'workshop' } " +
        'to the Decrypt call.',
    },
  );
}

// The reference solution of the exercise, what `s` runs: the call the
// AWS CLI makes, keeping the plaintext data key off the screen.
export async function decryptDataKeyYourself(
  { kms, show, path }: StepContext,
) {
  const { KeyId, Plaintext } = await kms.send(new DecryptCommand({
    CiphertextBlob: await readFile(path('datakeyEncrypted.txt')),
    EncryptionContext: { project: 'workshop' },
  }));
  Plaintext!.fill(0);
  return show.text(`Decrypted by ${KeyId}.`);
}

export async function decryptKeyAndFile({ kms, show, path }: StepContext) {
  const { Plaintext, KeyId } = await kms.send(new DecryptCommand({
    CiphertextBlob: await readFile(path('datakeyEncrypted.txt')),
    EncryptionContext: { project: 'workshop' },
  }));
  // show.json masks Plaintext
  show.json({ Plaintext, KeyId }, 'Decrypt response');

  // The file: IV, then the GCM tag, then the ciphertext.
  const file = await readFile(path('encryptedSecret.txt'));
  const iv = file.subarray(0, 12);
  const decipher = createDecipheriv('aes-256-gcm', Plaintext!, iv);
  decipher.setAuthTag(file.subarray(12, 28));
  const secret = Buffer.concat([
    decipher.update(file.subarray(28)),
    decipher.final(),
  ]);
  Plaintext!.fill(0);
  await writeFile(path('decryptedSecret.txt'), secret);

  const diff = show.diff('samplesecret.txt', 'decryptedSecret.txt');
  return show.check(
    'the decrypted file is identical to the original',
    diff.identical,
  );
}

export async function cleanUp({ kms, show, names }: StepContext) {
  const alias = names.alias('kms-workshop-envelope');
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
  return show.json(
    { KeyId: KeyMetadata!.KeyId, KeyState, DeletionDate },
    'Key scheduled for deletion',
  );
}
