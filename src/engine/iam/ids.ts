// Identifiers as AWS forms them: a four-letter prefix naming the kind of thing, then
// upper-case letters and digits (AWS's unique ids use base32's alphabet), and secrets of
// the length and alphabet AWS's have.
import { randomBytes } from 'node:crypto';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += BASE32[b & 31];
  return out;
}

/** Unique ids of IAM entities: AIDA (user), AROA (role), ANPA (managed policy), 21 characters in all. */
export type UniqueIdPrefix = 'AIDA' | 'AROA' | 'ANPA';
export const uniqueId = (prefix: UniqueIdPrefix) => prefix + base32(17);

/** Access key ids: AKIA for an IAM user's long-term key, ASIA for STS temporary credentials; 20 characters. */
export const accessKeyId = (prefix: 'AKIA' | 'ASIA') => prefix + base32(16);

/** A secret access key: 40 characters of base64's alphabet, as AWS's are. */
export const secretAccessKey = () => randomBytes(30).toString('base64');

/** An STS session token: opaque, long, base64 (AWS's run to several hundred characters). */
export const sessionToken = () => 'IQoJb3JpZ2luX2VjE' + randomBytes(192).toString('base64');

/** A new 12-digit account id, never starting with 0 (so it survives being read as a number). */
export function accountId(): string {
  const n = randomBytes(8).readBigUInt64BE() % 900_000_000_000n;
  return String(100_000_000_000n + n);
}

export const ACCOUNT_ID = /^\d{12}$/;
