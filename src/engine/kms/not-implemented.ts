// The operations of AWS's KMS API that the engine does not do yet. Each still answers as AWS
// would up to the point where the work starts, for the key it names (NotFoundException for a
// key that does not exist), then says plainly that the engine lacks it: a client sees KMS, not
// an unknown operation. An operation the engine implements has its row in index.ts, which wins.
import type { Caller } from '../caller.js';
import { kmsErrors } from '../errors.js';
import { parse } from '../validate.js';
import type { Kms } from './model.js';
import { KeyIdField, OptionalKeyId } from './shapes.js';

/** Every operation of the KMS API (the AWS service model, kms 2014-11-01). */
const API_OPERATIONS = [
  'CancelKeyDeletion', 'ConnectCustomKeyStore', 'CreateAlias', 'CreateCustomKeyStore', 'CreateGrant', 'CreateKey', 'Decrypt', 'DeleteAlias',
  'DeleteCustomKeyStore', 'DeleteImportedKeyMaterial', 'DeriveSharedSecret', 'DescribeCustomKeyStores', 'DescribeKey', 'DisableKey',
  'DisableKeyRotation', 'DisconnectCustomKeyStore', 'EnableKey', 'EnableKeyRotation', 'Encrypt', 'GenerateDataKey', 'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext', 'GenerateDataKeyWithoutPlaintext', 'GenerateMac', 'GenerateRandom', 'GetKeyLastUsage', 'GetKeyPolicy',
  'GetKeyRotationStatus', 'GetParametersForImport', 'GetPublicKey', 'ImportKeyMaterial', 'ListAliases', 'ListGrants', 'ListKeyPolicies',
  'ListKeyRotations', 'ListKeys', 'ListResourceTags', 'ListRetirableGrants', 'PutKeyPolicy', 'ReEncrypt', 'ReplicateKey', 'RetireGrant',
  'RevokeGrant', 'RotateKeyOnDemand', 'ScheduleKeyDeletion', 'Sign', 'TagResource', 'UntagResource', 'UpdateAlias', 'UpdateCustomKeyStore',
  'UpdateKeyDescription', 'UpdatePrimaryRegion', 'Verify', 'VerifyMac',
] as const;

/** Operations on no particular key (custom key stores, grants by retiring principal); RetireGrant may name one. */
const WITHOUT_KEY = new Set(['ConnectCustomKeyStore', 'CreateCustomKeyStore', 'DeleteCustomKeyStore', 'DescribeCustomKeyStores', 'DisconnectCustomKeyStore', 'ListRetirableGrants', 'UpdateCustomKeyStore']);
const OPTIONAL_KEY = new Set(['RetireGrant']);

function notImplemented(operation: string) {
  return (kms: Kms, req: unknown, caller: Caller): Record<string, unknown> => {
    if (!WITHOUT_KEY.has(operation)) {
      const { KeyId } = parse({ KeyId: OPTIONAL_KEY.has(operation) ? OptionalKeyId : KeyIdField } as const, req);
      if (KeyId !== undefined) kms.resolve(KeyId, caller); // NotFoundException, as AWS answers for a key that does not exist
    }
    throw kmsErrors.unsupportedOperation(`The local engine does not implement ${operation} yet.`);
  };
}

/** Rows for the API's operations, for index.ts to use where its own table has none. */
export function notImplementedOperations(implemented: Record<string, unknown>) {
  const rows: Record<string, { run: ReturnType<typeof notImplemented>; readOnly: boolean }> = {};
  for (const operation of API_OPERATIONS) {
    if (!Object.hasOwn(implemented, operation)) rows[operation] = { run: notImplemented(operation), readOnly: /^(Get|List|Describe)/.test(operation) };
  }
  return rows;
}
