// The KeyMetadata fields DescribeKey builds from a key record, module by module without HTTP
// (the KeyMetadata reference of the AWS KMS API): a multi-Region key's configuration, the key
// material's id, expiry and expiration model, and which material sealed a ciphertext.
import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { HANDLE_BYTES, seal } from '../../src/engine/kms/ciphertext.js';
import { blobMaterialId, sealingMaterialId } from '../../src/engine/kms/key-material-ids.js';
import { keyMaterialMetadata } from '../../src/engine/kms/key-material-metadata.js';
import { materialId, type KeyRecord, type Kms, type MaterialRecord } from '../../src/engine/kms/model.js';
import { multiRegionMetadata } from '../../src/engine/kms/multi-region-metadata.js';

const arn = (region: string, id: string) => `arn:aws:kms:${region}:111122223333:key/${id}`;

function key(fields: Partial<KeyRecord>): KeyRecord {
  return {
    KeyId: 'k', Arn: arn('us-east-1', 'k'), AWSAccountId: '111122223333', Region: 'us-east-1', CreationDate: 0, Description: '', KeyState: 'Enabled',
    KeyUsage: 'ENCRYPT_DECRYPT', KeySpec: 'SYMMETRIC_DEFAULT', Origin: 'AWS_KMS', KeyManager: 'CUSTOMER', Policy: '', Tags: [], Materials: [], ...fields,
  };
}

const material = (id: string, fields: Partial<MaterialRecord> = {}): MaterialRecord => ({ handle: randomBytes(HANDLE_BYTES).toString('hex'), wrapped: 'w', created: 0, id, ...fields });

describe('multi-Region configuration', () => {
  const id = 'mrk-1234abcd12ab34cd56ef1234567890ab';
  const primary = key({ KeyId: id, Arn: arn('us-east-1', id), MultiRegionKeyType: 'PRIMARY' });
  const west = key({ KeyId: id, Arn: arn('us-west-2', id), Region: 'us-west-2', MultiRegionKeyType: 'REPLICA' });
  const europe = key({ KeyId: id, Arn: arn('eu-west-1', id), Region: 'eu-west-1', MultiRegionKeyType: 'REPLICA' });
  const kmsOf = (keys: KeyRecord[]) => ({ multiRegionKeys: (keyId: string) => keys.filter((k) => k.KeyId === keyId) }) as unknown as Kms;

  test('a single-Region key says MultiRegion false and nothing more', () => {
    expect(multiRegionMetadata(kmsOf([]), key({}))).toEqual({ MultiRegion: false });
  });

  test("every key of the set shows the primary and every replica, a replica itself included, each by ARN and Region", () => {
    const kms = kmsOf([primary, west, europe]);
    const replicas = [{ Arn: west.Arn, Region: 'us-west-2' }, { Arn: europe.Arn, Region: 'eu-west-1' }];
    expect(multiRegionMetadata(kms, primary)).toEqual({
      MultiRegion: true,
      MultiRegionConfiguration: { MultiRegionKeyType: 'PRIMARY', PrimaryKey: { Arn: primary.Arn, Region: 'us-east-1' }, ReplicaKeys: replicas },
    });
    expect(multiRegionMetadata(kms, europe)).toEqual({
      MultiRegion: true,
      MultiRegionConfiguration: { MultiRegionKeyType: 'REPLICA', PrimaryKey: { Arn: primary.Arn, Region: 'us-east-1' }, ReplicaKeys: replicas },
    });
  });

  test('a replica whose primary is gone shows no PrimaryKey; a primary with no replicas an empty list', () => {
    expect(multiRegionMetadata(kmsOf([west]), west).MultiRegionConfiguration).toEqual({ MultiRegionKeyType: 'REPLICA', ReplicaKeys: [{ Arn: west.Arn, Region: 'us-west-2' }] });
    expect(multiRegionMetadata(kmsOf([primary]), primary).MultiRegionConfiguration).toEqual({ MultiRegionKeyType: 'PRIMARY', PrimaryKey: { Arn: primary.Arn, Region: 'us-east-1' }, ReplicaKeys: [] });
  });
});

describe('key material fields', () => {
  test('a symmetric key shows its current (last) material id, and nothing of expiry', () => {
    const k = key({ Materials: [material('a'.repeat(64)), material('b'.repeat(64))] });
    expect(keyMaterialMetadata(k)).toEqual({ CurrentKeyMaterialId: 'b'.repeat(64) });
    expect(sealingMaterialId(k)).toBe('b'.repeat(64));
  });

  test('an asymmetric or HMAC key, or one with no material yet, shows no material id', () => {
    expect(keyMaterialMetadata(key({ KeySpec: 'HMAC_256', Materials: [material('a'.repeat(64))] }))).toEqual({});
    expect(keyMaterialMetadata(key({ KeySpec: 'RSA_2048', Materials: [material('a'.repeat(64))] }))).toEqual({});
    expect(keyMaterialMetadata(key({ Origin: 'EXTERNAL', KeyState: 'PendingImport' }))).toEqual({});
  });

  test('imported material: ValidTo is the earliest expiry of the material still held, ExpirationModel the current material\'s', () => {
    const k = key({
      Origin: 'EXTERNAL',
      Materials: [
        material('a'.repeat(64), { imported: { ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: 3000 } }),
        material('b'.repeat(64), { wrapped: '', imported: { ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: 1000 } }), // deleted: not held
        material('c'.repeat(64), { imported: { ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: 2000 } }),
        material('d'.repeat(64), { imported: { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' } }),
      ],
    });
    expect(keyMaterialMetadata(k)).toEqual({ ValidTo: new Date(2000), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE', CurrentKeyMaterialId: 'd'.repeat(64) });
  });

  test('imported material that does not expire shows no ValidTo; deleted current material shows no ExpirationModel', () => {
    const held = key({ Origin: 'EXTERNAL', Materials: [material('a'.repeat(64), { imported: { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' } })] });
    expect(keyMaterialMetadata(held)).toEqual({ ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE', CurrentKeyMaterialId: 'a'.repeat(64) });
    const deleted = key({ Origin: 'EXTERNAL', KeyState: 'PendingImport', Materials: [material('a'.repeat(64), { wrapped: '', imported: { ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: 5 } })] });
    expect(keyMaterialMetadata(deleted)).toEqual({ CurrentKeyMaterialId: 'a'.repeat(64) });
  });

  test('material KMS made shows no ExpirationModel, even if a record carried import fields', () => {
    const k = key({ Materials: [material('a'.repeat(64), { imported: { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' } })] });
    expect(keyMaterialMetadata(k)).toEqual({ CurrentKeyMaterialId: 'a'.repeat(64) });
  });

  test('material kept before ids existed gets one from its handle, the same every time', () => {
    const old = material('x');
    delete old.id;
    expect(materialId(old)).toMatch(/^[0-9a-f]{64}$/);
    expect(materialId(old)).toBe(materialId({ ...old }));
    expect(materialId(old)).not.toBe(materialId({ ...old, handle: randomBytes(HANDLE_BYTES).toString('hex') }));
  });
});

describe('which material sealed a ciphertext', () => {
  test('the material whose handle the blob carries; none for a blob of another key or not ours', () => {
    const first = material('a'.repeat(64));
    const second = material('b'.repeat(64));
    const k = key({ Materials: [first, second] });
    const sealedWith = (m: MaterialRecord) => seal(randomBytes(32), Buffer.from(m.handle, 'hex'), Buffer.from('p'));
    expect(blobMaterialId(k, sealedWith(first))).toBe('a'.repeat(64));
    expect(blobMaterialId(k, sealedWith(second))).toBe('b'.repeat(64));
    expect(blobMaterialId(k, sealedWith(material('c'.repeat(64))))).toBeUndefined();
    expect(blobMaterialId(k, Buffer.from('not a ciphertext'))).toBeUndefined();
  });
});
