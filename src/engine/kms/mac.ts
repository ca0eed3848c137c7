// GenerateMac and VerifyMac: HMACs (RFC 2104) with an HMAC key, KeyUsage GENERATE_VERIFY_MAC.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Caller } from '../caller.js';
import { kmsErrors } from '../errors.js';
import { parse } from '../validate.js';
import { assertAlgorithm, assertKeyUsage, macAlgorithms } from './key-specs.js';
import type { Kms } from './model.js';
import { CiphertextField, DryRun, GrantTokens, KeyIdField, MacAlgorithm, PlaintextField } from './shapes.js';

const GenerateMacInput = { Message: PlaintextField, KeyId: KeyIdField, MacAlgorithm, GrantTokens, DryRun } as const;

export function generateMac(kms: Kms, req: unknown, caller: Caller) {
  const input = parse(GenerateMacInput, req);
  const { key, mac } = macOf(kms, input, caller, 'GenerateMac');
  return { Mac: mac, MacAlgorithm: input.MacAlgorithm, KeyId: key.Arn };
}

const VerifyMacInput = { ...GenerateMacInput, Mac: CiphertextField } as const;

export function verifyMac(kms: Kms, req: unknown, caller: Caller) {
  const input = parse(VerifyMacInput, req);
  const { key, mac } = macOf(kms, input, caller, 'VerifyMac');
  if (mac.length !== input.Mac.length || !timingSafeEqual(mac, input.Mac)) throw kmsErrors.invalidMac();
  return { KeyId: key.Arn, MacValid: true, MacAlgorithm: input.MacAlgorithm };
}

/** HMAC_SHA_256 is HMAC with SHA-256, and so on: the algorithm's name ends in its hash. */
function macOf(kms: Kms, input: { KeyId: string; Message: Buffer; MacAlgorithm: string }, caller: Caller, operation: string) {
  const key = kms.resolve(input.KeyId, caller);
  kms.assertUsable(key);
  assertKeyUsage(key, 'GENERATE_VERIFY_MAC', operation);
  assertAlgorithm(key, input.MacAlgorithm, macAlgorithms(key.KeySpec));
  const hash = `sha${input.MacAlgorithm.slice(-3)}`;
  return { key, mac: createHmac(hash, kms.currentMaterial(key)).update(input.Message).digest() };
}
