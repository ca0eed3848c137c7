// Input shapes for JSON operations, checked the way AWS checks them:
// a value of the wrong JSON type is a SerializationException; a missing member
// or a broken constraint is a ValidationException listing every problem.
import { AwsError } from './errors.js';

export type FieldSpec =
  | { type: 'string'; required?: boolean; min?: number; max?: number; pattern?: RegExp; enum?: readonly string[] }
  | { type: 'integer'; required?: boolean; min?: number; max?: number }
  | { type: 'boolean'; required?: boolean }
  | { type: 'blob'; required?: boolean; min?: number; max?: number; /** AWS names no value of a sensitive member (plaintext, messages) in its messages. */ sensitive?: boolean }
  | { type: 'timestamp'; required?: boolean }
  | { type: 'stringMap'; required?: boolean }
  | { type: 'stringList'; required?: boolean; min?: number; max?: number; enum?: readonly string[] }
  | { type: 'list'; required?: boolean; of: Shape; min?: number; max?: number }
  | { type: 'struct'; required?: boolean; of: Shape };

export type Shape = Record<string, FieldSpec>;

type Infer<F extends FieldSpec> = F extends { type: 'string' }
  ? string
  : F extends { type: 'integer' }
    ? number
    : F extends { type: 'boolean' }
      ? boolean
      : F extends { type: 'blob' }
        ? Buffer
        : F extends { type: 'timestamp' }
          ? Date
          : F extends { type: 'stringMap' }
            ? Record<string, string>
            : F extends { type: 'stringList' }
              ? string[]
              : F extends { type: 'list'; of: infer S extends Shape }
                ? Parsed<S>[]
                : F extends { type: 'struct'; of: infer S extends Shape }
                  ? Parsed<S>
                  : never;

type RequiredKeys<S extends Shape> = { [K in keyof S]: S[K] extends { required: true } ? K : never }[keyof S];
type OptionalKeys<S extends Shape> = Exclude<keyof S, RequiredKeys<S>>;
export type Parsed<S extends Shape> = { [K in RequiredKeys<S>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Infer<S[K]> };

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
const show = (v: unknown) => (Buffer.isBuffer(v) ? `java.nio.HeapByteBuffer[pos=0 lim=${v.length} cap=${v.length}]` : typeof v === 'object' ? JSON.stringify(v) : String(v));

export function parse<S extends Shape>(shape: S, input: unknown): Parsed<S> {
  const problems: string[] = [];
  const out = parseStruct(shape, input, '', problems);
  if (problems.length > 0) {
    const n = problems.length;
    throw new AwsError('ValidationException', `${n} validation error${n > 1 ? 's' : ''} detected: ${problems.join('; ')}`);
  }
  return out as Parsed<S>;
}

function parseStruct(shape: Shape, input: unknown, path: string, problems: string[]): Record<string, unknown> {
  if (input === undefined || input === null) input = {};
  if (typeof input !== 'object' || Array.isArray(input) || Buffer.isBuffer(input)) {
    throw new AwsError('SerializationException', `Start of structure or map found where not expected${path ? ` at '${path}'` : ''}.`);
  }
  const src = input as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(shape)) {
    const where = path ? `${path}.${lowerFirst(name)}` : lowerFirst(name);
    const value = src[name];
    if (value === undefined || value === null) {
      if (spec.required) problems.push(`Value null at '${where}' failed to satisfy constraint: Member must not be null`);
      continue;
    }
    out[name] = parseField(spec, value, where, problems);
  }
  return out;
}

function typeError(expected: string, value: unknown, where: string): AwsError {
  const got = Array.isArray(value) ? 'START_ARRAY' : typeof value === 'object' ? 'START_OBJECT' : typeof value === 'number' ? 'NUMBER_VALUE' : typeof value === 'boolean' ? 'BOOLEAN_VALUE' : 'VALUE_STRING';
  return new AwsError('SerializationException', `${got} can not be converted to ${expected} at '${where}'`);
}

function checkLength(len: number, spec: { min?: number; max?: number; sensitive?: boolean }, value: unknown, where: string, problems: string[], what = 'length') {
  const named = spec.sensitive ? 'Value' : `Value '${show(value)}'`;
  if (spec.min !== undefined && len < spec.min)
    problems.push(`${named} at '${where}' failed to satisfy constraint: Member must have ${what} greater than or equal to ${spec.min}`);
  if (spec.max !== undefined && len > spec.max)
    problems.push(`${named} at '${where}' failed to satisfy constraint: Member must have ${what} less than or equal to ${spec.max}`);
}

function parseField(spec: FieldSpec, value: unknown, where: string, problems: string[]): unknown {
  switch (spec.type) {
    case 'string': {
      if (typeof value !== 'string') throw typeError('a String', value, where);
      checkLength(value.length, spec, value, where, problems);
      if (spec.pattern && !spec.pattern.test(value))
        problems.push(`Value '${value}' at '${where}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${spec.pattern.source}`);
      if (spec.enum && !spec.enum.includes(value))
        problems.push(`Value '${value}' at '${where}' failed to satisfy constraint: Member must satisfy enum value set: [${spec.enum.join(', ')}]`);
      return value;
    }
    case 'integer': {
      if (typeof value !== 'number' || !Number.isInteger(value)) throw typeError('an Integer', value, where);
      checkLength(value, spec, value, where, problems, 'value');
      return value;
    }
    case 'boolean':
      if (typeof value !== 'boolean') throw typeError('a Boolean', value, where);
      return value;
    case 'blob': {
      if (!Buffer.isBuffer(value)) throw typeError('a Blob', value, where);
      checkLength(value.length, spec, value, where, problems);
      return value;
    }
    case 'timestamp': {
      if (typeof value === 'number') return new Date(value * 1000);
      if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return new Date(value);
      throw typeError('a Timestamp', value, where);
    }
    case 'stringMap': {
      if (typeof value !== 'object' || Array.isArray(value)) throw typeError('a Map', value, where);
      for (const [k, v] of Object.entries(value as object)) if (typeof v !== 'string') throw typeError('a String', v, `${where}.${k}`);
      return { ...(value as Record<string, string>) };
    }
    case 'stringList': {
      if (!Array.isArray(value)) throw typeError('a List', value, where);
      for (const v of value) if (typeof v !== 'string') throw typeError('a String', v, where);
      checkLength(value.length, spec, value, where, problems);
      if (spec.enum) for (const v of value) if (!spec.enum.includes(v))
        problems.push(`Value '[${value.join(', ')}]' at '${where}' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [${spec.enum.join(', ')}]]`);
      return [...value];
    }
    case 'list': {
      if (!Array.isArray(value)) throw typeError('a List', value, where);
      checkLength(value.length, spec, value, where, problems);
      return value.map((item, i) => parseStruct(spec.of, item, `${where}.${i + 1}.member`, problems));
    }
    case 'struct':
      return parseStruct(spec.of, value, where, problems);
  }
}

/**
 * AWS's JSON services (Jackson) refuse a document nested deeper than 1000 levels; the
 * engine does too, before parsing, so no deep structure reaches code that walks it.
 */
export const MAX_JSON_DEPTH = 1000;

/** The nesting depth of a JSON text, counted up to `limit + 1` (brackets inside strings do not count). */
export function jsonDepth(text: string, limit = MAX_JSON_DEPTH): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > deepest && (deepest = depth) > limit) return deepest;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}
