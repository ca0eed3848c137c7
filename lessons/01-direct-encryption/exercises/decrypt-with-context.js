// @ts-check
// Your turn, in code: this file runs every time you save it, against the
// same engine as the lesson, and the screen shows what it did. It encrypts
// NewSecretFile.txt with a context, then decrypts it: but the Decrypt
// fails. Fix the TODO and save.
import { DecryptCommand, EncryptCommand } from '@aws-sdk/client-kms';
import { readFile, writeFile } from 'node:fs/promises';

/** @param {import('kms-workshop').StepContext} ctx */
export default async function ({ kms, path, names, show }) {
  const { CiphertextBlob } = await kms.send(new EncryptCommand({
    KeyId: names.alias('kms-workshop-direct'),
    Plaintext: await readFile(path('NewSecretFile.txt')),
    EncryptionContext: { project: 'kmsworkshop' },
  }));
  const { Plaintext } = await kms.send(new DecryptCommand({
    CiphertextBlob,
    // TODO: Decrypt needs something Encrypt was given
  }));
  await writeFile(path('CodeSecret.decrypted'), Plaintext ?? '');
  return show.diff('NewSecretFile.txt', 'CodeSecret.decrypted');
}
