// The ciphertext blob format, at the module: what was written stays readable (a blob
// from this version, and the version-1 layout, both open), the encryption context is
// bound in one exact encoding, and anything that is not one of our blobs opens to nothing.
import { createCipheriv, createSecretKey, randomBytes } from 'node:crypto';
import { describe, expect, test, vi } from 'vitest';
import { canonicalContext, handleOf, open, seal } from '../../src/engine/kms/ciphertext.js';

const material = Buffer.alloc(32, 0x11);
const handle = Buffer.alloc(16, 0x22);
const context = { b: '2', a: '1' };

describe('a blob sealed now', () => {
  test('is made of its parts only: the reserved bytes are zeros whatever memory it was made in, the iv is new each time', () => {
    // The blob's buffer is taken unfilled (it is written whole): here it is taken dirty, as reused memory can be.
    const dirty = vi.spyOn(Buffer, 'allocUnsafe').mockImplementation((n: number) => Buffer.alloc(n, 0xab));
    try {
      const a = seal(material, handle, Buffer.from('golden'), context);
      const b = seal(createSecretKey(material), handle, Buffer.from('golden'), context);
      for (const blob of [a, b]) {
        expect(blob).toHaveLength(152 + 'golden'.length);
        expect(blob[0]).toBe(2);
        expect(blob.subarray(1, 17)).toEqual(handle);
        expect(blob.subarray(45, 152)).toEqual(Buffer.alloc(107)); // reserved
        expect(blob.includes(Buffer.alloc(4, 0xab))).toBe(false);
        expect(open(material, blob, context)?.toString()).toBe('golden');
      }
      expect(a.subarray(17, 29).equals(b.subarray(17, 29))).toBe(false); // iv
      expect(a.subarray(17, 29)).not.toEqual(Buffer.alloc(12));
    } finally {
      dirty.mockRestore();
    }
  });
});

describe('blobs written before stay readable', () => {
  test('a version-2 blob written by this engine (a fixed vector) opens with its material and context, and only so', () => {
    const blob = Buffer.from(
      'AiIiIiIiIiIiIiIiIiIiIiIsXF7hzaJlzn57m6JDTk9HLqDdc0OGxhBnoUEzAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAACjWAxxQUo=',
      'base64',
    );
    expect(blob).toHaveLength(152 + 'golden'.length);
    expect(open(material, blob, { a: '1', b: '2' })?.toString()).toBe('golden');
    expect(handleOf(blob)).toEqual(handle);
    expect(open(material, blob, { a: '1' })).toBeUndefined();
    expect(open(material, blob)).toBeUndefined();
    expect(open(Buffer.alloc(32, 0x12), blob, context)).toBeUndefined();
  });

  test('a version-1 blob (version | handle | iv | tag | ciphertext, the handle and context authenticated) opens', () => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', material, iv);
    cipher.setAAD(Buffer.concat([handle, canonicalContext(context)]));
    const body = Buffer.concat([cipher.update('from version 1'), cipher.final()]);
    const v1 = Buffer.concat([Buffer.from([1]), handle, iv, cipher.getAuthTag(), body]);
    expect(open(material, v1, context)?.toString()).toBe('from version 1');
    expect(handleOf(v1)).toEqual(handle);
    // Another version byte is not a blob of ours, even with a valid rest.
    for (const version of [0, 3, 0xff]) {
      const other = Buffer.from(v1);
      other[0] = version;
      expect(handleOf(other), `version ${version}`).toBeUndefined();
      expect(open(material, other, context), `version ${version}`).toBeUndefined();
    }
  });
});

describe('the blob', () => {
  test('an empty plaintext seals to exactly the header and opens to nothing but an empty buffer', () => {
    const blob = seal(material, handle, Buffer.alloc(0));
    expect(blob).toHaveLength(152);
    expect(open(material, blob)).toEqual(Buffer.alloc(0));
    expect(handleOf(blob)).toEqual(handle);
  });

  test('shorter than its header, tampered, or random: no handle, nothing opens, nothing throws', () => {
    const blob = seal(material, handle, Buffer.from('secret'), context);
    for (const short of [blob.subarray(0, 151), blob.subarray(0, 17), Buffer.from([2]), Buffer.alloc(0)]) {
      expect(handleOf(short), `${short.length} bytes`).toBeUndefined();
      expect(open(material, short, context)).toBeUndefined();
    }
    const tampered = Buffer.from(blob);
    tampered[tampered.length - 1]! ^= 1;
    expect(() => open(material, tampered, context)).not.toThrow();
    expect(open(material, tampered, context)).toBeUndefined();
    const reserved = Buffer.from(blob);
    reserved[100] = 1; // the reserved header bytes are authenticated too
    expect(open(material, reserved, context)).toBeUndefined();
  });
});

describe('the encryption context as authenticated data', () => {
  test('one exact encoding: a count, then each pair by key bytes, each part prefixed by its length', () => {
    expect(canonicalContext({ b: '2', a: '1' }).toString('hex')).toBe('00000002' + '00000001' + '61' + '00000001' + '31' + '00000001' + '62' + '00000001' + '32');
    expect(canonicalContext(undefined).toString('hex')).toBe('00000000');
    expect(canonicalContext({}).toString('hex')).toBe('00000000');
    expect(canonicalContext({ é: 'ü' }).toString('hex')).toBe('00000001' + '00000002' + 'c3a9' + '00000002' + 'c3bc');
  });
});
