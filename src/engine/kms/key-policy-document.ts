// What CreateKey and PutKeyPolicy check of a key policy document before they keep it (the
// PutKeyPolicy API reference): its size (32 KB: LimitExceededException), that it is a policy in
// the policy language (auth/policy.ts; MalformedPolicyDocumentException in KMS's words where KMS
// has its own), that the principals it names exist, and, unless BypassPolicyLockoutSafetyCheck,
// the lockout safety check: the new policy must allow the calling principal to call PutKeyPolicy
// on the key later. A policy that allows the caller's account (the default key policy's "Enable
// IAM User Permissions") passes: the account then delegates to its IAM policies.
//
// One difference from AWS: KMS accepts a statement without Action or Resource (it has no effect);
// the policy language refuses it ("Policy statement must contain resources."), so that every key
// policy the engine keeps is one the authorization decision can read.
import { kmsContext } from '../auth/condition-context.js';
import { evaluatePolicy } from '../auth/evaluate.js';
import { MalformedPolicyError, parsePolicy, principalsNamed } from '../auth/policy.js';
import type { Caller } from '../caller.js';
import { AwsError, kmsErrors } from '../errors.js';
import type { Kms } from './model.js';

/** "Key policy document size: 32 KB (32,768 bytes)" (AWS KMS resource quotas). */
export const MAX_KEY_POLICY_BYTES = 32 * 1024;

/** PolicyType in the API: 1 to 131072 characters of tab, line feed, carriage return and U+0020 to U+00FF. */
export const KeyPolicyField = { type: 'string', min: 1, max: 131072, pattern: /^[\u0009\u000A\u000D\u0020-\u00FF]+$/ } as const;

const malformed = (message: string) => new AwsError('MalformedPolicyDocumentException', message);
const INVALID_PRINCIPALS = 'Policy contains a statement with one or more invalid principals.';

/**
 * Refuses a key policy AWS would refuse, for a key of this ARN created or changed by `caller`
 * (for CreateKey, the ARN with * for the id it does not have yet).
 */
export function checkKeyPolicy(kms: Kms, text: string, caller: Caller, keyArn: string, bypassLockoutCheck: boolean): void {
  const bytes = Buffer.byteLength(text, 'latin1');
  if (bytes > MAX_KEY_POLICY_BYTES) throw kmsErrors.limitExceeded(`The key policy is ${bytes} bytes; a key policy can be at most ${MAX_KEY_POLICY_BYTES} bytes (32 KB).`);
  const policy = parseKeyPolicy(text);
  if (kms.directory && !principalsNamed(policy).every((arn) => kms.directory!.principalExists(arn))) throw malformed(INVALID_PRINCIPALS);
  if (bypassLockoutCheck) return;
  const verdict = evaluatePolicy(policy, { caller, action: 'kms:PutKeyPolicy', resource: keyArn, context: kmsContext(caller, kms.clock.now()) });
  if (verdict.answer !== 'Allow') throw malformed('The new key policy will not allow you to update the key policy in the future.');
}

/** The policy language's reading of a key policy, its refusals in KMS's words where KMS has its own. */
function parseKeyPolicy(text: string) {
  try {
    return parsePolicy(text, 'resource');
  } catch (e) {
    if (!(e instanceof MalformedPolicyError)) throw e;
    if (e.message === 'Missing required field Principal') throw malformed('Policy contains a statement with no principal.');
    if (e.message.startsWith('Invalid principal in policy')) throw malformed(INVALID_PRINCIPALS);
    throw malformed(e.message);
  }
}
