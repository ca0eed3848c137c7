// Managed policies: the account's own (CreatePolicy, GetPolicy, GetPolicyVersion,
// DeletePolicy) and AWS's (aws-managed-policies.ts; ListPolicies Scope=AWS lists them), and
// their attachment to users and roles (Attach/Detach/ListAttached User and Role policies).
// A customer managed policy has one version, v1 (versions beyond it are not modelled).
import { LIMITS } from './directory.js';
import { iamErrors } from './errors.js';
import * as ids from './ids.js';
import { nameSlot, type PolicyRecord, type RoleRecord, type UserRecord } from './model.js';
import { checkPolicyDocument } from './policy-documents.js';
import type { QueryCall, QueryOperation } from './query.js';
import { ARN, DESCRIPTION, DOCUMENT, NAME, page, PATH, PATH_PREFIX, POLICY_NAME } from './query.js';
import { AWS_MANAGED_POLICIES } from './aws-managed-policies.js';
import { roleArn } from './roles.js';
import { byName, encodedDocument, policyShape } from './shapes.js';
import { userArn } from './users.js';

const VERSION_ID = { pattern: ['v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?', /^v[1-9][0-9]*(\.[A-Za-z0-9-]*)?$/] as [string, RegExp] };

const notAttachable = (arn: string) => iamErrors.noSuchEntity(`Policy ${arn} does not exist or is not attachable.`);

/** A policy the caller's account can see and attach: AWS managed, or its own. */
function visiblePolicy(call: QueryCall, arn: string): PolicyRecord {
  const policy = call.engine.directory.managedPolicy(arn);
  if (!policy || (policy.AccountId !== 'aws' && policy.AccountId !== call.caller.accountId)) throw notAttachable(arn);
  return policy;
}

const attachmentCount = (call: QueryCall, arn: string) => {
  const { users, roles } = call.engine.directory.attachmentsOf(arn, call.caller.accountId);
  return users.length + roles.length;
};

const policyArnResource = (call: QueryCall) => call.params.raw.get('PolicyArn') ?? '*';

export const createPolicy: QueryOperation = {
  action: 'iam:CreatePolicy',
  readOnly: false,
  resource: (call) => `arn:aws:iam::${call.caller.accountId}:policy${call.params.raw.get('Path') ?? '/'}${call.params.raw.get('PolicyName') ?? ''}`,
  run(call) {
    const p = call.params;
    const PolicyName = p.required('PolicyName', POLICY_NAME);
    const Document = p.required('PolicyDocument', DOCUMENT);
    const Path = p.optional('Path', PATH) ?? '/';
    const Description = p.optional('Description', DESCRIPTION);
    checkPolicyDocument(Document, 'identity', LIMITS.managedPolicyChars);
    const directory = call.engine.directory;
    const accountId = call.caller.accountId;
    directory.ensureAccount(accountId);
    const slot = nameSlot(accountId, PolicyName);
    if (directory.state.policies.has(slot)) throw iamErrors.entityAlreadyExists(`A policy called ${PolicyName} already exists. Duplicate names are not allowed.`);
    if (directory.policiesOf(accountId).length >= LIMITS.policiesPerAccount) throw iamErrors.limitExceeded(`Cannot exceed quota for PoliciesPerAccount: ${LIMITS.policiesPerAccount}`);
    const now = call.engine.clock.now().getTime();
    const record: PolicyRecord = {
      AccountId: accountId,
      PolicyName,
      PolicyId: ids.uniqueId('ANPA'),
      Arn: `arn:aws:iam::${accountId}:policy${Path}${PolicyName}`,
      Path,
      ...(Description !== undefined ? { Description } : {}),
      CreateDate: now,
      UpdateDate: now,
      DefaultVersionId: 'v1',
      Document,
    };
    directory.state.policies.set(slot, record);
    directory.state.save();
    return { Policy: policyShape(record, 0) };
  },
};

export const getPolicy: QueryOperation = {
  action: 'iam:GetPolicy',
  readOnly: true,
  resource: policyArnResource,
  run(call) {
    const arn = call.params.required('PolicyArn', ARN);
    return { Policy: policyShape(visiblePolicy(call, arn), attachmentCount(call, arn)) };
  },
};

export const getPolicyVersion: QueryOperation = {
  action: 'iam:GetPolicyVersion',
  readOnly: true,
  resource: policyArnResource,
  run(call) {
    const arn = call.params.required('PolicyArn', ARN);
    const versionId = call.params.required('VersionId', VERSION_ID);
    const policy = visiblePolicy(call, arn);
    if (versionId !== policy.DefaultVersionId) throw iamErrors.noSuchEntity(`Policy ${arn} version ${versionId} does not exist or is not attachable.`);
    return { PolicyVersion: { Document: encodedDocument(policy.Document), VersionId: versionId, IsDefaultVersion: true, CreateDate: new Date(policy.UpdateDate) } };
  },
};

export const deletePolicy: QueryOperation = {
  action: 'iam:DeletePolicy',
  readOnly: false,
  resource: policyArnResource,
  run(call) {
    const arn = call.params.required('PolicyArn', ARN);
    const policy = visiblePolicy(call, arn);
    // AWS managed policies belong to AWS's account: no customer may delete them.
    if (policy.AccountId === 'aws') throw iamErrors.accessDenied(`User: ${call.caller.arn} is not authorized to perform: iam:DeletePolicy on resource: policy ${arn}`);
    if (attachmentCount(call, arn) > 0) throw iamErrors.deleteConflict('Cannot delete a policy attached to entities.');
    call.engine.directory.state.policies.delete(nameSlot(policy.AccountId, policy.PolicyName));
    call.engine.directory.state.save();
    return undefined;
  },
};

export const listPolicies: QueryOperation = {
  action: 'iam:ListPolicies',
  readOnly: true,
  resource: () => '*',
  run(call) {
    const p = call.params;
    const scope = p.optional('Scope') ?? 'All';
    if (!['All', 'AWS', 'Local'].includes(scope))
      throw iamErrors.validation(`1 validation error detected: Value '${scope.slice(0, 50)}' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]`);
    const onlyAttached = p.optional('OnlyAttached') === 'true';
    const prefix = p.optional('PathPrefix', PATH_PREFIX) ?? '/';
    const local = scope === 'AWS' ? [] : call.engine.directory.policiesOf(call.caller.accountId);
    const aws = scope === 'Local' ? [] : [...AWS_MANAGED_POLICIES.values()];
    const withCounts = [...aws, ...local]
      .filter((policy) => policy.Path.startsWith(prefix))
      .map((policy) => ({ policy, count: attachmentCount(call, policy.Arn) }))
      .filter((x) => !onlyAttached || x.count > 0)
      .sort(byName((x) => x.policy.PolicyName));
    const { items, ...paging } = page(p, withCounts);
    return { Policies: items.map((x) => policyShape(x.policy, x.count)), ...paging };
  },
};

// --- attachments ---------------------------------------------------------------------------

type Kind = 'User' | 'Role';

/** Attach, Detach and ListAttached policies for users ('User') or roles ('Role'), by action name. */
export function attachmentOperations(kind: Kind): Record<string, QueryOperation> {
  const member = `${kind}Name`;
  const arnOf = kind === 'User' ? userArn : roleArn;
  const resource = (call: QueryCall) => arnOf(call, call.params.raw.get(member) ?? '');
  const principal = (call: QueryCall): UserRecord | RoleRecord => {
    const name = call.params.required(member, NAME);
    const d = call.engine.directory;
    return kind === 'User' ? d.requireUser(call.caller.accountId, name) : d.requireRole(call.caller.accountId, name);
  };
  const plural = kind === 'User' ? 'PoliciesPerUser' : 'PoliciesPerRole';
  return {
    [`Attach${kind}Policy`]: {
      action: `iam:Attach${kind}Policy`,
      readOnly: false,
      resource,
      run(call) {
        const owner = principal(call);
        const policy = visiblePolicy(call, call.params.required('PolicyArn', ARN));
        if (owner.AttachedPolicies.includes(policy.Arn)) return undefined; // attaching again changes nothing, as on AWS
        if (owner.AttachedPolicies.length >= LIMITS.attachedPerPrincipal) throw iamErrors.limitExceeded(`Cannot exceed quota for ${plural}: ${LIMITS.attachedPerPrincipal}`);
        owner.AttachedPolicies.push(policy.Arn);
        call.engine.directory.state.save();
        return undefined;
      },
    },
    [`Detach${kind}Policy`]: {
      action: `iam:Detach${kind}Policy`,
      readOnly: false,
      resource,
      run(call) {
        const owner = principal(call);
        const arn = call.params.required('PolicyArn', ARN);
        const at = owner.AttachedPolicies.indexOf(arn);
        if (at < 0) throw iamErrors.noSuchEntity(`Policy ${arn} was not found.`);
        owner.AttachedPolicies.splice(at, 1);
        call.engine.directory.state.save();
        return undefined;
      },
    },
    [`ListAttached${kind}Policies`]: {
      action: `iam:ListAttached${kind}Policies`,
      readOnly: true,
      resource,
      run(call) {
        const owner = principal(call);
        const prefix = call.params.optional('PathPrefix', PATH_PREFIX) ?? '/';
        const attached = owner.AttachedPolicies.map((arn) => call.engine.directory.managedPolicy(arn))
          .filter((policy): policy is PolicyRecord => policy !== undefined && policy.Path.startsWith(prefix));
        const { items, ...paging } = page(call.params, attached);
        return { AttachedPolicies: items.map((policy) => ({ PolicyName: policy.PolicyName, PolicyArn: policy.Arn })), ...paging };
      },
    },
  };
}
