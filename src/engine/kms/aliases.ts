// CreateAlias, UpdateAlias, DeleteAlias, ListAliases.
import type { Caller } from '../caller.js';
import { AwsError, kmsErrors } from '../errors.js';
import { parse } from '../validate.js';
import type { Kms } from './model.js';
import { Limit, Marker, page } from './shapes.js';

const AliasNameField = { type: 'string', required: true, min: 1, max: 256, pattern: /^[a-zA-Z0-9:/_-]+$/ } as const;
const TargetKeyIdField = { type: 'string', required: true, min: 1, max: 2048 } as const;

function assertAliasName(name: string) {
  if (!name.startsWith('alias/')) throw kmsErrors.validation(`Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html`);
  if (name.startsWith('alias/aws/')) throw new AwsError('NotAuthorizedException', 'The alias/aws/ prefix is reserved for AWS managed keys.');
  if (name === 'alias/') throw kmsErrors.validation('Alias name must have at least one character after "alias/".');
}

export function createAlias(kms: Kms, req: unknown, caller: Caller) {
  const input = parse({ AliasName: AliasNameField, TargetKeyId: TargetKeyIdField } as const, req);
  assertAliasName(input.AliasName);
  const key = kms.resolve(input.TargetKeyId, caller, { allowAlias: false, ownAccount: true }); // an alias and its key are in one account
  kms.assertNotPendingDeletion(key);
  if (kms.findAlias(input.AliasName, caller))
    throw kmsErrors.alreadyExists(`An alias with the name ${kms.aliasArn(caller, input.AliasName)} already exists`);
  const now = kms.clock.now().getTime();
  kms.putAlias({ AliasName: input.AliasName, AliasArn: kms.aliasArn(caller, input.AliasName), TargetKeyId: key.KeyId, CreationDate: now, LastUpdatedDate: now });
  kms.save();
  return {};
}

export function updateAlias(kms: Kms, req: unknown, caller: Caller) {
  const input = parse({ AliasName: AliasNameField, TargetKeyId: TargetKeyIdField } as const, req);
  assertAliasName(input.AliasName);
  const alias = kms.findAlias(input.AliasName, caller);
  if (!alias) throw kmsErrors.notFound(`Alias ${kms.aliasArn(caller, input.AliasName)} is not found.`);
  const key = kms.resolve(input.TargetKeyId, caller, { allowAlias: false, ownAccount: true }); // an alias and its key are in one account
  kms.assertNotPendingDeletion(key);
  alias.TargetKeyId = key.KeyId;
  alias.LastUpdatedDate = kms.clock.now().getTime();
  kms.save();
  return {};
}

export function deleteAlias(kms: Kms, req: unknown, caller: Caller) {
  const input = parse({ AliasName: AliasNameField } as const, req);
  assertAliasName(input.AliasName);
  const alias = kms.findAlias(input.AliasName, caller);
  if (!alias) throw kmsErrors.notFound(`Alias ${kms.aliasArn(caller, input.AliasName)} is not found.`);
  kms.deleteAlias(alias);
  kms.save();
  return {};
}

export function listAliases(kms: Kms, req: unknown, caller: Caller) {
  const input = parse({ KeyId: { type: 'string', min: 1, max: 2048 }, Limit, Marker } as const, req);
  kms.sweepDeleted();
  let aliases = kms.aliasesIn(caller.region, caller.accountId).sort((a, b) => a.AliasName.localeCompare(b.AliasName));
  if (input.KeyId !== undefined) {
    const key = kms.resolve(input.KeyId, caller, { allowAlias: false, ownAccount: true });
    aliases = aliases.filter((a) => a.TargetKeyId === key.KeyId);
  }
  const p = page(aliases, input.Limit ?? 50, input.Marker, (m) => kmsErrors.invalidMarker(`Invalid marker: ${m}`));
  return {
    Aliases: p.items.map((a) => ({
      AliasName: a.AliasName,
      AliasArn: a.AliasArn,
      TargetKeyId: a.TargetKeyId,
      CreationDate: new Date(a.CreationDate),
      LastUpdatedDate: new Date(a.LastUpdatedDate),
    })),
    Truncated: p.Truncated,
    ...(p.NextMarker ? { NextMarker: p.NextMarker } : {}),
  };
}
