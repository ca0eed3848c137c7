// Multi-Region keys ("Multi-Region keys in AWS KMS" in the AWS KMS Developer Guide): CreateKey
// with MultiRegion true makes a primary key (id mrk- and 32 hex digits); ReplicateKey makes a
// replica of it in another Region, with the same id, key material, spec, usage, origin and
// automatic rotation (the model keeps these in step) but its own description, policy, tags,
// aliases and state; UpdatePrimaryRegion makes a replica the primary. A ciphertext made with
// any of them decrypts with any other, each in its own Region (the caller's signing Region).
import type { Caller } from '../caller.js';
import { kmsErrors } from '../errors.js';
import { parse } from '../validate.js';
import { checkKeyPolicy, KeyPolicyField } from './key-policy-document.js';
import { customerKey } from './customer-keys.js';
import { defaultKeyPolicy, keyMetadata } from './lifecycle.js';
import type { KeyRecord, Kms } from './model.js';
import { KeyIdField, Tags } from './shapes.js';
import { assertTagsAllowed } from './tags.js';

/** RegionType in the API: "us-east-1", "ap-southeast-2", "us-gov-west-1". */
const Region = { type: 'string', required: true, min: 1, max: 32, pattern: /^([a-z]+-){2,3}\d+$/ } as const;

const ReplicateKeyInput = {
  KeyId: KeyIdField,
  ReplicaRegion: Region,
  Policy: KeyPolicyField, // checked as CreateKey's (key-policy-document.ts)
  BypassPolicyLockoutSafetyCheck: { type: 'boolean' },
  Description: { type: 'string', min: 0, max: 8192 },
  Tags,
} as const;

export function replicateKey(kms: Kms, req: unknown, caller: Caller) {
  const input = parse(ReplicateKeyInput, req);
  const primary = primaryKey(kms, input.KeyId, caller, 'ReplicateKey');
  if (primary.KeyState === 'Disabled') throw kmsErrors.disabled(`${primary.Arn} is disabled.`);
  kms.assertNotPendingDeletion(primary); // a primary pending (replica) deletion "cannot be replicated"
  // "You cannot create more than one replica of a primary key in any Region": nor one beside the primary.
  const there = kms.multiRegionKeys(primary.KeyId).find((k) => k.Region === input.ReplicaRegion);
  if (there) throw kmsErrors.alreadyExists(`${there.Arn} already exists.`);
  const tags = input.Tags ?? [];
  assertTagsAllowed(tags);
  const replicaArn = `arn:aws:kms:${input.ReplicaRegion}:${primary.AWSAccountId}:key/${primary.KeyId}`;
  if (input.Policy !== undefined) checkKeyPolicy(kms, input.Policy, caller, replicaArn, input.BypassPolicyLockoutSafetyCheck === true);
  const replica = kms.replicate(primary, input.ReplicaRegion, {
    Description: input.Description ?? '',
    Policy: input.Policy ?? defaultKeyPolicy(caller),
    Tags: tags.map((t) => ({ TagKey: t.TagKey, TagValue: t.TagValue })),
  });
  kms.save();
  return {
    // AWS answers while the replica is still being made (the transient Creating state); the engine
    // has finished by then, so DescribeKey shows it Enabled (PendingImport for imported material).
    ReplicaKeyMetadata: { ...keyMetadata(kms, replica), KeyState: 'Creating', Enabled: false },
    ReplicaPolicy: replica.Policy,
    ReplicaTags: replica.Tags,
  };
}

const UpdatePrimaryRegionInput = { KeyId: KeyIdField, PrimaryRegion: Region } as const;

export function updatePrimaryRegion(kms: Kms, req: unknown, caller: Caller) {
  const input = parse(UpdatePrimaryRegionInput, req);
  const primary = primaryKey(kms, input.KeyId, caller, 'UpdatePrimaryRegion');
  const replica = kms.multiRegionKeys(primary.KeyId).find((k) => k.Region === input.PrimaryRegion && k.MultiRegionKeyType === 'REPLICA');
  if (!replica) {
    if (input.PrimaryRegion === primary.Region) throw kmsErrors.validation(`${primary.Arn} is already the primary key: PrimaryRegion must be the Region of one of its replica keys.`);
    throw kmsErrors.notFound(`Key 'arn:aws:kms:${input.PrimaryRegion}:${primary.AWSAccountId}:key/${primary.KeyId}' does not exist`);
  }
  // "Both the primary key and the replica key must be in the Enabled key state when the operation starts."
  kms.assertUsable(primary);
  kms.assertUsable(replica);
  // AWS shows both keys Updating for a few seconds; the engine changes them at once.
  primary.MultiRegionKeyType = 'REPLICA';
  replica.MultiRegionKeyType = 'PRIMARY';
  kms.save();
  return {};
}

/**
 * Automatic and on-demand rotation are set on the primary key, which its replicas follow
 * ("set the property on the primary key"): UnsupportedOperationException for a replica.
 */
export function assertNotReplica(key: KeyRecord, operation: string): void {
  if (key.MultiRegionKeyType === 'REPLICA')
    throw kmsErrors.unsupportedOperation(`${key.Arn} is a multi-Region replica key. ${operation} applies to its primary key, whose key material and rotation its replicas share.`);
}

/** ReplicateKey and UpdatePrimaryRegion take a multi-Region primary key, by key id or key ARN. */
function primaryKey(kms: Kms, ref: string, caller: Caller, operation: string): KeyRecord {
  const key = customerKey(kms, ref, caller, operation);
  if (key.MultiRegionKeyType === undefined) throw kmsErrors.unsupportedOperation(`${key.Arn} is not a multi-Region key. ${operation} takes a multi-Region primary key.`);
  if (key.MultiRegionKeyType === 'REPLICA') throw kmsErrors.unsupportedOperation(`${key.Arn} is a multi-Region replica key. ${operation} takes a multi-Region primary key.`);
  return key;
}
