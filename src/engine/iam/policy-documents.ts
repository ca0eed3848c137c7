// Policy documents IAM takes (inline, managed, a role's trust policy), checked by the policy
// language (auth/policy.ts) and refused in IAM's words: MalformedPolicyDocument, or
// LimitExceeded for a document over its size quota.
import { MalformedPolicyError, parsePolicy, policySize, principalsNamed, type PolicyKind } from '../auth/policy.js';
import type { Iam } from './directory.js';
import { iamErrors } from './errors.js';

export function checkPolicyDocument(text: string, kind: PolicyKind, maxSize?: number): void {
  try {
    parsePolicy(text, kind, maxSize === undefined ? {} : { maxSize });
  } catch (e) {
    if (!(e instanceof MalformedPolicyError)) throw e;
    throw e.quota ? iamErrors.limitExceeded(e.message) : iamErrors.malformedPolicy(e.message);
  }
}

/** A role's trust policy: valid, within its quota, and naming only principals that exist (AWS checks them when the policy is set). */
export function checkTrustPolicy(text: string, directory: Iam, maxSize: number): void {
  // IAM names a trust policy's quota ACLSizePerRole.
  if (policySize(text) > maxSize) throw iamErrors.limitExceeded(`Cannot exceed quota for ACLSizePerRole: ${maxSize}`);
  checkPolicyDocument(text, 'trust');
  for (const arn of principalsNamed(parsePolicy(text, 'trust')))
    if (!directory.principalExists(arn)) throw iamErrors.malformedPolicy(`Invalid principal in policy: "AWS":"${arn}"`);
}

/** The size of a principal's inline policies together, as IAM counts it against the aggregate quota. */
export function inlineSize(policies: Record<string, string>): number {
  let n = 0;
  for (const text of Object.values(policies)) n += policySize(text);
  return n;
}
