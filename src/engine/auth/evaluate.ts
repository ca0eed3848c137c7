// One policy against one request: does a statement deny it, allow it, or does none
// apply? A statement applies when its action, resource, principal (resource and trust
// policies only) and conditions all match; a Deny that applies decides at once.
import type { Caller } from '../caller.js';
import { conditionsHold, type ParsedPolicy, type PrincipalSet, type Statement } from './policy.js';
import type { AuthzRequest, PolicyAnswer } from './types.js';

/**
 * How an Allow in a resource or trust policy names the caller: 'principal' when it names
 * them (their ARN, their role for a role session, "*", or the root user by its account),
 * 'account' when it names only their account: the account's IAM policies must then allow
 * too (KMS: "Allows access to the AWS account and enables IAM policies").
 */
export type AllowScope = 'principal' | 'account';

export interface PolicyVerdict {
  answer: PolicyAnswer;
  /** The statement that decided: the Deny, or the Allow (the one naming the caller, if any). */
  statement?: Statement;
  /** For an Allow from a resource or trust policy. */
  scope?: AllowScope;
}

const NOT_APPLICABLE: PolicyVerdict = { answer: 'NotApplicable' };

export function evaluatePolicy(policy: ParsedPolicy, request: AuthzRequest): PolicyVerdict {
  const action = request.action.toLowerCase();
  const withPrincipal = policy.kind !== 'identity';
  let allow: PolicyVerdict | undefined;
  for (const s of policy.statements) {
    if (s.action(action) === s.notAction) continue;
    if (s.resources && resourceMatches(s, request) === s.notResource) continue;
    let scope: AllowScope | undefined;
    if (withPrincipal) {
      scope = principalScope(s, request.caller);
      if (!scope) continue;
    }
    if (!conditionsHold(s.conditions, request.context)) continue;
    if (s.effect === 'Deny') return { answer: 'Deny', statement: s };
    if (!allow || (allow.scope === 'account' && scope === 'principal')) allow = scope ? { answer: 'Allow', statement: s, scope } : { answer: 'Allow', statement: s };
  }
  return allow ?? NOT_APPLICABLE;
}

function resourceMatches(s: Statement, request: AuthzRequest): boolean {
  for (const p of s.resources!) if (p.resolve(request.context)?.(request.resource)) return true;
  return false;
}

const isRoot = (caller: Caller) => caller.type === 'Root' || caller.arn.endsWith(':root');

/** Whether a statement's Principal/NotPrincipal covers the caller, and how. */
function principalScope(s: Statement, caller: Caller): AllowScope | undefined {
  if (s.notPrincipal) return names(s.notPrincipal, caller) ? undefined : 'principal';
  if (!s.principal) return undefined;
  const p = s.principal;
  if (p.anyone || names(p, caller)) return 'principal';
  if (p.accounts.has(caller.accountId)) return 'account';
  return undefined;
}

/** The set names this very principal: its ARN, its role (a session of a role), its service, or the root user by its account. */
function names(p: PrincipalSet, caller: Caller): boolean {
  if (p.arns.has(caller.arn)) return true;
  if (caller.sessionIssuer && p.arns.has(caller.sessionIssuer.arn)) return true;
  if (isRoot(caller) && p.accounts.has(caller.accountId)) return true;
  if (caller.type === 'AWSService' && p.services.has(caller.invokedBy ?? caller.userName)) return true;
  return false;
}
