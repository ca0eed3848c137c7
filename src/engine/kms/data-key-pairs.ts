// GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext: an RSA or ECC key pair for use
// outside KMS, its private key (PKCS#8 DER) sealed under a symmetric encryption key with the
// encryption context bound, so Decrypt gives it back; the public key as DER SubjectPublicKeyInfo.
import type { Caller } from '../caller.js';
import { kmsErrors } from '../errors.js';
import { parse } from '../validate.js';
import { sealingMaterialId } from './key-material-ids.js';
import { assertSymmetricEncryptionKey, keyPairParameters, newKeyPair } from './key-specs.js';
import type { Kms } from './model.js';
import { DataKeyPairSpec, DryRun, EncryptionContext, GrantTokens, KeyIdField } from './shapes.js';

const GenerateDataKeyPairInput = {
  EncryptionContext,
  KeyId: KeyIdField,
  KeyPairSpec: DataKeyPairSpec,
  GrantTokens,
  DryRun,
} as const;

export function generateDataKeyPair(kms: Kms, req: unknown, caller: Caller) {
  return newDataKeyPair(kms, req, caller, 'GenerateDataKeyPair');
}

export function generateDataKeyPairWithoutPlaintext(kms: Kms, req: unknown, caller: Caller) {
  const { PrivateKeyPlaintext: _, ...withoutPlaintext } = newDataKeyPair(kms, req, caller, 'GenerateDataKeyPairWithoutPlaintext');
  return withoutPlaintext;
}

function newDataKeyPair(kms: Kms, req: unknown, caller: Caller, operation: string) {
  const input = parse(GenerateDataKeyPairInput, req);
  const key = kms.resolve(input.KeyId, caller);
  kms.assertUsable(key);
  assertSymmetricEncryptionKey(key, operation);
  // SM2 (China Regions only) and Ed25519 pairs are in the API; the engine makes neither.
  if (!keyPairParameters(input.KeyPairSpec)) throw kmsErrors.unsupportedOperation(`The local engine does not generate ${input.KeyPairSpec} data key pairs.`);
  const pair = newKeyPair(input.KeyPairSpec);
  return {
    PrivateKeyCiphertextBlob: kms.seal(key, pair.privateKey, input.EncryptionContext),
    PrivateKeyPlaintext: pair.privateKey,
    PublicKey: pair.publicKey,
    KeyId: key.Arn,
    KeyPairSpec: input.KeyPairSpec,
    KeyMaterialId: sealingMaterialId(key),
  };
}
