// KeyMaterialId in the responses of the operations that use a symmetric encryption key's
// material (the AWS KMS API reference): Decrypt, GenerateDataKey, GenerateDataKeyWithoutPlaintext,
// GenerateDataKeyPair(WithoutPlaintext), and ReEncrypt's SourceKeyMaterialId and
// DestinationKeyMaterialId. Each is the id ListKeyRotations and DescribeKey show for the
// material that sealed the ciphertext; none where the key is asymmetric.
import {
  CreateKeyCommand, DecryptCommand, DescribeKeyCommand, EncryptCommand, GenerateDataKeyCommand, GenerateDataKeyPairCommand,
  GenerateDataKeyPairWithoutPlaintextCommand, GenerateDataKeyWithoutPlaintextCommand, GetPublicKeyCommand, ListKeyRotationsCommand,
  ReEncryptCommand, RotateKeyOnDemandCommand,
} from '@aws-sdk/client-kms';
import { constants, createPublicKey, publicEncrypt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';

let e: TestEngine;
beforeAll(async () => {
  e = await startTestEngine();
});
afterAll(async () => e.stop());

const newKey = async (input: ConstructorParameters<typeof CreateKeyCommand>[0] = {}) => (await e.kms.send(new CreateKeyCommand(input))).KeyMetadata!.KeyId!;
const currentMaterial = async (KeyId: string) => (await e.kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata!.CurrentKeyMaterialId!;
const listedMaterials = async (KeyId: string) => ((await e.kms.send(new ListKeyRotationsCommand({ KeyId }))).Rotations ?? []).map((r) => r.KeyMaterialId);
const encrypt = async (KeyId: string) => (await e.kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('material ids') }))).CiphertextBlob!;

describe('KeyMaterialId names the material that sealed the ciphertext', () => {
  test('Decrypt of a ciphertext from before a rotation names the old material, one from after it the new one', async () => {
    const keyId = await newKey();
    const before = await currentMaterial(keyId);
    const oldBlob = await encrypt(keyId);
    await e.kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
    const after = await currentMaterial(keyId);
    expect(after).not.toBe(before);
    expect(await listedMaterials(keyId)).toEqual([after]); // the rotation ListKeyRotations lists
    const newBlob = await encrypt(keyId);

    expect((await e.kms.send(new DecryptCommand({ CiphertextBlob: oldBlob }))).KeyMaterialId).toBe(before);
    expect((await e.kms.send(new DecryptCommand({ CiphertextBlob: newBlob }))).KeyMaterialId).toBe(after);
  });

  test('GenerateDataKey, GenerateDataKeyWithoutPlaintext and both GenerateDataKeyPair operations name the current material, as Decrypt of their ciphertext does', async () => {
    const keyId = await newKey();
    await e.kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId })); // the current material is not the first
    const current = await currentMaterial(keyId);
    const outputs = [
      await e.kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256' })),
      await e.kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: keyId, KeySpec: 'AES_256' })),
    ];
    for (const out of outputs) {
      expect(out.KeyMaterialId).toBe(current);
      expect((await e.kms.send(new DecryptCommand({ CiphertextBlob: out.CiphertextBlob }))).KeyMaterialId).toBe(current);
    }
    const pairs = [
      await e.kms.send(new GenerateDataKeyPairCommand({ KeyId: keyId, KeyPairSpec: 'ECC_NIST_P256' })),
      await e.kms.send(new GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: keyId, KeyPairSpec: 'ECC_NIST_P256' })),
    ];
    for (const out of pairs) {
      expect(out.KeyMaterialId).toBe(current);
      expect((await e.kms.send(new DecryptCommand({ CiphertextBlob: out.PrivateKeyCiphertextBlob }))).KeyMaterialId).toBe(current);
    }
  });

  test('ReEncrypt names the source material that sealed the old ciphertext and the destination key\'s current material', async () => {
    const source = await newKey();
    const sourceMaterial = await currentMaterial(source);
    const blob = await encrypt(source);
    await e.kms.send(new RotateKeyOnDemandCommand({ KeyId: source })); // the blob's material is no longer current
    const destination = await newKey();
    await e.kms.send(new RotateKeyOnDemandCommand({ KeyId: destination }));
    const out = await e.kms.send(new ReEncryptCommand({ CiphertextBlob: blob, DestinationKeyId: destination }));
    expect(out.SourceKeyMaterialId).toBe(sourceMaterial);
    expect(out.DestinationKeyMaterialId).toBe(await currentMaterial(destination));
    expect((await e.kms.send(new DecryptCommand({ CiphertextBlob: out.CiphertextBlob }))).KeyMaterialId).toBe(out.DestinationKeyMaterialId);
  });

  test('an RSA key has no key material id: Decrypt answers none, and ReEncrypt names only the symmetric side', async () => {
    const rsa = await newKey({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' });
    const publicKey = (await e.kms.send(new GetPublicKeyCommand({ KeyId: rsa }))).PublicKey!;
    const rsaBlob = publicEncrypt({ key: createPublicKey({ key: Buffer.from(publicKey), format: 'der', type: 'spki' }), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.from('secret'));
    const decrypted = await e.kms.send(new DecryptCommand({ KeyId: rsa, CiphertextBlob: rsaBlob, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }));
    expect(Buffer.from(decrypted.Plaintext!).toString()).toBe('secret');
    expect(decrypted.KeyMaterialId).toBeUndefined();

    const symmetric = await newKey();
    const toSymmetric = await e.kms.send(new ReEncryptCommand({ CiphertextBlob: rsaBlob, SourceKeyId: rsa, SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', DestinationKeyId: symmetric }));
    expect(toSymmetric.SourceKeyMaterialId).toBeUndefined();
    expect(toSymmetric.DestinationKeyMaterialId).toBe(await currentMaterial(symmetric));

    const toRsa = await e.kms.send(new ReEncryptCommand({ CiphertextBlob: toSymmetric.CiphertextBlob, DestinationKeyId: rsa, DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }));
    expect(toRsa.SourceKeyMaterialId).toBe(await currentMaterial(symmetric));
    expect(toRsa.DestinationKeyMaterialId).toBeUndefined();
  });
});
