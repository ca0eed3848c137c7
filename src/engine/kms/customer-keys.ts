// The keys the management operations may act on (tags, rotation, key policies, imported
// material, deletion...): a customer managed key of the caller's own account, named by its
// id or ARN, never by an alias. An AWS managed key is AWS's to manage.
import type { Caller } from '../caller.js';
import { kmsErrors } from '../errors.js';
import type { KeyRecord, Kms } from './model.js';

/** Operations that take a key id or key ARN (not an alias), on a customer managed key. */
export function customerKey(kms: Kms, ref: string, caller: Caller, operation: string): KeyRecord {
  const key = kms.resolve(ref, caller, { allowAlias: false, ownAccount: true }); // no management of another account's key
  if (key.KeyManager === 'AWS')
    throw kmsErrors.accessDenied(`You cannot perform ${operation} on an AWS managed key (${key.Arn}).`);
  return key;
}
