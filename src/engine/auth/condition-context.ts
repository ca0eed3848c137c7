// The request context a policy's conditions read: global keys from who is calling and
// when (aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType, aws:username,
// aws:userid, aws:CurrentTime, aws:EpochTime, aws:SourceIp, aws:ViaAWSService), and
// the keys a service adds for its request (kms:EncryptionContext:<key> for each pair,
// kms:EncryptionContextKeys, kms:CallerAccount, kms:ViaService, kms:KeySpec...).
// Keys are lower-cased whole, the <key> of kms:EncryptionContext:<key> included:
// condition keys are case-insensitive, so kms:EncryptionContext:Project and
// kms:encryptioncontext:project are one key; values keep their case.
import { isIP } from 'node:net';
import type { Caller } from '../caller.js';
import type { ConditionContext } from './types.js';

type Value = string | readonly string[];

/** aws:PrincipalType's values. */
function principalType(caller: Caller): string {
  if (caller.type === 'Root') return 'Account';
  if (caller.type === 'AssumedRole') return 'AssumedRole';
  if (caller.type === 'AWSService') return 'AWSService';
  return 'User';
}

/** The global keys for a caller at a time on the engine clock. */
export function callerContext(caller: Caller, now: Date): Map<string, Value> {
  const ctx = new Map<string, Value>();
  fillCallerContext(ctx, caller, now);
  return ctx;
}

// aws:CurrentTime has whole seconds; requests within one second share the formatted string.
let lastSecond = NaN;
let lastIso = '';
function isoSeconds(now: Date): string {
  const second = Math.floor(now.getTime() / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    lastIso = new Date(second * 1000).toISOString().replace('.000Z', 'Z');
  }
  return lastIso;
}

function fillCallerContext(ctx: Map<string, Value>, caller: Caller, now: Date): void {
  // A role session's aws:PrincipalArn is its role's ARN, not the session's.
  ctx.set('aws:principalarn', caller.sessionIssuer?.arn ?? caller.arn);
  ctx.set('aws:principalaccount', caller.accountId);
  ctx.set('aws:principaltype', principalType(caller));
  if ((caller.type ?? 'IAMUser') === 'IAMUser') ctx.set('aws:username', caller.userName);
  const userId = caller.type === 'Root' ? caller.accountId : caller.principalId;
  if (userId) ctx.set('aws:userid', userId);
  ctx.set('aws:currenttime', isoSeconds(now));
  ctx.set('aws:epochtime', String(Math.floor(now.getTime() / 1000)));
  if (caller.sourceIp && isIP(caller.sourceIp)) ctx.set('aws:sourceip', caller.sourceIp);
  ctx.set('aws:viaawsservice', caller.invokedBy ? 'true' : 'false');
  ctx.set('aws:securetransport', 'false'); // the engine speaks plain HTTP on loopback
}

/** What a KMS request adds; each is optional, as the operation has it or not. */
export interface KmsRequestKeys {
  encryptionContext?: Readonly<Record<string, string>>;
  /** e.g. 's3.us-east-1.amazonaws.com' when a service calls on the caller's behalf. */
  viaService?: string;
  keySpec?: string;
  keyUsage?: string;
  keyOrigin?: string;
  grantOperations?: readonly string[];
  granteePrincipal?: string;
  retiringPrincipal?: string;
  encryptionAlgorithm?: string;
  signingAlgorithm?: string;
  macAlgorithm?: string;
  dataKeyPairSpec?: string;
  keyAgreementAlgorithm?: string;
  multiRegion?: boolean;
  requestAlias?: string;
  grantIsForAwsResource?: boolean;
}

const KMS_KEYS: Record<Exclude<keyof KmsRequestKeys, 'encryptionContext' | 'multiRegion' | 'grantIsForAwsResource'>, string> = {
  viaService: 'kms:viaservice',
  keySpec: 'kms:keyspec',
  keyUsage: 'kms:keyusage',
  keyOrigin: 'kms:keyorigin',
  grantOperations: 'kms:grantoperations',
  granteePrincipal: 'kms:granteeprincipal',
  retiringPrincipal: 'kms:retiringprincipal',
  encryptionAlgorithm: 'kms:encryptionalgorithm',
  signingAlgorithm: 'kms:signingalgorithm',
  macAlgorithm: 'kms:macalgorithm',
  dataKeyPairSpec: 'kms:datakeypairspec',
  keyAgreementAlgorithm: 'kms:keyagreementalgorithm',
  requestAlias: 'kms:requestalias',
};

const KMS_KEY_ENTRIES = Object.entries(KMS_KEYS) as [keyof typeof KMS_KEYS, string][];

/**
 * A context filled on first read. Most requests meet only policies without conditions
 * or variables (the default key policy, AdministratorAccess), which never read it.
 */
class LazyContext extends Map<string, Value> {
  private fill?: (ctx: Map<string, Value>) => void;
  constructor(fill: (ctx: Map<string, Value>) => void) {
    super();
    this.fill = fill;
  }
  private ready(): this {
    const fill = this.fill;
    if (fill) {
      this.fill = undefined;
      fill(this);
    }
    return this;
  }
  override get(key: string) {
    return super.get.call(this.ready(), key);
  }
  override has(key: string) {
    return super.has.call(this.ready(), key);
  }
  override get size(): number {
    return this.fill ? this.ready().size : super.size;
  }
  override forEach(f: (value: Value, key: string, map: Map<string, Value>) => void, thisArg?: unknown) {
    super.forEach.call(this.ready(), f, thisArg);
  }
  override entries() {
    return super.entries.call(this.ready());
  }
  override keys() {
    return super.keys.call(this.ready());
  }
  override values() {
    return super.values.call(this.ready());
  }
  override [Symbol.iterator]() {
    return super.entries.call(this.ready());
  }
}

/** A context built only if a condition or a policy variable reads it; `build` gets the map to fill. */
export function lazyContext(build: (ctx: Map<string, Value>) => void): ConditionContext {
  return new LazyContext(build);
}

/** The context for a KMS request: the caller's global keys, kms:CallerAccount, and what the request carries. Built when first read. */
export function kmsContext(caller: Caller, now: Date, keys: KmsRequestKeys = {}): ConditionContext {
  return lazyContext((ctx) => fillKmsContext(ctx, caller, now, keys));
}

function fillKmsContext(ctx: Map<string, Value>, caller: Caller, now: Date, keys: KmsRequestKeys) {
  fillCallerContext(ctx, caller, now);
  ctx.set('kms:calleraccount', caller.accountId);
  const ec = keys.encryptionContext;
  if (ec) {
    const names = Object.keys(ec);
    // No encryption context: no kms:EncryptionContextKeys (ForAllValues holds, ForAnyValue does not).
    if (names.length) ctx.set('kms:encryptioncontextkeys', names);
    for (const k of names) ctx.set(`kms:encryptioncontext:${k.toLowerCase()}`, ec[k]!);
  }
  for (let i = 0; i < KMS_KEY_ENTRIES.length; i++) {
    const v = keys[KMS_KEY_ENTRIES[i]![0]];
    if (v !== undefined) ctx.set(KMS_KEY_ENTRIES[i]![1], v);
  }
  if (keys.multiRegion !== undefined) ctx.set('kms:multiregion', String(keys.multiRegion));
  if (keys.grantIsForAwsResource !== undefined) ctx.set('kms:grantisforawsresource', String(keys.grantIsForAwsResource));
}
