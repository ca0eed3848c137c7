// Lesson 1: direct encryption. Each exported function is one step; its
// source is what the learner sees as "the code" on screen.
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateRandomCommand,
  ScheduleKeyDeletionCommand,
  UpdateAliasCommand,
} from '@aws-sdk/client-kms';
import { readFile, writeFile } from 'node:fs/promises';
import type { StepContext } from '../../src/runtime/context.js';

export async function createKey({ kms, show, names }: StepContext) {
  // 'alias/kms-workshop-direct'; on AWS with your prefix
  const alias = names.alias('kms-workshop-direct');
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({
    Description: 'kms-workshop: direct encryption',
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
  const { KeyId, Arn, KeySpec, KeyUsage, KeyState } = KeyMetadata!;
  return show.json(
    { KeyId, Arn, KeySpec, KeyUsage, KeyState, Alias: alias },
    'The new key',
  );
}

export async function encryptSecret(
  { kms, show, path, names }: StepContext,
) {
  await writeFile(path('NewSecretFile.txt'), 'New secret text\n');
  const { CiphertextBlob, KeyId, EncryptionAlgorithm } = await kms.send(
    new EncryptCommand({
      KeyId: names.alias('kms-workshop-direct'),
      Plaintext: await readFile(path('NewSecretFile.txt')),
      EncryptionContext: { project: 'kmsworkshop' },
    }),
  );
  await writeFile(path('NewSecretsEncryptedFile.txt'), CiphertextBlob!);
  show.json(
    { KeyId, EncryptionAlgorithm, CiphertextBlob },
    'Encrypt response',
  );
  show.file('NewSecretsEncryptedFile.txt', 'the ciphertext, as raw bytes');
  return show.hexdump('NewSecretsEncryptedFile.txt');
}

export async function decryptWithoutContext(
  { kms, path, expectError }: StepContext,
) {
  const ciphertext = await readFile(path('NewSecretsEncryptedFile.txt'));
  return expectError(
    kms.send(new DecryptCommand({ CiphertextBlob: ciphertext })),
    {
      code: 'InvalidCiphertextException',
      why:
        'The ciphertext was made with the encryption context ' +
        'project=kmsworkshop, which is bound to it as authenticated ' +
        'data. Without the same context the check fails.',
      fix:
        'Send the same encryption context with Decrypt: ' +
        "EncryptionContext: { project: 'kmsworkshop' }.",
    },
  );
}

export async function decryptWithContext({ kms, show, path }: StepContext) {
  const { Plaintext, KeyId } = await kms.send(new DecryptCommand({
    CiphertextBlob: await readFile(path('NewSecretsEncryptedFile.txt')),
    EncryptionContext: { project: 'kmsworkshop' },
  }));
  await writeFile(path('NewSecretsDecryptedFile.txt'), Plaintext!);
  show.text(`Decrypted with key ${KeyId}.`);
  const diff = show.diff(
    'NewSecretFile.txt',
    'NewSecretsDecryptedFile.txt',
  );
  return show.check(
    'the decrypted file is identical to the original',
    diff.identical,
  );
}

export async function base64Trap(
  { kms, show, path, names, expectError }: StepContext,
) {
  const { CiphertextBlob } = await kms.send(new EncryptCommand({
    KeyId: names.alias('kms-workshop-direct'),
    Plaintext: await readFile(path('NewSecretFile.txt')),
    EncryptionContext: { project: 'kmsworkshop' },
  }));
  // `--output text --query CiphertextBlob > NewSecretFile.base64`:
  // the CLI prints the blob as base64, then a newline
  await writeFile(
    path('NewSecretFile.base64'),
    Buffer.from(CiphertextBlob!).toString('base64') + '\n',
  );
  show.hexdump('NewSecretFile.base64', 'what --output text saved');

  // `--ciphertext-blob fileb://NewSecretFile.base64`: fileb://
  // sends the file's bytes as they are
  await expectError(
    kms.send(new DecryptCommand({
      CiphertextBlob: await readFile(path('NewSecretFile.base64')),
      EncryptionContext: { project: 'kmsworkshop' },
    })),
    {
      code: 'InvalidCiphertextException',
      why:
        'The file holds the base64 text of the ciphertext, and ' +
        'fileb:// sent that text as the ciphertext.',
      fix:
        'Decode it first: base64 --decode NewSecretFile.base64 ' +
        '> NewSecretFile.bin, then fileb://NewSecretFile.bin.',
    },
  );

  // `base64 --decode NewSecretFile.base64 > NewSecretFile.bin`
  const text = await readFile(path('NewSecretFile.base64'), 'utf8');
  await writeFile(path('NewSecretFile.bin'), Buffer.from(text, 'base64'));
  show.hexdump('NewSecretFile.bin', 'decoded: the ciphertext itself');
  const { Plaintext } = await kms.send(new DecryptCommand({
    CiphertextBlob: await readFile(path('NewSecretFile.bin')),
    EncryptionContext: { project: 'kmsworkshop' },
  }));
  const secret = await readFile(path('NewSecretFile.txt'));
  return show.check(
    'decoded first, the same ciphertext decrypts to the secret',
    Buffer.from(Plaintext!).equals(secret),
  );
}

// The reference solution of the exercise, what `s` runs: the same two
// calls the AWS CLI makes, with the same files.
export async function encryptAndDecryptYourself(
  { kms, path, names, show }: StepContext,
) {
  const { CiphertextBlob } = await kms.send(new EncryptCommand({
    KeyId: names.alias('kms-workshop-direct'),
    Plaintext: await readFile(path('NewSecretFile.txt')),
    EncryptionContext: { project: 'kmsworkshop' },
  }));
  await writeFile(path('MySecret.encrypted'), CiphertextBlob!);
  const { Plaintext } = await kms.send(new DecryptCommand({
    CiphertextBlob: await readFile(path('MySecret.encrypted')),
    EncryptionContext: { project: 'kmsworkshop' },
  }));
  await writeFile(path('MySecret.decrypted'), Plaintext!);
  return show.diff('NewSecretFile.txt', 'MySecret.decrypted');
}

// The reference solution of the exercise, what `s` runs: the starter in
// exercises/decrypt-with-context.js with the context given to Decrypt too.
export async function decryptInCode(
  { kms, path, names, show }: StepContext,
) {
  const { CiphertextBlob } = await kms.send(new EncryptCommand({
    KeyId: names.alias('kms-workshop-direct'),
    Plaintext: await readFile(path('NewSecretFile.txt')),
    EncryptionContext: { project: 'kmsworkshop' },
  }));
  const { Plaintext } = await kms.send(new DecryptCommand({
    CiphertextBlob,
    EncryptionContext: { project: 'kmsworkshop' },
  }));
  await writeFile(path('CodeSecret.decrypted'), Plaintext!);
  return show.diff('NewSecretFile.txt', 'CodeSecret.decrypted');
}

export async function encryptTooBig(
  { kms, show, path, expectError, names }: StepContext,
) {
  await writeFile(path('BigSecretFile.txt'), 'x'.repeat(5 * 1024));
  show.file('BigSecretFile.txt', '5 KB of text');
  return expectError(
    kms.send(new EncryptCommand({
      KeyId: names.alias('kms-workshop-direct'),
      Plaintext: await readFile(path('BigSecretFile.txt')),
    })),
    {
      code: 'ValidationException',
      why:
        'Encrypt accepts at most 4096 bytes of plaintext; ' +
        'this file has 5120.',
      fix:
        'Encrypt large data locally with a data key from ' +
        'GenerateDataKey, and keep only the encrypted data key: ' +
        'envelope encryption.',
    },
  );
}

export async function generateRandom({ kms, show }: StepContext) {
  const { Plaintext } = await kms.send(
    new GenerateRandomCommand({ NumberOfBytes: 32 }),
  );
  show.hexdump(Plaintext!, '32 random bytes from KMS');
  return show.check('KMS returned 32 bytes', Plaintext!.length === 32);
}

export async function cleanUp({ kms, show, names }: StepContext) {
  const alias = names.alias('kms-workshop-direct');
  const { KeyMetadata } = await kms.send(
    new DescribeKeyCommand({ KeyId: alias }),
  );
  await kms.send(new DeleteAliasCommand({ AliasName: alias }));
  const { DeletionDate, KeyState } = await kms.send(
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
