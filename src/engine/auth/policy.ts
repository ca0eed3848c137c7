// Policy documents (IAM JSON policy language): parsed, validated and compiled once per
// text, so the engine can evaluate a key's policy on every call. Three kinds:
// identity (IAM user/role/managed policies: no Principal), resource (key policies:
// Principal required) and trust (a role's AssumeRolePolicyDocument: Principal required,
// no Resource). Messages are IAM's MalformedPolicyDocument wording.
import { conditionsHold, parseConditionBlock, type Condition } from './conditions.js';
import { globMatcher, globPattern, type Matcher, type Pattern } from './match.js';
import { MalformedPolicyError } from './policy-error.js';

export { MalformedPolicyError } from './policy-error.js';
export { conditionsHold };

export type PolicyKind = 'identity' | 'resource' | 'trust';

/** Who a Principal (or NotPrincipal) element names, normalized: an account id stands for its root. */
export interface PrincipalSet {
  /** "*" or {"AWS": "*"}: everyone, in any account. */
  readonly anyone: boolean;
  /** Accounts named by id or root ARN: their root user, and (for an Allow) the account's IAM delegating. */
  readonly accounts: ReadonlySet<string>;
  /** User, role and session ARNs named exactly. */
  readonly arns: ReadonlySet<string>;
  readonly services: ReadonlySet<string>;
  readonly federated: ReadonlySet<string>;
}

export interface Statement {
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  readonly principal?: PrincipalSet;
  readonly notPrincipal?: PrincipalSet;
  /** Tests the lower-cased action; `notAction` when the statement uses NotAction. */
  readonly action: Matcher;
  readonly notAction: boolean;
  /** Undefined in a trust policy (no Resource element). */
  readonly resources?: readonly Pattern[];
  readonly notResource: boolean;
  readonly conditions: readonly Condition[];
}

export interface ParsedPolicy {
  readonly kind: PolicyKind;
  readonly version: '2012-10-17' | '2008-10-17';
  readonly id?: string;
  readonly statements: readonly Statement[];
}

/** Size quotas AWS documents, in characters (IAM does not count white space). */
export const POLICY_QUOTAS = {
  /** KMS key policy: 32 KB. */
  keyPolicy: 32768,
  /** IAM customer managed policy. */
  managedPolicy: 6144,
  /** IAM inline policies, all of one identity's together. */
  userInlinePolicies: 2048,
  roleInlinePolicies: 10240,
  groupInlinePolicies: 5120,
  /** A role's trust policy (default quota). */
  roleTrustPolicy: 2048,
} as const;

/** A document's size as IAM counts it against its quotas: characters other than white space. */
export function policySize(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) n++;
  }
  return n;
}

/** No document is read past this, whatever the caller's own quota: keeps parsing bounded. */
const HARD_LIMIT = 131072;
const CACHE_LIMIT = 2048;
// One map per kind, keyed by the text itself: a stored policy is the same string object on
// every call, and V8 keeps a string's hash, so a hit costs no pass over the text.
const caches: Record<PolicyKind, Map<string, ParsedPolicy>> = { identity: new Map(), resource: new Map(), trust: new Map() };

/**
 * Parses and validates a policy document; the same text and kind give the same object
 * (cached, bounded). Throws MalformedPolicyError. `maxSize` checks a quota (policySize).
 */
export function parsePolicy(text: string, kind: PolicyKind, opts: { maxSize?: number } = {}): ParsedPolicy {
  const cache = caches[kind];
  const hit = cache.get(text);
  if (hit) {
    if (opts.maxSize !== undefined) checkSize(text, opts.maxSize);
    return hit;
  }
  if (text.length > HARD_LIMIT) throw new MalformedPolicyError(`Cannot exceed quota for PolicySize: ${opts.maxSize ?? HARD_LIMIT}`, true);
  if (opts.maxSize !== undefined) checkSize(text, opts.maxSize);
  const parsed = compile(text, kind);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(text, parsed);
  return parsed;
}

function checkSize(text: string, max: number) {
  if (policySize(text) > max) throw new MalformedPolicyError(`Cannot exceed quota for PolicySize: ${max}`, true);
}

// Tab, LF, CR and U+0020..U+00FF: the characters IAM and KMS accept in a policy document.
const ALLOWED_CHARS = /^[\t\n\r\u0020-\u00ff]*$/;
const TOP_LEVEL = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_FIELDS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);

function compile(text: string, kind: PolicyKind): ParsedPolicy {
  if (!ALLOWED_CHARS.test(text)) throw new MalformedPolicyError('Syntax errors in policy.');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new MalformedPolicyError('Syntax errors in policy.');
  }
  if (!isObject(doc)) throw new MalformedPolicyError('Syntax errors in policy.');
  for (const k of Object.keys(doc)) if (!TOP_LEVEL.has(k)) throw new MalformedPolicyError(`Syntax errors in policy. Unknown field ${k}`);
  const version = doc.Version ?? '2008-10-17';
  if (version !== '2012-10-17' && version !== '2008-10-17') throw new MalformedPolicyError('The policy failed legacy parsing');
  if (doc.Id !== undefined && typeof doc.Id !== 'string') throw new MalformedPolicyError('Syntax errors in policy.');
  const raw = doc.Statement;
  if (raw === undefined) throw new MalformedPolicyError('Missing required field Statement');
  const list = Array.isArray(raw) ? raw : [raw];
  const sids = new Set<string>();
  const statements = list.map((s) => {
    const st = compileStatement(s, kind, version === '2012-10-17');
    if (st.sid !== undefined && st.sid !== '') {
      if (sids.has(st.sid)) throw new MalformedPolicyError('Statement IDs (SID) in a single policy must be unique.');
      sids.add(st.sid);
    }
    return st;
  });
  return { kind, version, ...(typeof doc.Id === 'string' ? { id: doc.Id } : {}), statements };
}

function compileStatement(s: unknown, kind: PolicyKind, variables: boolean): Statement {
  if (!isObject(s)) throw new MalformedPolicyError('Syntax errors in policy.');
  for (const k of Object.keys(s)) if (!STATEMENT_FIELDS.has(k)) throw new MalformedPolicyError(`Syntax errors in policy. Unknown field ${k}`);
  if (s.Sid !== undefined && typeof s.Sid !== 'string') throw new MalformedPolicyError('Syntax errors in policy.');
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny') throw new MalformedPolicyError(s.Effect === undefined ? 'Missing required field Effect' : `Invalid effect: ${String(s.Effect)}`);

  const hasPrincipal = s.Principal !== undefined || s.NotPrincipal !== undefined;
  if (kind === 'identity' && hasPrincipal) throw new MalformedPolicyError('Policy document should not specify a principal.');
  if (kind !== 'identity' && !hasPrincipal) throw new MalformedPolicyError('Missing required field Principal');
  if (s.Principal !== undefined && s.NotPrincipal !== undefined) throw new MalformedPolicyError('Syntax errors in policy. Principal and NotPrincipal cannot both be present');

  if (s.Action !== undefined && s.NotAction !== undefined) throw new MalformedPolicyError('Syntax errors in policy. Action and NotAction cannot both be present');
  const actionList = strings(s.Action ?? s.NotAction);
  if (!actionList?.length) throw new MalformedPolicyError('Policy statement must contain actions.');
  for (const a of actionList)
    if (a !== '*' && !/^[A-Za-z0-9-]+:[^:]*$/.test(a)) throw new MalformedPolicyError('Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.');

  const hasResource = s.Resource !== undefined || s.NotResource !== undefined;
  if (kind === 'trust' && hasResource) throw new MalformedPolicyError(`Has prohibited field ${s.Resource !== undefined ? 'Resource' : 'NotResource'}`);
  if (kind !== 'trust' && !hasResource) throw new MalformedPolicyError('Policy statement must contain resources.');
  if (s.Resource !== undefined && s.NotResource !== undefined) throw new MalformedPolicyError('Syntax errors in policy. Resource and NotResource cannot both be present');
  const resourceList = hasResource ? strings(s.Resource ?? s.NotResource) : undefined;
  if (hasResource && !resourceList?.length) throw new MalformedPolicyError('Policy statement must contain resources.');

  return {
    ...(typeof s.Sid === 'string' ? { sid: s.Sid } : {}),
    effect: s.Effect,
    ...(s.Principal !== undefined ? { principal: principalSet(s.Principal) } : {}),
    ...(s.NotPrincipal !== undefined ? { notPrincipal: principalSet(s.NotPrincipal) } : {}),
    action: anyOf(actionList.map((a) => globMatcher(a.toLowerCase()))),
    notAction: s.Action === undefined,
    ...(resourceList ? { resources: resourceList.map((r) => globPattern(r, { variables })) } : {}),
    notResource: s.NotResource !== undefined,
    conditions: s.Condition === undefined ? [] : parseConditionBlock(s.Condition, variables),
  };
}

function anyOf(ms: Matcher[]): Matcher {
  if (ms.length === 1) return ms[0]!;
  return (v) => ms.some((m) => m(v));
}

/** A string or a non-empty array of strings; anything else is undefined. */
function strings(v: unknown): string[] | undefined {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  if (v !== undefined) throw new MalformedPolicyError('Syntax errors in policy.');
  return undefined;
}

const ACCOUNT_ID = /^\d{12}$/;
const ROOT_ARN = /^arn:aws:iam::(\d{12}):root$/;
// Users and roles (with paths), STS sessions of a role and federated users.
const IDENTITY_ARN = /^arn:aws:(?:iam::\d{12}:(?:user|role)\/[\w+=,.@/-]+|sts::\d{12}:(?:assumed-role\/[\w+=,.@-]+\/[\w+=,.@-]+|federated-user\/[\w+=,.@-]+))$/;
const SERVICE = /^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$/;

function principalSet(p: unknown): PrincipalSet {
  const set = { anyone: false, accounts: new Set<string>(), arns: new Set<string>(), services: new Set<string>(), federated: new Set<string>() };
  if (p === '*') return { ...set, anyone: true };
  if (!isObject(p)) throw new MalformedPolicyError(`Invalid principal in policy: ${JSON.stringify(p)}`);
  for (const [type, raw] of Object.entries(p)) {
    const values = strings(raw);
    if (!values?.length) throw new MalformedPolicyError(`Invalid principal in policy: "${type}"`);
    for (const v of values) {
      const invalid = () => new MalformedPolicyError(`Invalid principal in policy: "${type}":"${v}"`);
      if (type === 'AWS') {
        if (v === '*') set.anyone = true;
        else if (ACCOUNT_ID.test(v)) set.accounts.add(v);
        else if (ROOT_ARN.test(v)) set.accounts.add(ROOT_ARN.exec(v)![1]!);
        else if (IDENTITY_ARN.test(v)) set.arns.add(v);
        else throw invalid(); // partial wildcards are not allowed in a Principal
      } else if (type === 'Service') {
        if (!SERVICE.test(v)) throw invalid();
        set.services.add(v);
      } else if (type === 'Federated') set.federated.add(v);
      else if (type === 'CanonicalUser') continue; // S3's canonical ids: never an engine caller
      else throw invalid();
    }
  }
  return set;
}

/** The principals (as ARNs) a policy names, for the caller to check they exist (Directory.principalExists). */
export function principalsNamed(policy: ParsedPolicy): string[] {
  const out = new Set<string>();
  for (const s of policy.statements)
    for (const p of [s.principal, s.notPrincipal]) {
      if (!p) continue;
      for (const a of p.accounts) out.add(`arn:aws:iam::${a}:root`);
      for (const a of p.arns) out.add(a);
    }
  return [...out];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
