// The local engine: KMS, S3, CloudTrail, IAM and STS over one store and one clock. The
// services mount themselves on it (index.ts); front-door.ts takes each request to them.
import { join } from 'node:path';
import type { Caller } from './caller.js';
import { EngineClock } from './clock.js';
import { MAX_CLOUDTRAIL_DELAY_SECONDS, Trail } from './cloudtrail/trail.js';
import { CONTROL_SECRET_FILE, newControlSecret } from './control-secret.js';
import { isLoopbackAddress } from './host-check.js';
import { Iam } from './iam/directory.js';
import { callKms } from './kms/index.js';
import { Kms } from './kms/model.js';
import { RequestQuotas } from './kms/quotas.js';
import { RsaKeyPairPool, rsaBitsNeeded } from './kms/rsa-key-pairs.js';
import { kmsServiceEvent } from './kms/recorded.js';
import { openStore, type Store } from './store.js';
import type { EngineRequest, EngineResponse } from './wire.js';

export interface EngineOptions {
  /** Folder for persistent state; null keeps everything in memory. */
  home: string | null;
  clock?: EngineClock;
  /** Seconds between a call and its CloudTrail event becoming visible. */
  cloudTrailDelaySeconds?: number;
  /** Every KMS request quota is AWS's figure times this (default 1: AWS's own figures; kms/quotas.ts). */
  quotaScale?: number;
  /** The real-time source the quotas' buckets refill by, in milliseconds (tests step their own). */
  quotaTime?: () => number;
  /** Refuse unsigned requests and access keys the engine never issued (default: they act as the account's default learner; auth/authenticate.ts). */
  strict?: boolean;
  /** Start making RSA_2048 key pairs at once, so the first RSA CreateKey or GetParametersForImport finds one ready (kms/rsa-key-pairs.ts; startEngine's default). */
  rsaKeyPairsAtStart?: boolean;
}

/** A JSON 1.1 service: takes the operation name, the decoded input and the caller. */
export type JsonService = (operation: string, input: unknown, caller: Caller, requestId: string) => Promise<Record<string, unknown>> | Record<string, unknown>;
/** A REST service (S3): takes the whole request. */
export type RestService = (req: EngineRequest, caller: Caller, requestId: string) => Promise<EngineResponse>;

const KMS_BLOBS = new Set(['Plaintext', 'CiphertextBlob', 'SourceCiphertextBlob', 'Message', 'Signature', 'ImportToken', 'EncryptedKeyMaterial', 'Mac', 'PublicKey']);
export const MAX_JSON_BODY = 1024 * 1024;

export class Engine {
  readonly store: Store;
  readonly clock: EngineClock;
  readonly kms: Kms;
  readonly trail: Trail;
  /** Accounts, IAM users, roles, access keys and STS sessions (auth/types.ts's Directory). */
  readonly directory: Iam;
  /** Strict mode: only engine-issued credentials are accepted (auth/authenticate.ts). */
  readonly strict: boolean;
  /** KMS's request quotas: every KMS call, S3's on a caller's behalf included, is counted in callKms. */
  readonly quotas: RequestQuotas;
  /** RSA key pairs made off the event loop: a KMS call that needs one waits for it before it runs. */
  readonly rsaKeyPairs = new RsaKeyPairPool();
  /** JSON services by the X-Amz-Target prefix before the dot. */
  readonly jsonServices = new Map<string, { service: JsonService; blobs: ReadonlySet<string> }>();
  /** Services matched by the operation after the dot, whatever the prefix (CloudTrail's targets vary). */
  readonly jsonOperations = new Map<string, JsonService>();
  rest: RestService | undefined;
  /** The secret a control request must carry (control.ts); also in <home>/engine/control.secret. */
  readonly controlSecret = newControlSecret();
  /** Problems found at start-up that did not stop it, one line each (a saved clock set aside). */
  readonly warnings: string[] = [];
  /** While listening on loopback only, requests must be addressed to a loopback name (host-check.ts, front-door.ts). */
  get loopbackOnly(): boolean {
    return this.listensOnLoopback;
  }
  private listensOnLoopback = true;
  private readonly onClose: (() => void)[] = [];

  constructor(opts: EngineOptions) {
    const delay = opts.cloudTrailDelaySeconds ?? 0;
    if (!(delay >= 0 && delay <= MAX_CLOUDTRAIL_DELAY_SECONDS)) throw new RangeError(`the CloudTrail delay must be from 0 to ${MAX_CLOUDTRAIL_DELAY_SECONDS} seconds, not ${delay}`);
    this.quotas = new RequestQuotas(opts.quotaScale ?? 1, opts.quotaTime); // a RangeError for a bad scale, before the home is opened
    this.strict = opts.strict ?? false;
    this.store = openStore(opts.home);
    try {
      if (this.store.dir !== null) this.store.writeFile(CONTROL_SECRET_FILE, Buffer.from(this.controlSecret));
      this.clock = opts.clock ?? new EngineClock();
      this.restoreClock();
      this.kms = new Kms(this.store, this.clock);
      this.trail = new Trail(this.store, this.clock, delay);
      this.directory = new Iam(this.store, this.clock);
      this.kms.directory = this.directory; // key policies and grants may name only principals that exist
      this.kms.onServiceEvent = (event) => this.trail.recordServiceEvent(kmsServiceEvent(event)); // automatic rotation, expired material
    } catch (e) {
      // An engine that cannot start must not keep the home locked or its secret on disk.
      if (this.store.dir !== null) this.store.removeFile(CONTROL_SECRET_FILE);
      this.store.close();
      throw e;
    }
    this.jsonServices.set('TrentService', {
      service: (operation, input, caller, requestId) => this.rsaKeyPairs.run(rsaBitsNeeded(operation, input), () => callKms(this, operation, input, caller, requestId)),
      blobs: KMS_BLOBS,
    });
    // A moment after start, not during it: the worker thread's start does not delay the engine's (or a first screen).
    if (opts.rsaKeyPairsAtStart) setTimeout(() => this.rsaKeyPairs.prefill(), 200).unref();
  }

  /** Moves the engine clock forward and remembers it across restarts; a ClockRangeError past year 9999 changes nothing. */
  advanceClock(seconds: number) {
    this.clock.advance(seconds);
    this.saveClock();
  }

  /** Moves one account's clock forward (a class's learner: clock.ts), no other's, and remembers it across restarts. */
  advanceAccountClock(accountId: string, seconds: number) {
    this.clock.advanceAccount(accountId, seconds);
    this.saveClock();
  }

  private saveClock() {
    const accounts = this.clock.accountOffsets;
    this.store.writeJson('clock.json', { aheadSeconds: this.clock.aheadSeconds, ...(Object.keys(accounts).length > 0 ? { accounts } : {}) });
  }

  /** Seconds between a call and its event showing in LookupEvents. */
  setCloudTrailDelay(seconds: number) {
    if (!(seconds >= 0 && seconds <= MAX_CLOUDTRAIL_DELAY_SECONDS)) throw new RangeError(`the CloudTrail delay must be from 0 to ${MAX_CLOUDTRAIL_DELAY_SECONDS} seconds`);
    this.trail.delaySeconds = seconds;
  }

  /** Tells the engine the address it listens on: only a loopback one makes it check Host headers. */
  listeningOn(address: string) {
    this.listensOnLoopback = isLoopbackAddress(address);
  }

  /**
   * A saved clock.json is obeyed only if usable: one past year 9999 (or not a number) would
   * break every request after every restart, so it is set aside and reported instead.
   */
  private restoreClock() {
    const raw = this.store.readFile('clock.json');
    if (raw === undefined) return;
    let saved: unknown;
    try {
      saved = JSON.parse(raw.toString('utf8'));
    } catch {
      saved = undefined;
    }
    const ahead = saved !== null && typeof saved === 'object' ? (saved as { aheadSeconds?: unknown }).aheadSeconds : undefined;
    const problem = saved !== null && typeof saved === 'object' ? this.clock.aheadProblem(ahead) : 'it is not of the form {"aheadSeconds": N}';
    if (problem !== undefined) {
      this.store.writeFile('clock.json.unusable', raw);
      this.store.removeFile('clock.json');
      const where = this.store.dir === null ? 'clock.json' : join(this.store.dir, 'clock.json');
      this.warnings.push(`The engine clock starts from the real time: the saved one could not be used (${problem}) and was set aside from ${where} to clock.json.unusable.`);
      return;
    }
    if ((ahead as number) > this.clock.aheadSeconds) this.clock.aheadSeconds = ahead as number;
    const accounts = (saved as { accounts?: unknown }).accounts;
    if (accounts === null || typeof accounts !== 'object') return;
    for (const [accountId, seconds] of Object.entries(accounts as Record<string, unknown>).slice(0, 1000)) {
      if (typeof seconds !== 'number' || !/^\d{12}$/.test(accountId)) continue;
      try {
        this.clock.setAccountOffset(accountId, seconds);
      } catch {
        this.warnings.push(`Account ${accountId}'s clock starts from the engine's: its saved offset (${seconds} s) could not be used.`);
      }
    }
  }

  /** Registers a clean-up to run on close (S3 and CloudTrail modules use it). */
  closing(fn: () => void) {
    this.onClose.push(fn);
  }

  close() {
    this.rsaKeyPairs.close();
    for (const fn of this.onClose.splice(0)) fn();
    if (this.store.dir !== null) this.store.removeFile(CONTROL_SECRET_FILE);
    this.store.close();
  }
}

export function openEngine(opts: EngineOptions): Engine {
  return new Engine(opts);
}
