// GetKeyPolicy, PutKeyPolicy, ListKeyPolicies ("Key policies in AWS KMS"). A key has one key
// policy, named "default"; CreateKey writes AWS's default key policy unless given one
// (lifecycle.ts). The checks a new policy passes are in key-policy-document.ts.
import type { Caller } from '../caller.js';
import { kmsErrors } from '../errors.js';
import { parse } from '../validate.js';
import { checkKeyPolicy, KeyPolicyField } from './key-policy-document.js';
import { customerKey } from './customer-keys.js';
import type { KeyRecord, Kms } from './model.js';
import { KeyIdField, Marker, page } from './shapes.js';

/** PolicyNameType: "The only valid name is default." */
const PolicyName = { type: 'string', min: 1, max: 128, pattern: /^[\w]+$/ } as const;
const DEFAULT_POLICY = 'default';

export function getKeyPolicy(kms: Kms, req: unknown, caller: Caller) {
  const input = parse({ KeyId: KeyIdField, PolicyName } as const, req);
  const key = kms.resolve(input.KeyId, caller, { allowAlias: false, ownAccount: true });
  assertDefaultPolicy(key, input.PolicyName);
  return { Policy: key.Policy, PolicyName: DEFAULT_POLICY };
}

export function listKeyPolicies(kms: Kms, req: unknown, caller: Caller) {
  const input = parse({ KeyId: KeyIdField, Limit: { type: 'integer', min: 1, max: 1000 }, Marker } as const, req);
  kms.resolve(input.KeyId, caller, { allowAlias: false, ownAccount: true });
  const p = page([DEFAULT_POLICY], input.Limit, input.Marker, (m) => kmsErrors.invalidMarker(`Invalid marker: ${m}`));
  return { PolicyNames: p.items, Truncated: p.Truncated, ...(p.NextMarker ? { NextMarker: p.NextMarker } : {}) };
}

const PutKeyPolicyInput = { KeyId: KeyIdField, PolicyName, Policy: { ...KeyPolicyField, required: true }, BypassPolicyLockoutSafetyCheck: { type: 'boolean' } } as const;

/** Replaces the key policy (any key state; an AWS managed key's policy is AWS's to change). */
export function putKeyPolicy(kms: Kms, req: unknown, caller: Caller) {
  const input = parse(PutKeyPolicyInput, req);
  const key = customerKey(kms, input.KeyId, caller, 'PutKeyPolicy');
  assertDefaultPolicy(key, input.PolicyName);
  checkKeyPolicy(kms, input.Policy, caller, key.Arn, input.BypassPolicyLockoutSafetyCheck === true);
  key.Policy = input.Policy;
  kms.save();
  return {};
}

function assertDefaultPolicy(key: KeyRecord, name: string | undefined): void {
  if (name !== undefined && name !== DEFAULT_POLICY) throw kmsErrors.notFound(`${key.Arn} has no key policy named ${name}: the only key policy is "default".`);
}
