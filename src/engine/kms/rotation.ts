// Rotating a key's material: automatic rotation on the engine clock (EnableKeyRotation,
// DisableKeyRotation, GetKeyRotationStatus), rotation on demand (RotateKeyOnDemand) and the
// list of a key's materials (ListKeyRotations). A rotation adds material: new ciphertexts use
// it, every older ciphertext still decrypts, and the key keeps its id. The rotations that fall
// due are applied by the model (Kms.runDue) when the engine is next asked anything.
import type { Caller } from '../caller.js';
import { kmsErrors } from '../errors.js';
import { parse } from '../validate.js';
import { customerKey } from './customer-keys.js';
import { assertNotReplica } from './multi-region.js';
import { materialId, type KeyRecord, type Kms, type MaterialRecord } from './model.js';
import { KeyIdField, Limit, Marker, page } from './shapes.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** "If no value is specified, the default value is 365 days" (EnableKeyRotation). */
const DEFAULT_PERIOD_DAYS = 365;
/** "You can perform on-demand key rotation a maximum of 25 times per KMS key" (a quota that cannot be raised). */
export const ON_DEMAND_ROTATION_LIMIT = 25;
/** RotateKeyOnDemand is refused (ConflictException) while an automatic rotation is this close. */
const CONFLICT_WINDOW_MS = 20 * 60 * 1000;

const KeyOnly = { KeyId: KeyIdField } as const;
const RotationPeriodInDays = { type: 'integer', min: 90, max: 2560 } as const;

export function enableKeyRotation(kms: Kms, req: unknown, caller: Caller) {
  const input = parse({ ...KeyOnly, RotationPeriodInDays } as const, req);
  const key = customerKey(kms, input.KeyId, caller, 'EnableKeyRotation');
  assertAutomaticRotation(key);
  assertNotReplica(key, 'EnableKeyRotation');
  assertKeyEnabled(key);
  const period = input.RotationPeriodInDays ?? DEFAULT_PERIOD_DAYS;
  // Rotation is due a period after it is enabled; enabling it again with the same period keeps the schedule.
  if (key.Rotation?.PeriodInDays !== period) key.Rotation = { PeriodInDays: period, NextDate: kms.clock.now().getTime() + period * DAY_MS };
  kms.save();
  return {};
}

export function disableKeyRotation(kms: Kms, req: unknown, caller: Caller) {
  const key = customerKey(kms, parse(KeyOnly, req).KeyId, caller, 'DisableKeyRotation');
  assertAutomaticRotation(key);
  assertNotReplica(key, 'DisableKeyRotation');
  assertKeyEnabled(key);
  delete key.Rotation;
  kms.save();
  return {};
}

export function getKeyRotationStatus(kms: Kms, req: unknown, caller: Caller) {
  const key = kms.resolve(parse(KeyOnly, req).KeyId, caller, { allowAlias: false });
  assertAutomaticRotation(key);
  // While a key is pending deletion its status reads false; cancelling the deletion brings it back.
  const enabled = key.Rotation !== undefined && key.KeyState !== 'PendingDeletion';
  return {
    KeyRotationEnabled: enabled,
    KeyId: key.KeyId,
    ...(enabled ? { RotationPeriodInDays: key.Rotation!.PeriodInDays, NextRotationDate: new Date(key.Rotation!.NextDate) } : {}),
  };
}

export function rotateKeyOnDemand(kms: Kms, req: unknown, caller: Caller) {
  const key = customerKey(kms, parse(KeyOnly, req).KeyId, caller, 'RotateKeyOnDemand');
  assertSupportsRotation(key);
  assertNotReplica(key, 'RotateKeyOnDemand');
  assertKeyEnabled(key);
  const now = kms.clock.now().getTime();
  if (key.Rotation && key.Rotation.NextDate - now < CONFLICT_WINDOW_MS)
    throw kmsErrors.conflict(`An automatic rotation of ${key.Arn} is in progress or scheduled to begin within the next 20 minutes.`);
  const done = key.Materials.filter((m) => m.rotation === 'ON_DEMAND').length;
  if (done >= ON_DEMAND_ROTATION_LIMIT)
    throw kmsErrors.limitExceeded(`The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: ${key.Arn}`);
  if (key.Origin === 'EXTERNAL') {
    // Imported keys rotate to material imported beforehand with ImportType NEW_KEY_MATERIAL.
    const pending = key.PendingMaterial;
    if (!pending)
      throw kmsErrors.unsupportedOperation(`${key.Arn} has no key material in the PENDING_ROTATION state. Import new key material (ImportType NEW_KEY_MATERIAL) before rotating it.`);
    key.Materials.push({ ...pending, created: now, rotation: 'ON_DEMAND' });
    delete key.PendingMaterial;
  } else {
    kms.rotate(key, 'ON_DEMAND', now);
  }
  // The engine rotates at once, so no on-demand rotation is ever shown in progress (OnDemandRotationStartDate).
  kms.save();
  return { KeyId: key.KeyId };
}

const ListKeyRotationsInput = {
  ...KeyOnly,
  IncludeKeyMaterial: { type: 'string', enum: ['ALL_KEY_MATERIAL', 'ROTATIONS_ONLY'] },
  Limit,
  Marker,
} as const;

export function listKeyRotations(kms: Kms, req: unknown, caller: Caller) {
  const input = parse(ListKeyRotationsInput, req);
  const key = kms.resolve(input.KeyId, caller, { allowAlias: false });
  assertSupportsRotation(key);
  const all = input.IncludeKeyMaterial === 'ALL_KEY_MATERIAL';
  // Rotations only: every material but the first. All: the first too, and imported material pending rotation.
  const materials = [...(all ? key.Materials : key.Materials.filter((m) => m.rotation !== undefined)), ...(all && key.PendingMaterial ? [key.PendingMaterial] : [])];
  const p = page(materials, input.Limit, input.Marker, (m) => kmsErrors.invalidMarker(`Invalid marker: ${m}`));
  return {
    Rotations: p.items.map((m) => rotationsListEntry(key, m)),
    Truncated: p.Truncated,
    ...(p.NextMarker ? { NextMarker: p.NextMarker } : {}),
  };
}

function rotationsListEntry(key: KeyRecord, m: MaterialRecord) {
  const pending = m === key.PendingMaterial;
  const current = m === key.Materials.at(-1);
  return {
    KeyId: key.KeyId,
    KeyMaterialId: materialId(m),
    ...(m.imported?.Description !== undefined ? { KeyMaterialDescription: m.imported.Description } : {}),
    ...(key.Origin === 'EXTERNAL' ? { ImportState: m.wrapped ? 'IMPORTED' : 'PENDING_IMPORT' } : {}),
    KeyMaterialState: pending ? 'PENDING_ROTATION' : current ? 'CURRENT' : 'NON_CURRENT',
    ...(m.imported ? { ExpirationModel: m.imported.ExpirationModel } : {}),
    ...(m.imported?.ValidTo !== undefined ? { ValidTo: new Date(m.imported.ValidTo) } : {}),
    ...(m.rotation && !pending ? { RotationDate: new Date(m.created), RotationType: m.rotation } : {}),
  };
}

/** Only symmetric encryption keys have rotations. */
function assertSupportsRotation(key: KeyRecord): void {
  if (key.KeySpec !== 'SYMMETRIC_DEFAULT')
    throw kmsErrors.unsupportedOperation(`${key.Arn} key spec is ${key.KeySpec} which is not valid for this operation: only symmetric encryption KMS keys are rotated.`);
}

/** Automatic rotation is for keys whose material KMS made: imported keys rotate on demand only. */
function assertAutomaticRotation(key: KeyRecord): void {
  assertSupportsRotation(key);
  if (key.Origin !== 'AWS_KMS') throw kmsErrors.unsupportedOperation(`${key.Arn} origin is ${key.Origin} which is not valid for this operation.`);
}

/** A key's rotation is changed only while it is enabled (AWS's key state table). */
function assertKeyEnabled(key: KeyRecord): void {
  if (key.KeyState === 'Disabled') throw kmsErrors.disabled(`${key.Arn} is disabled.`);
  if (key.KeyState === 'PendingDeletion') throw kmsErrors.invalidState(`${key.Arn} is pending deletion.`);
  if (key.KeyState === 'PendingImport') throw kmsErrors.invalidState(`${key.Arn} is pending import.`);
}
