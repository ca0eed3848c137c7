// The engine's IAM, in the AWS Query protocol (query.ts): its table of operations, each with the
// IAM action and resource the authorization decision needs, mounted on the engine.
import type { Engine } from '../engine.js';
import { createAccessKey, deleteAccessKey, listAccessKeys, updateAccessKey } from './access-keys.js';
import { inlinePolicyOperations } from './inline-policies.js';
import { attachmentOperations, createPolicy, deletePolicy, getPolicy, getPolicyVersion, listPolicies } from './managed-policies.js';
import { IAM_XMLNS, mountQueryService, type QueryOperation } from './query.js';
import { createRole, deleteRole, getRole, listRoles, updateAssumeRolePolicy } from './roles.js';
import { createUser, deleteUser, getUser, listUsers } from './users.js';

export const IAM_OPERATIONS: ReadonlyMap<string, QueryOperation> = new Map(
  Object.entries({
    CreateUser: createUser,
    GetUser: getUser,
    ListUsers: listUsers,
    DeleteUser: deleteUser,
    CreateRole: createRole,
    GetRole: getRole,
    ListRoles: listRoles,
    UpdateAssumeRolePolicy: updateAssumeRolePolicy,
    DeleteRole: deleteRole,
    CreateAccessKey: createAccessKey,
    ListAccessKeys: listAccessKeys,
    UpdateAccessKey: updateAccessKey,
    DeleteAccessKey: deleteAccessKey,
    ...inlinePolicyOperations('User'),
    ...inlinePolicyOperations('Role'),
    CreatePolicy: createPolicy,
    GetPolicy: getPolicy,
    GetPolicyVersion: getPolicyVersion,
    DeletePolicy: deletePolicy,
    ListPolicies: listPolicies,
    ...attachmentOperations('User'),
    ...attachmentOperations('Role'),
  }),
);

export function mountIam(engine: Engine): void {
  mountQueryService(engine, { name: 'iam', version: '2010-05-08', xmlns: IAM_XMLNS, eventSource: 'iam.amazonaws.com', region: 'us-east-1', operations: IAM_OPERATIONS });
}
