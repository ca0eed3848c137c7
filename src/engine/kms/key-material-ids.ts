// Which key material a symmetric ciphertext is sealed with, as the KeyMaterialId that Decrypt,
// ReEncrypt (SourceKeyMaterialId, DestinationKeyMaterialId) and the GenerateDataKey* operations
// answer for a symmetric encryption key: the id ListKeyRotations and DescribeKey show.
import { handleOf } from './ciphertext.js';
import { materialId, type KeyRecord } from './model.js';

/** The id of the material this key seals with now: its current (last) one. */
export function sealingMaterialId(key: KeyRecord): string {
  return materialId(key.Materials.at(-1)!);
}

/** The id of the material of this key that sealed the blob (one the key opened: it names it). */
export function blobMaterialId(key: KeyRecord, blob: Buffer): string | undefined {
  const handle = handleOf(blob)?.toString('hex');
  const record = key.Materials.find((m) => m.handle === handle);
  return record && materialId(record);
}
