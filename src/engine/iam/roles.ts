// IAM roles: CreateRole (its trust policy checked: a valid document naming principals that
// exist), GetRole, ListRoles, UpdateAssumeRolePolicy (the trust policy replaced, checked the
// same way), DeleteRole (refused while it has policies).
import { LIMITS } from './directory.js';
import { iamErrors } from './errors.js';
import { checkTrustPolicy } from './policy-documents.js';
import type { QueryCall, QueryOperation } from './query.js';
import { DESCRIPTION, DOCUMENT, NAME, page, PATH, PATH_PREFIX } from './query.js';
import { byName, roleShape } from './shapes.js';
import { tagsOf } from './tags.js';

export const roleArn = (call: QueryCall, roleName: string) =>
  call.engine.directory.role(call.caller.accountId, roleName)?.Arn ?? `arn:aws:iam::${call.caller.accountId}:role/${roleName}`;

const namedRoleArn = (call: QueryCall) => roleArn(call, call.params.raw.get('RoleName') ?? '');

export const createRole: QueryOperation = {
  action: 'iam:CreateRole',
  readOnly: false,
  resource: (call) => `arn:aws:iam::${call.caller.accountId}:role${call.params.raw.get('Path') ?? '/'}${call.params.raw.get('RoleName') ?? ''}`,
  run(call) {
    const p = call.params;
    const RoleName = p.required('RoleName', NAME);
    const AssumeRolePolicyDocument = p.required('AssumeRolePolicyDocument', DOCUMENT);
    const Path = p.optional('Path', PATH) ?? '/';
    const Description = p.optional('Description', DESCRIPTION);
    const MaxSessionDuration = p.integer('MaxSessionDuration', 3600, 43200) ?? 3600;
    const Tags = tagsOf(p);
    checkTrustPolicy(AssumeRolePolicyDocument, call.engine.directory, LIMITS.trustPolicyChars);
    const role = call.engine.directory.createRole(call.caller.accountId, { RoleName, Path, AssumeRolePolicyDocument, Description, MaxSessionDuration, Tags });
    return { Role: roleShape(role, true) };
  },
};

export const getRole: QueryOperation = {
  action: 'iam:GetRole',
  readOnly: true,
  resource: namedRoleArn,
  run: (call) => ({ Role: roleShape(call.engine.directory.requireRole(call.caller.accountId, call.params.required('RoleName', NAME)), true) }),
};

export const listRoles: QueryOperation = {
  action: 'iam:ListRoles',
  readOnly: true,
  resource: (call) => `arn:aws:iam::${call.caller.accountId}:role/`,
  run(call) {
    const prefix = call.params.optional('PathPrefix', PATH_PREFIX) ?? '/';
    const roles = call.engine.directory.rolesOf(call.caller.accountId).filter((r) => r.Path.startsWith(prefix)).sort(byName((r) => r.RoleName));
    const { items, ...paging } = page(call.params, roles);
    return { Roles: items.map((r) => roleShape(r)), ...paging };
  },
};

export const updateAssumeRolePolicy: QueryOperation = {
  action: 'iam:UpdateAssumeRolePolicy',
  readOnly: false,
  resource: namedRoleArn,
  run(call) {
    const role = call.engine.directory.requireRole(call.caller.accountId, call.params.required('RoleName', NAME));
    const document = call.params.required('PolicyDocument', DOCUMENT);
    checkTrustPolicy(document, call.engine.directory, LIMITS.trustPolicyChars);
    role.AssumeRolePolicyDocument = document;
    call.engine.directory.state.save();
    return undefined;
  },
};

export const deleteRole: QueryOperation = {
  action: 'iam:DeleteRole',
  readOnly: false,
  resource: namedRoleArn,
  run(call) {
    const role = call.engine.directory.requireRole(call.caller.accountId, call.params.required('RoleName', NAME));
    if (Object.keys(role.InlinePolicies).length > 0) throw iamErrors.deleteConflict('Cannot delete entity, must delete policies first.');
    if (role.AttachedPolicies.length > 0) throw iamErrors.deleteConflict('Cannot delete entity, must detach all policies first.');
    call.engine.directory.deleteRole(role);
    return undefined;
  },
};
