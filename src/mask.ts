// Secrets never reach the screen or a log: a data key's plaintext shows as its
// first 2 and last 3 base64 characters, as the workshop prints it (97**...**OOL).
// Below everything that shows a call: the runtime, the TUI, the class engine's room.

/** What a response becomes for display: plain JSON (runtime/types.ts re-exports it). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Fields whose value is secret wherever they appear in a response. */
export const SECRET_FIELDS: Set<string> = new Set(['Plaintext', 'plaintext', 'SecretAccessKey', 'SessionToken']);

export function maskSecret(value: Uint8Array | string): string {
  const text = typeof value === 'string' ? value : Buffer.from(value).toString('base64');
  if (text.length <= 5) return '**...**';
  return `${text.slice(0, 2)}**...**${text.slice(-3)}`;
}

/**
 * A response made safe and plain for display: secrets masked, bytes as base64,
 * dates as ISO text, the SDK's $metadata dropped, undefined left out.
 */
export function toDisplayJson(value: unknown, extraSecrets: readonly string[] = [], key?: string): JsonValue {
  if (key !== undefined && (SECRET_FIELDS.has(key) || extraSecrets.includes(key))) return masked(value);
  if (value === null || value === undefined) return null;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => toDisplayJson(v, extraSecrets));
  if (typeof value === 'object') {
    const out: { [k: string]: JsonValue } = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (k === '$metadata' || v === undefined || typeof v === 'function') continue;
      out[k] = toDisplayJson(v, extraSecrets, k);
    }
    return out;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  return String(value); // text, big integers, symbols
}

/** Everything under a secret field: text and bytes as the workshop prints them, each item of a list, anything else hidden whole. */
function masked(value: unknown): JsonValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || value instanceof Uint8Array) return maskSecret(value);
  if (Array.isArray(value)) return value.map(masked);
  return maskSecret('');
}
