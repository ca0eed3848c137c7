// The Condition element: operators as the IAM reference "Condition operators" defines
// them. All operators of a block, and all keys of an operator, must hold; the values
// listed for one key are alternatives. A key the request lacks makes a positive
// operator false and a negated one (StringNotEquals, ArnNotLike...) true, except with
// ...IfExists (true when absent) and Null (tests presence). ForAnyValue/ForAllValues
// compare a multivalued key value by value: ForAnyValue needs one to match (false when
// the key is absent or empty), ForAllValues needs every one to match (true when absent
// or empty). Condition keys are case-insensitive (lower-cased here and in the context).
import { BlockList, isIP } from 'node:net';
import { arnMatcher, globPattern, template, type Pattern, type Template } from './match.js';
import { MalformedPolicyError } from './policy-error.js';
import type { ConditionContext } from './types.js';

export interface Condition {
  /** As written, e.g. 'ForAllValues:StringEquals'. */
  readonly operator: string;
  /** Lower-cased condition key, e.g. 'kms:encryptioncontext:project'. */
  readonly key: string;
  holds(context: ConditionContext): boolean;
}

/** How one request value compares with the policy's values, before negation. */
type Compare = (requestValue: string, context: ConditionContext) => boolean;
type CompareFactory = (values: readonly string[], variables: boolean) => Compare;

const anyTemplate = (ts: readonly Template[], eq: (r: string, p: string) => boolean): Compare => (r, ctx) =>
  ts.some((t) => {
    const p = t.fill(ctx);
    return p !== undefined && eq(r, p);
  });

const anyPattern = (ps: readonly Pattern[]): Compare => (r, ctx) => ps.some((p) => p.resolve(ctx)?.(r) ?? false);

const stringEquals: CompareFactory = (values, variables) => anyTemplate(values.map((v) => template(v, variables)), (r, p) => r === p);
const stringEqualsIgnoreCase: CompareFactory = (values, variables) =>
  anyTemplate(values.map((v) => template(v, variables)), (r, p) => r.toLowerCase() === p.toLowerCase());
const stringLike: CompareFactory = (values, variables) => anyPattern(values.map((v) => globPattern(v, { variables })));
const arnLike: CompareFactory = (values, variables) => anyPattern(values.map((v) => globPattern(v, { variables, matcher: arnMatcher })));
const bool: CompareFactory = (values, variables) => anyTemplate(values.map((v) => template(v, variables)), (r, p) => r.toLowerCase() === p.toLowerCase());
const binary: CompareFactory = (values) => (r) => values.includes(r);

function ordered(parse: (s: string) => number, test: (request: number, policy: number) => boolean): CompareFactory {
  return (values) => {
    const policy = values.map(parse).filter((n) => !Number.isNaN(n));
    return (r) => {
      const n = parse(r);
      return !Number.isNaN(n) && policy.some((p) => test(n, p));
    };
  };
}

const parseNumber = (s: string) => (s.trim() === '' ? NaN : Number(s));
/** ISO 8601 (W3C) dates, or epoch seconds. */
const parseDate = (s: string) => (/^\d+(\.\d+)?$/.test(s) ? Number(s) * 1000 : Date.parse(s));

const comparisons: Record<string, (a: number, b: number) => boolean> = {
  Equals: (a, b) => a === b,
  LessThan: (a, b) => a < b,
  LessThanEquals: (a, b) => a <= b,
  GreaterThan: (a, b) => a > b,
  GreaterThanEquals: (a, b) => a >= b,
};

const ipAddress: CompareFactory = (values) => {
  const list = new BlockList();
  for (const cidr of values) {
    const [address, bits] = cidr.split('/');
    const family = isIP(address ?? '');
    if (!family || (bits !== undefined && !/^\d+$/.test(bits))) throw new MalformedPolicyError(`Invalid IP address or CIDR in condition: ${cidr}`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    list.addSubnet(address!, bits === undefined ? (family === 4 ? 32 : 128) : Math.min(Number(bits), family === 4 ? 32 : 128), type);
  }
  return (r) => {
    const family = isIP(r);
    return family !== 0 && list.check(r, family === 4 ? 'ipv4' : 'ipv6');
  };
};

/** Each operator: how it compares, whether it is the negated form, whether policy variables work in it. */
const OPERATORS: Record<string, { compare: CompareFactory; negated: boolean; variables: boolean }> = {
  StringEquals: { compare: stringEquals, negated: false, variables: true },
  StringNotEquals: { compare: stringEquals, negated: true, variables: true },
  StringEqualsIgnoreCase: { compare: stringEqualsIgnoreCase, negated: false, variables: true },
  StringNotEqualsIgnoreCase: { compare: stringEqualsIgnoreCase, negated: true, variables: true },
  StringLike: { compare: stringLike, negated: false, variables: true },
  StringNotLike: { compare: stringLike, negated: true, variables: true },
  Bool: { compare: bool, negated: false, variables: true },
  BinaryEquals: { compare: binary, negated: false, variables: false },
  IpAddress: { compare: ipAddress, negated: false, variables: false },
  NotIpAddress: { compare: ipAddress, negated: true, variables: false },
  ArnEquals: { compare: arnLike, negated: false, variables: true },
  ArnLike: { compare: arnLike, negated: false, variables: true },
  ArnNotEquals: { compare: arnLike, negated: true, variables: true },
  ArnNotLike: { compare: arnLike, negated: true, variables: true },
};
for (const [name, test] of Object.entries(comparisons)) {
  OPERATORS[`Numeric${name}`] = { compare: ordered(parseNumber, test), negated: false, variables: false };
  OPERATORS[`Date${name}`] = { compare: ordered(parseDate, test), negated: false, variables: false };
}
OPERATORS.NumericNotEquals = { compare: ordered(parseNumber, comparisons.Equals!), negated: true, variables: false };
OPERATORS.DateNotEquals = { compare: ordered(parseDate, comparisons.Equals!), negated: true, variables: false };

/** Operator names are matched without regard to case, as keys are. */
const OPERATOR_BY_LOWER = new Map(Object.keys(OPERATORS).map((k) => [k.toLowerCase(), k]));

const absent = (v: string | readonly string[] | undefined): v is undefined => v === undefined || (typeof v !== 'string' && v.length === 0);

/** One Condition element's block, compiled; throws MalformedPolicyError for an operator or value AWS would refuse. */
export function parseConditionBlock(block: unknown, variables: boolean): Condition[] {
  if (!isObject(block)) throw new MalformedPolicyError('Syntax errors in policy.');
  const out: Condition[] = [];
  for (const [operator, keys] of Object.entries(block)) {
    if (!isObject(keys)) throw new MalformedPolicyError('Syntax errors in policy.');
    for (const [key, raw] of Object.entries(keys)) {
      if (!/^[A-Za-z0-9-]+:./.test(key)) throw new MalformedPolicyError('Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.');
      out.push(compileCondition(operator, key.toLowerCase(), conditionValues(raw), variables));
    }
  }
  return out;
}

function conditionValues(raw: unknown): string[] {
  const list = Array.isArray(raw) ? raw : [raw];
  return list.map((v) => {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw new MalformedPolicyError('Syntax errors in policy.');
  });
}

function compileCondition(operator: string, key: string, values: string[], variables: boolean): Condition {
  const m = /^(?:(ForAnyValue|ForAllValues):)?(.+?)(IfExists)?$/i.exec(operator);
  const set = m?.[1]?.toLowerCase();
  const ifExists = !!m?.[3];
  const baseName = OPERATOR_BY_LOWER.get(m?.[2]?.toLowerCase() ?? '') ?? (m?.[2]?.toLowerCase() === 'null' ? 'Null' : undefined);
  if (!m || !baseName || (baseName === 'Null' && (ifExists || set))) throw new MalformedPolicyError(`Invalid Condition type : ${operator}`);

  if (baseName === 'Null') {
    // "true": the key must be absent; "false": present. Several values are alternatives.
    const wantAbsent = values.map((v) => v.toLowerCase() === 'true');
    return { operator, key, holds: (ctx) => wantAbsent.includes(absent(ctx.get(key))) };
  }
  const op = OPERATORS[baseName]!;
  const compare = op.compare(values, variables && op.variables);
  const one = op.negated ? (r: string, ctx: ConditionContext) => !compare(r, ctx) : compare;
  return {
    operator,
    key,
    holds(ctx) {
      const v = ctx.get(key);
      if (absent(v)) return ifExists || set === 'forallvalues' || (set === undefined && op.negated);
      if (typeof v === 'string') return one(v, ctx);
      return set === 'forallvalues' ? v.every((r) => one(r, ctx)) : v.some((r) => one(r, ctx));
    },
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every condition of a statement holds (an empty block always does). */
export function conditionsHold(conditions: readonly Condition[], context: ConditionContext): boolean {
  for (const c of conditions) if (!c.holds(context)) return false;
  return true;
}
