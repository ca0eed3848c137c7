// What DescribeKey shows of a key's material: the current material's id, and for imported
// material whether and when it expires (the KeyMetadata fields of the AWS KMS API reference).
import { materialId, type KeyRecord } from './model.js';

export function keyMaterialMetadata(key: KeyRecord) {
  const current = key.Materials.at(-1);
  const expiring = key.Materials.filter((m) => m.wrapped && m.imported?.ValidTo !== undefined).map((m) => m.imported!.ValidTo!);
  const currentImport = key.Origin === 'EXTERNAL' && current?.wrapped ? current.imported : undefined;
  return {
    // "The earliest time at which any imported key material permanently associated with this KMS key expires."
    ...(expiring.length > 0 ? { ValidTo: new Date(Math.min(...expiring)) } : {}),
    // "Present only when Origin is EXTERNAL": and only while the material is imported.
    ...(currentImport ? { ExpirationModel: currentImport.ExpirationModel } : {}),
    // "Present for symmetric encryption keys with AWS_KMS or EXTERNAL origin."
    ...(current && key.KeySpec === 'SYMMETRIC_DEFAULT' ? { CurrentKeyMaterialId: materialId(current) } : {}),
  };
}
