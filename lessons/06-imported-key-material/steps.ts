// Lesson 6: your own key material (the workshop's "ImportedCMK"). Each
// exported function is one step; its source is what the learner sees.
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DeleteAliasCommand,
  DeleteImportedKeyMaterialCommand,
  DescribeKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  ScheduleKeyDeletionCommand,
  UpdateAliasCommand,
} from '@aws-sdk/client-kms';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  constants,
  createPublicKey,
  publicEncrypt,
  randomBytes,
} from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import type { StepContext } from '../../src/runtime/context.js';

export async function createExternalKey({ kms, show, path }: StepContext) {
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({
    Origin: 'EXTERNAL',
    Description: 'kms-workshop: ImportedCMK',
  }));
  const { KeyId, Origin, KeyState, Enabled } = KeyMetadata!;
  await writeFile(path('key-id.txt'), KeyId!); // the next steps name it
  return show.json({ KeyId, Origin, KeyState, Enabled },
    'create-key --origin EXTERNAL');
}

export async function getParametersForImport(ctx: StepContext) {
  const { kmsWithRetries, show, path } = ctx;
  const keyId = await readFile(path('key-id.txt'), 'utf8');
  // KMS allows 1 GetParametersForImport a second (account and Region):
  // a client with the SDK's retries waits its turn
  const kms = kmsWithRetries({ maxAttempts: 10 });
  const { PublicKey, ImportToken, ParametersValidTo } = await kms.send(
    new GetParametersForImportCommand({
      KeyId: keyId,
      WrappingAlgorithm: 'RSAES_OAEP_SHA_1',
      WrappingKeySpec: 'RSA_2048',
    }),
  );
  // The workshop's pkey.bin and token.bin, already decoded from base64
  await writeFile(path('pkey.bin'), PublicKey!);
  await writeFile(path('token.bin'), ImportToken!);
  const validTo = ParametersValidTo!.toISOString();
  await writeFile(path('token-valid-to.txt'), validTo);
  show.file('pkey.bin', 'the wrapping public key (DER)');
  show.file('token.bin', 'the import token');
  return show.json({ ParametersValidTo }, 'Both valid until');
}

export async function generateAndWrap(ctx: StepContext) {
  const { show, path, workspace } = ctx;
  const openssl = spawnSync('openssl', ['version']).status === 0;
  if (openssl) {
    // The workshop's two commands, exactly
    const run = (args: string[]) =>
      execFileSync('openssl', args, { cwd: workspace, stdio: 'pipe' });
    run(['rand', '-out', 'genkey.bin', '32']);
    run([
      'rsautl', '-encrypt', '-in', 'genkey.bin', '-oaep',
      '-inkey', 'pkey.bin', '-keyform', 'DER', '-pubin',
      '-out', 'WrappedKeyMaterial.bin',
    ]);
  } else {
    // No openssl here: the same with node:crypto
    await writeFile(path('genkey.bin'), randomBytes(32));
    const wrapped = publicEncrypt({
      key: createPublicKey({
        key: await readFile(path('pkey.bin')), // -inkey pkey.bin
        format: 'der', // -keyform DER
        type: 'spki', // -pubin
      }),
      padding: constants.RSA_PKCS1_OAEP_PADDING, // -oaep
      oaepHash: 'sha1', // RSAES_OAEP_SHA_1
    }, await readFile(path('genkey.bin')));
    await writeFile(path('WrappedKeyMaterial.bin'), wrapped);
  }
  show.text(openssl
    ? 'Ran openssl rand and openssl rsautl -oaep, as the workshop does.'
    : 'openssl is not installed: node:crypto did the same.');
  show.file('genkey.bin', 'your key material: 32 random bytes');
  return show.hexdump('WrappedKeyMaterial.bin',
    'the key material, wrapped under KMS\'s public key');
}

export async function importWithExpiry(ctx: StepContext) {
  const { kms, show, path, names } = ctx;
  const keyId = await readFile(path('key-id.txt'), 'utf8');
  const token = await readFile(path('token.bin'));
  const wrapped = await readFile(path('WrappedKeyMaterial.bin'));
  const tokenValidTo = new Date(
    await readFile(path('token-valid-to.txt'), 'utf8'),
  );
  await kms.send(new ImportKeyMaterialCommand({
    KeyId: keyId,
    ImportToken: token,
    EncryptedKeyMaterial: wrapped,
    ExpirationModel: 'KEY_MATERIAL_EXPIRES',
    // 12 hours before the token expires (24 hours after step 2)
    ValidTo: new Date(tokenValidTo.getTime() - 12 * 3600_000),
  }));

  const alias = names.alias('ImportedCMK');
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
  const { CiphertextBlob } = await kms.send(new EncryptCommand({
    KeyId: alias,
    Plaintext: Buffer.from('Sample Secret Text to Encrypt\n'),
  }));
  await writeFile(path('secret.encrypted'), CiphertextBlob!);

  const { KeyMetadata } = await kms.send(new DescribeKeyCommand({
    KeyId: alias,
  }));
  const { KeyState, Enabled, ExpirationModel, ValidTo } = KeyMetadata!;
  return show.json({ KeyState, Enabled, ExpirationModel, ValidTo },
    'DescribeKey after the import');
}

export async function pastValidTo(ctx: StepContext) {
  const { kms, show, path, fastForward, expectError } = ctx;
  const keyId = await readFile(path('key-id.txt'), 'utf8');
  const before = await kms.send(new DescribeKeyCommand({ KeyId: keyId }));
  const validTo = before.KeyMetadata!.ValidTo!;
  // Half a day on: past ValidTo, still before the token expires
  const moved = await fastForward(0.5);
  if (!moved.applied) {
    return show.text(`On AWS the material expires at ${validTo
      .toISOString()}: run this step again after that to see it.`);
  }
  const after = await kms.send(new DescribeKeyCommand({ KeyId: keyId }));
  show.json({
    ValidTo: validTo,
    now: moved.now,
    KeyState: after.KeyMetadata!.KeyState,
  }, 'The key after ValidTo');

  const secret = await readFile(path('secret.encrypted'));
  const decrypt = kms.send(new DecryptCommand({ CiphertextBlob: secret }));
  return expectError(decrypt, {
    code: 'KMSInvalidStateException',
    why: 'The key material expired: KMS deleted it, and the key is ' +
      'PendingImport until the same material is imported again.',
    fix: 'Import the same key material again (genkey.bin).',
  });
}

export async function importAgain(ctx: StepContext) {
  const { kms, show, path, expectError } = ctx;
  const keyId = await readFile(path('key-id.txt'), 'utf8');
  const token = await readFile(path('token.bin'));

  // Other material than before: 32 new random bytes, wrapped the same way
  const other = publicEncrypt({
    key: createPublicKey({
      key: await readFile(path('pkey.bin')),
      format: 'der',
      type: 'spki',
    }),
    padding: constants.RSA_PKCS1_OAEP_PADDING,
    oaepHash: 'sha1',
  }, randomBytes(32));
  await expectError(kms.send(new ImportKeyMaterialCommand({
    KeyId: keyId,
    ImportToken: token,
    EncryptedKeyMaterial: other,
    ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
  })), {
    code: 'IncorrectKeyMaterialException',
    why: 'A key keeps the material it was first given, for ever.',
    fix: 'Import the same material (genkey.bin), or make a new key.',
  });

  // The same WrappedKeyMaterial.bin as in step 4, without an expiry now
  await kms.send(new ImportKeyMaterialCommand({
    KeyId: keyId,
    ImportToken: token,
    EncryptedKeyMaterial: await readFile(path('WrappedKeyMaterial.bin')),
    ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
  }));
  const { Plaintext } = await kms.send(new DecryptCommand({
    CiphertextBlob: await readFile(path('secret.encrypted')),
  }));
  await writeFile(path('secret.decrypted.txt'), Plaintext!);
  return show.file('secret.decrypted.txt', 'decrypted after the import');
}

export async function rotateByAlias(ctx: StepContext) {
  const { kms, kmsWithRetries, show, path, names, expectError } = ctx;
  const oldKeyId = await readFile(path('key-id.txt'), 'utf8');
  await expectError(kms.send(new EnableKeyRotationCommand({
    KeyId: oldKeyId,
  })), {
    code: 'UnsupportedOperationException',
    why: 'KMS cannot make new material for a key whose material is yours.',
    fix: 'Rotate by hand: a new key with new material, then the alias.',
  });

  // The workshop's way: a new key with new material of yours...
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({
    Origin: 'EXTERNAL',
    Description: 'kms-workshop: ImportedCMK, rotated',
  }));
  const newKeyId = KeyMetadata!.KeyId!;
  // 1 GetParametersForImport a second: the SDK's retries wait their turn
  const retrying = kmsWithRetries({ maxAttempts: 10 });
  const { PublicKey, ImportToken } = await retrying.send(
    new GetParametersForImportCommand({
      KeyId: newKeyId,
      WrappingAlgorithm: 'RSAES_OAEP_SHA_1',
      WrappingKeySpec: 'RSA_2048',
    }),
  );
  const material = randomBytes(32);
  await writeFile(path('genkey-2.bin'), material);
  await kms.send(new ImportKeyMaterialCommand({
    KeyId: newKeyId,
    ImportToken,
    EncryptedKeyMaterial: publicEncrypt({
      key: createPublicKey({
        key: Buffer.from(PublicKey!),
        format: 'der',
        type: 'spki',
      }),
      padding: constants.RSA_PKCS1_OAEP_PADDING,
      oaepHash: 'sha1',
    }, material),
    ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
  }));
  // ...then the alias moves to it: code that names the alias follows
  await kms.send(new UpdateAliasCommand({
    AliasName: names.alias('ImportedCMK'),
    TargetKeyId: newKeyId,
  }));

  const fresh = await kms.send(new EncryptCommand({
    KeyId: names.alias('ImportedCMK'),
    Plaintext: Buffer.from('encrypted after the rotation\n'),
  }));
  const old = await kms.send(new DecryptCommand({
    CiphertextBlob: await readFile(path('secret.encrypted')),
  }));
  return show.table(['', 'KeyId'], [
    ['the old key', oldKeyId],
    ['the new key', newKeyId],
    ['Encrypt by alias used', fresh.KeyId],
    ['Decrypt of step 4\'s secret used', old.KeyId],
  ], 'After update-alias');
}

export async function deleteImportedMaterial(ctx: StepContext) {
  const { kms, show, path, expectError } = ctx;
  const keyId = await readFile(path('key-id.txt'), 'utf8');
  await kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: keyId }));
  const { KeyMetadata } = await kms.send(new DescribeKeyCommand({
    KeyId: keyId,
  }));
  const { KeyState, Enabled } = KeyMetadata!;
  show.json({ KeyState, Enabled }, 'The old key, without its material');

  const secret = await readFile(path('secret.encrypted'));
  const decrypt = kms.send(new DecryptCommand({ CiphertextBlob: secret }));
  return expectError(decrypt, {
    code: 'KMSInvalidStateException',
    why: 'The key has no material: it is PendingImport.',
    fix: 'Only genkey.bin, imported again, brings this data back.',
  });
}

export async function cleanUp({ kms, show, path, names }: StepContext) {
  const alias = names.alias('ImportedCMK');
  const { KeyMetadata } = await kms.send(new DescribeKeyCommand({
    KeyId: alias,
  }));
  await kms.send(new DeleteAliasCommand({ AliasName: alias }));
  const keys = [
    await readFile(path('key-id.txt'), 'utf8'),
    KeyMetadata!.KeyId!,
  ];
  const scheduled = [];
  for (const keyId of keys) {
    const { KeyState, DeletionDate } = await kms.send(
      new ScheduleKeyDeletionCommand({
        KeyId: keyId,
        PendingWindowInDays: 7,
      }),
    );
    scheduled.push({ KeyId: keyId, KeyState, DeletionDate });
  }
  // Your copies of the key material go with the keys
  const copies = ['genkey.bin', 'genkey-2.bin', 'secret.decrypted.txt'];
  for (const name of copies) {
    await rm(path(name), { force: true });
  }
  return show.json(scheduled, 'Keys scheduled for deletion');
}
