// The engine's KMS: one table of operations, and the call path every KMS call
// takes (by a client over HTTP, or by S3 on a caller's behalf): the request quota
// (quotas.ts), who may (authorization.ts), the operation, then the record in CloudTrail as AWS does (recorded.ts):
// no plaintext, no data keys, no ciphertext, no member the API does not define.
import type { Directory } from '../auth/types.js';
import type { Caller } from '../caller.js';
import type { Clock } from '../clock.js';
import type { Trail } from '../cloudtrail/trail.js';
import { AwsError, isAwsError, kmsErrors } from '../errors.js';
import { createAlias, deleteAlias, listAliases, updateAlias } from './aliases.js';
import { authorizeKmsCall } from './authorization.js';
import { decrypt, encrypt, generateRandom, reEncrypt } from './crypto-ops.js';
import { generateDataKeyPair, generateDataKeyPairWithoutPlaintext } from './data-key-pairs.js';
import { generateDataKey, generateDataKeyWithoutPlaintext } from './data-keys.js';
import { refuseDryRun } from './dry-run.js';
import { createGrant, listGrants, listRetirableGrants, retireGrant, revokeGrant } from './grants.js';
import { deriveSharedSecret } from './key-agreement.js';
import { getKeyPolicy, listKeyPolicies, putKeyPolicy } from './key-policies.js';
import { deleteImportedKeyMaterial, getParametersForImport, importKeyMaterial } from './import.js';
import {
  cancelKeyDeletion, createKey, describeKey, disableKey, enableKey, listKeys, scheduleKeyDeletion, updateKeyDescription,
} from './lifecycle.js';
import { generateMac, verifyMac } from './mac.js';
import { replicateKey, updatePrimaryRegion } from './multi-region.js';
import type { Kms } from './model.js';
import { notImplementedOperations } from './not-implemented.js';
import { getPublicKey } from './public-keys.js';
import type { RequestQuotas } from './quotas.js';
import { kmsRequestParameters } from './recorded.js';
import { signOperation, verifyOperation } from './sign-verify.js';
import { disableKeyRotation, enableKeyRotation, getKeyRotationStatus, listKeyRotations, rotateKeyOnDemand } from './rotation.js';
import { listResourceTags, tagResource, untagResource } from './tags.js';

type Operation = (kms: Kms, input: unknown, caller: Caller) => Record<string, unknown>;

export const kmsOperations: Record<string, { run: Operation; readOnly: boolean }> = {
  CreateKey: { run: createKey, readOnly: false },
  DescribeKey: { run: describeKey, readOnly: true },
  ListKeys: { run: listKeys, readOnly: true },
  UpdateKeyDescription: { run: updateKeyDescription, readOnly: false },
  EnableKey: { run: enableKey, readOnly: false },
  DisableKey: { run: disableKey, readOnly: false },
  ScheduleKeyDeletion: { run: scheduleKeyDeletion, readOnly: false },
  CancelKeyDeletion: { run: cancelKeyDeletion, readOnly: false },
  CreateAlias: { run: createAlias, readOnly: false },
  UpdateAlias: { run: updateAlias, readOnly: false },
  DeleteAlias: { run: deleteAlias, readOnly: false },
  ListAliases: { run: listAliases, readOnly: true },
  Encrypt: { run: encrypt, readOnly: true },
  Decrypt: { run: decrypt, readOnly: true },
  ReEncrypt: { run: reEncrypt, readOnly: true },
  GenerateDataKey: { run: generateDataKey, readOnly: true },
  GenerateDataKeyWithoutPlaintext: { run: generateDataKeyWithoutPlaintext, readOnly: true },
  GenerateRandom: { run: generateRandom, readOnly: true },
  TagResource: { run: tagResource, readOnly: false },
  UntagResource: { run: untagResource, readOnly: false },
  ListResourceTags: { run: listResourceTags, readOnly: true },
  GetPublicKey: { run: getPublicKey, readOnly: true },
  Sign: { run: signOperation, readOnly: true },
  Verify: { run: verifyOperation, readOnly: true },
  GenerateMac: { run: generateMac, readOnly: true },
  VerifyMac: { run: verifyMac, readOnly: true },
  GenerateDataKeyPair: { run: generateDataKeyPair, readOnly: true },
  GenerateDataKeyPairWithoutPlaintext: { run: generateDataKeyPairWithoutPlaintext, readOnly: true },
  EnableKeyRotation: { run: enableKeyRotation, readOnly: false },
  DisableKeyRotation: { run: disableKeyRotation, readOnly: false },
  GetKeyRotationStatus: { run: getKeyRotationStatus, readOnly: true },
  RotateKeyOnDemand: { run: rotateKeyOnDemand, readOnly: false },
  ListKeyRotations: { run: listKeyRotations, readOnly: true },
  GetParametersForImport: { run: getParametersForImport, readOnly: true },
  ImportKeyMaterial: { run: importKeyMaterial, readOnly: false },
  DeleteImportedKeyMaterial: { run: deleteImportedKeyMaterial, readOnly: false },
  DeriveSharedSecret: { run: deriveSharedSecret, readOnly: true },
  ReplicateKey: { run: replicateKey, readOnly: false },
  UpdatePrimaryRegion: { run: updatePrimaryRegion, readOnly: false },
  GetKeyPolicy: { run: getKeyPolicy, readOnly: true },
  PutKeyPolicy: { run: putKeyPolicy, readOnly: false },
  ListKeyPolicies: { run: listKeyPolicies, readOnly: true },
  CreateGrant: { run: createGrant, readOnly: false },
  ListGrants: { run: listGrants, readOnly: true },
  ListRetirableGrants: { run: listRetirableGrants, readOnly: true },
  RetireGrant: { run: retireGrant, readOnly: false },
  RevokeGrant: { run: revokeGrant, readOnly: false },
};

/** The API's other operations: they answer for the key they name, then that the engine lacks them. */
const notYet = notImplementedOperations(kmsOperations);

/**
 * What a KMS call goes through: the keys, the trail that records it, the request quotas that may
 * throttle it, and (with a directory and a clock) the authorization decision.
 */
export interface KmsCallPath {
  kms: Kms;
  trail: Trail;
  quotas: RequestQuotas;
  directory?: Directory;
  clock?: Clock;
}

export function callKms({ kms, trail, quotas, directory, clock }: KmsCallPath, operation: string, input: unknown, caller: Caller, requestId: string): Record<string, unknown> {
  // Own members only: TrentService.toString or .constructor name no operation.
  const op = Object.hasOwn(kmsOperations, operation) ? kmsOperations[operation] : Object.hasOwn(notYet, operation) ? notYet[operation] : undefined;
  if (!op) throw new AwsError('UnknownOperationException', `Unknown operation ${operation}`);
  let output: Record<string, unknown> | undefined;
  let error: AwsError | undefined;
  try {
    // Throttling comes first, for the caller's account and Region (S3's calls on their behalf included), and is recorded below.
    quotas.admit(kms, operation, input, caller);
    // Then who may: AccessDeniedException, recorded below like any refused call.
    if (directory && clock) authorizeKmsCall({ kms, directory, clock }, operation, input, caller);
    output = op.run(kms, input, caller);
    refuseDryRun(operation, input); // it would have succeeded: DryRunOperationException, recorded with its resources
    return output;
  } catch (e) {
    error = isAwsError(e) ? e : kmsErrors.internal('An internal error occurred in the local KMS engine.');
    if (!isAwsError(e)) console.error(e);
    throw error;
  } finally {
    const alias = output ? aliasTarget(kms, operation, input, caller) : undefined;
    trail.record({
      caller,
      eventSource: 'kms.amazonaws.com',
      eventName: operation,
      // Read when the event is built, after the reply is written (cloudtrail/trail.ts): not while the caller waits.
      get requestParameters() {
        return kmsRequestParameters(operation, input);
      },
      responseElements: responseElements(operation, output, alias),
      resources: alias ? [alias.key, alias.alias].map((ARN) => ({ type: 'AWS::KMS::Key', ARN })) : resourcesOf(output, () => namedKeyArn(kms, input, caller)),
      readOnly: op.readOnly,
      requestId,
      ...(error ? { error: { code: error.code, message: error.message } } : {}),
    });
  }
}

/** For CreateAlias and UpdateAlias, the key and the alias: CloudTrail names both as resources. */
function aliasTarget(kms: Kms, operation: string, input: unknown, caller: Caller): { key: string; alias: string } | undefined {
  if (operation !== 'CreateAlias' && operation !== 'UpdateAlias') return undefined;
  const { AliasName, TargetKeyId } = input as { AliasName: string; TargetKeyId: string }; // the operation succeeded: both are valid
  try {
    return { key: kms.resolve(TargetKeyId, caller, { allowAlias: false }).Arn, alias: kms.aliasArn(caller, AliasName) };
  } catch {
    return undefined; // recording never turns a call that succeeded into a failure
  }
}

/** The responseElements AWS's examples show: none for the cryptographic operations (no plaintext, no ciphertext). */
function responseElements(operation: string, output: Record<string, unknown> | undefined, alias: { key: string } | undefined): Record<string, unknown> | null {
  if (!output) return null;
  if (operation === 'CreateKey') return { keyMetadata: output.KeyMetadata as Record<string, unknown> };
  if (operation === 'ScheduleKeyDeletion')
    // A multi-Region primary waiting for its replicas' deletion has no deletion date yet.
    return { keyId: output.KeyId, keyState: output.KeyState, ...(output.DeletionDate ? { deletionDate: cloudTrailDate(output.DeletionDate as Date) } : {}) };
  if (operation === 'CancelKeyDeletion') return { keyId: output.KeyId };
  if (operation === 'CreateAlias' && alias) return { keyId: alias.key };
  if (operation === 'CreateGrant') return { grantId: output.GrantId }; // never the grant token
  return null;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Dates inside KMS's responseElements read like "Apr 12, 2021 6:58:30 PM" (UTC), as in AWS's examples. */
function cloudTrailDate(d: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const hour = d.getUTCHours() % 12 || 12;
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()} ${hour}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} ${d.getUTCHours() < 12 ? 'AM' : 'PM'}`;
}

/** The keys an event names: those in the response, else the one the request names (EnableKey, a refused Encrypt), as AWS's events do. */
function resourcesOf(output: Record<string, unknown> | undefined, requested: () => string | undefined) {
  const meta = output?.KeyMetadata as { Arn?: string } | undefined;
  const arns = [meta?.Arn, output?.SourceKeyId, output?.KeyId].filter((a): a is string => typeof a === 'string' && a.startsWith('arn:'));
  if (!arns.length) {
    const arn = requested();
    if (arn) arns.push(arn);
  }
  return [...new Set(arns)].map((ARN) => ({ type: 'AWS::KMS::Key', ARN }));
}

/** The ARN of the existing key a request's KeyId names, if any. */
function namedKeyArn(kms: Kms, input: unknown, caller: Caller): string | undefined {
  const ref = input && typeof input === 'object' ? (input as { KeyId?: unknown }).KeyId : undefined;
  if (typeof ref !== 'string' || ref.length > 2048) return undefined;
  try {
    return kms.resolve(ref, caller).Arn;
  } catch {
    return undefined; // a key that does not exist is named by no resource
  }
}
