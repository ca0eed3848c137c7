// Lesson 2: envelope encryption. Each exported function is one step; its source
// is what the learner sees as "the code" on screen.
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
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import type { StepContext } from '../../src/runtime/context.js';

export async function createKeyAndSecret({ kms, show, path, names }: StepContext) {
  const alias = names.alias('kms-workshop-envelope'); // 'alias/kms-workshop-envelope'; on AWS with your prefix
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: 'kms-workshop: envelope encryption' }));
  try {
    await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: KeyMetadata!.KeyId }));
  } catch (e) {
    // A run stopped before its clean-up left the alias behind: point it at the new key.
    if ((e as Error).name !== 'AlreadyExistsException') throw e;
    await kms.send(new UpdateAliasCommand({ AliasName: alias, TargetKeyId: KeyMetadata!.KeyId }));
  }
  await writeFile(path('samplesecret.txt'), 'Sample Secret Text to Encrypt\n');
  show.json({ KeyId: KeyMetadata!.KeyId, Arn: KeyMetadata!.Arn, Alias: alias }, 'The new key');
  return show.file('samplesecret.txt', 'the secret to protect');
}

export async function encryptWithDataKey({ kms, show, path, names }: StepContext) {
  const { Plaintext, CiphertextBlob, KeyId } = await kms.send(new GenerateDataKeyCommand({
    KeyId: names.alias('kms-workshop-envelope'),
    KeySpec: 'AES_256',
    EncryptionContext: { project: 'workshop' },
  }));
  show.json({ Plaintext, KeyId, CiphertextBlob }, 'GenerateDataKey response'); // masks Plaintext

  // Encrypt locally with the plaintext data key: AES-256-GCM, a fresh 12-byte IV.
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', Plaintext!, iv);
  const encrypted = Buffer.concat([cipher.update(await readFile(path('samplesecret.txt'))), cipher.final()]);
  await writeFile(path('encryptedSecret.txt'), Buffer.concat([iv, cipher.getAuthTag(), encrypted]));
  await writeFile(path('datakeyEncrypted.txt'), CiphertextBlob!); // stored beside the data
  Plaintext!.fill(0); // forget the plaintext key: only KMS can give it back now

  show.file('encryptedSecret.txt', 'IV (12 bytes) + tag (16 bytes) + ciphertext');
  show.file('datakeyEncrypted.txt', 'the data key, encrypted under the KMS key');
  return show.hexdump('encryptedSecret.txt');
}

export async function opensslTrap({ show, path }: StepContext) {
  // `openssl enc -aes256 -k fileb://datakeyPlainText.txt` uses this TEXT as a password:
  const password = Buffer.from('fileb://datakeyPlainText.txt');
  // OpenSSL's key derivation for enc (EVP_BytesToKey, SHA-256, one round) with a random salt
  const salt = randomBytes(8);
  const d1 = createHash('sha256').update(password).update(salt).digest();
  const d2 = createHash('sha256').update(d1).update(password).update(salt).digest();
  const cipher = createCipheriv('aes-256-cbc', d1, d2.subarray(0, 16));
  const secret = await readFile(path('samplesecret.txt'));
  const body = Buffer.concat([cipher.update(secret), cipher.final()]);
  await writeFile(path('encryptedSecret-openssl-k.txt'), Buffer.concat([Buffer.from('Salted__'), salt, body]));
  show.hexdump('encryptedSecret-openssl-k.txt', 'what the workshop command writes: "Salted__", the salt, then ciphertext');

  // An attacker who read the command decrypts it: the salt is in the file, the password in the docs.
  const file = await readFile(path('encryptedSecret-openssl-k.txt'));
  const readSalt = file.subarray(8, 16);
  const k1 = createHash('sha256').update('fileb://datakeyPlainText.txt').update(readSalt).digest();
  const k2 = createHash('sha256').update(k1).update('fileb://datakeyPlainText.txt').update(readSalt).digest();
  const decipher = createDecipheriv('aes-256-cbc', k1, k2.subarray(0, 16));
  const recovered = Buffer.concat([decipher.update(file.subarray(16)), decipher.final()]);
  show.text(`Recovered without KMS: ${JSON.stringify(recovered.toString('utf8'))}`, 'warn');
  return show.check('the file opens with the command text alone, no data key needed', recovered.equals(secret));
}

export async function decryptKeyWithoutContext({ kms, path, expectError }: StepContext) {
  return expectError(
    kms.send(new DecryptCommand({ CiphertextBlob: await readFile(path('datakeyEncrypted.txt')) })),
    {
      code: 'InvalidCiphertextException',
      why: 'The data key was generated with the encryption context project=workshop; Decrypt must present the same context.',
      fix: "Add EncryptionContext: { project: 'workshop' } to the Decrypt call.",
    },
  );
}

export async function decryptKeyAndFile({ kms, show, path }: StepContext) {
  const { Plaintext, KeyId } = await kms.send(new DecryptCommand({
    CiphertextBlob: await readFile(path('datakeyEncrypted.txt')),
    EncryptionContext: { project: 'workshop' },
  }));
  show.json({ Plaintext, KeyId }, 'Decrypt response'); // masks Plaintext

  // The file: IV, then the GCM tag, then the ciphertext.
  const file = await readFile(path('encryptedSecret.txt'));
  const decipher = createDecipheriv('aes-256-gcm', Plaintext!, file.subarray(0, 12));
  decipher.setAuthTag(file.subarray(12, 28));
  const secret = Buffer.concat([decipher.update(file.subarray(28)), decipher.final()]);
  Plaintext!.fill(0);
  await writeFile(path('decryptedSecret.txt'), secret);

  const diff = show.diff('samplesecret.txt', 'decryptedSecret.txt');
  return show.check('the decrypted file is identical to the original', diff.identical);
}

export async function cleanUp({ kms, show, names }: StepContext) {
  const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: names.alias('kms-workshop-envelope') }));
  await kms.send(new DeleteAliasCommand({ AliasName: names.alias('kms-workshop-envelope') }));
  const { KeyState, DeletionDate } = await kms.send(new ScheduleKeyDeletionCommand({ KeyId: KeyMetadata!.KeyId, PendingWindowInDays: 7 }));
  return show.json({ KeyId: KeyMetadata!.KeyId, KeyState, DeletionDate }, 'Key scheduled for deletion');
}
