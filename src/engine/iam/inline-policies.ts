// Inline policies of users and roles: Put/Get/Delete/List UserPolicy and RolePolicy, one
// set of operations for both kinds of principal. A principal's inline policies together
// are bounded by IAM's aggregate quota (2,048 characters for a user, 10,240 for a role).
import { policySize } from '../auth/policy.js';
import { LIMITS } from './directory.js';
import { iamErrors } from './errors.js';
import type { RoleRecord, UserRecord } from './model.js';
import { checkPolicyDocument, inlineSize } from './policy-documents.js';
import type { QueryCall, QueryOperation } from './query.js';
import { DOCUMENT, NAME, page, POLICY_NAME } from './query.js';
import { roleArn } from './roles.js';
import { encodedDocument } from './shapes.js';
import { userArn } from './users.js';

type Kind = 'User' | 'Role';

interface PrincipalKind {
  find(call: QueryCall, name: string): UserRecord | RoleRecord;
  arn(call: QueryCall, name: string): string;
  maxChars: number;
}

const KINDS: Record<Kind, PrincipalKind> = {
  User: { find: (call, name) => call.engine.directory.requireUser(call.caller.accountId, name), arn: userArn, maxChars: LIMITS.userInlineChars },
  Role: { find: (call, name) => call.engine.directory.requireRole(call.caller.accountId, name), arn: roleArn, maxChars: LIMITS.roleInlineChars },
};

/** The four inline policy operations for users ('User') or roles ('Role'), by action name. */
export function inlinePolicyOperations(kind: Kind): Record<string, QueryOperation> {
  const k = KINDS[kind];
  const member = `${kind}Name`;
  const resource = (call: QueryCall) => k.arn(call, call.params.raw.get(member) ?? '');
  const principal = (call: QueryCall) => k.find(call, call.params.required(member, NAME));
  const existing = (call: QueryCall) => {
    const owner = principal(call);
    const name = call.params.required('PolicyName', POLICY_NAME);
    if (!Object.hasOwn(owner.InlinePolicies, name)) throw iamErrors.noSuchEntity(`The ${kind.toLowerCase()} policy with name ${name} cannot be found.`);
    return { owner, name };
  };
  return {
    [`Put${kind}Policy`]: {
      action: `iam:Put${kind}Policy`,
      readOnly: false,
      resource,
      run(call) {
        const owner = principal(call);
        const name = call.params.required('PolicyName', POLICY_NAME);
        const document = call.params.required('PolicyDocument', DOCUMENT);
        checkPolicyDocument(document, 'identity');
        const others = { ...owner.InlinePolicies };
        delete others[name];
        if (inlineSize(others) + policySize(document) > k.maxChars)
          throw iamErrors.limitExceeded(`Maximum policy size of ${k.maxChars} bytes exceeded for ${kind.toLowerCase()} ${call.params.raw.get(member)}`);
        owner.InlinePolicies[name] = document;
        call.engine.directory.state.save();
        return undefined;
      },
    },
    [`Get${kind}Policy`]: {
      action: `iam:Get${kind}Policy`,
      readOnly: true,
      resource,
      run(call) {
        const { owner, name } = existing(call);
        const ownerName = 'UserName' in owner ? owner.UserName : owner.RoleName;
        return { [member]: ownerName, PolicyName: name, PolicyDocument: encodedDocument(owner.InlinePolicies[name]!) };
      },
    },
    [`Delete${kind}Policy`]: {
      action: `iam:Delete${kind}Policy`,
      readOnly: false,
      resource,
      run(call) {
        const { owner, name } = existing(call);
        delete owner.InlinePolicies[name];
        call.engine.directory.state.save();
        return undefined;
      },
    },
    [`List${kind}Policies`]: {
      action: `iam:List${kind}Policies`,
      readOnly: true,
      resource,
      run(call) {
        const { items, ...paging } = page(call.params, Object.keys(principal(call).InlinePolicies).sort());
        return { PolicyNames: items, ...paging };
      },
    },
  };
}
