// STS GetCallerIdentity: who the request's credentials stand for. It needs no permission
// (AWS: "No permissions are required to perform this operation").
import { isRootCaller } from '../iam/directory.js';
import type { QueryOperation } from '../iam/query.js';

export const getCallerIdentity: QueryOperation = {
  action: 'sts:GetCallerIdentity',
  permission: 'none',
  readOnly: true,
  resource: () => '*',
  run({ caller, engine }) {
    const isRoot = isRootCaller(caller);
    const principal = isRoot || caller.principalId ? undefined : engine.directory.principalOf(caller);
    const userId = isRoot ? caller.accountId : (caller.principalId ?? (principal && 'UserId' in principal ? principal.UserId : caller.accessKeyId));
    return { UserId: userId, Account: caller.accountId, Arn: caller.arn };
  },
};
