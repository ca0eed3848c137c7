// The ciphertext blob format and the binding of the encryption context.
//
// Blob (version 2): version(1) | handle(16) | iv(12) | tag(16) | reserved(107) | ciphertext
// The handle is a random id of one key's material (as AWS stores a backing key id),
// so Decrypt finds its key without a KeyId while the blob reveals neither the key id
// nor the plaintext. The reserved zero bytes make a blob exactly as long as AWS's
// (plaintext + 152 bytes: a 32-byte data key gives a 184-byte blob), because learners
// compare sizes with the documentation; they are authenticated like the rest of the header.
// Version 1 blobs (no reserved bytes, 45 bytes of overhead) still open.
import { createCipheriv, createDecipheriv, type CipherKey } from 'node:crypto';
import { secureRandomFill } from '../random.js';

export const HANDLE_BYTES = 16;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** What AWS's symmetric ciphertext adds to the plaintext. */
export const BLOB_OVERHEAD = 152;

interface Layout {
  version: number;
  /** Bytes before the ciphertext. */
  header: number;
}

const V1: Layout = { version: 0x01, header: 1 + HANDLE_BYTES + IV_BYTES + TAG_BYTES };
const V2: Layout = { version: 0x02, header: BLOB_OVERHEAD };
const TAG_AT = 1 + HANDLE_BYTES + IV_BYTES;

/**
 * An unambiguous, order-independent encoding of the encryption context, used as
 * additional authenticated data: pairs sorted by key bytes, each key and value
 * prefixed by its byte length. So {"a":"bc"} and {"ab":"c"} differ, key order does not.
 */
export function canonicalContext(context: Record<string, string> | undefined, ...before: Buffer[]): Buffer {
  const pairs = Object.entries(context ?? {}).map(([k, v]) => [Buffer.from(k, 'utf8'), Buffer.from(v, 'utf8')] as const);
  pairs.sort((a, b) => Buffer.compare(a[0], b[0]));
  // One buffer, written in place (what comes before it too): this runs on every Encrypt, Decrypt and GenerateDataKey.
  let size = 4;
  for (const b of before) size += b.length;
  for (const [k, v] of pairs) size += 8 + k.length + v.length;
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const b of before) at += b.copy(out, at);
  at = out.writeUInt32BE(pairs.length, at);
  for (const [k, v] of pairs) {
    at = out.writeUInt32BE(k.length, at);
    at += k.copy(out, at);
    at = out.writeUInt32BE(v.length, at);
    at += v.copy(out, at);
  }
  return out;
}

function layoutOf(blob: Buffer): Layout | undefined {
  const layout = blob[0] === V2.version ? V2 : blob[0] === V1.version ? V1 : undefined;
  return layout && blob.length >= layout.header ? layout : undefined;
}

/** What the tag covers besides the ciphertext: version 1 bound the handle; version 2 binds the whole header but the iv and tag. */
function additionalData(layout: Layout, blob: Buffer, context: Record<string, string> | undefined): Buffer {
  if (layout === V1) return canonicalContext(context, blob.subarray(1, 1 + HANDLE_BYTES));
  return canonicalContext(context, blob.subarray(0, 1 + HANDLE_BYTES), blob.subarray(TAG_AT + TAG_BYTES, layout.header));
}

/** `material` as bytes, or as a KeyObject made of them once (the engine's keys: cheaper to use on every call). */
export function seal(material: CipherKey, handle: Buffer, plaintext: Buffer, context?: Record<string, string>): Buffer {
  // Not zero-filled: every byte is written below (the blob is no secret: it leaves as the reply).
  const blob = Buffer.allocUnsafe(V2.header + plaintext.length);
  blob[0] = V2.version;
  handle.copy(blob, 1);
  const iv = secureRandomFill(blob, 1 + HANDLE_BYTES, IV_BYTES);
  blob.fill(0, TAG_AT + TAG_BYTES, V2.header); // the reserved bytes
  const cipher = createCipheriv('aes-256-gcm', material, iv);
  cipher.setAAD(additionalData(V2, blob, context));
  cipher.update(plaintext).copy(blob, V2.header); // GCM is a stream mode: all of it now, nothing from final()
  cipher.final();
  cipher.getAuthTag().copy(blob, TAG_AT);
  return blob;
}

/** The handle of the key material a blob was sealed under, or undefined if it is not one of ours. */
export function handleOf(blob: Buffer): Buffer | undefined {
  return layoutOf(blob) ? blob.subarray(1, 1 + HANDLE_BYTES) : undefined;
}

/** Opens a blob; undefined when it is not one of ours or the tag does not verify (tampered, or wrong context). */
export function open(material: Buffer, blob: Buffer, context?: Record<string, string>): Buffer | undefined {
  const layout = layoutOf(blob);
  if (!layout) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', material, blob.subarray(1 + HANDLE_BYTES, TAG_AT));
    decipher.setAAD(additionalData(layout, blob, context));
    decipher.setAuthTag(blob.subarray(TAG_AT, TAG_AT + TAG_BYTES));
    return Buffer.concat([decipher.update(blob.subarray(layout.header)), decipher.final()]);
  } catch {
    return undefined;
  }
}
