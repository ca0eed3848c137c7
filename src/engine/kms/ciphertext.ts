// The ciphertext blob format and the binding of the encryption context.
//
// Blob: version(1) | handle(16) | iv(12) | tag(16) | ciphertext
// The handle is a random id of one key's material (as AWS stores a backing key id),
// so Decrypt finds its key without a KeyId while the blob reveals neither the key id
// nor the plaintext.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 0x01;
export const HANDLE_BYTES = 16;
const HEADER = 1 + HANDLE_BYTES + 12 + 16;

/**
 * An unambiguous, order-independent encoding of the encryption context, used as
 * additional authenticated data: pairs sorted by key bytes, each key and value
 * prefixed by its byte length. So {"a":"bc"} and {"ab":"c"} differ, key order does not.
 */
export function canonicalContext(context: Record<string, string> | undefined): Buffer {
  const pairs = Object.entries(context ?? {}).map(([k, v]) => [Buffer.from(k, 'utf8'), Buffer.from(v, 'utf8')] as const);
  pairs.sort((a, b) => Buffer.compare(a[0], b[0]));
  const parts: Buffer[] = [u32(pairs.length)];
  for (const [k, v] of pairs) parts.push(u32(k.length), k, u32(v.length), v);
  return Buffer.concat(parts);
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

export function seal(material: Buffer, handle: Buffer, plaintext: Buffer, context?: Record<string, string>): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', material, iv);
  cipher.setAAD(Buffer.concat([handle, canonicalContext(context)]));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), handle, iv, cipher.getAuthTag(), body]);
}

/** The handle of the key material a blob was sealed under, or undefined if it is not one of ours. */
export function handleOf(blob: Buffer): Buffer | undefined {
  if (blob.length < HEADER || blob[0] !== VERSION) return undefined;
  return blob.subarray(1, 1 + HANDLE_BYTES);
}

/** Opens a blob; undefined when the tag does not verify (tampered, or wrong context). */
export function open(material: Buffer, blob: Buffer, context?: Record<string, string>): Buffer | undefined {
  const handle = blob.subarray(1, 1 + HANDLE_BYTES);
  const iv = blob.subarray(1 + HANDLE_BYTES, 1 + HANDLE_BYTES + 12);
  const tag = blob.subarray(1 + HANDLE_BYTES + 12, HEADER);
  try {
    const decipher = createDecipheriv('aes-256-gcm', material, iv);
    decipher.setAAD(Buffer.concat([handle, canonicalContext(context)]));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(blob.subarray(HEADER)), decipher.final()]);
  } catch {
    return undefined;
  }
}
