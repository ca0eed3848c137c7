// The local engine: KMS, S3 and CloudTrail behind one request -> response core.
// Routing by protocol: AWS JSON 1.1 requests carry X-Amz-Target (KMS's
// TrentService, CloudTrail's LookupEvents); IAM and STS speak AWS Query (a form
// POSTed to /, iam/query.ts); everything else is S3 REST.
// A small control plane under /_engine/ (control.ts) lets the runtime fast-forward
// the clock; it answers only the holder of the engine's secret. A class engine's own
// endpoints under /_class/ (class-endpoints.ts) are signed with SigV4 by a class member.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { authenticate } from './auth/authenticate.js';
import type { Caller } from './caller.js';
import { EngineClock } from './clock.js';
import { Trail } from './cloudtrail/trail.js';
import { classReply, handleClass, readClassBody } from './class-endpoints.js';
import { CLASS_PATH_PREFIX } from './class-protocol.js';
import { CONTROL_SECRET_FILE, controlReply, handleControl, MAX_CLOUDTRAIL_DELAY_SECONDS, newControlSecret } from './control.js';
import { AwsError, isAwsError } from './errors.js';
import { isLoopbackAddress, isLoopbackHost } from './host-check.js';
import { Iam } from './iam/directory.js';
import { handleQuery, IAM_XMLNS, isQueryRequest, queryError, queryErrorFor, readQueryBody } from './iam/query.js';
import { callKms } from './kms/index.js';
import { Kms } from './kms/model.js';
import { RequestQuotas } from './kms/quotas.js';
import { RsaKeyPairPool, rsaBitsNeeded } from './kms/rsa-key-pairs.js';
import { kmsServiceEvent } from './kms/recorded.js';
import { s3ErrorResponse, S3Error } from './s3/errors.js';
import { openStore, type Store } from './store.js';
import { jsonDepth, MAX_JSON_DEPTH } from './validate.js';
import { decodeBlobs, isJsonRequest, jsonError, jsonResponse, toWire, type EngineRequest, type EngineResponse } from './wire.js';

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
  /** While listening on loopback only, requests must be addressed to a loopback name (host-check.ts). */
  private loopbackOnly = true;
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
    this.loopbackOnly = isLoopbackAddress(address);
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

  async handle(req: EngineRequest): Promise<EngineResponse> {
    const requestId = randomUUID();
    const protocol = protocolOf(req);
    // Refused before any service sees it: nothing runs, nothing is recorded in the trail.
    if (this.loopbackOnly && !isLoopbackHost(req.headers.host)) return refuseHost(protocol, req.headers.host, requestId);
    if (protocol === 'control') return handleControl(this, req, requestId);
    if (protocol === 'class') return this.handleClassRequest(req, requestId);
    // A Query request's signature covers its body, and its Action is in it: read whole (bounded) first.
    if (protocol === 'query') req = { ...req, body: await readQueryBody(req) };
    const caller = await authenticate(req, protocol, { directory: this.directory, clock: this.clock, strict: this.strict });
    if (isAwsError(caller)) return protocol === 'json' ? jsonError(caller, requestId) : protocol === 'query' ? queryErrorFor(this, req, caller, requestId) : s3ErrorResponse(caller, requestId);
    // A class's learners each have their own clock (clock.ts): the request sees its account's time.
    if (this.clock.accountsAhead) return this.clock.inAccount(caller.accountId, () => this.dispatch(req, protocol, caller, requestId));
    return this.dispatch(req, protocol, caller, requestId);
  }

  /** A class engine's own endpoint (class-endpoints.ts): its body read whole (bounded) first, since the signature covers it. */
  private async handleClassRequest(req: EngineRequest, requestId: string): Promise<EngineResponse> {
    const body = await readClassBody(req);
    if (body === undefined) return classReply(413, { message: 'The request body is too large for a class endpoint.' }, requestId);
    const signed = { ...req, body };
    const caller = await authenticate(signed, 'json', { directory: this.directory, clock: this.clock, strict: this.strict });
    return handleClass(this, signed, caller, requestId); // refuses an unauthenticated caller in its own words
  }

  private dispatch(req: EngineRequest, protocol: Protocol, caller: Caller, requestId: string): Promise<EngineResponse> {
    if (protocol === 'query') return handleQuery(this, req, caller, requestId);
    if (protocol === 'json') return this.handleJson(req, req.headers['x-amz-target'] ?? '', caller, requestId);
    if (!this.rest) return Promise.resolve(jsonError(new AwsError('UnknownOperationException', 'This engine serves no REST service yet.'), requestId));
    return this.rest(req, caller, requestId);
  }

  private async handleJson(req: EngineRequest, target: string, caller: Caller, requestId: string): Promise<EngineResponse> {
    try {
      const dot = target.lastIndexOf('.');
      const prefix = target.slice(0, dot);
      const operation = target.slice(dot + 1);
      const byPrefix = this.jsonServices.get(prefix);
      const byOperation = this.jsonOperations.get(operation);
      if (dot < 0 || (!byPrefix && !byOperation)) throw new AwsError('UnknownOperationException', `Unknown operation ${target}`);
      if (req.method !== 'POST') throw new AwsError('UnknownOperationException', `Unknown operation ${target}`);
      let input: unknown = {};
      if (req.body.length > 0) {
        const text = req.body.toString('utf8');
        const depth = jsonDepth(text);
        if (depth > MAX_JSON_DEPTH) throw new AwsError('SerializationException', `The request body nests deeper than ${MAX_JSON_DEPTH} levels.`);
        try {
          input = JSON.parse(text);
        } catch {
          throw new AwsError('SerializationException', 'The request body is not valid JSON.');
        }
      }
      if (input === null || typeof input !== 'object' || Array.isArray(input))
        throw new AwsError('SerializationException', 'Start of structure or map found where not expected.');
      const output = byPrefix
        ? await byPrefix.service(operation, decodeBlobs(input, byPrefix.blobs), caller, requestId)
        : await byOperation!(operation, input, caller, requestId);
      return jsonResponse(200, toWire(output), requestId);
    } catch (e) {
      if (isAwsError(e)) return jsonError(e, requestId);
      console.error(e);
      return jsonError(new AwsError('InternalFailure', 'The local engine failed to handle this request.', 500), requestId);
    }
  }
}

type Protocol = 'control' | 'class' | 'json' | 'query' | 'rest';

/** AWS JSON 1.1 requests carry X-Amz-Target (or a JSON content type on a POST); AWS Query ones are forms POSTed to /; everything else is S3's REST. */
function protocolOf(req: EngineRequest): Protocol {
  if (req.path.startsWith('/_engine/')) return 'control';
  if (req.path.startsWith(CLASS_PATH_PREFIX)) return 'class';
  if (isQueryRequest(req)) return 'query'; // IAM and STS (AWS Query: a form POSTed to /)
  return isJsonRequest(req.method, req.headers) ? 'json' : 'rest';
}

/** A request addressed to a name other than loopback's (DNS rebinding), refused in its protocol's error shape. */
function refuseHost(protocol: Protocol, host: string | undefined, requestId: string): EngineResponse {
  const named = host === undefined ? 'no Host header' : `Host ${JSON.stringify(host.slice(0, 100))}`;
  const message =
    `This engine listens on loopback and answers only requests addressed to 127.0.0.1, [::1] or localhost (the request had ${named}). ` +
    'To serve other machines, start it with --host 0.0.0.0.';
  if (protocol === 'control' || protocol === 'class') return controlReply(403, { message }, requestId);
  if (protocol === 'json') return jsonError(new AwsError('AccessDeniedException', message, 403), requestId);
  if (protocol === 'query') return queryError(new AwsError('AccessDenied', message, 403), IAM_XMLNS, requestId);
  return s3ErrorResponse(new S3Error('AccessDenied', message, 403), requestId);
}

export function openEngine(opts: EngineOptions): Engine {
  return new Engine(opts);
}
