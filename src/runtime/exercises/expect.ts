// Whether the evidence shows what an exercise expects: each expected call and
// file becomes one line of a checklist, and a near miss says why it does not
// count ("you called Decrypt without the encryption context"). Pure but for
// reading workspace files; the session gathers the calls.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ApiCall, ExerciseCheck, ExpectedCall, ExpectedFile } from '../types.js';

/** A key named any way (id, ARN, alias) as the key's id, when known: two names of one key give the same. */
export type KeyResolver = (nameOrId: string) => string | undefined;

export function checkCalls(expected: readonly ExpectedCall[], calls: readonly ApiCall[], keyOf: KeyResolver): ExerciseCheck[] {
  return expected.map((want) => {
    const label = want.label ?? callLabel(want);
    const same = calls.filter((c) => c.operation === want.operation);
    if (same.some((c) => mismatch(want, c, keyOf) === undefined)) return { label, ok: true };
    const last = same.at(-1);
    return { label, ok: false, why: last ? mismatch(want, last, keyOf) : `no ${want.operation} call has reached the engine yet` };
  });
}

/** Why this call is not the one expected, or undefined when it is. */
function mismatch(want: ExpectedCall, call: ApiCall, keyOf: KeyResolver): string | undefined {
  const yours = call.caller === 'you' ? `you called ${call.operation}` : `${call.caller} called ${call.operation}`;
  if (want.caller && call.caller !== want.caller)
    return want.caller === 'you' ? `${call.operation} was called by ${call.caller}, not by you` : `you called ${call.operation} yourself; the exercise expects ${want.caller} to call it on your behalf`;
  if (want.key && !sameKey(want.key, call, keyOf)) return `${yours} with ${call.alias ?? call.keyId ?? 'no key named'}, not ${want.key}`;
  if (want.context) {
    const have = call.encryptionContext ?? {};
    const missing = Object.entries(want.context).filter(([k, v]) => have[k] !== v);
    if (missing.length > 0) {
      if (Object.keys(have).length === 0) return `${yours} without the encryption context ${pairs(want.context)}`;
      return `${yours} with the encryption context ${pairs(have)}, not ${pairs(Object.fromEntries(missing))}`;
    }
  }
  const outcome = call.outcome;
  if (want.error) {
    if (outcome.ok) return `${yours} and it succeeded; the exercise expects it to fail with ${want.error}`;
    if (outcome.code !== want.error) return `${yours} and it failed with ${outcome.code}, not ${want.error}`;
  } else if (!outcome.ok) return `${yours} and it failed with ${outcome.code}${outcome.message ? `: ${outcome.message}` : ''}`;
  return undefined;
}

function sameKey(want: string, call: ApiCall, keyOf: KeyResolver): boolean {
  if (call.alias === want || call.keyId === want) return true;
  const wanted = keyOf(want) ?? keyIdOf(want);
  const named = [call.keyId, call.alias].filter((n): n is string => !!n).map((n) => keyOf(n) ?? keyIdOf(n));
  return wanted !== undefined && named.includes(wanted);
}

/** The key id in a key ARN or a bare key id; undefined for an alias. */
export function keyIdOf(name: string): string | undefined {
  if (name.startsWith('alias/') || name.includes(':alias/')) return undefined;
  return /(?:^|:key\/)([0-9a-fA-F-]{36}|mrk-[0-9a-f]{32})$/.exec(name)?.[1] ?? name;
}

export function callLabel(want: ExpectedCall): string {
  const parts = [want.operation];
  if (want.caller && want.caller !== 'you') parts.push(`by ${want.caller} on your behalf`);
  if (want.key) parts.push(`with ${want.key}`);
  if (want.context) parts.push(`${want.key ? 'and' : 'with'} the context ${pairs(want.context)}`);
  parts.push(want.error ? `failing with ${want.error}` : 'succeeding');
  return parts.join(' ');
}

export function checkFiles(expected: readonly ExpectedFile[], workspace: string): ExerciseCheck[] {
  return expected.map((want) => {
    const label = want.label ?? fileLabel(want);
    const read = (name: string) => {
      const p = join(workspace, name);
      return existsSync(p) ? readFileSync(p) : undefined;
    };
    const file = read(want.path);
    if (!file) return { label, ok: false, why: `${want.path} is not in the workspace yet` };
    if (want.contains !== undefined && !file.toString('utf8').includes(want.contains))
      return { label, ok: false, why: `${want.path} does not contain ${JSON.stringify(want.contains)}` };
    if (want.sameAs !== undefined) {
      const other = read(want.sameAs);
      if (!other) return { label, ok: false, why: `${want.sameAs} is not in the workspace to compare with` };
      if (!file.equals(other)) return { label, ok: false, why: `${want.path} (${file.length} bytes) is not the same as ${want.sameAs} (${other.length} bytes)` };
    }
    if (want.differsFrom !== undefined) {
      const other = read(want.differsFrom);
      if (other && file.equals(other)) return { label, ok: false, why: `${want.path} is byte for byte ${want.differsFrom}: nothing was encrypted` };
    }
    return { label, ok: true };
  });
}

function fileLabel(want: ExpectedFile): string {
  if (want.sameAs) return `${want.path} is the same as ${want.sameAs}`;
  if (want.differsFrom) return `${want.path} is not the same as ${want.differsFrom}`;
  if (want.contains) return `${want.path} contains ${JSON.stringify(want.contains)}`;
  return `${want.path} is in the workspace`;
}

function pairs(context: Record<string, string>): string {
  return Object.entries(context)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}
