// AWS KMS's request quotas, as the developer guide's "Request quotas" page lists them: per
// account and Region, per second, one quota shared by the cryptographic operations on each kind
// of key (symmetric, which includes HMAC keys; RSA; ECC), one per key pair spec for
// GenerateDataKeyPair*, and one per operation for the others. Requests a service makes on the
// caller's behalf (S3's GenerateDataKey and Decrypt for SSE-KMS) count against the caller's.
// Over a quota, KMS answers ThrottlingException (HTTP 400) with the message below.
//
// Modelled as a token bucket per (account, Region, quota) holding one second of requests, at
// AWS's figures by default (no learner reaches 100,000 GenerateDataKey a second by hand). A factor
// scales every figure (`serve --quota-scale`), and one quota may be set outright (a lesson sets
// the symmetric one to 3 per second to provoke ThrottlingException and watch the SDK retry), for
// every account or for one (a class's learner lowers their own: class-endpoints.ts).
//
// Buckets refill in real time (a monotonic clock), never on the engine clock: AWS's quotas are per
// real second and the SDK's backoff waits real milliseconds, while the engine clock jumps when a
// lesson fast-forwards it (every bucket would refill at once) and stands still in tests (none
// would ever refill). The time source is injectable, so tests can step it.
import { performance } from 'node:perf_hooks';
import type { Caller } from '../caller.js';
import { kmsErrors } from '../errors.js';
import type { Kms } from './model.js';

export const SYMMETRIC_QUOTA = 'Cryptographic operations (symmetric) request rate';
export const RSA_QUOTA = 'Cryptographic operations (RSA) request rate';
export const ECC_QUOTA = 'Cryptographic operations (ECC and SM2) request rate';

/** The bounds of `--quota-scale` and of the control endpoint's factor. */
export const MIN_QUOTA_SCALE = 0.000001;
export const MAX_QUOTA_SCALE = 1000;
/** The bounds of a quota set outright, in requests per second (AWS's own figures go from 0.1 to 100,000). */
export const MIN_QUOTA_PER_SECOND = 0.01;
export const MAX_QUOTA_PER_SECOND = 1_000_000;
/** Buckets kept at most: the Region comes from the request's signature, so a hostile client could name millions. */
export const MAX_BUCKETS = 10_000;

const SYMMETRIC_OPERATIONS = ['Decrypt', 'Encrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'GenerateMac', 'GenerateRandom', 'ReEncrypt', 'VerifyMac'];
const RSA_OPERATIONS = ['Decrypt', 'Encrypt', 'ReEncrypt', 'Sign', 'Verify'];
const ECC_OPERATIONS = ['DeriveSharedSecret', 'Sign', 'Verify'];
/** Operations whose quota depends on the kind of key they use. */
const BY_KEY_KIND = new Set(['Decrypt', 'Encrypt', 'ReEncrypt', 'Sign', 'Verify']);

const CHINA = new Set(['cn-north-1', 'cn-northwest-1']);
const SYMMETRIC_100K = new Set(['us-east-1', 'us-west-2', 'eu-west-1']);
const SYMMETRIC_20K = new Set(['us-east-2', 'ap-southeast-1', 'ap-southeast-2', 'ap-northeast-1', 'eu-central-1', 'eu-west-2']);

/** The operations' own quotas (requests per second), every Region. */
const PER_OPERATION: Record<string, number> = {
  CancelKeyDeletion: 5, ConnectCustomKeyStore: 5, CreateAlias: 5, CreateCustomKeyStore: 5, CreateGrant: 50, CreateKey: 5,
  DeleteAlias: 15, DeleteCustomKeyStore: 5, DeleteImportedKeyMaterial: 15, DescribeCustomKeyStores: 5, DescribeKey: 2000,
  DisableKey: 5, DisableKeyRotation: 5, DisconnectCustomKeyStore: 5, EnableKey: 5, EnableKeyRotation: 15, GetKeyLastUsage: 5,
  GetKeyPolicy: 1000, GetKeyRotationStatus: 1000, GetParametersForImport: 1, GetPublicKey: 2000, ImportKeyMaterial: 15,
  ListAliases: 500, ListGrants: 100, ListKeyPolicies: 100, ListKeys: 500, ListKeyRotations: 100, ListResourceTags: 2000,
  ListRetirableGrants: 100, PutKeyPolicy: 15, ReplicateKey: 5, RetireGrant: 50, RevokeGrant: 50, RotateKeyOnDemand: 5,
  ScheduleKeyDeletion: 15, TagResource: 10, UntagResource: 5, UpdateAlias: 5, UpdateCustomKeyStore: 5, UpdateKeyDescription: 5,
  UpdatePrimaryRegion: 5,
};

/** GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext share one quota per KeyPairSpec: [elsewhere, in China]. */
const PER_KEY_PAIR_SPEC: Record<string, [number, number]> = {
  ECC_NIST_P256: [100, 100], ECC_NIST_P384: [100, 100], ECC_NIST_P521: [100, 100], ECC_SECG_P256K1: [100, 100],
  ECC_NIST_EDWARDS25519: [100, 100], RSA_2048: [20, 1], RSA_3072: [4, 0.5], RSA_4096: [1, 0.1], SM2: [25, 25],
};

/** The quota of each operation that counts against one whatever its input (looked up once per call: keep it cheap). */
const FIXED_QUOTAS = new Map<string, string>([
  ...SYMMETRIC_OPERATIONS.filter((op) => !BY_KEY_KIND.has(op)).map((op): [string, string] => [op, SYMMETRIC_QUOTA]),
  ['DeriveSharedSecret', ECC_QUOTA],
  ...Object.keys(PER_OPERATION).map((op): [string, string] => [op, `${op} request rate`]),
]);

export interface QuotaInfo {
  /** AWS's name for it in Service Quotas, e.g. 'Cryptographic operations (symmetric) request rate'. */
  name: string;
  /** The operations that count against it. */
  operations: string[];
  /** AWS's default figure in that Region, requests per second. */
  awsPerSecond: number;
}

/** Every quota name with the operations that share it. */
function operationsOf(name: string): string[] {
  if (name === SYMMETRIC_QUOTA) return SYMMETRIC_OPERATIONS;
  if (name === RSA_QUOTA) return RSA_OPERATIONS;
  if (name === ECC_QUOTA) return ECC_OPERATIONS;
  if (name.startsWith('GenerateDataKeyPair (')) return ['GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext'];
  return [name.slice(0, -' request rate'.length)];
}

/** AWS's default figure for a quota in a Region, or undefined for a name AWS does not have. */
export function awsQuota(name: string, region: string): number | undefined {
  if (name === SYMMETRIC_QUOTA) return SYMMETRIC_100K.has(region) ? 100_000 : SYMMETRIC_20K.has(region) ? 20_000 : 10_000;
  if (name === RSA_QUOTA || name === ECC_QUOTA) return 1000;
  const pair = /^GenerateDataKeyPair \((\w+)\) request rate$/.exec(name);
  if (pair) {
    const figures = Object.hasOwn(PER_KEY_PAIR_SPEC, pair[1]!) ? PER_KEY_PAIR_SPEC[pair[1]!] : undefined;
    return figures && (CHINA.has(region) ? figures[1] : figures[0]);
  }
  const operation = name.endsWith(' request rate') ? name.slice(0, -' request rate'.length) : '';
  return Object.hasOwn(PER_OPERATION, operation) ? PER_OPERATION[operation] : undefined;
}

/**
 * The quota a request counts against, or undefined if AWS lists none for it. The cryptographic
 * operations count against their key's kind (a key that cannot be found: the first kind AWS lists
 * for the operation; the call then fails for the key anyway).
 */
export function quotaOf(kms: Kms, operation: string, input: unknown, caller: Caller): string | undefined {
  const fixed = FIXED_QUOTAS.get(operation);
  if (fixed !== undefined) return fixed;
  const fields = (input !== null && typeof input === 'object' ? input : {}) as Record<string, unknown>;
  if (BY_KEY_KIND.has(operation)) {
    // ReEncrypt's cost is the destination key's (the source's SourceKeyId is optional for symmetric blobs).
    const family = keyFamily(kms, operation === 'ReEncrypt' ? fields.DestinationKeyId : fields.KeyId, caller);
    if (family === 'RSA') return RSA_QUOTA;
    if (family === 'ECC') return ECC_QUOTA;
    if (family === undefined && (operation === 'Sign' || operation === 'Verify')) return RSA_QUOTA;
    return SYMMETRIC_QUOTA;
  }
  if (operation === 'GenerateDataKeyPair' || operation === 'GenerateDataKeyPairWithoutPlaintext') {
    const spec = fields.KeyPairSpec;
    return typeof spec === 'string' && Object.hasOwn(PER_KEY_PAIR_SPEC, spec) ? `GenerateDataKeyPair (${spec}) request rate` : undefined;
  }
  return undefined;
}

/**
 * What a multi-Region operation also costs in the other Region, as AWS counts it: ReplicateKey two
 * CreateKey requests in the replica's Region (one a dry run), UpdatePrimaryRegion one of its own in
 * the new primary's.
 */
function chargesElsewhere(operation: string, input: unknown, caller: Caller): { quota: string; region: string; requests: number } | undefined {
  if (operation !== 'ReplicateKey' && operation !== 'UpdatePrimaryRegion') return undefined;
  const fields = (input !== null && typeof input === 'object' ? input : {}) as Record<string, unknown>;
  if (operation === 'ReplicateKey' && typeof fields.ReplicaRegion === 'string' && fields.ReplicaRegion !== caller.region)
    return { quota: 'CreateKey request rate', region: fields.ReplicaRegion, requests: 2 };
  if (operation === 'UpdatePrimaryRegion' && typeof fields.PrimaryRegion === 'string' && fields.PrimaryRegion !== caller.region)
    return { quota: 'UpdatePrimaryRegion request rate', region: fields.PrimaryRegion, requests: 1 };
  return undefined;
}

/** The quota an operation counts against with a symmetric key (or its own), as a lesson names it. */
export function quotaOfOperation(operation: string): string | undefined {
  if (SYMMETRIC_OPERATIONS.includes(operation)) return SYMMETRIC_QUOTA;
  if (operation === 'Sign' || operation === 'Verify') return RSA_QUOTA;
  if (operation === 'DeriveSharedSecret') return ECC_QUOTA;
  return Object.hasOwn(PER_OPERATION, operation) ? `${operation} request rate` : undefined;
}

/** 'RSA', 'ECC' or 'SYMMETRIC' (HMAC keys too) for the key a request names as the operation will find it; undefined if it finds none. */
function keyFamily(kms: Kms, ref: unknown, caller: Caller): string | undefined {
  if (typeof ref !== 'string') return undefined;
  let spec: string;
  try {
    spec = kms.resolve(ref, caller).KeySpec;
  } catch {
    return undefined; // the operation will say what is wrong with the key
  }
  return spec.startsWith('RSA_') ? 'RSA' : spec.startsWith('ECC_') || spec === 'SM2' ? 'ECC' : 'SYMMETRIC';
}

interface Bucket {
  quota: string;
  region: string;
  account: string;
  tokens: number;
  /** The time source's reading when tokens was last brought up to date, in milliseconds. */
  at: number;
  perSecond: number;
  /** The settings' version perSecond was worked out under. */
  version: number;
}

export interface QuotaSettings {
  /** Every AWS figure times this. */
  scale: number;
  /** Quotas set outright, requests per second, by quota name, whatever the scale. */
  overrides: Record<string, number>;
}

export class RequestQuotas {
  /** By quota, Region and account: nested maps of strings met before, cheaper than a key built per call. */
  private readonly buckets = new Map<string, Map<string, Map<string, Bucket>>>();
  /** Every bucket, oldest first (a Set keeps insertion order), to drop the oldest past MAX_BUCKETS. */
  private readonly age = new Set<Bucket>();
  private scaleFactor = 1;
  private readonly overrides = new Map<string, number>();
  /** Quotas set outright for one account, over the ones for every account (bounded by the class's accounts that set one). */
  private readonly accountOverrides = new Map<string, Map<string, number>>();
  /** Bumped by every change of settings: a bucket made under an older one works its figure out again. */
  private version = 0;

  /** `now` reads a monotonic clock in milliseconds (real time; tests pass their own). */
  constructor(
    scale = 1,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.setScale(scale);
  }

  get settings(): QuotaSettings {
    return { scale: this.scaleFactor, overrides: Object.fromEntries(this.overrides) };
  }

  /** Scales every AWS figure; a RangeError outside MIN_QUOTA_SCALE..MAX_QUOTA_SCALE. */
  setScale(factor: number) {
    if (!isQuotaScale(factor)) throw new RangeError(`the quota scale must be a number from ${MIN_QUOTA_SCALE} to ${MAX_QUOTA_SCALE}, not ${factor}`);
    this.scaleFactor = factor;
    this.version++;
  }

  /**
   * Sets one quota outright (requests per second, every Region), or back to what it was (undefined):
   * for every account, or for `accountId` alone (its own setting over every account's).
   */
  setQuota(name: string, perSecond: number | undefined, accountId?: string) {
    if (awsQuota(name, '') === undefined) throw new RangeError(`AWS KMS has no request quota named '${name}'`);
    if (perSecond !== undefined && !isQuotaFigure(perSecond)) throw new RangeError(`a request quota must be from ${MIN_QUOTA_PER_SECOND} to ${MAX_QUOTA_PER_SECOND} per second, not ${perSecond}`);
    let overrides = this.overrides;
    if (accountId !== undefined) {
      overrides = this.accountOverrides.get(accountId) ?? new Map<string, number>();
      this.accountOverrides.set(accountId, overrides);
    }
    if (perSecond === undefined) overrides.delete(name);
    else overrides.set(name, perSecond);
    if (accountId !== undefined && overrides.size === 0) this.accountOverrides.delete(accountId);
    this.version++;
  }

  /** A quota's figure in a Region (for one account, if named) with the settings applied, with what AWS says of it. */
  describe(name: string, region: string, accountId?: string): QuotaInfo & { perSecond: number } {
    const aws = awsQuota(name, region);
    if (aws === undefined) throw new RangeError(`AWS KMS has no request quota named '${name}'`);
    return { name, operations: operationsOf(name), awsPerSecond: aws, perSecond: this.figure(name, region, accountId) };
  }

  /** The quota's requests per second: one account's own setting, else every account's, else AWS's figure scaled. */
  private figure(name: string, region: string, accountId: string | undefined): number {
    const own = accountId === undefined ? undefined : this.accountOverrides.get(accountId)?.get(name);
    return own ?? this.overrides.get(name) ?? awsQuota(name, region)! * this.scaleFactor;
  }

  /**
   * Counts a KMS request against the caller's quotas (in the caller's account: a cross-account
   * request counts against the account that makes it), or throws ThrottlingException and counts
   * nothing. The one decision every KMS call goes through (callKms).
   */
  admit(kms: Kms, operation: string, input: unknown, caller: Caller) {
    const quota = quotaOf(kms, operation, input, caller);
    if (quota === undefined) return;
    const here = this.bucket(caller.accountId, caller.region, quota);
    const elsewhere = chargesElsewhere(operation, input, caller);
    const there = elsewhere && this.bucket(caller.accountId, elsewhere.region, elsewhere.quota);
    // A bucket smaller than the requests asked of it (a scaled-down quota) lets them through when full, and owes the rest.
    if (here.tokens < 1 || (there && there.tokens < Math.min(elsewhere.requests, capacity(there)))) throw kmsErrors.throttled();
    here.tokens -= 1;
    if (there) there.tokens -= elsewhere.requests;
  }

  /** The bucket of one account, Region and quota, refilled up to now. */
  private bucket(account: string, region: string, quota: string): Bucket {
    const now = this.now();
    let bucket = this.buckets.get(quota)?.get(region)?.get(account);
    if (!bucket) {
      if (this.age.size >= MAX_BUCKETS) this.drop(this.age.values().next().value!); // the oldest: at worst it may burst again
      bucket = { quota, region, account, tokens: Infinity, at: now, perSecond: 0, version: -1 };
      let byRegion = this.buckets.get(quota);
      if (!byRegion) this.buckets.set(quota, (byRegion = new Map()));
      let byAccount = byRegion.get(region);
      if (!byAccount) byRegion.set(region, (byAccount = new Map()));
      byAccount.set(account, bucket);
      this.age.add(bucket);
    }
    if (bucket.version !== this.version) {
      bucket.perSecond = this.figure(quota, region, account); // quotaOf names only AWS's quotas
      bucket.version = this.version;
    }
    bucket.tokens = Math.min(capacity(bucket), bucket.tokens + ((now - bucket.at) / 1000) * bucket.perSecond);
    bucket.at = now;
    return bucket;
  }

  private drop(bucket: Bucket) {
    this.age.delete(bucket);
    const byRegion = this.buckets.get(bucket.quota)!;
    const byAccount = byRegion.get(bucket.region)!;
    byAccount.delete(bucket.account);
    if (byAccount.size === 0) byRegion.delete(bucket.region);
    if (byRegion.size === 0) this.buckets.delete(bucket.quota);
  }
}

/** One second of requests at most (at least one, so 0.1 a second is one request every ten seconds). */
function capacity(bucket: Bucket): number {
  return Math.max(1, bucket.perSecond);
}

export function isQuotaScale(factor: number): boolean {
  return Number.isFinite(factor) && factor >= MIN_QUOTA_SCALE && factor <= MAX_QUOTA_SCALE;
}

export function isQuotaFigure(perSecond: number): boolean {
  return Number.isFinite(perSecond) && perSecond >= MIN_QUOTA_PER_SECOND && perSecond <= MAX_QUOTA_PER_SECOND;
}
