// Imported key material ("Importing key material" in the AWS KMS Developer Guide): a key created
// with Origin EXTERNAL has no material (PendingImport) until ImportKeyMaterial brings some,
// wrapped with the public key and import token of GetParametersForImport. Imported material may
// expire (the model drops it on the engine clock) or be deleted (DeleteImportedKeyMaterial):
// the key is then PendingImport again until the same material is imported again. A symmetric
// key may also take new material (ImportType NEW_KEY_MATERIAL), current after RotateKeyOnDemand.
import { createPrivateKey } from 'node:crypto';
import type { Caller } from '../caller.js';
import { kmsErrors } from '../errors.js';
import { parse } from '../validate.js';
import { customerKey } from './customer-keys.js';
import { materialId, materialIdOf, type ExpirationModel, type KeyRecord, type Kms, type MaterialRecord } from './model.js';
import { KeyIdField } from './shapes.js';
import { takeRsaKeyPair } from './rsa-key-pairs.js';
import { assertWrappingSupported, openImportToken, PARAMETERS_VALID_MS, sealImportToken, unwrapKeyMaterial, WRAPPING_KEY_BITS, type WrappingKeySpec } from './wrapping.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** "The maximum value [of ValidTo] is 365 days from the request date." */
const MAX_VALID_DAYS = 365;

const GetParametersForImportInput = {
  KeyId: KeyIdField,
  WrappingAlgorithm: { type: 'string', required: true, enum: ['RSAES_PKCS1_V1_5', 'RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_256', 'SM2PKE'] },
  WrappingKeySpec: { type: 'string', required: true, enum: ['RSA_2048', 'RSA_3072', 'RSA_4096', 'SM2'] },
} as const;

export function getParametersForImport(kms: Kms, req: unknown, caller: Caller) {
  const input = parse(GetParametersForImportInput, req);
  const key = importableKey(kms, input.KeyId, caller, 'GetParametersForImport');
  assertWrappingSupported(input.WrappingAlgorithm, input.WrappingKeySpec);
  const spec = input.WrappingKeySpec as WrappingKeySpec;
  const { privateKey, publicKey } = takeRsaKeyPair(WRAPPING_KEY_BITS[spec]); // a wrapping key of its own
  const validTo = kms.clock.now().getTime() + PARAMETERS_VALID_MS;
  return {
    KeyId: key.Arn,
    ImportToken: sealImportToken(kms.store, { keyArn: key.Arn, validTo, algorithm: input.WrappingAlgorithm, spec, privateKey: createPrivateKey({ key: privateKey, format: 'der', type: 'pkcs8' }) }),
    PublicKey: publicKey, // SubjectPublicKeyInfo DER: what `openssl pkeyutl -keyform DER -pubin` reads
    ParametersValidTo: new Date(validTo),
  };
}

const ImportKeyMaterialInput = {
  KeyId: KeyIdField,
  ImportToken: { type: 'blob', required: true, min: 1, max: 6144 },
  EncryptedKeyMaterial: { type: 'blob', required: true, min: 1, max: 6144 },
  ValidTo: { type: 'timestamp' },
  ExpirationModel: { type: 'string', enum: ['KEY_MATERIAL_EXPIRES', 'KEY_MATERIAL_DOES_NOT_EXPIRE'] },
  ImportType: { type: 'string', enum: ['NEW_KEY_MATERIAL', 'EXISTING_KEY_MATERIAL'] },
  KeyMaterialDescription: { type: 'string', min: 0, max: 256, pattern: /^[a-zA-Z0-9:/_\s.-]+$/ },
  KeyMaterialId: { type: 'string', min: 64, max: 64, pattern: /^[a-f0-9]+$/ },
} as const;

export function importKeyMaterial(kms: Kms, req: unknown, caller: Caller) {
  const input = parse(ImportKeyMaterialInput, req);
  const expiration = expirationOf(input.ExpirationModel, input.ValidTo, kms.clock.now().getTime());
  const key = importableKey(kms, input.KeyId, caller, 'ImportKeyMaterial');
  const symmetric = key.KeySpec === 'SYMMETRIC_DEFAULT';
  if (!symmetric && (input.ImportType !== undefined || input.KeyMaterialDescription !== undefined || input.KeyMaterialId !== undefined))
    throw kmsErrors.unsupportedOperation(`ImportType, KeyMaterialDescription and KeyMaterialId can be used only with symmetric encryption KMS keys, not with ${key.Arn} (${key.KeySpec}).`);
  const importType = input.ImportType ?? (key.Materials.length === 0 ? 'NEW_KEY_MATERIAL' : 'EXISTING_KEY_MATERIAL');
  if (importType === 'NEW_KEY_MATERIAL' && input.KeyMaterialId !== undefined)
    throw kmsErrors.validation('You cannot specify a KeyMaterialId with ImportType NEW_KEY_MATERIAL.');

  const token = openImportToken(kms.store, input.ImportToken);
  if (token.keyArn !== key.Arn) throw kmsErrors.invalidImportToken(`The import token was issued for another KMS key, not for ${key.Arn}.`);
  if (kms.clock.now().getTime() > token.validTo)
    throw kmsErrors.expiredImportToken(`The import token expired on ${new Date(token.validTo).toISOString()}. Call GetParametersForImport for a new import token and public key.`);
  const material = keyMaterialFor(key, unwrapKeyMaterial(token, input.EncryptedKeyMaterial));
  const id = materialIdOf(key.KeyId, material);
  const imported = { ...expiration, ...(input.KeyMaterialDescription !== undefined ? { Description: input.KeyMaterialDescription } : {}) };

  const known = [...key.Materials, ...(key.PendingMaterial ? [key.PendingMaterial] : [])].find((m) => materialId(m) === id);
  let record: MaterialRecord;
  if (importType === 'NEW_KEY_MATERIAL') {
    if (known) throw kmsErrors.incorrectKeyMaterial(`The key material is already associated with ${key.Arn}: ImportType NEW_KEY_MATERIAL needs key material the key has never had.`);
    if (key.PendingMaterial)
      throw kmsErrors.invalidState(`${key.Arn} already has key material in the PENDING_ROTATION state: rotate to it (RotateKeyOnDemand) or delete it (DeleteImportedKeyMaterial) first.`);
    record = kms.newMaterial(key, material, { imported });
    if (key.Materials.length === 0) key.Materials.push(record); // the first material is current at once
    else key.PendingMaterial = record; // later ones wait for RotateKeyOnDemand
  } else {
    if (!known || (input.KeyMaterialId !== undefined && input.KeyMaterialId !== id))
      throw kmsErrors.incorrectKeyMaterial(`The key material is not the key material previously imported into ${key.Arn}. To use other key material, import it with ImportType NEW_KEY_MATERIAL${symmetric ? '' : ' (symmetric encryption keys only)'} or create a new KMS key.`);
    record = known;
    if (!record.wrapped) kms.restoreMaterial(key, record, material);
    // Each import sets the expiration anew; a description given before is kept unless a new one is.
    record.imported = { Description: record.imported?.Description, ...imported };
    if (record.imported.Description === undefined) delete record.imported.Description;
  }
  if (key.KeyState === 'PendingImport' && key.Materials.every((m) => m.wrapped)) key.KeyState = 'Enabled';
  kms.save();
  return { KeyId: key.Arn, KeyMaterialId: materialId(record) };
}

const DeleteImportedKeyMaterialInput = {
  KeyId: KeyIdField,
  KeyMaterialId: { type: 'string', min: 64, max: 64, pattern: /^[a-f0-9]+$/ },
} as const;

export function deleteImportedKeyMaterial(kms: Kms, req: unknown, caller: Caller) {
  const input = parse(DeleteImportedKeyMaterialInput, req);
  const key = customerKey(kms, input.KeyId, caller, 'DeleteImportedKeyMaterial');
  assertExternal(key);
  const record = input.KeyMaterialId === undefined
    ? key.Materials.at(-1)
    : [...key.Materials, ...(key.PendingMaterial ? [key.PendingMaterial] : [])].find((m) => materialId(m) === input.KeyMaterialId);
  if (input.KeyMaterialId !== undefined && !record) throw kmsErrors.notFound(`Key material ${input.KeyMaterialId} is not associated with ${key.Arn}.`);
  if (!record) return { KeyId: key.Arn }; // a key that never had material: nothing to delete
  if (record === key.PendingMaterial) {
    kms.dropMaterial(record);
    delete key.PendingMaterial; // material pending rotation was never the key's: it simply goes
  } else {
    kms.dropMaterial(record);
    // "When the KMS key is in the PendingDeletion state, this operation does not change the KMS key's state."
    if (key.KeyState !== 'PendingDeletion') key.KeyState = 'PendingImport';
  }
  kms.save();
  return { KeyId: key.Arn, KeyMaterialId: materialId(record) };
}

/** Operations on imported material: a customer managed key with Origin EXTERNAL, not pending deletion. */
function importableKey(kms: Kms, ref: string, caller: Caller, operation: string): KeyRecord {
  const key = customerKey(kms, ref, caller, operation);
  assertExternal(key);
  if (key.KeyState === 'PendingDeletion') throw kmsErrors.invalidState(`${key.Arn} is pending deletion.`);
  return key;
}

function assertExternal(key: KeyRecord): void {
  if (key.Origin !== 'EXTERNAL') throw kmsErrors.unsupportedOperation(`${key.Arn} origin is ${key.Origin} which is not valid for this operation.`);
}

/** ExpirationModel (KEY_MATERIAL_EXPIRES by default) and ValidTo, checked as ImportKeyMaterial checks them. */
function expirationOf(model: string | undefined, validTo: Date | undefined, now: number): { ExpirationModel: ExpirationModel; ValidTo?: number } {
  const expirationModel = (model ?? 'KEY_MATERIAL_EXPIRES') as ExpirationModel;
  if (expirationModel === 'KEY_MATERIAL_DOES_NOT_EXPIRE') {
    if (validTo !== undefined) throw kmsErrors.validation('The parameter ValidTo cannot be specified for a key with an expiration model of KEY_MATERIAL_DOES_NOT_EXPIRE');
    return { ExpirationModel: expirationModel };
  }
  if (validTo === undefined) throw kmsErrors.validation('A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES');
  const time = validTo.getTime();
  if (!(time > now)) throw kmsErrors.validation('ValidTo must be a date and time in the future.');
  if (time > now + MAX_VALID_DAYS * DAY_MS) throw kmsErrors.validation(`ValidTo must be at most ${MAX_VALID_DAYS} days from now.`);
  return { ExpirationModel: expirationModel, ValidTo: time };
}

/** HMAC key material lengths, in bytes ("Requirements for imported key material"). */
const HMAC_BYTES: Record<string, [number, number]> = { HMAC_224: [28, 64], HMAC_256: [32, 64], HMAC_384: [48, 128], HMAC_512: [64, 128] };
const RSA_BITS: Record<string, number> = { RSA_2048: 2048, RSA_3072: 3072, RSA_4096: 4096 };
const CURVES: Record<string, string> = { ECC_NIST_P256: 'prime256v1', ECC_NIST_P384: 'secp384r1', ECC_NIST_P521: 'secp521r1', ECC_SECG_P256K1: 'secp256k1' };

/**
 * The material as the key keeps it, or IncorrectKeyMaterialException when it does not fit the
 * key spec: 256 bits for a symmetric key, the spec's range of lengths for HMAC, a PKCS#8 private
 * key of the spec's size or curve for RSA and ECC (kept in canonical DER, so the same key imported
 * again is recognised).
 */
function keyMaterialFor(key: KeyRecord, material: Buffer): Buffer {
  const wrong = (what: string) => kmsErrors.incorrectKeyMaterial(`The key material does not fit ${key.Arn} (${key.KeySpec}): ${what}.`);
  if (key.KeySpec === 'SYMMETRIC_DEFAULT') {
    if (material.length !== 32) throw wrong(`symmetric key material must be 256 bits (32 bytes), not ${material.length} bytes`);
    return material;
  }
  const hmac = HMAC_BYTES[key.KeySpec];
  if (hmac) {
    if (material.length < hmac[0] || material.length > hmac[1]) throw wrong(`it must be ${hmac[0]} to ${hmac[1]} bytes, not ${material.length}`);
    return material;
  }
  let privateKey;
  try {
    privateKey = createPrivateKey({ key: material, format: 'der', type: 'pkcs8' });
  } catch {
    throw wrong('it must be a private key in PKCS#8 DER');
  }
  const details = privateKey.asymmetricKeyDetails;
  const bits = RSA_BITS[key.KeySpec];
  const curve = CURVES[key.KeySpec];
  if (bits !== undefined && (privateKey.asymmetricKeyType !== 'rsa' || details?.modulusLength !== bits)) throw wrong(`it must be an RSA private key of ${bits} bits`);
  if (curve !== undefined && (privateKey.asymmetricKeyType !== 'ec' || details?.namedCurve !== curve)) throw wrong(`it must be an elliptic curve private key on ${key.KeySpec}`);
  if (bits === undefined && curve === undefined) throw wrong('the engine cannot import material for this key spec');
  return privateKey.export({ format: 'der', type: 'pkcs8' });
}
