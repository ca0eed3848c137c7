// What a CloudTrail event keeps of a request: the members AWS records for the operation,
// named as CloudTrail names them (lower camel case), and only when of the type the API
// defines. Unknown members are never recorded, so no request can put into the trail
// something the trail cannot hold.

/** A request member's type, as far as recording needs it. */
export type MemberType = 'string' | 'integer' | 'boolean' | 'timestamp' | 'stringMap' | 'stringList' | { listOf: RecordedMembers } | { struct: RecordedMembers };
/** The members an operation's event records, by their request (API) name. */
export type RecordedMembers = Record<string, MemberType>;

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v);

/** The recorded members of `input` (null if none), each of its declared type; anything else is left out. */
export function recordedParameters(members: RecordedMembers, input: unknown): Record<string, unknown> | null {
  const out = pick(members, input);
  return out && Object.keys(out).length > 0 ? out : null;
}

function pick(members: RecordedMembers, input: unknown): Record<string, unknown> | undefined {
  if (!isPlainObject(input)) return undefined;
  const out: Record<string, unknown> = {};
  for (const [name, type] of Object.entries(members)) {
    if (!Object.hasOwn(input, name)) continue;
    const value = recordedValue(type, input[name]);
    if (value !== undefined) out[lowerFirst(name)] = value;
  }
  return out;
}

function recordedValue(type: MemberType, v: unknown): unknown {
  if (typeof type === 'object') {
    if ('struct' in type) return pick(type.struct, v); // a structure member (CreateGrant's Constraints)
    return Array.isArray(v) ? v.map((item) => pick(type.listOf, item)).filter((item) => item !== undefined) : undefined;
  }
  switch (type) {
    case 'string':
      return typeof v === 'string' ? v : undefined;
    case 'integer':
      return Number.isInteger(v) ? v : undefined;
    case 'boolean':
      return typeof v === 'boolean' ? v : undefined;
    case 'timestamp': {
      // JSON 1.1 sends epoch seconds; CloudTrail shows a date.
      const date = typeof v === 'number' ? new Date(v * 1000) : typeof v === 'string' ? new Date(v) : undefined;
      return date && !Number.isNaN(date.getTime()) ? date.toISOString() : undefined;
    }
    case 'stringMap':
      return isPlainObject(v) && Object.values(v).every((x) => typeof x === 'string') ? { ...v } : undefined;
    case 'stringList':
      return Array.isArray(v) && v.every((x) => typeof x === 'string') ? [...v] : undefined;
  }
}
