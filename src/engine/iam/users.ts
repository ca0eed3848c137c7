// IAM users: CreateUser (with tags), GetUser (no UserName: the caller), ListUsers, DeleteUser (refused
// while it has access keys or policies, as IAM refuses it).
import type { QueryCall, QueryOperation } from './query.js';
import { NAME, page, PATH, PATH_PREFIX } from './query.js';
import { iamErrors } from './errors.js';
import { byName, userShape } from './shapes.js';
import { tagsOf } from './tags.js';

export const userArn = (call: QueryCall, userName: string) =>
  call.engine.directory.user(call.caller.accountId, userName)?.Arn ?? `arn:aws:iam::${call.caller.accountId}:user/${userName}`;

export const createUser: QueryOperation = {
  action: 'iam:CreateUser',
  readOnly: false,
  resource: (call) => `arn:aws:iam::${call.caller.accountId}:user${call.params.raw.get('Path') ?? '/'}${call.params.raw.get('UserName') ?? ''}`,
  run(call) {
    const userName = call.params.required('UserName', NAME);
    const path = call.params.optional('Path', PATH) ?? '/';
    return { User: userShape(call.engine.directory.createUser(call.caller.accountId, userName, path, tagsOf(call.params)), true) };
  },
};

/** The user a call names, or (no UserName) the user calling; only a user's credentials may leave it out. */
export function namedOrCallingUser(call: QueryCall) {
  const directory = call.engine.directory;
  const userName = call.params.optional('UserName', NAME);
  if (userName !== undefined) return directory.requireUser(call.caller.accountId, userName);
  const principal = directory.principalOf(call.caller);
  if (!principal || !('UserName' in principal)) throw iamErrors.validation('Must specify userName when calling with non-User credentials');
  return principal;
}

export const getUser: QueryOperation = {
  action: 'iam:GetUser',
  readOnly: true,
  resource: (call) => (call.params.raw.has('UserName') ? userArn(call, call.params.raw.get('UserName')!) : call.caller.arn),
  run: (call) => ({ User: userShape(namedOrCallingUser(call), true) }),
};

export const listUsers: QueryOperation = {
  action: 'iam:ListUsers',
  readOnly: true,
  resource: (call) => `arn:aws:iam::${call.caller.accountId}:user/`,
  run(call) {
    const prefix = call.params.optional('PathPrefix', PATH_PREFIX) ?? '/';
    const users = call.engine.directory.usersOf(call.caller.accountId).filter((u) => u.Path.startsWith(prefix)).sort(byName((u) => u.UserName));
    const { items, ...paging } = page(call.params, users);
    return { Users: items.map((u) => userShape(u)), ...paging };
  },
};

export const deleteUser: QueryOperation = {
  action: 'iam:DeleteUser',
  readOnly: false,
  resource: (call) => userArn(call, call.params.raw.get('UserName') ?? ''),
  run(call) {
    const directory = call.engine.directory;
    const user = directory.requireUser(call.caller.accountId, call.params.required('UserName', NAME));
    if (directory.accessKeysOf(user).length > 0) throw iamErrors.deleteConflict('Cannot delete entity, must delete access keys first.');
    if (Object.keys(user.InlinePolicies).length > 0) throw iamErrors.deleteConflict('Cannot delete entity, must delete policies first.');
    if (user.AttachedPolicies.length > 0) throw iamErrors.deleteConflict('Cannot delete entity, must detach all policies first.');
    directory.deleteUser(user);
    return undefined;
  },
};
