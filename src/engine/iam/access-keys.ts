// Access keys of IAM users: CreateAccessKey (the only answer that carries the secret),
// ListAccessKeys, UpdateAccessKey (Active/Inactive), DeleteAccessKey. No UserName: the caller's own.
import { iamErrors } from './errors.js';
import type { QueryCall, QueryOperation } from './query.js';
import { page } from './query.js';
import { accessKeyMetadata, byName } from './shapes.js';
import { namedOrCallingUser, userArn } from './users.js';

const ACCESS_KEY_ID = { min: 16, max: 128, pattern: ['[\\w]+', /^\w+$/] as [string, RegExp] };

const userResource = (call: QueryCall) => (call.params.raw.has('UserName') ? userArn(call, call.params.raw.get('UserName')!) : call.caller.arn);

/** The key a call names, of the user it names (or the caller): NoSuchEntity in IAM's words otherwise. */
function namedKey(call: QueryCall) {
  const user = namedOrCallingUser(call);
  const id = call.params.required('AccessKeyId', ACCESS_KEY_ID);
  const key = call.engine.directory.accessKeysOf(user).find((k) => k.AccessKeyId === id);
  if (!key) throw iamErrors.noSuchEntity(`The Access Key with id ${id} cannot be found.`);
  return key;
}

export const createAccessKey: QueryOperation = {
  action: 'iam:CreateAccessKey',
  readOnly: false,
  resource: userResource,
  run(call) {
    const { key, secretAccessKey } = call.engine.directory.createAccessKey(namedOrCallingUser(call));
    return { AccessKey: { UserName: key.UserName, AccessKeyId: key.AccessKeyId, Status: key.Status, SecretAccessKey: secretAccessKey, CreateDate: new Date(key.CreateDate) } };
  },
};

export const listAccessKeys: QueryOperation = {
  action: 'iam:ListAccessKeys',
  readOnly: true,
  resource: userResource,
  run(call) {
    const keys = call.engine.directory.accessKeysOf(namedOrCallingUser(call)).sort(byName((k) => k.AccessKeyId));
    const { items, ...paging } = page(call.params, keys);
    return { AccessKeyMetadata: items.map(accessKeyMetadata), ...paging };
  },
};

export const updateAccessKey: QueryOperation = {
  action: 'iam:UpdateAccessKey',
  readOnly: false,
  resource: userResource,
  run(call) {
    const status = call.params.required('Status');
    if (status !== 'Active' && status !== 'Inactive')
      throw iamErrors.validation(`1 validation error detected: Value '${status.slice(0, 50)}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]`);
    const key = namedKey(call);
    key.Status = status;
    call.engine.directory.state.save();
    return undefined;
  },
};

export const deleteAccessKey: QueryOperation = {
  action: 'iam:DeleteAccessKey',
  readOnly: false,
  resource: userResource,
  run(call) {
    call.engine.directory.deleteAccessKey(namedKey(call));
    return undefined;
  },
};
