// The local engine: KMS, S3 and CloudTrail behind one request -> response core.
// Routing by protocol: AWS JSON 1.1 requests carry X-Amz-Target (KMS's
// TrentService, CloudTrail's LookupEvents); everything else is S3 REST.
// A small control plane under /_engine/ lets the runtime fast-forward the clock
// and follow calls as they happen.
import { randomUUID } from 'node:crypto';
import { callerFromHeaders, type Caller } from './caller.js';
import { EngineClock } from './clock.js';
import { Trail } from './cloudtrail/trail.js';
import { AwsError, isAwsError } from './errors.js';
import { callKms } from './kms/index.js';
import { Kms } from './kms/model.js';
import { openStore, type Store } from './store.js';
import { decodeBlobs, jsonError, jsonResponse, toWire, type EngineRequest, type EngineResponse } from './wire.js';

export interface EngineOptions {
  /** Folder for persistent state; null keeps everything in memory. */
  home: string | null;
  clock?: EngineClock;
  /** Seconds between a call and its CloudTrail event becoming visible. */
  cloudTrailDelaySeconds?: number;
}

/** A JSON 1.1 service: takes the operation name, the decoded input and the caller. */
export type JsonService = (operation: string, input: unknown, caller: Caller, requestId: string) => Promise<Record<string, unknown>> | Record<string, unknown>;
/** A REST service (S3): takes the whole request. */
export type RestService = (req: EngineRequest, caller: Caller, requestId: string) => Promise<EngineResponse>;

const KMS_BLOBS = new Set(['Plaintext', 'CiphertextBlob', 'SourceCiphertextBlob', 'Message', 'Signature', 'ImportToken', 'EncryptedKeyMaterial', 'Mac']);
export const MAX_JSON_BODY = 1024 * 1024;

export class Engine {
  readonly store: Store;
  readonly clock: EngineClock;
  readonly kms: Kms;
  readonly trail: Trail;
  /** JSON services by the X-Amz-Target prefix before the dot. */
  readonly jsonServices = new Map<string, { service: JsonService; blobs: ReadonlySet<string> }>();
  /** Services matched by the operation after the dot, whatever the prefix (CloudTrail's targets vary). */
  readonly jsonOperations = new Map<string, JsonService>();
  rest: RestService | undefined;
  private readonly onClose: (() => void)[] = [];

  constructor(opts: EngineOptions) {
    this.store = openStore(opts.home);
    this.clock = opts.clock ?? new EngineClock();
    const saved = this.store.readJson<{ aheadSeconds: number }>('clock.json');
    if (saved && saved.aheadSeconds > this.clock.aheadSeconds) this.clock.aheadSeconds = saved.aheadSeconds;
    this.kms = new Kms(this.store, this.clock);
    this.trail = new Trail(this.store, this.clock, opts.cloudTrailDelaySeconds ?? 0);
    this.jsonServices.set('TrentService', {
      service: (operation, input, caller, requestId) => callKms(this.kms, this.trail, operation, input, caller, requestId),
      blobs: KMS_BLOBS,
    });
  }

  /** Moves the engine clock forward and remembers it across restarts. */
  advanceClock(seconds: number) {
    this.clock.advance(seconds);
    this.store.writeJson('clock.json', { aheadSeconds: this.clock.aheadSeconds });
  }

  /** Registers a clean-up to run on close (S3 and CloudTrail modules use it). */
  closing(fn: () => void) {
    this.onClose.push(fn);
  }

  close() {
    for (const fn of this.onClose.splice(0)) fn();
    this.store.close();
  }

  async handle(req: EngineRequest): Promise<EngineResponse> {
    const requestId = randomUUID();
    const caller = callerFromHeaders(req.headers, req.remoteAddress);
    if (req.path.startsWith('/_engine/')) return this.control(req, requestId);
    const target = req.headers['x-amz-target'];
    const contentType = req.headers['content-type'] ?? '';
    if (target !== undefined || (req.method === 'POST' && contentType.startsWith('application/x-amz-json'))) {
      return this.handleJson(req, target ?? '', caller, requestId);
    }
    if (!this.rest) return jsonError(new AwsError('UnknownOperationException', 'This engine serves no REST service yet.'), requestId);
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
        try {
          input = JSON.parse(req.body.toString('utf8'));
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

  private control(req: EngineRequest, requestId: string): EngineResponse {
    const reply = (status: number, body: unknown) => ({ status, headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId }, body: JSON.stringify(body) });
    const status = () => ({
      now: this.clock.now().toISOString(),
      aheadSeconds: this.clock.aheadSeconds,
      cloudTrailDelaySeconds: this.trail.delaySeconds,
      secondsUntilAllDelivered: this.trail.secondsUntilAllDelivered(),
    });
    if (req.path === '/_engine/status' && req.method === 'GET') return reply(200, status());
    if (req.path === '/_engine/advance-clock' && req.method === 'POST') {
      const seconds = Number(req.query.get('seconds'));
      if (!Number.isFinite(seconds) || seconds < 0) return reply(400, { message: 'seconds must be a number >= 0' });
      this.advanceClock(seconds);
      return reply(200, status());
    }
    if (req.path === '/_engine/cloudtrail-delay' && req.method === 'POST') {
      const seconds = Number(req.query.get('seconds'));
      if (!Number.isFinite(seconds) || seconds < 0) return reply(400, { message: 'seconds must be a number >= 0' });
      this.trail.delaySeconds = seconds;
      return reply(200, status());
    }
    return reply(404, { message: `No control endpoint ${req.method} ${req.path}` });
  }
}

export function openEngine(opts: EngineOptions): Engine {
  return new Engine(opts);
}
