// The signing primitives of kms/signatures.ts called directly, each signature checked by
// node:crypto (OpenSSL) with the public key, and each refusal shown with a signature built here
// by the standards' own steps (RFC 8017 EMSA-PSS, RFC 3279 DER) and altered in one place.
// The HTTP tests (kms-asymmetric) show the same through the SDK; these reach what no client
// sends on its own: a PSS encoding wrong in one field, an ECDSA s beyond the order, DER not
// minimal or with bytes left over, a signature one byte short.
import { constants, createHash, generateKeyPairSync, privateEncrypt, sign, verify, type KeyObject } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { hashOf, signMessage, verifySignature } from '../../src/engine/kms/signatures.js';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = {
  prime256v1: generateKeyPairSync('ec', { namedCurve: 'prime256v1' }),
  secp384r1: generateKeyPairSync('ec', { namedCurve: 'secp384r1' }),
  secp521r1: generateKeyPairSync('ec', { namedCurve: 'secp521r1' }),
  secp256k1: generateKeyPairSync('ec', { namedCurve: 'secp256k1' }),
};
/** Each curve's order n (SEC 2, FIPS 186-4 D.1.2), as a test's own reference. */
const ORDER = {
  prime256v1: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  secp384r1: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  secp521r1: 0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
  secp256k1: 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n,
};
type Curve = keyof typeof ORDER;
const ECDSA: [Curve, string, string][] = [
  ['prime256v1', 'ECDSA_SHA_256', 'sha256'],
  ['secp384r1', 'ECDSA_SHA_384', 'sha384'],
  ['secp521r1', 'ECDSA_SHA_512', 'sha512'],
  ['secp256k1', 'ECDSA_SHA_256', 'sha256'],
];
const RSA_ALGORITHMS: [string, string][] = [
  ['RSASSA_PKCS1_V1_5_SHA_256', 'sha256'], ['RSASSA_PKCS1_V1_5_SHA_384', 'sha384'], ['RSASSA_PKCS1_V1_5_SHA_512', 'sha512'],
  ['RSASSA_PSS_SHA_256', 'sha256'], ['RSASSA_PSS_SHA_384', 'sha384'], ['RSASSA_PSS_SHA_512', 'sha512'],
];

const digestOf = (hash: string, message: Buffer) => createHash(hash).update(message).digest();
/** How OpenSSL checks a KMS signature: PSS with a salt as long as the hash, ECDSA in DER. */
function verifiesOutside(publicKey: KeyObject, algorithm: string, hash: string, message: Buffer, signature: Buffer): boolean {
  const key = algorithm.startsWith('RSASSA_PSS')
    ? { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: digestOf(hash, Buffer.alloc(0)).length }
    : algorithm.startsWith('RSASSA_PKCS1') ? { key: publicKey, padding: constants.RSA_PKCS1_PADDING } : { key: publicKey, dsaEncoding: 'der' as const };
  return verify(hash, message, key, signature);
}

describe('hashOf', () => {
  test('names the hash each algorithm ends in, with its length; an algorithm without one is an error', () => {
    expect(hashOf('RSASSA_PSS_SHA_384')).toMatchObject({ name: 'sha384', bytes: 48 });
    expect(hashOf('ECDSA_SHA_512')).toMatchObject({ name: 'sha512', bytes: 64 });
    expect(hashOf('RSASSA_PKCS1_V1_5_SHA_256')).toMatchObject({ name: 'sha256', bytes: 32 });
    expect(() => hashOf('ECDSA_SHA_1')).toThrow('no hash for ECDSA_SHA_1');
  });
});

describe('RSA signatures', () => {
  test.each(RSA_ALGORITHMS)('%s: a signature over the message and one over its digest both verify in OpenSSL and here, either way', (algorithm, hash) => {
    const message = Buffer.from(`signed with ${algorithm}`);
    const digest = digestOf(hash, message);
    for (const signature of [signMessage(rsa.privateKey, algorithm, message, false), signMessage(rsa.privateKey, algorithm, digest, true)]) {
      expect(signature).toHaveLength(256);
      expect(verifiesOutside(rsa.publicKey, algorithm, hash, message, signature)).toBe(true);
      expect(verifySignature(rsa.privateKey, algorithm, message, false, signature)).toBe(true);
      expect(verifySignature(rsa.privateKey, algorithm, digest, true, signature)).toBe(true);
      expect(verifySignature(rsa.privateKey, algorithm, digestOf(hash, Buffer.from('another message')), true, signature)).toBe(false);
    }
  });

  test('PKCS#1 v1.5 is deterministic and names its hash: a signature under SHA-256 is no signature under SHA-384 or as PSS', () => {
    const message = Buffer.from('deterministic');
    const signature = signMessage(rsa.privateKey, 'RSASSA_PKCS1_V1_5_SHA_256', message, false);
    expect(signMessage(rsa.privateKey, 'RSASSA_PKCS1_V1_5_SHA_256', message, false)).toEqual(signature);
    expect(signMessage(rsa.privateKey, 'RSASSA_PKCS1_V1_5_SHA_256', digestOf('sha256', message), true)).toEqual(signature);
    expect(verifySignature(rsa.privateKey, 'RSASSA_PKCS1_V1_5_SHA_384', message, false, signature)).toBe(false);
    expect(verifySignature(rsa.privateKey, 'RSASSA_PSS_SHA_256', message, false, signature)).toBe(false);
    expect(verifySignature(rsa.privateKey, 'RSASSA_PSS_SHA_256', digestOf('sha256', message), true, signature)).toBe(false);
  });

  test('PSS over a digest: every one of many signatures (fresh salts, so fresh masks) verifies, in OpenSSL and here', () => {
    const message = Buffer.from('many PSS signatures');
    const digest = digestOf('sha256', message);
    const signatures = Array.from({ length: 24 }, () => signMessage(rsa.privateKey, 'RSASSA_PSS_SHA_256', digest, true));
    expect(new Set(signatures.map((s) => s.toString('hex'))).size).toBe(24);
    for (const signature of signatures) {
      expect(verifiesOutside(rsa.publicKey, 'RSASSA_PSS_SHA_256', 'sha256', message, signature)).toBe(true);
      expect(verifySignature(rsa.privateKey, 'RSASSA_PSS_SHA_256', digest, true, signature)).toBe(true);
    }
  });

  test('a signature one byte short (its leading zero dropped) is not valid, over a message or a digest (RFC 8017: S must be k octets; OpenSSL 3.0 takes it for PSS)', () => {
    for (const algorithm of ['RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PSS_SHA_256']) {
      let message: Buffer;
      let signature: Buffer;
      let i = 0;
      do {
        message = Buffer.from(`message ${i++}`);
        signature = signMessage(rsa.privateKey, algorithm, digestOf('sha256', message), true);
      } while (signature[0] !== 0);
      expect(verifySignature(rsa.privateKey, algorithm, digestOf('sha256', message), true, signature)).toBe(true);
      const short = signature.subarray(1);
      expect(verifySignature(rsa.privateKey, algorithm, digestOf('sha256', message), true, short)).toBe(false);
      expect(verifySignature(rsa.privateKey, algorithm, message, false, short)).toBe(false);
      expect(verifySignature(rsa.privateKey, algorithm, digestOf('sha256', message), true, Buffer.concat([Buffer.alloc(1), signature]))).toBe(false);
    }
  });
});

/**
 * EMSA-PSS-ENCODE (RFC 8017 9.1.1) for a 2048-bit key, raw-signed: the test's own encoder, each
 * field replaceable, so a verifier's every check can be shown refusing exactly one wrong field.
 */
function pssSigned(digest: Buffer, hash: string, change: { saltLength?: number; separator?: number; padding?: number; trailer?: number; topBit?: boolean; h?: (h: Buffer) => Buffer } = {}): Buffer {
  const hLen = digest.length;
  const emLen = 256;
  for (let attempt = 0; ; attempt++) {
    const salt = Buffer.alloc(change.saltLength ?? hLen, attempt + 1);
    let h: Buffer = createHash(hash).update(Buffer.alloc(8)).update(digest).update(salt).digest();
    const ps = Buffer.alloc(emLen - salt.length - hLen - 2, 0);
    if (change.padding !== undefined) ps[ps.length - 1] = change.padding;
    const db = Buffer.concat([ps, Buffer.from([change.separator ?? 0x01]), salt]);
    const mask = Buffer.concat(Array.from({ length: Math.ceil(db.length / hLen) }, (_, c) => createHash(hash).update(h).update(Buffer.from([0, 0, 0, c])).digest()));
    for (let i = 0; i < db.length; i++) db[i]! ^= mask[i]!;
    if (change.topBit) db[0]! |= 0x80;
    else db[0]! &= 0x7f;
    if (change.h) h = change.h(h);
    try {
      return privateEncrypt({ key: rsa.privateKey, padding: constants.RSA_NO_PADDING }, Buffer.concat([db, h, Buffer.from([change.trailer ?? 0xbc])]));
    } catch {
      // with its top bit set the encoding may exceed the modulus: another salt
      if (attempt > 50) throw new Error('no encoding below the modulus');
    }
  }
}

describe('RSA verification over a digest of bytes that are no signature', () => {
  test('a modulus-long signature that decrypts to no valid padding, or is above the modulus, is not valid (nothing throws)', () => {
    const digest = digestOf('sha256', Buffer.from('m'));
    for (const algorithm of ['RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PSS_SHA_256'])
      for (const junk of [Buffer.alloc(256, 0xff), Buffer.alloc(256, 0x01)]) expect(verifySignature(rsa.privateKey, algorithm, digest, true, junk)).toBe(false);
  });
});

describe('RSASSA-PSS verification over a digest refuses an encoding wrong in one field', () => {
  const digest = digestOf('sha256', Buffer.from('m'));
  const valid = (signature: Buffer) => verifySignature(rsa.privateKey, 'RSASSA_PSS_SHA_256', digest, true, signature);

  test('the test\'s own encoding, unchanged, verifies (in OpenSSL too)', () => {
    const signature = pssSigned(digest, 'sha256');
    expect(valid(signature)).toBe(true);
    expect(verifiesOutside(rsa.publicKey, 'RSASSA_PSS_SHA_256', 'sha256', Buffer.from('m'), signature)).toBe(true);
  });

  test.each([
    ['a trailer other than 0xbc', { trailer: 0xbb }],
    ['the top bit of the masked block set', { topBit: true }],
    ['a non-zero byte in the zero padding', { padding: 0x04 }],
    ['a separator other than 0x01', { separator: 0x00 }],
    ['a salt shorter than the hash (so the separator is elsewhere)', { saltLength: 20 }],
    ['a salt longer than the hash', { saltLength: 40 }],
    ['H of another message', { h: (h: Buffer) => createHash('sha256').update(h).digest() }],
  ] as const)('%s', (_, change) => {
    expect(valid(pssSigned(digest, 'sha256', change))).toBe(false);
  });

  test('the same encoding checked against another digest, or with the hash of another PSS algorithm, is not valid', () => {
    const signature = pssSigned(digest, 'sha256');
    expect(verifySignature(rsa.privateKey, 'RSASSA_PSS_SHA_256', digestOf('sha256', Buffer.from('n')), true, signature)).toBe(false);
    const sha512 = digestOf('sha512', Buffer.from('m'));
    expect(verifySignature(rsa.privateKey, 'RSASSA_PSS_SHA_512', sha512, true, pssSigned(sha512, 'sha512'))).toBe(true);
    expect(verifySignature(rsa.privateKey, 'RSASSA_PSS_SHA_384', digestOf('sha384', Buffer.from('m')), true, pssSigned(sha512, 'sha512'))).toBe(false);
  });
});

// --- ECDSA -------------------------------------------------------------------

const toBig = (b: Buffer) => BigInt(`0x${b.toString('hex') || '0'}`);
function modPow(base: bigint, exp: bigint, n: bigint): bigint {
  let result = 1n;
  base %= n;
  for (; exp > 0n; exp >>= 1n, base = (base * base) % n) if (exp & 1n) result = (result * base) % n;
  return result;
}
/** r and s of a DER signature (short or 0x81 long form), read by the test's own parser. */
function rsOf(der: Buffer): { r: bigint; s: bigint } {
  let at = der[1]! === 0x81 ? 3 : 2;
  const next = () => {
    const l = der[at + 1]!;
    const v = toBig(der.subarray(at + 2, at + 2 + l));
    at += 2 + l;
    return v;
  };
  return { r: next(), s: next() };
}
function derInteger(x: bigint): Buffer {
  let hex = x.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  if (bytes[0]! & 0x80) bytes = Buffer.concat([Buffer.alloc(1), bytes]);
  return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
}
const derSequence = (body: Buffer) =>
  Buffer.concat([Buffer.from([0x30]), body.length < 0x80 ? Buffer.from([body.length]) : Buffer.from([0x81, body.length]), body]);
const der = (r: bigint, s: bigint) => derSequence(Buffer.concat([derInteger(r), derInteger(s)]));

describe('ECDSA signatures', () => {
  test.each(ECDSA)('on %s with %s: signatures over the message and over its digest verify in OpenSSL and here, and only for that message', (curve, algorithm, hash) => {
    const { privateKey, publicKey } = ec[curve];
    const message = Buffer.from(`signed on ${curve}`);
    const digest = digestOf(hash, message);
    for (const signature of [signMessage(privateKey, algorithm, message, false), signMessage(privateKey, algorithm, digest, true)]) {
      expect(verifiesOutside(publicKey, algorithm, hash, message, signature)).toBe(true);
      expect(verifySignature(privateKey, algorithm, message, false, signature)).toBe(true);
      expect(verifySignature(privateKey, algorithm, digest, true, signature)).toBe(true);
      expect(verifySignature(privateKey, algorithm, digestOf(hash, Buffer.from('forged')), true, signature)).toBe(false);
      expect(verifySignature(privateKey, algorithm, Buffer.from('forged'), false, signature)).toBe(false);
    }
  });

  test.each(ECDSA)('on %s: the DER is minimal, r and s in [1, n-1], and over 30 digest signatures the nonces k span the order (a nonce bias would leak the key)', (curve, algorithm, hash) => {
    const { privateKey } = ec[curve];
    const n = ORDER[curve];
    const d = toBig(Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url'));
    const bits = n.toString(2).length;
    let highNonces = 0;
    for (let i = 0; i < 30; i++) {
      const digest = digestOf(hash, Buffer.from(`nonce ${i}`));
      const signature = signMessage(privateKey, algorithm, digest, true);
      const { r, s } = rsOf(signature);
      expect(der(r, s)).toEqual(signature);
      for (const v of [r, s]) expect(v > 0n && v < n).toBe(true);
      const k = (modPow(s, n - 2n, n) * (toBig(digest) + r * d)) % n; // k = s^-1 (z + r d)
      if (k.toString(2).length > bits - 8) highNonces++;
    }
    expect(highNonces).toBeGreaterThan(20); // uniform k: 99.6% of nonces are in the top 8 bits' range
  });

  test('a P-521 signature, longer than 127 bytes, has the long DER length form and is read back from it', () => {
    const digest = digestOf('sha512', Buffer.from('long'));
    const signature = signMessage(ec.secp521r1.privateKey, 'ECDSA_SHA_512', digest, true);
    expect(signature[1]).toBe(0x81);
    expect(signature[2]).toBe(signature.length - 3);
    expect(verifySignature(ec.secp521r1.privateKey, 'ECDSA_SHA_512', digest, true, signature)).toBe(true);
  });

  test('a signature from another key on the same curve is not valid', () => {
    const digest = digestOf('sha256', Buffer.from('whose?'));
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const signature = sign(null, digest, { key: other.privateKey, dsaEncoding: 'der' });
    expect(verifySignature(ec.prime256v1.privateKey, 'ECDSA_SHA_256', digest, true, signature)).toBe(false);
  });
});

describe('ECDSA verification over a digest refuses what OpenSSL refuses', () => {
  const { privateKey, publicKey } = ec.prime256v1;
  const n = ORDER.prime256v1;
  const message = Buffer.from('strict');
  const digest = digestOf('sha256', message);
  const check = (signature: Buffer) => verifySignature(privateKey, 'ECDSA_SHA_256', digest, true, signature);
  const outside = (signature: Buffer) => verify('sha256', message, { key: publicKey, dsaEncoding: 'der' }, signature);
  /** A signature whose DER uses the short length form and whose r has the given top bit. */
  function signatureWith(rHighBit: boolean): { signature: Buffer; r: bigint; s: bigint } {
    for (;;) {
      const signature = signMessage(privateKey, 'ECDSA_SHA_256', digest, true);
      const { r, s } = rsOf(signature);
      if ((r >> 255n === 1n) === rHighBit && r >= 1n << 248n) return { signature, r, s };
    }
  }

  test('s + n (the same signature, malleated) is not valid, though s mod n is', () => {
    const { r, s } = signatureWith(false);
    expect(check(der(r, s))).toBe(true);
    expect(outside(der(r, s + n))).toBe(false);
    expect(check(der(r, s + n))).toBe(false);
  });

  test('r or s of zero, or equal to n, is not valid', () => {
    const { r, s } = signatureWith(false);
    for (const forged of [der(0n, s), der(r, 0n), der(n, s), der(r, n), der(r + n, s)]) expect(check(forged)).toBe(false);
  });

  test.each([
    ['a SET tag instead of a SEQUENCE', (d: Buffer) => Buffer.concat([Buffer.from([0x31]), d.subarray(1)])],
    ['a sequence length one more than its contents', (d: Buffer) => Buffer.concat([Buffer.from([0x30, d[1]! + 1]), d.subarray(2)])],
    ['a sequence length one less than its contents', (d: Buffer) => Buffer.concat([Buffer.from([0x30, d[1]! - 1]), d.subarray(2)])],
    ['a byte after the sequence', (d: Buffer) => Buffer.concat([d, Buffer.from([0x00])])],
    ['a third integer inside the sequence', (d: Buffer) => derSequence(Buffer.concat([d.subarray(2), Buffer.from([0x02, 0x01, 0x01])]))],
    ['a length in the long form where the short one fits', (d: Buffer) => Buffer.concat([Buffer.from([0x30, 0x81, d[1]!]), d.subarray(2)])],
    ['r tagged as a BIT STRING', (d: Buffer) => Buffer.concat([d.subarray(0, 2), Buffer.from([0x03]), d.subarray(3)])],
    ['only r', (d: Buffer) => derSequence(d.subarray(2, 4 + d[3]!))],
    ['r\'s length past the end', (d: Buffer) => derSequence(Buffer.concat([Buffer.from([0x02, d.length]), d.subarray(4)]))],
  ] as const)('DER with %s', (_, alter) => {
    const { signature } = signatureWith(false);
    expect(check(signature)).toBe(true);
    const altered = alter(signature);
    expect(outside(altered)).toBe(false);
    expect(check(altered)).toBe(false);
  });

  test('r with its top bit set but no leading zero (a negative INTEGER) is not valid; with the zero it is', () => {
    const { signature, r, s } = signatureWith(true);
    expect(signature[3]).toBe(33);
    expect(check(signature)).toBe(true);
    const negative = derSequence(Buffer.concat([Buffer.from([0x02, 32]), Buffer.from(r.toString(16).padStart(64, '0'), 'hex'), derInteger(s)]));
    expect(outside(negative)).toBe(false);
    expect(check(negative)).toBe(false);
  });

  test('an INTEGER with a zero byte it does not need (not minimal DER) is not valid, for r and for s', () => {
    const { r, s } = signatureWith(false);
    const padded = (v: bigint) => Buffer.concat([Buffer.from([0x02, 33, 0x00]), Buffer.from(v.toString(16).padStart(64, '0'), 'hex')]);
    for (const forged of [derSequence(Buffer.concat([padded(r), derInteger(s)])), derSequence(Buffer.concat([derInteger(r), padded(s)]))]) {
      if (forged.equals(der(r, s))) continue; // s needed its zero: the same DER
      expect(outside(forged)).toBe(false);
      expect(check(forged)).toBe(false);
    }
  });

  test('a digest chosen so that u1 + u2 d is 0 (no point to compare) is not valid', () => {
    const { r, s } = signatureWith(false);
    const d = toBig(Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url'));
    const z = (n - ((r * d) % n)) % n; // z + r d = 0 mod n
    const digest0 = Buffer.from(z.toString(16).padStart(64, '0'), 'hex');
    expect(verifySignature(privateKey, 'ECDSA_SHA_256', digest0, true, der(r, s))).toBe(false);
  });

  test('a P-521 signature whose length byte says 0x82 (two length bytes) where it has one is not valid', () => {
    const digest512 = digestOf('sha512', Buffer.from('long form'));
    const signature = signMessage(ec.secp521r1.privateKey, 'ECDSA_SHA_512', digest512, true);
    expect(signature[1]).toBe(0x81);
    const altered = Buffer.concat([Buffer.from([0x30, 0x82]), signature.subarray(2)]);
    expect(verify(null, digest512, { key: ec.secp521r1.publicKey, dsaEncoding: 'der' }, altered)).toBe(false);
    expect(verifySignature(ec.secp521r1.privateKey, 'ECDSA_SHA_512', digest512, true, altered)).toBe(false);
  });

  test('an empty signature, a lone tag, and random bytes are not valid, and nothing throws', () => {
    for (const junk of [Buffer.alloc(0), Buffer.from([0x30]), Buffer.from([0x30, 0x81]), Buffer.from('random text'), Buffer.alloc(72, 0xff)]) expect(check(junk)).toBe(false);
  });
});
