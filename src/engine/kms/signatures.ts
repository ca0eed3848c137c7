// The signing algorithms KMS offers, over a message (MessageType RAW: hashed here) or over a
// digest the caller made (DIGEST: signed as given). node:crypto signs messages only, so a
// digest is signed by the standard's own steps: PKCS#1 v1.5's DigestInfo and PSS's EMSA-PSS
// encoding (RFC 8017) around the raw RSA operation, and ECDSA (FIPS 186-4) with the curve
// multiplication done by node's ECDH. Signatures are as AWS returns them (ECDSA DER-encoded),
// so `openssl dgst -verify` and `pkeyutl -verify` check them with the key's public key.
import { constants, createECDH, createHash, createPublicKey, privateEncrypt, publicDecrypt, randomBytes, sign, timingSafeEqual, verify, type KeyObject } from 'node:crypto';

interface Hash {
  name: 'sha256' | 'sha384' | 'sha512';
  bytes: number;
  /** DER of PKCS#1 v1.5's DigestInfo up to the digest itself. */
  digestInfo: string;
}

const HASHES: Record<string, Hash> = {
  SHA_256: { name: 'sha256', bytes: 32, digestInfo: '3031300d060960864801650304020105000420' },
  SHA_384: { name: 'sha384', bytes: 48, digestInfo: '3041300d060960864801650304020205000430' },
  SHA_512: { name: 'sha512', bytes: 64, digestInfo: '3051300d060960864801650304020305000440' },
};

/** The hash a signing algorithm uses (its name ends in it), and so the length a DIGEST must have. */
export function hashOf(algorithm: string): Hash {
  const hash = HASHES[algorithm.slice(-7)];
  if (!hash) throw new Error(`no hash for ${algorithm}`);
  return hash;
}

type Scheme = 'PKCS1' | 'PSS' | 'ECDSA';
const schemeOf = (algorithm: string): Scheme => (algorithm.startsWith('RSASSA_PSS') ? 'PSS' : algorithm.startsWith('RSASSA_PKCS1') ? 'PKCS1' : 'ECDSA');

export function signMessage(privateKey: KeyObject, algorithm: string, message: Buffer, isDigest: boolean): Buffer {
  const hash = hashOf(algorithm);
  const scheme = schemeOf(algorithm);
  if (!isDigest) return sign(hash.name, message, nodeOptions(privateKey, scheme, hash));
  if (scheme === 'PKCS1') return privateEncrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([Buffer.from(hash.digestInfo, 'hex'), message]));
  if (scheme === 'PSS') return privateEncrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, pssEncode(message, hash, modulusBits(privateKey)));
  return ecdsaSignDigest(privateKey, message);
}

export function verifySignature(privateKey: KeyObject, algorithm: string, message: Buffer, isDigest: boolean, signature: Buffer): boolean {
  const hash = hashOf(algorithm);
  const scheme = schemeOf(algorithm);
  try {
    // RFC 8017 8.1.2 and 8.2.2: an RSA signature is as long as the modulus (OpenSSL 3.0 takes a PSS one a byte short).
    if (scheme !== 'ECDSA' && signature.length !== modulusBits(privateKey) / 8) return false;
    if (!isDigest) return verify(hash.name, message, nodeOptions(createPublicKey(privateKey), scheme, hash), signature);
    if (scheme === 'ECDSA') return ecdsaVerifyDigest(privateKey, message, signature);
    if (scheme === 'PKCS1') return same(publicDecrypt({ key: createPublicKey(privateKey), padding: constants.RSA_PKCS1_PADDING }, signature), Buffer.concat([Buffer.from(hash.digestInfo, 'hex'), message]));
    return pssVerify(message, publicDecrypt({ key: createPublicKey(privateKey), padding: constants.RSA_NO_PADDING }, signature), hash, modulusBits(privateKey));
  } catch {
    return false; // a signature the primitives cannot even parse is simply not valid
  }
}

function nodeOptions(key: KeyObject, scheme: Scheme, hash: Hash) {
  if (scheme === 'PSS') return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: hash.bytes }; // AWS: salt as long as the hash
  if (scheme === 'PKCS1') return { key, padding: constants.RSA_PKCS1_PADDING };
  return { key, dsaEncoding: 'der' as const };
}

const same = (a: Buffer, b: Buffer) => a.length === b.length && timingSafeEqual(a, b);

function modulusBits(key: KeyObject): number {
  return key.asymmetricKeyDetails!.modulusLength!;
}

// --- RSASSA-PSS over a digest (RFC 8017 section 9.1) -------------------------

function mgf1(seed: Buffer, length: number, hash: Hash): Buffer {
  const out: Buffer[] = [];
  for (let counter = 0; out.length * hash.bytes < length; counter++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    out.push(createHash(hash.name).update(seed).update(c).digest());
  }
  return Buffer.concat(out).subarray(0, length);
}

/** EMSA-PSS-ENCODE with a salt as long as the hash, left-padded to the modulus length for the raw RSA operation. */
function pssEncode(mHash: Buffer, hash: Hash, modBits: number): Buffer {
  const emBits = modBits - 1;
  const emLen = Math.ceil(emBits / 8);
  const salt = randomBytes(hash.bytes);
  const h = createHash(hash.name).update(Buffer.alloc(8)).update(mHash).update(salt).digest();
  const db = Buffer.alloc(emLen - hash.bytes - 1);
  db[db.length - salt.length - 1] = 0x01;
  salt.copy(db, db.length - salt.length);
  const mask = mgf1(h, db.length, hash);
  for (let i = 0; i < db.length; i++) db[i]! ^= mask[i]!;
  db[0]! &= 0xff >> (8 * emLen - emBits);
  const em = Buffer.concat([db, h, Buffer.from([0xbc])]);
  return Buffer.concat([Buffer.alloc(modBits / 8 - emLen), em]);
}

/** EMSA-PSS-VERIFY of what the raw RSA operation gave back from a signature. */
function pssVerify(mHash: Buffer, decrypted: Buffer, hash: Hash, modBits: number): boolean {
  const emBits = modBits - 1;
  const emLen = Math.ceil(emBits / 8);
  if (decrypted.subarray(0, decrypted.length - emLen).some((b) => b !== 0)) return false;
  const em = decrypted.subarray(decrypted.length - emLen);
  if (em[emLen - 1] !== 0xbc) return false;
  const db = Buffer.from(em.subarray(0, emLen - hash.bytes - 1));
  const h = em.subarray(emLen - hash.bytes - 1, emLen - 1);
  const topBits = 0xff >> (8 * emLen - emBits);
  if ((db[0]! & ~topBits) !== 0) return false;
  const mask = mgf1(h, db.length, hash);
  for (let i = 0; i < db.length; i++) db[i]! ^= mask[i]!;
  db[0]! &= topBits;
  const separator = db.length - hash.bytes - 1;
  if (db.subarray(0, separator).some((b) => b !== 0) || db[separator] !== 0x01) return false;
  const salt = db.subarray(separator + 1);
  return same(createHash(hash.name).update(Buffer.alloc(8)).update(mHash).update(salt).digest(), h);
}

// --- ECDSA over a digest (FIPS 186-4 section 6.4) ---------------------------

/** Each curve's order n, and its field size in bytes (as `openssl ecparam -param_enc explicit` prints them). */
const ORDERS: Record<string, { n: bigint; bytes: number }> = {
  prime256v1: { n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n, bytes: 32 },
  secp384r1: { n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n, bytes: 48 },
  secp521r1: { n: 0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n, bytes: 66 },
  secp256k1: { n: 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n, bytes: 32 },
};

const toBig = (b: Buffer) => BigInt(`0x${b.toString('hex') || '0'}`);
const mod = (a: bigint, n: bigint) => ((a % n) + n) % n;

function invert(a: bigint, n: bigint): bigint {
  let [t, newT, r, newR] = [0n, 1n, n, mod(a, n)];
  while (newR !== 0n) {
    const q = r / newR;
    [t, newT] = [newT, t - q * newT];
    [r, newR] = [newR, r - q * newR];
  }
  return mod(t, n);
}

function curveOf(key: KeyObject) {
  const curve = key.asymmetricKeyDetails!.namedCurve!;
  return { curve, ...ORDERS[curve]! };
}

/** The x coordinate of k·G, by node's ECDH (k is used as a private key). */
function xOfMultipleOfG(curve: string, bytes: number, k: bigint): bigint {
  const ecdh = createECDH(curve);
  ecdh.setPrivateKey(Buffer.from(k.toString(16).padStart(bytes * 2, '0'), 'hex'));
  return toBig(ecdh.getPublicKey().subarray(1, 1 + bytes));
}

function privateScalar(key: KeyObject): bigint {
  return toBig(Buffer.from(key.export({ format: 'jwk' }).d!, 'base64url'));
}

function ecdsaSignDigest(key: KeyObject, digest: Buffer): Buffer {
  const { curve, n, bytes } = curveOf(key);
  const d = privateScalar(key);
  const z = toBig(digest); // the digest is never longer than the order for the curves KMS pairs with each hash
  for (;;) {
    const k = mod(toBig(randomBytes(bytes + 16)), n - 1n) + 1n;
    const r = mod(xOfMultipleOfG(curve, bytes, k), n);
    const s = mod(invert(k, n) * (z + r * d), n);
    if (r !== 0n && s !== 0n) return derSignature(r, s);
  }
}

/** Holding the private key d, u1·G + u2·Q is (u1 + u2·d)·G: one multiplication by node's ECDH. */
function ecdsaVerifyDigest(key: KeyObject, digest: Buffer, signature: Buffer): boolean {
  const { curve, n, bytes } = curveOf(key);
  const parsed = parseDerSignature(signature);
  if (!parsed) return false;
  const { r, s } = parsed;
  if (r <= 0n || r >= n || s <= 0n || s >= n) return false;
  const w = invert(s, n);
  const scalar = mod(toBig(digest) * w + r * w * privateScalar(key), n);
  if (scalar === 0n) return false;
  return mod(xOfMultipleOfG(curve, bytes, scalar), n) === r;
}

// DER: SEQUENCE { INTEGER r, INTEGER s }, as RFC 3279 and AWS's Sign give an ECDSA signature.
function derInteger(x: bigint): Buffer {
  let hex = x.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  if (bytes[0]! & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
}

function derSignature(r: bigint, s: bigint): Buffer {
  const body = Buffer.concat([derInteger(r), derInteger(s)]);
  const length = body.length < 0x80 ? Buffer.from([body.length]) : Buffer.from([0x81, body.length]);
  return Buffer.concat([Buffer.from([0x30]), length, body]);
}

function parseDerSignature(der: Buffer): { r: bigint; s: bigint } | undefined {
  let at = 0;
  const length = (): number | undefined => {
    const first = der[at++];
    if (first === undefined) return undefined;
    if (first < 0x80) return first;
    if (first !== 0x81) return undefined;
    const l = der[at++];
    return l !== undefined && l >= 0x80 ? l : undefined;
  };
  const integer = (): bigint | undefined => {
    if (der[at++] !== 0x02) return undefined;
    const l = length();
    if (!l || at + l > der.length) return undefined;
    const bytes = der.subarray(at, at + l);
    at += l;
    if (bytes[0]! & 0x80) return undefined; // negative
    if (l > 1 && bytes[0] === 0 && !(bytes[1]! & 0x80)) return undefined; // not minimal
    return toBig(bytes);
  };
  if (der[at++] !== 0x30) return undefined;
  const total = length();
  if (total === undefined || at + total !== der.length) return undefined;
  const r = integer();
  const s = integer();
  return r !== undefined && s !== undefined && at === der.length ? { r, s } : undefined;
}
