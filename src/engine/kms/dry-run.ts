// DryRun ("Testing your permissions" in the AWS KMS Developer Guide): an operation that takes it
// runs as it would, and where it would have succeeded answers DryRunOperationException instead;
// where it would have failed, the real error. Every operation listed changes nothing, so running
// it and dropping the result is exactly "would have succeeded". CreateGrant, RetireGrant and
// RevokeGrant take DryRun too but change state: when the engine has them, they must check it
// themselves before changing anything.
import { kmsErrors } from '../errors.js';

const DRY_RUN_OPERATIONS: ReadonlySet<string> = new Set([
  'Decrypt', 'DeriveSharedSecret', 'Encrypt', 'GenerateDataKey', 'GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext',
  'GenerateDataKeyWithoutPlaintext', 'GenerateMac', 'ReEncrypt', 'Sign', 'Verify', 'VerifyMac',
]);

export const acceptsDryRun = (operation: string): boolean => DRY_RUN_OPERATIONS.has(operation);

/** Called once the operation has succeeded: DryRunOperationException if the request asked for a dry run. */
export function refuseDryRun(operation: string, input: unknown): void {
  if (acceptsDryRun(operation) && (input as { DryRun?: unknown } | null)?.DryRun === true) throw kmsErrors.dryRun();
}
