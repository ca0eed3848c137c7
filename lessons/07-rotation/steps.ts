// Lesson 7: rotation and re-encryption. Each exported function is one step;
// its source is what the learner sees as "the code" on screen.
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GetKeyRotationStatusCommand,
  ListKeyRotationsCommand,
  ReEncryptCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  UpdateAliasCommand,
} from '@aws-sdk/client-kms';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import type { StepContext } from '../../src/runtime/context.js';

export async function createKeyAndEncrypt(ctx: StepContext) {
  const { kms, show, path, names } = ctx;
  // 'alias/kms-workshop-rotation'; on AWS with your prefix
  const alias = names.alias('kms-workshop-rotation');
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({
    Description: 'kms-workshop: rotation',
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
  await writeFile(path('secret.txt'), 'Sample Secret Text to Encrypt\n');
  const { CiphertextBlob } = await kms.send(new EncryptCommand({
    KeyId: alias,
    Plaintext: await readFile(path('secret.txt')),
    EncryptionContext: { project: 'workshop' },
  }));
  // Kept to decrypt after the rotations
  await writeFile(path('before-rotation.bin'), CiphertextBlob!);
  const { KeyId, Arn, CurrentKeyMaterialId } = KeyMetadata!;
  show.json({ KeyId, Arn, CurrentKeyMaterialId }, 'The new key');
  return show.file('before-rotation.bin', 'secret.txt, encrypted now');
}

export async function enableRotation(ctx: StepContext) {
  const { kms, show, names, expectError } = ctx;
  const { KeyMetadata } = await kms.send(new DescribeKeyCommand({
    KeyId: names.alias('kms-workshop-rotation'),
  }));
  const KeyId = KeyMetadata!.KeyId!;
  // Every 30 days, first
  await expectError(
    kms.send(new EnableKeyRotationCommand({
      KeyId,
      RotationPeriodInDays: 30,
    })),
    {
      code: 'ValidationException',
      why: 'RotationPeriodInDays must be from 90 to 2560 days.',
      fix: 'Choose 90 days or more (365 when you leave it out).',
    },
  );
  await kms.send(new EnableKeyRotationCommand({
    KeyId,
    RotationPeriodInDays: 90,
  }));
  const status = await kms.send(new GetKeyRotationStatusCommand({ KeyId }));
  const { KeyRotationEnabled, RotationPeriodInDays, NextRotationDate } =
    status;
  return show.json(
    { KeyRotationEnabled, RotationPeriodInDays, NextRotationDate },
    'GetKeyRotationStatus',
  );
}

export async function fastForwardAPeriod(ctx: StepContext) {
  const { kms, show, names, fastForward } = ctx;
  const { KeyMetadata } = await kms.send(new DescribeKeyCommand({
    KeyId: names.alias('kms-workshop-rotation'),
  }));
  // ListKeyRotations takes a key id or ARN, not an alias
  const KeyId = KeyMetadata!.KeyId!;
  // 91 days: one day past the first rotation date (locally only)
  const moved = await fastForward(91);
  const { Rotations } = await kms.send(new ListKeyRotationsCommand({
    KeyId,
  }));
  show.table(
    ['KeyMaterialId', 'type', 'rotated on', 'state'],
    (Rotations ?? []).map((r) => [
      `${r.KeyMaterialId?.slice(0, 12)}...`,
      r.RotationType,
      r.RotationDate,
      r.KeyMaterialState,
    ]),
    `ListKeyRotations for ${KeyId}`,
  );
  const automatic = (Rotations ?? [])
    .filter((r) => r.RotationType === 'AUTOMATIC');
  return show.check(
    'one automatic rotation after a period (none when time is real)',
    automatic.length === (moved.applied ? 1 : 0),
  );
}

export async function rotateOnDemand(ctx: StepContext) {
  const { kms, show, names } = ctx;
  const { KeyMetadata } = await kms.send(new DescribeKeyCommand({
    KeyId: names.alias('kms-workshop-rotation'),
  }));
  const KeyId = KeyMetadata!.KeyId!;
  await kms.send(new RotateKeyOnDemandCommand({ KeyId }));
  // On AWS the rotation starts now and takes a moment to complete
  const status = await kms.send(new GetKeyRotationStatusCommand({ KeyId }));
  const { Rotations } = await kms.send(new ListKeyRotationsCommand({
    KeyId,
    IncludeKeyMaterial: 'ALL_KEY_MATERIAL',
  }));
  show.text(status.OnDemandRotationStartDate
    ? `On-demand rotation started ${status.OnDemandRotationStartDate}`
    : 'The on-demand rotation is complete.');
  return show.table(
    ['KeyMaterialId', 'type', 'rotated on', 'state'],
    (Rotations ?? []).map((r) => [
      `${r.KeyMaterialId?.slice(0, 12)}...`,
      r.RotationType ?? '(the first)',
      r.RotationDate,
      r.KeyMaterialState,
    ]),
    `Every key material of ${KeyId}`,
  );
}

export async function oldCiphertextDecrypts(ctx: StepContext) {
  const { kms, show, path, names } = ctx;
  const alias = names.alias('kms-workshop-rotation');
  const { KeyMetadata } = await kms.send(new DescribeKeyCommand({
    KeyId: alias,
  }));
  const { Plaintext, KeyId } = await kms.send(new DecryptCommand({
    CiphertextBlob: await readFile(path('before-rotation.bin')),
    EncryptionContext: { project: 'workshop' },
  }));
  await writeFile(path('decrypted.txt'), Plaintext!);
  // And the same secret encrypted today
  const { CiphertextBlob } = await kms.send(new EncryptCommand({
    KeyId: alias,
    Plaintext: await readFile(path('secret.txt')),
    EncryptionContext: { project: 'workshop' },
  }));
  await writeFile(path('after-rotation.bin'), CiphertextBlob!);
  show.table(['', 'value'], [
    ['Decrypt answered for KeyId', KeyId],
    ['the key ARN now', KeyMetadata!.Arn],
    ['its current key material', KeyMetadata!.CurrentKeyMaterialId],
  ], 'One key, several materials');
  const diff = show.diff('secret.txt', 'decrypted.txt');
  show.check('the secret from before the rotations', diff.identical);
  return show.check('with the same KeyId', KeyId === KeyMetadata!.Arn);
}

export async function reEncryptToAnotherKey(ctx: StepContext) {
  const { kms, show, path, names } = ctx;
  const archive = names.alias('kms-workshop-archive');
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({
    Description: 'kms-workshop: archive',
  }));
  const target = { AliasName: archive, TargetKeyId: KeyMetadata!.KeyId };
  try {
    await kms.send(new CreateAliasCommand(target));
  } catch (e) {
    if ((e as Error).name !== 'AlreadyExistsException') throw e;
    await kms.send(new UpdateAliasCommand(target));
  }
  // One call: KMS decrypts and encrypts inside; no plaintext comes back
  const moved = await kms.send(new ReEncryptCommand({
    CiphertextBlob: await readFile(path('before-rotation.bin')),
    SourceEncryptionContext: { project: 'workshop' },
    DestinationKeyId: archive,
    DestinationEncryptionContext: { project: 'workshop', tier: 'archive' },
  }));
  await writeFile(path('archived.bin'), moved.CiphertextBlob!);
  show.json(moved, 'ReEncrypt response');
  show.counter({ title: 'Calls of this step' });
  return show.check(
    'the response carries no Plaintext',
    !('Plaintext' in moved),
  );
}

export async function dataKeyForLater(ctx: StepContext) {
  const { kms, show, path, names } = ctx;
  // Now: a data key for a job that runs later, and only its encrypted copy
  const made = await kms.send(new GenerateDataKeyWithoutPlaintextCommand({
    KeyId: names.alias('kms-workshop-rotation'),
    KeySpec: 'AES_256',
    EncryptionContext: { job: 'nightly-export' },
  }));
  await writeFile(path('datakey-for-later.bin'), made.CiphertextBlob!);
  show.json(made, 'GenerateDataKeyWithoutPlaintext response');

  // Later, in the job: Decrypt the data key, encrypt locally, forget it
  const { Plaintext } = await kms.send(new DecryptCommand({
    CiphertextBlob: await readFile(path('datakey-for-later.bin')),
    EncryptionContext: { job: 'nightly-export' },
  }));
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', Plaintext!, iv);
  const body = Buffer.concat([
    cipher.update(await readFile(path('secret.txt'))),
    cipher.final(),
  ]);
  const sealed = Buffer.concat([iv, cipher.getAuthTag(), body]);
  await writeFile(path('export.enc'), sealed);
  // A check that it opens with the same key, then forget it
  const decipher = createDecipheriv('aes-256-gcm', Plaintext!, iv);
  decipher.setAuthTag(sealed.subarray(12, 28));
  const back = Buffer.concat([
    decipher.update(sealed.subarray(28)),
    decipher.final(),
  ]);
  Plaintext!.fill(0);
  show.file('export.enc', 'IV + tag + ciphertext, made by the later job');
  show.check('no plaintext data key came back', !('Plaintext' in made));
  return show.check(
    'the later job encrypted with it',
    back.equals(await readFile(path('secret.txt'))),
  );
}

export async function cleanUp({ kms, show, path, names }: StepContext) {
  const rows = [];
  for (const name of ['kms-workshop-rotation', 'kms-workshop-archive']) {
    const alias = names.alias(name);
    const found = await kms.send(new DescribeKeyCommand({ KeyId: alias }))
      .catch((e: Error) => {
        // Not made yet (a run stopped before that step): nothing to remove
        if (e.name === 'NotFoundException') return undefined;
        throw e;
      });
    if (!found) continue;
    const { KeyMetadata } = found;
    await kms.send(new DeleteAliasCommand({ AliasName: alias }));
    const { KeyState, DeletionDate } = await kms.send(
      new ScheduleKeyDeletionCommand({
        KeyId: KeyMetadata!.KeyId,
        PendingWindowInDays: 7,
      }),
    );
    rows.push([alias, KeyMetadata!.KeyId, KeyState, DeletionDate]);
  }
  for (const file of ['decrypted.txt', 'datakey-for-later.bin']) {
    await rm(path(file), { force: true });
  }
  return show.table(
    ['alias (deleted)', 'KeyId', 'state', 'deleted on'],
    rows,
    'Keys scheduled for deletion',
  );
}
