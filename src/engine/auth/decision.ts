// THE authorization decision, as AWS's "Policy evaluation logic" and KMS's "Determining
// access to KMS keys" describe it:
// - an explicit Deny in any policy that applies wins;
// - with no resource policy (kms:CreateKey, kms:ListKeys...), the identity's IAM policies
//   alone decide (an account's root user may do anything in its account);
// - with a resource policy that is primary (a KMS key policy, a role's trust policy), an
//   Allow naming the caller allows; an Allow naming only the caller's account counts if
//   the caller's IAM policies allow too ("Enable IAM User Permissions"); a grant allows
//   its operations on its own;
// - from another account, both sides must allow: the resource policy (naming the account
//   or the principal) and the caller's own IAM policies.
// Not modelled: SCPs/RCPs, permissions boundaries, session policies, VPC endpoint policies.
import type { Caller } from '../caller.js';
import { evaluatePolicy, type PolicyVerdict } from './evaluate.js';
import { parsePolicy, type Statement } from './policy.js';
import type { AuthzRequest, NamedPolicy, PolicyAnswer } from './types.js';

export interface DecisionInput {
  request: AuthzRequest;
  /** The account that owns the resource; undefined for actions on no resource ('*'). */
  resourceAccount?: string;
  /** The caller's identity-based policies (ignored for the root user, who needs none in its own account). */
  identityPolicies: readonly NamedPolicy[];
  /** The resource's policy (a key policy, a trust policy), if the resource has one. */
  resourcePolicy?: NamedPolicy;
  resourcePolicyKind?: 'resource' | 'trust';
  /**
   * What the key's grants say for this caller and operation: asked only when the policies have not
   * allowed; told whether the caller's IAM policies allow (a grant to an account counts as a key
   * policy naming the account does).
   */
  grants?: (identityAllows: boolean) => PolicyAnswer;
}

export type DecisionReason =
  | 'explicit-deny-identity'
  | 'explicit-deny-resource'
  | 'no-identity-allow'
  | 'no-resource-allow'
  | 'allowed-by-identity'
  | 'allowed-by-resource'
  | 'allowed-by-grant'
  | 'root';

export interface Decision {
  allowed: boolean;
  reason: DecisionReason;
  caller: Caller;
  action: string;
  resource: string;
  /** The policy and statement that decided, when one did (a Deny, or the Allow). */
  policy?: string;
  statement?: Statement;
}

const isRoot = (caller: Caller) => caller.type === 'Root' || caller.arn.endsWith(':root');

// Built field by field: an object spread here cost microseconds a call (it is on every request's path).
function result(request: AuthzRequest, allowed: boolean, reason: DecisionReason, policy?: string, statement?: Statement): Decision {
  const d: Decision = { allowed, reason, caller: request.caller, action: request.action, resource: request.resource };
  if (policy !== undefined) d.policy = policy;
  if (statement !== undefined) d.statement = statement;
  return d;
}

/** Whether the caller may do this: allowed or denied, and why. */
export function decide(input: DecisionInput): Decision {
  const { request } = input;
  const caller = request.caller;
  const root = isRoot(caller);

  const identity = root ? undefined : evaluateAll(input.identityPolicies, request);
  if (identity?.verdict.answer === 'Deny') return result(request, false, 'explicit-deny-identity', identity.name, identity.verdict.statement);
  const identityAllows = root || identity?.verdict.answer === 'Allow';

  if (!input.resourcePolicy) {
    // Actions on no resource, or a resource without a policy of its own: IAM alone, and only in the caller's account.
    const sameAccount = input.resourceAccount === undefined || input.resourceAccount === caller.accountId;
    if (sameAccount && identityAllows) return result(request, true, root ? 'root' : 'allowed-by-identity', identity?.name, identity?.verdict.statement);
    if (sameAccount && input.grants?.(identityAllows) === 'Allow') return result(request, true, 'allowed-by-grant');
    return result(request, false, sameAccount ? 'no-identity-allow' : 'no-resource-allow');
  }

  const name = input.resourcePolicy.name;
  const resource = evaluatePolicy(parsePolicy(input.resourcePolicy.document, input.resourcePolicyKind ?? 'resource'), request);
  if (resource.answer === 'Deny') return result(request, false, 'explicit-deny-resource', name, resource.statement);

  const sameAccount = input.resourceAccount === undefined || input.resourceAccount === caller.accountId;
  if (resource.answer === 'Allow') {
    // Same account: naming the principal is enough. Another account: its IAM policies must allow as well.
    if (sameAccount && resource.scope === 'principal') return result(request, true, 'allowed-by-resource', name, resource.statement);
    if (identityAllows)
      return root
        ? result(request, true, 'root', name, resource.statement)
        : result(request, true, 'allowed-by-identity', identity?.name, identity?.verdict.statement);
  }
  if (input.grants?.(identityAllows) === 'Allow') return result(request, true, 'allowed-by-grant');
  // Which side is missing: the resource policy's Allow, or (it allows the account) the identity's.
  return result(request, false, resource.answer === 'Allow' ? 'no-identity-allow' : 'no-resource-allow');
}

/** All of an identity's policies together: any Deny wins, else any Allow. */
function evaluateAll(policies: readonly NamedPolicy[], request: AuthzRequest): { name?: string; verdict: PolicyVerdict } {
  let allow: { name: string; verdict: PolicyVerdict } | undefined;
  for (const p of policies) {
    const verdict = evaluatePolicy(parsePolicy(p.document, 'identity'), request);
    if (verdict.answer === 'Deny') return { name: p.name, verdict };
    if (verdict.answer === 'Allow' && !allow) allow = { name: p.name, verdict };
  }
  return allow ?? { verdict: { answer: 'NotApplicable' } };
}

const POLICY_TYPE: Partial<Record<DecisionReason, string>> = {
  'explicit-deny-identity': 'an identity-based policy',
  'explicit-deny-resource': 'a resource-based policy',
  'no-identity-allow': 'identity-based',
  'no-resource-allow': 'resource-based',
};

/**
 * AWS's access denied message: "User: <principal ARN> is not authorized to perform:
 * <action> on resource: <resource> because no identity-based policy allows the <action>
 * action", or "... with an explicit deny in a resource-based policy".
 */
export function accessDeniedMessage(d: Decision): string {
  const head = `User: ${d.caller.arn} is not authorized to perform: ${d.action} on resource: ${d.resource}`;
  if (d.reason === 'explicit-deny-identity' || d.reason === 'explicit-deny-resource') return `${head} with an explicit deny in ${POLICY_TYPE[d.reason]}`;
  return `${head} because no ${POLICY_TYPE[d.reason] ?? 'identity-based'} policy allows the ${d.action} action`;
}
