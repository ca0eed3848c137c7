// Imported key material that expires on the engine clock (model.ts applies the expiry before the
// next request): an enabled key becomes PendingImport, but a key pending deletion stays
// PendingDeletion, as DeleteImportedKeyMaterial leaves it ("When the KMS key is in the
// PendingDeletion state, this operation does not change the KMS key's state.").
import { CreateKeyCommand, DescribeKeyCommand, GetParametersForImportCommand, ImportKeyMaterialCommand, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { expect, test } from 'vitest';
import { startTestEngine } from '../helpers/engine.js';

const DAY_MS = 24 * 60 * 60 * 1000;

test('expired imported material makes an enabled key PendingImport, and leaves a key pending deletion PendingDeletion', async () => {
  const e = await startTestEngine();
  try {
    const expiring = async () => {
      const key = (await e.kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }))).KeyMetadata!;
      const p = await e.kms.send(new GetParametersForImportCommand({ KeyId: key.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }));
      const publicKey = createPublicKey({ key: Buffer.from(p.PublicKey!), format: 'der', type: 'spki' });
      const EncryptedKeyMaterial = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, randomBytes(32));
      const ValidTo = new Date(e.clock.now().getTime() + 2 * DAY_MS);
      await e.kms.send(new ImportKeyMaterialCommand({ KeyId: key.KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial, ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo }));
      return key.KeyId!;
    };
    const enabled = await expiring();
    const deleting = await expiring();
    await e.kms.send(new ScheduleKeyDeletionCommand({ KeyId: deleting, PendingWindowInDays: 7 }));
    e.clock.advance(3 * 24 * 3600);
    const state = async (KeyId: string) => (await e.kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata!.KeyState;
    expect(await state(enabled)).toBe('PendingImport');
    expect(await state(deleting)).toBe('PendingDeletion');
  } finally {
    await e.stop();
  }
}, 120_000); // two RSA wrapping key pairs: slow on a loaded machine
