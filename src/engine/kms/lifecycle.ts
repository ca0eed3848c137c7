// Creating, describing, listing, enabling, disabling and deleting keys.
import type { Caller } from '../caller.js';
import { kmsErrors } from '../errors.js';
import { parse } from '../validate.js';
import { keyMaterialMetadata } from './key-material-metadata.js';
import type { KeyRecord, Kms } from './model.js';
import { checkKeyPolicy, KeyPolicyField } from './key-policy-document.js';
import { algorithmsOf, API_KEY_SPECS, keyUsageFor } from './key-specs.js';
import { multiRegionMetadata } from './multi-region-metadata.js';
import { KeyIdField, Limit, Marker, page, Tags } from './shapes.js';
import { assertTagsAllowed } from './tags.js';
import { customerKey } from './customer-keys.js';

const DAY_MS = 24 * 60 * 60 * 1000;

const CreateKeyInput = {
  Policy: KeyPolicyField, // over 32 KB: LimitExceededException (checkKeyPolicy)
  Description: { type: 'string', min: 0, max: 8192 },
  KeyUsage: { type: 'string', enum: ['SIGN_VERIFY', 'ENCRYPT_DECRYPT', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT'] },
  // The deprecated twin's enum never got the newer specs (the CreateKey API reference).
  CustomerMasterKeySpec: { type: 'string', enum: API_KEY_SPECS.filter((spec) => !spec.startsWith('ML_DSA') && spec !== 'ECC_NIST_EDWARDS25519') },
  KeySpec: { type: 'string', enum: API_KEY_SPECS },
  Origin: { type: 'string', enum: ['AWS_KMS', 'EXTERNAL', 'AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE'] },
  CustomKeyStoreId: { type: 'string', min: 1, max: 64 },
  BypassPolicyLockoutSafetyCheck: { type: 'boolean' },
  Tags,
  MultiRegion: { type: 'boolean' },
  XksKeyId: { type: 'string', min: 1, max: 128 },
} as const;

export function createKey(kms: Kms, req: unknown, caller: Caller) {
  const input = parse(CreateKeyInput, req);
  if (input.KeySpec && input.CustomerMasterKeySpec)
    throw kmsErrors.validation('You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec is deprecated.');
  const keySpec = input.KeySpec ?? input.CustomerMasterKeySpec ?? 'SYMMETRIC_DEFAULT';
  const keyUsage = keyUsageFor(keySpec, input.KeyUsage); // ValidationException for a pair AWS refuses
  const origin = input.Origin ?? 'AWS_KMS';
  if (origin !== 'AWS_KMS' && origin !== 'EXTERNAL') throw kmsErrors.unsupportedOperation(`The local engine supports only Origin AWS_KMS and EXTERNAL, not ${origin}.`);
  if (input.CustomKeyStoreId !== undefined) throw kmsErrors.unsupportedOperation('The local engine has no custom key stores.');
  const tags = input.Tags ?? [];
  assertTagsAllowed(tags);
  // A policy of one's own is checked as PutKeyPolicy checks it (the key's id is not known yet: * in its ARN).
  if (input.Policy !== undefined) checkKeyPolicy(kms, input.Policy, caller, kms.keyArn(caller, '*'), input.BypassPolicyLockoutSafetyCheck === true);
  const key = kms.newKey(caller, {
    Description: input.Description ?? '',
    Policy: input.Policy ?? defaultKeyPolicy(caller),
    KeySpec: keySpec,
    KeyUsage: keyUsage,
    Origin: origin,
    KeyState: origin === 'EXTERNAL' ? 'PendingImport' : 'Enabled', // EXTERNAL: no material until ImportKeyMaterial (import.ts)
    Tags: tags.map((t) => ({ TagKey: t.TagKey, TagValue: t.TagValue })),
    ...(input.MultiRegion ? { MultiRegionKeyType: 'PRIMARY' as const } : {}), // a multi-Region primary key (multi-region.ts)
  });
  kms.save();
  return { KeyMetadata: keyMetadata(kms, key) };
}

/** The default key policy AWS gives a key created through the API: the account may do everything. */
export function defaultKeyPolicy(caller: Caller): string {
  return JSON.stringify(
    {
      Version: '2012-10-17',
      Id: 'key-default-1',
      Statement: [
        {
          Sid: 'Enable IAM User Permissions',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${caller.accountId}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    },
    null,
    2,
  );
}

export function keyMetadata(kms: Kms, key: KeyRecord) {
  return {
    AWSAccountId: key.AWSAccountId,
    KeyId: key.KeyId,
    Arn: key.Arn,
    CreationDate: new Date(key.CreationDate),
    Enabled: key.KeyState === 'Enabled',
    Description: key.Description,
    KeyUsage: key.KeyUsage,
    KeyState: key.KeyState,
    ...(key.DeletionDate !== undefined ? { DeletionDate: new Date(key.DeletionDate) } : {}),
    Origin: key.Origin,
    ...keyMaterialMetadata(key), // ValidTo, ExpirationModel, CurrentKeyMaterialId
    KeyManager: key.KeyManager,
    CustomerMasterKeySpec: key.KeySpec,
    KeySpec: key.KeySpec,
    ...algorithmsOf(key), // EncryptionAlgorithms, SigningAlgorithms, MacAlgorithms or KeyAgreementAlgorithms: the one for its usage
    ...multiRegionMetadata(kms, key), // MultiRegion, and MultiRegionConfiguration for a multi-Region key
    // "Present only when the KeyState of the KMS key is PendingReplicaDeletion."
    ...(key.KeyState === 'PendingReplicaDeletion' ? { PendingDeletionWindowInDays: key.PendingWindowInDays } : {}),
  };
}

const KeyOnly = { KeyId: KeyIdField } as const;

export function describeKey(kms: Kms, req: unknown, caller: Caller) {
  const input = parse({ ...KeyOnly, GrantTokens: { type: 'stringList', max: 10 } } as const, req);
  return { KeyMetadata: keyMetadata(kms, kms.resolve(input.KeyId, caller)) };
}

export function listKeys(kms: Kms, req: unknown, caller: Caller) {
  const input = parse({ Limit, Marker } as const, req);
  kms.sweepDeleted();
  const keys = [...kms.keys.values()].filter((k) => k.Region === caller.region && k.AWSAccountId === caller.accountId); // the caller's own account only, as on AWS
  const p = page(keys, input.Limit, input.Marker, (m) => kmsErrors.invalidMarker(`Invalid marker: ${m}`));
  return {
    Keys: p.items.map((k) => ({ KeyId: k.KeyId, KeyArn: k.Arn })),
    Truncated: p.Truncated,
    ...(p.NextMarker ? { NextMarker: p.NextMarker } : {}),
  };
}

export function updateKeyDescription(kms: Kms, req: unknown, caller: Caller) {
  const input = parse({ ...KeyOnly, Description: { type: 'string', required: true, min: 0, max: 8192 } } as const, req);
  const key = customerKey(kms, input.KeyId, caller, 'UpdateKeyDescription');
  kms.assertNotPendingDeletion(key);
  key.Description = input.Description;
  kms.save();
  return {};
}

export function enableKey(kms: Kms, req: unknown, caller: Caller) {
  const key = customerKey(kms, parse(KeyOnly, req).KeyId, caller, 'EnableKey');
  kms.assertNotPendingDeletion(key);
  if (key.KeyState === 'PendingImport') throw kmsErrors.invalidState(`${key.Arn} is pending import.`); // until its material is imported
  key.KeyState = 'Enabled';
  kms.save();
  return {};
}

export function disableKey(kms: Kms, req: unknown, caller: Caller) {
  const key = customerKey(kms, parse(KeyOnly, req).KeyId, caller, 'DisableKey');
  kms.assertNotPendingDeletion(key);
  if (key.KeyState === 'PendingImport') throw kmsErrors.invalidState(`${key.Arn} is pending import.`); // until its material is imported
  key.KeyState = 'Disabled';
  kms.save();
  return {};
}

export function scheduleKeyDeletion(kms: Kms, req: unknown, caller: Caller) {
  const input = parse({ ...KeyOnly, PendingWindowInDays: { type: 'integer', min: 7, max: 30 } } as const, req);
  const key = customerKey(kms, input.KeyId, caller, 'ScheduleKeyDeletion');
  kms.assertNotPendingDeletion(key);
  const days = input.PendingWindowInDays ?? 30;
  // A multi-Region primary is not deleted while it has replicas: its waiting period begins when the last is deleted (model.ts).
  if (key.MultiRegionKeyType === 'PRIMARY' && kms.multiRegionKeys(key.KeyId).some((k) => k.MultiRegionKeyType === 'REPLICA')) {
    key.KeyState = 'PendingReplicaDeletion';
    key.PendingWindowInDays = days;
    kms.save();
    return { KeyId: key.Arn, KeyState: key.KeyState, PendingWindowInDays: days };
  }
  key.KeyState = 'PendingDeletion';
  key.PendingWindowInDays = days;
  key.DeletionDate = kms.clock.now().getTime() + days * DAY_MS;
  kms.save();
  return { KeyId: key.Arn, DeletionDate: new Date(key.DeletionDate), KeyState: key.KeyState, PendingWindowInDays: days };
}

export function cancelKeyDeletion(kms: Kms, req: unknown, caller: Caller) {
  const key = customerKey(kms, parse(KeyOnly, req).KeyId, caller, 'CancelKeyDeletion');
  if (key.KeyState !== 'PendingDeletion' && key.KeyState !== 'PendingReplicaDeletion') throw kmsErrors.invalidState(`${key.Arn} is not pending deletion.`);
  key.KeyState = 'Disabled'; // AWS brings a key back disabled
  delete key.DeletionDate;
  delete key.PendingWindowInDays;
  kms.save();
  return { KeyId: key.Arn };
}

