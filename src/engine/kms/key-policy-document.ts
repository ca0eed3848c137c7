// What CreateKey and PutKeyPolicy check of a key policy document before they keep it (the
// PutKeyPolicy API reference): its size (32 KB: LimitExceededException), that it is a policy
// (MalformedPolicyDocumentException), that every statement names principals that exist, and,
// unless BypassPolicyLockoutSafetyCheck, the lockout safety check: the new policy must allow
// the calling principal to call PutKeyPolicy on the key later. A policy that allows the
// caller's account (the default key policy's "Enable IAM User Permissions") passes: the account
// then delegates to its IAM policies, as the default key policy does.
//
// The policy language itself (auth/policy*.ts, issue 10) is being written beside this; until
// then this reads only what these checks need: Effect, Principal/NotPrincipal, Action/NotAction,
// Resource/NotResource, and treats a statement with a Condition as one that may not apply.
import type { Caller } from '../caller.js';
import { AwsError, kmsErrors } from '../errors.js';
import type { Kms } from './model.js';

/** "Key policy document size: 32 KB (32,768 bytes)" (AWS KMS resource quotas). */
export const MAX_KEY_POLICY_BYTES = 32 * 1024;

/** PolicyType in the API: 1 to 131072 characters of tab, line feed, carriage return and U+0020 to U+00FF. */
export const KeyPolicyField = { type: 'string', min: 1, max: 131072, pattern: /^[\u0009\u000A\u000D\u0020-\u00FF]+$/ } as const;

const malformed = (message: string) => new AwsError('MalformedPolicyDocumentException', message);

interface Statement {
  Effect?: unknown;
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: unknown;
}

/**
 * Refuses a key policy AWS would refuse, for a key of this ARN created or changed by `caller`
 * (for CreateKey, the ARN with * for the id it does not have yet).
 */
export function checkKeyPolicy(kms: Kms, text: string, caller: Caller, keyArn: string, bypassLockoutCheck: boolean): void {
  if (Buffer.byteLength(text, 'latin1') > MAX_KEY_POLICY_BYTES)
    throw kmsErrors.limitExceeded(`The key policy is ${Buffer.byteLength(text, 'latin1')} bytes; a key policy can be at most ${MAX_KEY_POLICY_BYTES} bytes (32 KB).`);
  const statements = parseStatements(text);
  for (const s of statements) {
    if (s.Principal === undefined && s.NotPrincipal === undefined) throw malformed('Policy contains a statement with no principal.');
    if (!awsPrincipals(s.Principal ?? s.NotPrincipal).every((p) => principalExists(kms, p))) throw malformed('Policy contains a statement with one or more invalid principals.');
  }
  if (!bypassLockoutCheck && !allowsPutKeyPolicy(statements, caller, keyArn)) throw malformed('The new key policy will not allow you to update the key policy in the future.');
}

function parseStatements(text: string): Statement[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw malformed('The key policy is not a valid JSON document.');
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw malformed('The key policy must be a JSON object.');
  const raw = (doc as { Statement?: unknown }).Statement;
  const statements = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  if (statements.length === 0) throw malformed('The key policy has no Statement.');
  for (const s of statements) {
    if (s === null || typeof s !== 'object' || Array.isArray(s)) throw malformed('Each statement of a key policy must be a JSON object.');
    const effect = (s as Statement).Effect;
    if (effect !== 'Allow' && effect !== 'Deny') throw malformed(`A statement's Effect must be Allow or Deny, not ${JSON.stringify(effect ?? null)}.`);
  }
  return statements as Statement[];
}

/** The AWS principals a Principal element names ("*" for everyone); service and federated principals are not checked. */
function awsPrincipals(element: unknown): string[] {
  if (element === '*') return ['*'];
  if (element === null || typeof element !== 'object' || Array.isArray(element)) throw malformed('Policy contains a statement with one or more invalid principals.');
  const aws = (element as { AWS?: unknown }).AWS;
  const list = aws === undefined ? [] : Array.isArray(aws) ? aws : [aws];
  if (!list.every((p): p is string => typeof p === 'string')) throw malformed('Policy contains a statement with one or more invalid principals.');
  return list;
}

const ACCOUNT = /^\d{12}$/;
const PRINCIPAL_ARN = /^arn:aws[\w-]*:(iam::(\d{12}):(root|user\/[\w+=,.@/-]+|role\/[\w+=,.@/-]+)|sts::(\d{12}):assumed-role\/[\w+=,.@/-]+\/[\w+=,.@-]+)$/;

/** Whether a principal a policy names exists: "*", an account, and (through the engine's directory, when it has one) a user, role or root. */
function principalExists(kms: Kms, principal: string): boolean {
  if (principal === '*' || ACCOUNT.test(principal)) return true;
  if (!PRINCIPAL_ARN.test(principal)) return false;
  return kms.directory?.principalExists(principal) ?? true;
}

/** Whether the statements let the caller call kms:PutKeyPolicy on the key: an Allow that applies, and no Deny that does. */
function allowsPutKeyPolicy(statements: Statement[], caller: Caller, keyArn: string): boolean {
  const applies = (s: Statement) =>
    s.Condition === undefined &&
    namesCaller(s, caller) &&
    matchesAny(s.Action, s.NotAction, 'kms:PutKeyPolicy', true) &&
    matchesAny(s.Resource, s.NotResource, keyArn, false);
  if (statements.some((s) => s.Effect === 'Deny' && applies(s))) return false;
  return statements.some((s) => s.Effect === 'Allow' && applies(s));
}

/** The caller by its ARN, its role's (for an assumed role's session), its account's root or id, or "*". */
function namesCaller(s: Statement, caller: Caller): boolean {
  const own = [caller.arn, `arn:aws:iam::${caller.accountId}:root`, caller.accountId, ...(caller.sessionIssuer ? [caller.sessionIssuer.arn] : [])];
  const names = (element: unknown) => awsPrincipals(element).some((p) => p === '*' || own.includes(p));
  return s.Principal !== undefined ? names(s.Principal) : !names(s.NotPrincipal);
}

/** An Action/Resource element (or its Not- twin) against one value, with * and ? wildcards. */
function matchesAny(element: unknown, notElement: unknown, value: string, ignoreCase: boolean): boolean {
  const patterns = (e: unknown) => (Array.isArray(e) ? e : e === undefined ? [] : [e]).filter((p): p is string => typeof p === 'string');
  const match = (p: string) => wildcard(p, ignoreCase).test(value);
  if (element !== undefined) return patterns(element).some(match);
  if (notElement !== undefined) return !patterns(notElement).some(match);
  return false; // a statement without Action or Resource has no effect (the PutKeyPolicy API reference)
}

function wildcard(pattern: string, ignoreCase: boolean): RegExp {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '');
}
