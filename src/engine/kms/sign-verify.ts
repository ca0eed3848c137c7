// Sign and Verify: digital signatures with an asymmetric key whose KeyUsage is SIGN_VERIFY.
import type { Caller } from '../caller.js';
import { kmsErrors } from '../errors.js';
import { parse } from '../validate.js';
import { assertAlgorithm, assertKeyUsage, signingAlgorithms } from './key-specs.js';
import type { KeyRecord, Kms } from './model.js';
import { CiphertextField, DryRun, GrantTokens, KeyIdField, MessageType, PlaintextField, SigningAlgorithm } from './shapes.js';
import { hashOf, signMessage, verifySignature } from './signatures.js';

const SignInput = {
  KeyId: KeyIdField,
  Message: PlaintextField,
  MessageType,
  GrantTokens,
  SigningAlgorithm,
  DryRun,
} as const;

export function signOperation(kms: Kms, req: unknown, caller: Caller) {
  const input = parse(SignInput, req);
  const { key, isDigest } = signingKey(kms, input, caller, 'Sign');
  const signature = signMessage(kms.privateKey(key), input.SigningAlgorithm, input.Message, isDigest);
  return { KeyId: key.Arn, Signature: signature, SigningAlgorithm: input.SigningAlgorithm };
}

const VerifyInput = { ...SignInput, Signature: CiphertextField } as const;

export function verifyOperation(kms: Kms, req: unknown, caller: Caller) {
  const input = parse(VerifyInput, req);
  const { key, isDigest } = signingKey(kms, input, caller, 'Verify');
  // AWS answers a signature that does not verify with this error, without a message.
  if (!verifySignature(kms.privateKey(key), input.SigningAlgorithm, input.Message, isDigest, input.Signature)) throw kmsErrors.invalidSignature();
  return { KeyId: key.Arn, SignatureValid: true, SigningAlgorithm: input.SigningAlgorithm };
}

/**
 * The key, usable, with KeyUsage SIGN_VERIFY and a signing algorithm its spec supports; a DIGEST
 * must be as long as the algorithm's hash. RAW is the default MessageType.
 */
function signingKey(kms: Kms, input: { KeyId: string; Message: Buffer; MessageType?: string; SigningAlgorithm: string }, caller: Caller, operation: string): { key: KeyRecord; isDigest: boolean } {
  const key = kms.resolve(input.KeyId, caller);
  kms.assertUsable(key);
  assertKeyUsage(key, 'SIGN_VERIFY', operation);
  assertAlgorithm(key, input.SigningAlgorithm, signingAlgorithms(key.KeySpec));
  const messageType = input.MessageType ?? 'RAW';
  // EXTERNAL_MU is for ML-DSA keys, which the engine does not make; AWS's answer here is not documented.
  if (messageType === 'EXTERNAL_MU') throw kmsErrors.invalidKeyUsage(`MessageType EXTERNAL_MU is incompatible with signing algorithm ${input.SigningAlgorithm}.`);
  const isDigest = messageType === 'DIGEST';
  if (isDigest && input.Message.length !== hashOf(input.SigningAlgorithm).bytes)
    throw kmsErrors.validation(`Digest is invalid length for algorithm ${input.SigningAlgorithm}.`);
  return { key, isDigest };
}
