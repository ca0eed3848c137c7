// STS AssumeRole: temporary credentials for a role, if its trust policy lets the caller in
// (evaluated by the one decision, auth/decision.ts: in the role's account a trust policy
// naming the caller suffices, one naming only the account needs the caller's IAM policies
// to allow sts:AssumeRole too; from another account both must allow; a Deny wins).
// The session lasts DurationSeconds (900 up to the role's MaxSessionDuration, 3600 by
// default; at most an hour for role chaining) on the engine clock.
import { callerContext } from '../auth/condition-context.js';
import type { Caller } from '../caller.js';
import { authorizeCall } from '../auth/authorize.js';
import { isRootCaller } from '../iam/directory.js';
import { iamErrors } from '../iam/errors.js';
import type { QueryOperation } from '../iam/query.js';
import { ARN, QUERY_DENIED } from '../iam/query.js';
import { assumedRoleArn } from './sessions.js';

const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/(?:[^/]+\/)*([^/]+)$/;
const SESSION_NAME = { min: 2, max: 64, pattern: ['[\\w+=,.@-]*', /^[\w+=,.@-]*$/] as [string, RegExp] };
const EXTERNAL_ID = { min: 2, max: 1224, pattern: ['[\\w+=,.@:\\/-]*', /^[\w+=,.@:/-]*$/] as [string, RegExp] };
const ONE_HOUR = 3600;

/** The keys a trust policy's conditions may read: the caller's, and STS's own for this request (sts:ExternalId, sts:RoleSessionName). */
function assumeRoleContext(caller: Caller, now: Date, sessionName: string, externalId: string | undefined) {
  const context = callerContext(caller, now);
  context.set('sts:rolesessionname', sessionName);
  if (externalId !== undefined) context.set('sts:externalid', externalId);
  return context;
}

export const assumeRole: QueryOperation = {
  action: 'sts:AssumeRole',
  // The role's trust policy with the caller's IAM policies, decided in run once the role is found.
  permission: 'decided-by-operation',
  // CloudTrail marks STS's AssumeRole read-only, and shows the session it made.
  readOnly: true,
  recordsResponse: true,
  resource: (call) => call.params.raw.get('RoleArn') ?? '*',
  run(call) {
    const { caller, params, engine } = call;
    const arn = params.required('RoleArn', ARN);
    const sessionName = params.required('RoleSessionName', SESSION_NAME);
    const requested = params.integer('DurationSeconds', 900, 43200);
    const externalId = params.optional('ExternalId', EXTERNAL_ID);
    const denied = () => iamErrors.accessDenied(`User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${arn}`);
    if (isRootCaller(caller)) throw iamErrors.accessDenied('Roles may not be assumed by root accounts.');
    const m = ROLE_ARN.exec(arn);
    if (!m) throw iamErrors.validation('Request ARN is invalid'); // STS's words for an ARN that names no role (a user's, an OIDC provider's)
    const role = engine.directory.role(m[1]!, m[2]!);
    if (!role || role.Arn !== arn) throw denied(); // AWS does not say whether the role exists
    authorizeCall(engine, caller, 'sts:AssumeRole', role.Arn, QUERY_DENIED, {
      context: assumeRoleContext(caller, engine.clock.now(), sessionName, externalId),
      resourceAccount: role.AccountId,
      resourcePolicy: { name: role.Arn, document: role.AssumeRolePolicyDocument },
      resourcePolicyKind: 'trust',
    });
    const chained = caller.type === 'AssumedRole';
    const duration = requested ?? ONE_HOUR;
    if (chained && duration > ONE_HOUR) throw iamErrors.validation('The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
    if (duration > role.MaxSessionDuration) throw iamErrors.validation('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
    const session = engine.directory.issueSession(role, sessionName, duration, caller.arn);
    return {
      Credentials: {
        AccessKeyId: session.accessKeyId,
        SecretAccessKey: session.secretAccessKey,
        SessionToken: session.sessionToken,
        Expiration: new Date(session.expiresAt),
      },
      AssumedRoleUser: { AssumedRoleId: `${role.RoleId}:${sessionName}`, Arn: assumedRoleArn(role.AccountId, role.RoleName, sessionName) },
    };
  },
};
