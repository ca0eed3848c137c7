// Lesson 4: client-side encryption with the AWS Encryption SDK and data key
// caching (re:Invent use case 4). Each exported function is one step; its
// source is what the learner sees as "the code" on screen.
import {
  buildClient,
  CommitmentPolicy,
  getLocalCryptographicMaterialsCache,
  KmsKeyringNode,
  NodeCachingMaterialsManager,
} from '@aws-crypto/client-node';
import { LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  ScheduleKeyDeletionCommand,
  UpdateAliasCommand,
} from '@aws-sdk/client-kms';
import { readFile, rm, writeFile } from 'node:fs/promises';
import type { StepContext } from '../../src/runtime/context.js';

export async function createKey({ kms, show, names }: StepContext) {
  // 'alias/kms_key_cse_usecase_4'; on AWS with your prefix
  const alias = names.alias('kms_key_cse_usecase_4');
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({
    Description: 'kms-workshop: CSE use case 4',
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
    'KMS Master Key with alias name kms_key_cse_usecase_4 ' +
      'successfully created',
    'ok',
  );
  const { KeyId, Arn } = KeyMetadata!;
  return show.json({ KeyId, Arn, Alias: alias }, 'The new key');
}

export async function encryptTwiceWithCache(
  { kms, show, path, calls, names }: StepContext,
) {
  // The keyring decrypts only what names its key's ARN, so resolve the
  // alias first.
  const { KeyMetadata } = await kms.send(new DescribeKeyCommand({
    KeyId: names.alias('kms_key_cse_usecase_4'),
  }));
  const keyring = new KmsKeyringNode({
    generatorKeyId: KeyMetadata!.Arn,
    clientProvider: () => kms,
  });
  const cachingCmm = new NodeCachingMaterialsManager({
    backingMaterials: keyring,
    // up to 100 entries, in this process's memory
    cache: getLocalCryptographicMaterialsCache(100),
    // a cached data key lives at most 5 minutes...
    maxAge: 5 * 60 * 1000,
    // ...and encrypts at most 10 messages
    maxMessagesEncrypted: 10,
  });
  const { encrypt } = buildClient(
    CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
  );

  const plaintext = await readFile(path('plaintext_u.txt'));
  const encryptionContext = { usecase: 'cse-4', cache: 'on' };
  const options = { encryptionContext };
  const first = await encrypt(cachingCmm, plaintext, options);
  await writeFile(path('encrypted_e_1.txt'), first.result);
  const second = await encrypt(cachingCmm, plaintext, options);
  await writeFile(path('encrypted_e_2.txt'), second.result);

  show.file(
    'encrypted_e_1.txt',
    'an Encryption SDK message: header with the encrypted data key, ' +
      'then the ciphertext',
  );
  show.file('encrypted_e_2.txt');
  show.counter({
    title: 'KMS calls for two encryptions',
    operations: ['GenerateDataKey'],
  });
  const generated = calls.filter((c) => c.operation === 'GenerateDataKey');
  return show.check(
    'one GenerateDataKey for two encryptions',
    generated.length === 1,
  );
}

export async function decryptBoth(
  { kms, show, path, calls, names }: StepContext,
) {
  const { KeyMetadata } = await kms.send(new DescribeKeyCommand({
    KeyId: names.alias('kms_key_cse_usecase_4'),
  }));
  const keyring = new KmsKeyringNode({
    keyIds: [KeyMetadata!.Arn!],
    clientProvider: () => kms,
  });
  const cachingCmm = new NodeCachingMaterialsManager({
    backingMaterials: keyring,
    cache: getLocalCryptographicMaterialsCache(100),
    maxAge: 5 * 60 * 1000,
  });
  const { decrypt } = buildClient(
    CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
  );

  for (const n of [1, 2]) {
    const message = await readFile(path(`encrypted_e_${n}.txt`));
    const { plaintext, messageHeader } = await decrypt(cachingCmm, message);
    if (messageHeader.encryptionContext.usecase !== 'cse-4')
      throw new Error(
        `encrypted_e_${n}.txt has an unexpected encryption context`,
      );
    await writeFile(path(`plaintext_u_cycled_${n}.txt`), plaintext);
  }

  show.counter({
    title: 'KMS calls for two decryptions',
    operations: ['Decrypt'],
  });
  show.check(
    'one Decrypt for two files: the cached data key was reused',
    calls.filter((c) => c.operation === 'Decrypt').length === 1,
  );
  const one = show.diff('plaintext_u.txt', 'plaintext_u_cycled_1.txt');
  const two = show.diff('plaintext_u.txt', 'plaintext_u_cycled_2.txt');
  return show.check(
    'both decrypted files are identical to plaintext_u.txt',
    one.identical && two.identical,
  );
}

export async function countGenerateDataKeyInCloudTrail(
  { kms, cloudtrail, show, waitForCloudTrail, names }: StepContext,
) {
  const { KeyMetadata } = await kms.send(new DescribeKeyCommand({
    KeyId: names.alias('kms_key_cse_usecase_4'),
  }));
  // the original workshop: "Wait for 2 minutes"
  await waitForCloudTrail();
  const { Events } = await cloudtrail.send(new LookupEventsCommand({
    LookupAttributes: [
      { AttributeKey: 'ResourceName', AttributeValue: KeyMetadata!.Arn },
    ],
  }));
  const generated = (Events ?? [])
    .map((e) => JSON.parse(e.CloudTrailEvent!))
    .filter((e) =>
      e.eventName === 'GenerateDataKey' &&
      e.requestParameters?.encryptionContext?.cache === 'on');
  show.table(
    ['time', 'event', 'encryption context'],
    generated.map((e) => [
      e.eventTime,
      e.eventName,
      JSON.stringify(e.requestParameters.encryptionContext),
    ]),
  );
  if (generated.length > 0) show.text('GenerateDataKey API Called', 'ok');
  return show.check(
    'CloudTrail shows exactly one GenerateDataKey for the two cached ' +
      'encryptions',
    generated.length === 1,
    `${generated.length} found`,
  );
}

export async function encryptTwiceWithoutCache(
  { kms, cloudtrail, show, path, calls, waitForCloudTrail, names }:
    StepContext,
) {
  const { KeyMetadata } = await kms.send(new DescribeKeyCommand({
    KeyId: names.alias('kms_key_cse_usecase_4'),
  }));
  const keyring = new KmsKeyringNode({
    generatorKeyId: KeyMetadata!.Arn,
    clientProvider: () => kms,
  });
  const { encrypt } = buildClient(
    CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
  );

  const plaintext = await readFile(path('plaintext_u.txt'));
  const encryptionContext = { usecase: 'cse-4', cache: 'off' };
  for (const n of [1, 2]) {
    const options = { encryptionContext };
    const { result } = await encrypt(keyring, plaintext, options);
    await writeFile(path(`encrypted_e_nocache_${n}.txt`), result);
  }
  show.counter({
    title: 'KMS calls for two encryptions without a cache',
    operations: ['GenerateDataKey'],
  });
  show.check(
    'two GenerateDataKey calls for two encryptions',
    calls.filter((c) => c.operation === 'GenerateDataKey').length === 2,
  );

  await waitForCloudTrail();
  const { Events } = await cloudtrail.send(new LookupEventsCommand({
    LookupAttributes: [
      { AttributeKey: 'ResourceName', AttributeValue: KeyMetadata!.Arn },
    ],
  }));
  const generated = (Events ?? [])
    .map((e) => JSON.parse(e.CloudTrailEvent!))
    .filter((e) =>
      e.eventName === 'GenerateDataKey' &&
      e.requestParameters?.encryptionContext?.cache === 'off');
  return show.check(
    'CloudTrail shows two GenerateDataKey without the cache',
    generated.length === 2,
    `${generated.length} found`,
  );
}

// The reference solution of the exercise, what `s` runs: the starter in
// exercises/cache-limits.js with limits that let two messages share a key.
export async function setCacheLimits(
  { kms, path, names, show }: StepContext,
) {
  const keyring = new KmsKeyringNode({
    generatorKeyId: names.alias('kms_key_cse_usecase_4'),
    clientProvider: () => kms,
  });
  const cachingCmm = new NodeCachingMaterialsManager({
    backingMaterials: keyring,
    cache: getLocalCryptographicMaterialsCache(100),
    maxAge: 60 * 1000,
    // at least the two messages below
    maxMessagesEncrypted: 2,
  });
  const { encrypt } = buildClient(
    CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
  );

  const plaintext = await readFile(path('plaintext_u.txt'));
  const encryptionContext = { usecase: 'cse-4', cache: 'mine' };
  const options = { encryptionContext };
  for (const n of [1, 2]) {
    const { result } = await encrypt(cachingCmm, plaintext, options);
    await writeFile(path(`encrypted_mine_${n}.txt`), result);
  }
  return show.counter({
    title: 'KMS calls for your two encryptions',
    operations: ['GenerateDataKey'],
  });
}

// The exercise's check: the two encryptions asked KMS for one data key.
export async function verifyOneDataKey({ calls, show }: StepContext) {
  const generated = calls.filter((c) => c.operation === 'GenerateDataKey');
  show.check(
    'your two encryptions made one GenerateDataKey',
    generated.length === 1,
    `${generated.length} GenerateDataKey calls`,
  );
}

export async function cleanUp({ kms, show, path, names }: StepContext) {
  const alias = names.alias('kms_key_cse_usecase_4');
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
  const written = [
    'encrypted_e_1.txt',
    'encrypted_e_2.txt',
    'plaintext_u_cycled_1.txt',
    'plaintext_u_cycled_2.txt',
    'encrypted_e_nocache_1.txt',
    'encrypted_e_nocache_2.txt',
  ];
  for (const file of written) await rm(path(file), { force: true });
  show.json(
    { KeyId: KeyMetadata!.KeyId, KeyState, DeletionDate },
    'Key scheduled for deletion',
  );
  return show.text('Cleanup Successful', 'ok');
}
