// Lessons 7 and 8 in the TUI, driven by keys through the real lessons, the
// real runtime and a fresh local engine: each step predicted (when it asks)
// and run, and the key moments read off the screen: the rotation list, the
// old ciphertext decrypting under the same key, the openssl interop, the
// tampered signature's KMSInvalidSignatureException, VerifyMac.
import { expect, test } from 'vitest';
import { byId, closeAppsAfterEach, openLesson, playAll, start } from './lesson-player.js';

closeAppsAfterEach();

test('lesson 7 on screen: the 30-day period refused, the rotation list after the jump, every material, the old ciphertext opening under the same key', async () => {
  const app = start();
  const lesson = byId('rotation-and-reencryption');
  await openLesson(app, lesson);
  const frames = await playAll(app, lesson);

  expect(frames.get('enable-rotation')).toContain('Expected error from EnableKeyRotation: ValidationException');
  const jump = frames.get('fast-forward-a-period')!;
  expect(jump).toMatch(/clock moved forward 91 days/);
  expect(jump).toMatch(/ListKeyRotations for [0-9a-f-]{36}/);
  expect(jump).toMatch(/[0-9a-f]{12}\.\.\.\s+AUTOMATIC\s+\S+\s+CURRENT/);
  const all = frames.get('rotate-on-demand')!;
  expect(all).toMatch(/\(the first\)\s+NON_CURRENT/);
  expect(all).toMatch(/AUTOMATIC\s+\S+\s+NON_CURRENT/);
  expect(all).toMatch(/ON_DEMAND\s+\S+\s+CURRENT/);
  const old = frames.get('old-ciphertext-decrypts')!;
  expect(old).toMatch(/✔ the secret from before the rotations/);
  expect(old).toMatch(/✔ with the same KeyId/);
  expect(frames.get('re-encrypt')).toMatch(/✔ the response carries no Plaintext/);
}, 120_000);

test('lesson 8 on screen: openssl encrypts and KMS decrypts, openssl verifies, the tampered release is KMSInvalidSignatureException, VerifyMac accepts the token and refuses the forged one', async () => {
  const app = start();
  const lesson = byId('asymmetric-and-hmac');
  await openLesson(app, lesson);
  const frames = await playAll(app, lesson);

  const outside = frames.get('encrypt-outside-aws')!;
  expect(outside).toMatch(/ran: openssl pkeyutl -encrypt|openssl is not installed: node:crypto encrypted/);
  expect(outside).toMatch(/✔ no call to AWS was needed/);
  expect(frames.get('decrypt-with-kms')).toMatch(/✔ KMS decrypted what openssl encrypted/);
  const verified = frames.get('verify-signatures')!;
  expect(verified).toMatch(/✔ KMS: the RAW signature is valid/);
  expect(verified).toMatch(/✔ (openssl dgst -verify|node:crypto): release-digest\.sig verifies/);
  const tampered = frames.get('tampered-message')!;
  expect(tampered).toContain('Expected error from Verify: KMSInvalidSignatureException');
  expect(tampered).toMatch(/✘ Verify\s+you KMSInvalidSignatureException/);
  const token = frames.get('hmac-token')!;
  expect(token).toMatch(/"MacValid": true/);
  expect(token).toMatch(/✔ the token is genuine/);
  expect(frames.get('forged-token')).toContain('Expected error from VerifyMac: KMSInvalidMacException');
}, 120_000);
