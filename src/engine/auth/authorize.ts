// The authorization decision as each service's dispatch makes it, once a call (issue 10):
// the caller's identity-based policies (directory.identityPolicies), and a resource policy
// where the resource has one (a role's trust policy), through auth/decision.ts's `decide`;
// a refusal is thrown in the protocol's own error (IAM/STS: AccessDenied 403; S3: AccessDenied
// 403 with the resource ARN in quotes, as S3's messages put it; CloudTrail: AccessDeniedException),
// worded by accessDeniedMessage. KMS's key-policy and grant logic is kms/authorization.ts's.
import type { Caller } from '../caller.js';
import type { Clock } from '../clock.js';
import type { AwsError } from '../errors.js';
import { callerContext, lazyContext } from './condition-context.js';
import { accessDeniedMessage, decide, type DecisionInput } from './decision.js';
import type { ConditionContext, Directory } from './types.js';

/** What the decision reads of the engine: who is who, and the time for aws:CurrentTime. */
export interface AuthorizePath {
  directory: Directory;
  clock: Clock;
}

/** How a service refuses: its error, and whether its message quotes the resource (S3's does). */
export interface DeniedAs {
  error(message: string): AwsError;
  quoteResource?: boolean;
}

/** A resource's own policy, where it has one, and the account that owns the resource. */
export type ResourceSide = Pick<DecisionInput, 'resourceAccount' | 'resourcePolicy' | 'resourcePolicyKind'>;

/** The global condition keys for the caller (aws:PrincipalArn, aws:username...), built only if a policy reads them. */
export function globalContext(caller: Caller, now: Date): ConditionContext {
  return lazyContext((ctx) => {
    for (const [k, v] of callerContext(caller, now)) ctx.set(k, v);
  });
}

/** Throws the service's access denied error unless the caller may perform `action` on `resource`. */
export function authorizeCall(
  { directory, clock }: AuthorizePath,
  caller: Caller,
  action: string,
  resource: string,
  deniedAs: DeniedAs,
  opts: { context?: ConditionContext } & ResourceSide = {},
): void {
  const { context, ...resourceSide } = opts;
  const decision = decide({
    request: { caller, action, resource, context: context ?? globalContext(caller, clock.now()) },
    identityPolicies: directory.identityPolicies(caller),
    ...resourceSide,
  });
  if (decision.allowed) return;
  throw deniedAs.error(accessDeniedMessage(deniedAs.quoteResource ? { ...decision, resource: `"${resource}"` } : decision));
}
