// Grants ("Grants in AWS KMS" in the AWS KMS Developer Guide): CreateGrant, ListGrants,
// ListRetirableGrants, RetireGrant, RevokeGrant, and what a grant allows (grantsAnswer, for
// the one authorization decision). A grant lets one grantee principal call some operations on
// one key, within its constraints. On AWS a new grant takes up to five minutes to be seen
// everywhere (eventual consistency) and its grant token makes it usable at once; the engine
// is consistent, so a grant works as soon as CreateGrant answers, with or without its token.
// Tokens are still checked (a malformed one is InvalidGrantTokenException), so a lesson that
// passes one teaches what works on AWS.
import { createHash, randomBytes } from 'node:crypto';
import { kmsContext } from '../auth/condition-context.js';
import { accessDeniedMessage, decide } from '../auth/decision.js';
import type { Caller } from '../caller.js';
import { AwsError, kmsErrors } from '../errors.js';
import { parse } from '../validate.js';
import type { GrantRecord, KeyRecord, Kms } from './model.js';
import { DryRun, EncryptionContext, GrantTokens, KeyIdField, Marker, OptionalKeyId, page } from './shapes.js';

/** GrantOperation in the API. */
export const GRANT_OPERATIONS = [
  'Decrypt', 'Encrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'ReEncryptFrom', 'ReEncryptTo', 'Sign', 'Verify', 'GetPublicKey',
  'CreateGrant', 'RetireGrant', 'DescribeKey', 'GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext', 'GenerateMac', 'VerifyMac',
  'DeriveSharedSecret', 'Encapsulate', 'Decapsulate',
] as const;

/** "Grants per KMS key: 50,000" (AWS KMS resource quotas). */
export const MAX_GRANTS_PER_KEY = 50_000;

/** The operations a grant may allow on any key; the rest depend on what the key does. */
const ANY_KEY_OPERATIONS = ['CreateGrant', 'RetireGrant', 'DescribeKey'];

/** The cryptographic operations that take an encryption context: the only ones an encryption context constraint applies to. */
const WITH_CONTEXT = new Set(['Decrypt', 'Encrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'ReEncryptFrom', 'ReEncryptTo', 'GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext']);

/**
 * "You cannot create a grant for a symmetric encryption KMS key that allows the Sign operation, or a
 * grant for an asymmetric KMS key that allows the GenerateDataKey operation" (CreateGrant): the
 * operations each kind of key supports, as the Key type reference lists them.
 */
function operationsOf(key: KeyRecord): string[] {
  switch (key.KeyUsage) {
    case 'ENCRYPT_DECRYPT':
      return key.KeySpec === 'SYMMETRIC_DEFAULT' ? [...WITH_CONTEXT] : ['Encrypt', 'Decrypt', 'ReEncryptFrom', 'ReEncryptTo', 'GetPublicKey'];
    case 'SIGN_VERIFY':
      return ['Sign', 'Verify', 'GetPublicKey'];
    case 'GENERATE_VERIFY_MAC':
      return ['GenerateMac', 'VerifyMac'];
    case 'KEY_AGREEMENT':
      return ['DeriveSharedSecret', 'GetPublicKey'];
    default:
      return ['Encapsulate', 'Decapsulate', 'GetPublicKey']; // KEY_ENCAPSULATION
  }
}

/** PrincipalIdType: the ARN of an AWS principal (or, for RetiringPrincipal, an account id or service principal). */
const Principal = { type: 'string', min: 1, max: 256, pattern: /^[\w+=,.@:/-]+$/ } as const;
const GrantIdField = { type: 'string', min: 1, max: 128 } as const;
const GrantTokenField = { type: 'string', min: 1, max: 8192 } as const;
const Limit = { type: 'integer', min: 1, max: 100 } as const;

const CreateGrantInput = {
  KeyId: KeyIdField,
  GranteePrincipal: Principal,
  RetiringPrincipal: Principal,
  Operations: { type: 'stringList', required: true, enum: GRANT_OPERATIONS },
  Constraints: { type: 'struct', of: { EncryptionContextSubset: EncryptionContext, EncryptionContextEquals: EncryptionContext, SourceArn: { type: 'string', min: 1, max: 2048 } } },
  GrantTokens,
  Name: { type: 'string', min: 1, max: 256, pattern: /^[a-zA-Z0-9:/_-]+$/ },
  DryRun,
  GranteeServicePrincipal: Principal,
  RetiringServicePrincipal: Principal,
} as const;

/** "Each constraint value can include up to 8 encryption context pairs ... cannot exceed 384 characters" (CreateGrant). */
const MAX_CONSTRAINT_PAIRS = 8;
const MAX_CONSTRAINT_CHARS = 384;

type Constraints = NonNullable<GrantRecord['Constraints']>;

export function createGrant(kms: Kms, req: unknown, caller: Caller) {
  const input = parse(CreateGrantInput, req);
  if (input.GranteeServicePrincipal !== undefined || input.RetiringServicePrincipal !== undefined || input.Constraints?.SourceArn !== undefined)
    throw kmsErrors.unsupportedOperation('The local engine does not model grants for AWS service principals (GranteeServicePrincipal, RetiringServicePrincipal, SourceArn).');
  if (input.GranteePrincipal === undefined) throw kmsErrors.validation('You must specify either GranteePrincipal or GranteeServicePrincipal.');
  assertGrantTokens(input.GrantTokens);
  const key = kms.resolve(input.KeyId, caller, { allowAlias: false });
  kms.assertUsable(key); // DisabledException, KMSInvalidStateException (the Key states table)
  const operations = [...new Set(input.Operations)];
  const unsupported = operations.filter((op) => !ANY_KEY_OPERATIONS.includes(op) && !operationsOf(key).includes(op));
  if (unsupported.length > 0)
    throw kmsErrors.validation(`Grant operations ${unsupported.join(', ')} are not valid for ${key.Arn}: its KeySpec is ${key.KeySpec} and its KeyUsage ${key.KeyUsage}.`);
  const constraints = grantConstraints(key, input.Constraints);
  for (const principal of [input.GranteePrincipal, input.RetiringPrincipal]) if (principal !== undefined) assertPrincipal(kms, principal);

  const fields = {
    KeyArn: key.Arn,
    GranteePrincipal: input.GranteePrincipal,
    ...(input.RetiringPrincipal !== undefined ? { RetiringPrincipal: input.RetiringPrincipal } : {}),
    Operations: operations,
    ...(constraints ? { Constraints: constraints } : {}),
    ...(input.Name !== undefined ? { Name: input.Name } : {}),
  };
  // With a Name, a request the same as an existing grant is a retry: the same grant, a new token.
  const retried = input.Name === undefined ? undefined : grantsOf(kms, key).find((g) => sameGrant(g, fields));
  if (input.DryRun) throw kmsErrors.dryRun(); // it would have succeeded; nothing is created
  if (retried) return { GrantId: retried.GrantId, GrantToken: newGrantToken(retried.GrantId) };
  if (grantsOf(kms, key).length >= MAX_GRANTS_PER_KEY) throw kmsErrors.limitExceeded(`${key.Arn} already has ${MAX_GRANTS_PER_KEY} grants, the most a KMS key can have.`);
  const grant: GrantRecord = {
    GrantId: randomBytes(32).toString('hex'),
    CreationDate: kms.clock.now().getTime(),
    IssuingAccount: `arn:aws:iam::${caller.accountId}:root`,
    ...fields,
  };
  kms.grants.set(grant.GrantId, grant);
  kms.save();
  return { GrantId: grant.GrantId, GrantToken: newGrantToken(grant.GrantId) };
}

/** The encryption context constraint of a new grant, checked as CreateGrant documents it. */
function grantConstraints(key: KeyRecord, given: { EncryptionContextSubset?: Record<string, string>; EncryptionContextEquals?: Record<string, string> } | undefined): Constraints | undefined {
  if (!given) return undefined;
  const { EncryptionContextSubset: subset, EncryptionContextEquals: equals } = given;
  if (subset !== undefined && equals !== undefined) throw kmsErrors.validation('More than one constraint supplied');
  const context = subset ?? equals;
  if (context === undefined) return undefined;
  // "You cannot use an encryption context grant constraint for cryptographic operations with asymmetric KMS keys or HMAC KMS keys."
  if (key.KeySpec !== 'SYMMETRIC_DEFAULT')
    throw kmsErrors.validation(`Encryption context grant constraints are supported only for symmetric encryption KMS keys; ${key.Arn} has KeySpec ${key.KeySpec}.`);
  const pairs = Object.entries(context);
  if (pairs.length > MAX_CONSTRAINT_PAIRS) throw kmsErrors.validation(`A grant constraint can include at most ${MAX_CONSTRAINT_PAIRS} encryption context pairs, not ${pairs.length}.`);
  const chars = pairs.reduce((n, [k, v]) => n + k.length + v.length, 0);
  if (chars > MAX_CONSTRAINT_CHARS) throw kmsErrors.validation(`The encryption context in a grant constraint cannot exceed ${MAX_CONSTRAINT_CHARS} characters; this one has ${chars}.`);
  return subset !== undefined ? { EncryptionContextSubset: { ...subset } } : { EncryptionContextEquals: { ...context } };
}

function sameGrant(g: GrantRecord, f: Omit<GrantRecord, 'GrantId' | 'CreationDate' | 'IssuingAccount'>): boolean {
  const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));
  return (
    g.Name === f.Name && g.GranteePrincipal === f.GranteePrincipal && g.RetiringPrincipal === f.RetiringPrincipal && sameSet(g.Operations, f.Operations) &&
    JSON.stringify(sortedConstraints(g.Constraints)) === JSON.stringify(sortedConstraints(f.Constraints))
  );
}

function sortedConstraints(c: Constraints | undefined) {
  const sorted = (m: Record<string, string> | undefined) => m && Object.fromEntries(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return c && { subset: sorted(c.EncryptionContextSubset), equals: sorted(c.EncryptionContextEquals) };
}

/**
 * A principal a grant names must exist (InvalidArnException, as AWS answers for a role it cannot
 * see yet): checked against the engine's directory when it has one, else by its form.
 */
function assertPrincipal(kms: Kms, principal: string): void {
  const wellFormed = /^arn:aws[\w-]*:(iam::\d{12}:(root|user\/.+|role\/.+)|sts::\d{12}:assumed-role\/.+\/.+)$/.test(principal) || /^\d{12}$/.test(principal);
  const exists = wellFormed && (kms.directory?.principalExists(principal) ?? true);
  if (!exists) throw kmsErrors.invalidArn(`Principal ${principal} is not a valid principal: it is not the ARN of an account, IAM user, IAM role or assumed role that exists.`);
}

const ListGrantsInput = { Limit, Marker, KeyId: KeyIdField, GrantId: GrantIdField, GranteePrincipal: Principal, GranteeServicePrincipal: Principal } as const;

export function listGrants(kms: Kms, req: unknown, caller: Caller) {
  const input = parse(ListGrantsInput, req);
  const key = kms.resolve(input.KeyId, caller, { allowAlias: false });
  let grants = grantsOf(kms, key);
  if (input.GrantId !== undefined) {
    grants = grants.filter((g) => g.GrantId === input.GrantId);
    if (grants.length === 0) throw invalidGrantId(input.GrantId, key);
  }
  if (input.GranteePrincipal !== undefined) grants = grants.filter((g) => g.GranteePrincipal === input.GranteePrincipal);
  if (input.GranteeServicePrincipal !== undefined) grants = []; // the engine makes no grants for service principals
  return grantPage(grants, input.Limit, input.Marker);
}

const ListRetirableGrantsInput = { Limit, Marker, RetiringPrincipal: Principal, RetiringServicePrincipal: Principal } as const;

/** The grants in the caller's Region whose retiring principal is the one named (on keys of any account). */
export function listRetirableGrants(kms: Kms, req: unknown, caller: Caller) {
  const input = parse(ListRetirableGrantsInput, req);
  if ((input.RetiringPrincipal === undefined) === (input.RetiringServicePrincipal === undefined))
    throw kmsErrors.validation('You must specify either RetiringPrincipal or RetiringServicePrincipal, but not both.');
  // "Enter a principal in your AWS account": the principal is the resource authorized, and another account's is not the caller's to ask about.
  const principal = input.RetiringPrincipal;
  if (principal !== undefined && accountOfPrincipal(principal) !== caller.accountId)
    throw kmsErrors.accessDenied(`User: ${caller.arn} is not authorized to perform: kms:ListRetirableGrants on resource: ${principal} because no resource-based policy allows the kms:ListRetirableGrants action`);
  kms.sweepDeleted();
  const grants = [...kms.grants.untrackedValues()].filter((g) => regionOf(g.KeyArn) === caller.region && principal !== undefined && g.RetiringPrincipal === principal);
  return grantPage(grants, input.Limit, input.Marker);
}

function grantPage(grants: GrantRecord[], limit: number | undefined, marker: string | undefined) {
  const p = page(grants, limit ?? 50, marker, (m) => kmsErrors.invalidMarker(`Invalid marker: ${m}`));
  return { Grants: p.items.map(grantListEntry), Truncated: p.Truncated, ...(p.NextMarker ? { NextMarker: p.NextMarker } : {}) };
}

/** A grant as ListGrants shows it (the AWS KMS Developer Guide's examples: the key's ARN, Name "" when it has none). */
function grantListEntry(g: GrantRecord) {
  return {
    KeyId: g.KeyArn,
    GrantId: g.GrantId,
    Name: g.Name ?? '',
    CreationDate: new Date(g.CreationDate),
    GranteePrincipal: g.GranteePrincipal,
    ...(g.RetiringPrincipal !== undefined ? { RetiringPrincipal: g.RetiringPrincipal } : {}),
    IssuingAccount: g.IssuingAccount,
    Operations: [...g.Operations],
    ...(g.Constraints ? { Constraints: JSON.parse(JSON.stringify(g.Constraints)) as Constraints } : {}),
  };
}

const RetireGrantInput = { GrantToken: GrantTokenField, KeyId: OptionalKeyId, GrantId: GrantIdField, DryRun } as const;

/**
 * Retires a grant named by its token, or by key ARN and grant id, if the caller may: "the grant
 * determines who can retire it" (Retiring and revoking grants), so this operation asks, not the
 * key policy: see assertMayRetire.
 */
export function retireGrant(kms: Kms, req: unknown, caller: Caller) {
  const input = parse(RetireGrantInput, req);
  let grant: GrantRecord | undefined;
  if (input.GrantToken !== undefined) {
    const grantId = grantIdOfToken(input.GrantToken);
    grant = kms.grants.get(grantId);
    if (!grant) throw kmsErrors.notFound(`Grant ${grantId}, which the grant token names, does not exist (it may have been retired or revoked).`);
    if (input.GrantId !== undefined && input.GrantId !== grantId) throw invalidGrantId(input.GrantId);
  } else {
    if (input.KeyId === undefined || input.GrantId === undefined) throw kmsErrors.validation('Grant token OR (grant ID, key ID) must be specified');
    grant = grantOf(kms, kms.resolve(input.KeyId, caller, { allowAlias: false }), input.GrantId);
  }
  if (input.KeyId !== undefined && input.GrantToken !== undefined && kms.resolve(input.KeyId, caller, { allowAlias: false }).Arn !== grant.KeyArn) throw invalidGrantId(grant.GrantId);
  assertMayRetire(kms, grant, caller);
  if (input.DryRun) throw kmsErrors.dryRun();
  kms.grants.delete(grant.GrantId);
  kms.save();
  return {};
}

const RevokeGrantInput = { KeyId: KeyIdField, GrantId: { ...GrantIdField, required: true }, DryRun } as const;

export function revokeGrant(kms: Kms, req: unknown, caller: Caller) {
  const input = parse(RevokeGrantInput, req);
  const grant = grantOf(kms, kms.resolve(input.KeyId, caller, { allowAlias: false }), input.GrantId);
  if (input.DryRun) throw kmsErrors.dryRun();
  kms.grants.delete(grant.GrantId);
  kms.save();
  return {};
}

/** The grants of one key, oldest first, to read (not to change: they are the stored records). */
export function grantsOf(kms: Kms, key: KeyRecord): GrantRecord[] {
  const arn = key.Arn;
  return [...kms.grants.untrackedValues()].filter((g) => g.KeyArn === arn);
}

function grantOf(kms: Kms, key: KeyRecord, grantId: string): GrantRecord {
  const grant = kms.grants.get(grantId);
  if (!grant || grant.KeyArn !== key.Arn) throw invalidGrantId(grantId, key);
  return grant;
}

function invalidGrantId(grantId: string, key?: KeyRecord): AwsError {
  return new AwsError('InvalidGrantIdException', `Grant ID ${grantId} is not a grant of ${key ? key.Arn : 'the key the grant token names'}.`);
}

const regionOf = (arn: string) => arn.split(':')[3] ?? '';

// --- grant tokens ----------------------------------------------------------

// A grant token names its grant and is new every time (CreateGrant: "the returned grant token is
// unique with every CreateGrant request, even when a duplicate GrantId is returned"; all tokens of
// a grant work alike): version, grant id, 16 random bytes and a check, in base64url.
const TOKEN_VERSION = 1;
const TOKEN_BYTES = 1 + 32 + 16 + 4;

function newGrantToken(grantId: string): string {
  const body = Buffer.concat([Buffer.from([TOKEN_VERSION]), Buffer.from(grantId, 'hex'), randomBytes(16)]);
  return Buffer.concat([body, tokenCheck(body)]).toString('base64url');
}

function tokenCheck(body: Buffer): Buffer {
  return createHash('sha256').update('kms-workshop grant token\0').update(body).digest().subarray(0, 4);
}

/** The grant a token names: InvalidGrantTokenException for anything that is not a grant token. */
export function grantIdOfToken(token: string): string {
  const bytes = /^[A-Za-z0-9_-]+$/.test(token) ? Buffer.from(token, 'base64url') : Buffer.alloc(0);
  const body = bytes.subarray(0, TOKEN_BYTES - 4);
  if (bytes.length !== TOKEN_BYTES || bytes[0] !== TOKEN_VERSION || !tokenCheck(body).equals(bytes.subarray(TOKEN_BYTES - 4)))
    throw new AwsError('InvalidGrantTokenException', 'The grant token is not valid: it is not a token CreateGrant returned.');
  return body.subarray(1, 33).toString('hex');
}

/** Every token of a request (GrantTokens) must be a grant token: InvalidGrantTokenException otherwise. */
export function assertGrantTokens(tokens: readonly string[] | undefined): void {
  for (const token of tokens ?? []) grantIdOfToken(token);
}

// --- what grants allow (for the authorization decision) --------------------

export interface GrantRequest {
  /** The grant operation asked for: the API's name, but ReEncryptFrom / ReEncryptTo for ReEncrypt's source and destination keys. */
  operation: string;
  /** The request's encryption context (for ReEncryptFrom the source's, for ReEncryptTo the destination's). */
  encryptionContext?: Record<string, string>;
  grantTokens?: readonly string[];
  /** For CreateGrant: the grant asked for, which a grant's CreateGrant permission allows only if it is no wider (operations, constraints). */
  newGrant?: { Operations: readonly string[]; Constraints?: Constraints };
  /**
   * For a grant to the caller's own account (GranteePrincipal arn:aws:iam::<account>:root): whether the
   * caller's IAM policies allow the operation, as for a key policy naming the account. Absent: such grants do not apply.
   */
  accountDelegates?: () => boolean;
}

/**
 * Whether a grant on the key allows this request: 'Allow' if one of its grants names the caller as
 * grantee (its ARN; an assumed role's session also by its role's ARN), allows the operation, and
 * its constraints hold. Grants never deny. InvalidGrantTokenException for a malformed grant token.
 */
export function grantsAnswer(kms: Kms, key: KeyRecord, caller: Caller, request: GrantRequest): 'Allow' | 'NotApplicable' {
  assertGrantTokens(request.grantTokens);
  if (kms.grants.size === 0) return 'NotApplicable'; // asked on every call: nothing to look through
  const arn = key.Arn; // read once: a key from the model is a tracking view, each read a proxy trap
  for (const grant of kms.grants.untrackedValues()) {
    if (grant.KeyArn !== arn || !grant.Operations.includes(request.operation)) continue;
    if (!isGrantee(grant.GranteePrincipal, caller, request.accountDelegates)) continue;
    if (request.operation === 'CreateGrant' ? newGrantWithin(grant, request.newGrant) : constraintsHold(grant, request.operation, request.encryptionContext)) return 'Allow';
  }
  return 'NotApplicable';
}

function isGrantee(grantee: string, caller: Caller, accountDelegates: (() => boolean) | undefined): boolean {
  if (grantee === caller.arn) return true;
  if (caller.sessionIssuer && grantee === caller.sessionIssuer.arn) return true; // a role's grant covers its sessions
  const account = /^arn:aws[\w-]*:iam::(\d{12}):root$/.exec(grantee)?.[1] ?? (/^\d{12}$/.test(grantee) ? grantee : undefined);
  return account === caller.accountId && (caller.type === 'Root' || (accountDelegates?.() ?? false));
}

/** EncryptionContextEquals: exactly these pairs; EncryptionContextSubset: at least these. Neither applies to DescribeKey or RetireGrant. */
function constraintsHold(grant: GrantRecord, operation: string, context: Record<string, string> | undefined): boolean {
  if (!grant.Constraints || !WITH_CONTEXT.has(operation)) return true;
  const given = context ?? {};
  const { EncryptionContextEquals: equals, EncryptionContextSubset: subset } = grant.Constraints;
  if (equals) return Object.keys(given).length === Object.keys(equals).length && includesPairs(given, equals);
  return includesPairs(given, subset ?? {});
}

const includesPairs = (context: Record<string, string>, pairs: Record<string, string>) => Object.entries(pairs).every(([k, v]) => Object.hasOwn(context, k) && context[k] === v);

/**
 * "The grantee principal can only create grants that allow some or all of the operations in the
 * parent grant", with constraints "at least as strict": a child may add pairs to a Subset or turn it
 * into an Equals that includes them; under an Equals, only the same Equals.
 */
function newGrantWithin(parent: GrantRecord, child: GrantRequest['newGrant']): boolean {
  if (!child || !child.Operations.every((op) => parent.Operations.includes(op))) return false;
  const p = parent.Constraints;
  if (!p) return true;
  const c = child.Constraints;
  if (p.EncryptionContextEquals) {
    const e = c?.EncryptionContextEquals;
    return !!e && Object.keys(e).length === Object.keys(p.EncryptionContextEquals).length && includesPairs(e, p.EncryptionContextEquals);
  }
  const childPairs = c?.EncryptionContextEquals ?? c?.EncryptionContextSubset;
  return !!childPairs && includesPairs(childPairs, p.EncryptionContextSubset ?? {});
}

/**
 * "A grant can be retired by ... the retiring principal ..., the grantee principal, if the grant
 * includes the RetireGrant operation, [and] the AWS account in which the grant was created": its
 * root user, and (delegated) its identities whose IAM policies allow kms:RetireGrant. Key policies
 * do not give it. AccessDeniedException, in AWS's words, for anyone else.
 */
function assertMayRetire(kms: Kms, grant: GrantRecord, caller: Caller): void {
  if (mayRetire(grant, caller) || !kms.directory) return; // without a directory, every caller is the account's own learner
  const request = { caller, action: 'kms:RetireGrant', resource: grant.KeyArn, context: kmsContext(caller, kms.clock.now()) };
  const decision = decide({ request, resourceAccount: accountOf(grant.IssuingAccount), identityPolicies: kms.directory.identityPolicies(caller) });
  if (!decision.allowed) throw kmsErrors.accessDenied(accessDeniedMessage(decision));
}

const accountOf = (arn: string) => arn.split(':')[4] ?? '';
/** The account of a principal named by ARN or by account id. */
const accountOfPrincipal = (principal: string) => (/^\d{12}$/.test(principal) ? principal : accountOf(principal));

/** Who a grant itself lets retire it: its retiring principal, its grantee if it allows RetireGrant, its account's root user. */
export function mayRetire(grant: GrantRecord, caller: Caller): boolean {
  const principals = [caller.arn, ...(caller.sessionIssuer ? [caller.sessionIssuer.arn] : [])];
  if (grant.RetiringPrincipal !== undefined && principals.includes(grant.RetiringPrincipal)) return true;
  if (grant.Operations.includes('RetireGrant') && principals.includes(grant.GranteePrincipal)) return true;
  return caller.type === 'Root' && grant.IssuingAccount === `arn:aws:iam::${caller.accountId}:root`;
}
