// Wildcards and ARNs as the policy language matches them: `*` any run of characters,
// `?` any one character; policy variables (${aws:username}) filled from the request's
// condition context, their values always taken literally. Compiled once per policy text
// (policy.ts caches parsed policies), so a request only runs the compiled tests.
import type { ConditionContext } from './types.js';

/** Tests one string; made once per pattern. */
export type Matcher = (value: string) => boolean;

/** A piece of a pattern: literal text (wildcards in it count as wildcards when `glob`) or a variable. */
type Part = { text: string; glob: boolean } | { variable: string; fallback?: string };

/** A pattern from a policy: compiled at parse time; `resolve` fills its variables for one request. */
export interface Pattern {
  readonly source: string;
  /** The test for this request, or undefined when a variable it names has no value (the pattern then matches nothing). */
  resolve(context: ConditionContext): Matcher | undefined;
}

const always: Matcher = () => true;
const hasWildcard = (s: string) => s.includes('*') || s.includes('?');
const escapeRegExp = (s: string) => s.replace(/[.+^${}()|[\]\\*?]/g, '\\$&');
const globSource = (s: string) => escapeRegExp(s).replace(/\\\*/g, '.*').replace(/\\\?/g, '.');

/** Regular expressions by source: patterns filled with variables repeat across requests. Bounded. */
const compiled = new Map<string, RegExp>();
function regExp(source: string, flags: string): RegExp {
  const id = flags + source;
  let re = compiled.get(id);
  if (!re) {
    if (compiled.size >= 4096) compiled.clear();
    re = new RegExp(`^${source}$`, flags);
    compiled.set(id, re);
  }
  return re;
}

/** `*` and `?` as wildcards; a plain string compares exactly, `*` alone matches everything. */
export function globMatcher(pattern: string, ignoreCase = false): Matcher {
  if (pattern === '*') return always;
  if (!hasWildcard(pattern)) {
    if (!ignoreCase) return (v) => v === pattern;
    const lower = pattern.toLowerCase();
    return (v) => v.length === lower.length && v.toLowerCase() === lower;
  }
  // A trailing `*` after plain text (kms:*, arn:aws:kms:us-east-1:111122223333:key/*) is a prefix test.
  const head = pattern.slice(0, -1);
  if (pattern.endsWith('*') && !hasWildcard(head)) {
    if (!ignoreCase) return (v) => v.startsWith(head);
    const lower = head.toLowerCase();
    return (v) => v.length >= lower.length && v.slice(0, lower.length).toLowerCase() === lower;
  }
  const re = regExp(globSource(pattern), ignoreCase ? 'is' : 's');
  return (v) => re.test(v);
}

const VARIABLE = /\$\{([^}]*)\}/g;
const SPECIAL: Record<string, string> = { '*': '*', '?': '?', $: '$' };

/** Splits a policy string into literal text and ${...} variables (Version 2012-10-17 only; older policies take it literally). */
function parts(source: string, variables: boolean, glob: boolean): Part[] {
  if (!variables || !source.includes('${')) return [{ text: source, glob }];
  const out: Part[] = [];
  let last = 0;
  for (const m of source.matchAll(VARIABLE)) {
    if (m.index > last) out.push({ text: source.slice(last, m.index), glob });
    const inner = m[1]!.trim();
    if (Object.hasOwn(SPECIAL, inner)) out.push({ text: SPECIAL[inner]!, glob: false }); // ${*} is a literal star
    else {
      // ${aws:username, 'nobody'}: a default for a key the request lacks.
      const withDefault = /^([^,]+?)\s*,\s*'([^']*)'$/.exec(inner);
      out.push(withDefault ? { variable: withDefault[1]!.toLowerCase(), fallback: withDefault[2] } : { variable: inner.toLowerCase() });
    }
    last = m.index + m[0].length;
  }
  if (last < source.length) out.push({ text: source.slice(last), glob });
  return out;
}

/** A variable's value: single-valued keys only (a multivalued key is no variable). */
function variableValue(part: { variable: string; fallback?: string }, context: ConditionContext): string | undefined {
  const v = context.get(part.variable);
  return typeof v === 'string' ? v : part.fallback;
}

/** The string a pattern stands for in this request (wildcards kept literally), or undefined for a missing variable. */
function fillVariables(pattern: readonly Part[], context: ConditionContext): string | undefined {
  let out = '';
  for (const p of pattern) {
    if ('text' in p) out += p.text;
    else {
      const v = variableValue(p, context);
      if (v === undefined) return undefined;
      out += v;
    }
  }
  return out;
}

/** A wildcard pattern (Resource, StringLike, ArnLike...), with variables when the policy's Version allows them. */
export function globPattern(source: string, opts: { variables: boolean; ignoreCase?: boolean; matcher?: (pattern: string) => Matcher }): Pattern {
  const ps = parts(source, opts.variables, true);
  const make = opts.matcher ?? ((p: string) => globMatcher(p, opts.ignoreCase));
  const only = ps.length === 1 ? ps[0]! : undefined;
  // One part of plain text is the source itself, wildcards and all (a lone ${*} is a literal star: the general path)
  if (only && 'text' in only && only.glob) {
    const m = make(only.text);
    return { source, resolve: () => m };
  }
  return {
    source,
    resolve(context) {
      // Variables' values are literal: ${aws:username} = "a*" matches only "a*".
      let glob = '';
      for (const p of ps) {
        if ('text' in p) glob += p.glob ? p.text : p.text.replace(/[*?]/g, (c) => `\u0000${c}`);
        else {
          const v = variableValue(p, context);
          if (v === undefined) return undefined;
          glob += v.replace(/[*?]/g, (c) => `\u0000${c}`);
        }
      }
      if (!glob.includes('\u0000')) return make(glob);
      const source = glob.split(/(\u0000[*?])/).map((s) => (s.startsWith('\u0000') ? escapeRegExp(s[1]!) : globSource(s))).join('');
      const re = regExp(source, opts.ignoreCase ? 'is' : 's');
      return (v) => re.test(v);
    },
  };
}

/** An exact value (StringEquals, Bool...), with variables when allowed: resolves to the string to compare. */
export interface Template {
  readonly source: string;
  fill(context: ConditionContext): string | undefined;
}

export function template(source: string, variables: boolean): Template {
  const ps = parts(source, variables, false);
  const only = ps.length === 1 ? ps[0]! : undefined;
  if (only && 'text' in only) return { source, fill: () => only.text }; // the source, or the character a lone ${*} stands for
  return { source, fill: (context) => fillVariables(ps, context) };
}

/**
 * ARN matching (ArnEquals, ArnLike): each of the six colon-separated parts is matched on its
 * own, wildcards within a part; the last part (the resource) may itself contain colons.
 */
export function arnMatcher(pattern: string): Matcher {
  const want = arnParts(pattern);
  if (!want) return () => false;
  const tests = want.map((p) => globMatcher(p));
  return (v) => {
    const got = arnParts(v);
    return !!got && tests.every((t, i) => t(got[i]!));
  };
}

function arnParts(arn: string): string[] | undefined {
  const out: string[] = [];
  let from = 0;
  for (let i = 0; i < 5; i++) {
    const at = arn.indexOf(':', from);
    if (at < 0) return undefined;
    out.push(arn.slice(from, at));
    from = at + 1;
  }
  out.push(arn.slice(from));
  return out[0] === 'arn' || out[0] === '*' ? out : undefined;
}
