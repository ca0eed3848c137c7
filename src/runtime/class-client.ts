// A client for a class engine's own endpoints (engine/class-protocol.ts): each request signed
// with SigV4 by the member's key, as any AWS call is, so the engine knows who asks. Used by
// `kms-workshop join` (the learner's clock, quota, trail and progress) and by the instructor's
// view (the room, one learner's calls). An error reply becomes an Error with the engine's message.
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../engine/auth/sigv4.js';
import { CLASS_PATHS, CLASS_SIGNING_SERVICE, type ClassEvents, type ClassStatus, type LearnerProgress, type Room, type RoomCalls } from '../engine/class-protocol.js';
import type { RequestQuota } from './target.js';

export interface ClassCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface ClassClientOptions {
  /** The class engine's URL, e.g. http://192.168.1.20:4599 */
  endpoint: string;
  region: string;
  credentials: ClassCredentials;
  /** Milliseconds a request may take beyond any long-poll wait it asks for (default 15 s). */
  timeoutMs?: number;
}

export interface ClassRequestOptions {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** Seconds the engine may hold the reply (a long poll): added to the timeout. */
  waitSeconds?: number;
  /** A reply longer than this many bytes is refused, not read whole (the lesson pack's files). */
  maxBytes?: number;
}

/** An error reply from the class engine: its HTTP status and message. */
export class ClassEngineError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'ClassEngineError';
  }
}

/** The class engine could not be reached at all (no answer, connection refused, timed out). */
export class ClassUnreachableError extends Error {
  constructor(
    message: string,
    readonly endpoint: string,
  ) {
    super(message);
    this.name = 'ClassUnreachableError';
  }
}

export class ClassClient {
  private readonly url: URL;
  private readonly signer: SignatureV4;
  private readonly timeoutMs: number;

  constructor(opts: ClassClientOptions) {
    try {
      this.url = new URL(opts.endpoint);
    } catch {
      throw new Error(`not a URL: ${JSON.stringify(opts.endpoint)} (a class engine's URL looks like http://192.168.1.20:4599)`);
    }
    if (this.url.protocol !== 'http:' && this.url.protocol !== 'https:') throw new Error(`a class engine's URL starts with http:// or https://, not ${this.url.protocol}`);
    this.signer = new SignatureV4({ service: CLASS_SIGNING_SERVICE, region: opts.region, credentials: opts.credentials, sha256: NodeSha256 });
    this.timeoutMs = opts.timeoutMs ?? 15_000;
  }

  get endpoint(): string {
    return this.url.origin;
  }

  /** One signed request to a class path; the reply's JSON (undefined for 204). */
  async classRequest<T>(method: 'GET' | 'POST', path: string, opts: ClassRequestOptions = {}): Promise<T> {
    const query: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) query[k] = String(v);
    const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const headers: Record<string, string> = { host: this.url.host };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const signed = await this.signer.sign({
      method,
      protocol: this.url.protocol,
      hostname: this.url.hostname,
      port: this.url.port === '' ? undefined : Number(this.url.port),
      path,
      query,
      headers,
      body,
    });
    const target = new URL(path, this.url);
    for (const [k, v] of Object.entries(query)) target.searchParams.set(k, v);
    const sent = { ...(signed.headers as Record<string, string>) };
    delete sent.host; // fetch sets it (the same value) and refuses to be given it
    let res: Response;
    try {
      res = await fetch(target, { method, headers: sent, body, signal: AbortSignal.timeout(this.timeoutMs + (opts.waitSeconds ?? 0) * 1000) });
    } catch (e) {
      const why = (e as Error).name === 'TimeoutError' ? 'no answer in time' : (((e as Error).cause as Error | undefined)?.message ?? (e as Error).message);
      throw new ClassUnreachableError(`cannot reach the class engine at ${this.url.origin} (${why}): check the URL and that the instructor's engine is running`, this.url.origin);
    }
    const text = opts.maxBytes === undefined ? await res.text() : await boundedText(res, opts.maxBytes, `${method} ${path}`, this.url.origin);
    if (!res.ok) {
      let message = '';
      try {
        const parsed = JSON.parse(text) as { message?: unknown };
        if (typeof parsed.message === 'string') message = parsed.message;
      } catch {
        // not JSON: said below with the status alone
      }
      throw new ClassEngineError(message || `the class engine answered ${res.status} ${res.statusText} to ${method} ${path}`, res.status);
    }
    if (text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ClassEngineError(`the class engine's reply to ${method} ${path} is not JSON: is ${this.url.origin} a kms-workshop class engine?`, res.status);
    }
  }

  /** The caller's account: its clock, CloudTrail delay, what is still to be delivered. */
  status(): Promise<ClassStatus> {
    return this.classRequest('GET', CLASS_PATHS.status);
  }

  /** Moves the caller's account's clock forward (no other learner's). */
  advanceClock(seconds: number): Promise<ClassStatus> {
    return this.classRequest('POST', CLASS_PATHS.advanceClock, { body: { seconds } });
  }

  /** Sets (a number) or gives back AWS's figure (null) for the quota `operation` counts against, for the caller's account. */
  setRequestQuota(operation: string, perSecond: number | null): Promise<RequestQuota> {
    return this.classRequest('POST', CLASS_PATHS.requestQuota, { body: { operation, perSecond } });
  }

  /** The caller's account's trail records after `after`, waiting up to waitSeconds for one. */
  events(after = 0, waitSeconds = 0): Promise<ClassEvents> {
    return this.classRequest('GET', CLASS_PATHS.events, { query: { after, waitSeconds }, waitSeconds });
  }

  reportProgress(progress: LearnerProgress): Promise<void> {
    return this.classRequest('POST', CLASS_PATHS.progress, { body: progress });
  }

  /** The instructor's view of the room. */
  room(): Promise<Room> {
    return this.classRequest('GET', CLASS_PATHS.room);
  }

  /** One learner's recent calls, masked, after `after`, waiting up to waitSeconds for one (instructor only). */
  calls(learner: string, after = 0, waitSeconds = 0): Promise<RoomCalls> {
    return this.classRequest('GET', CLASS_PATHS.calls, { query: { learner, after, waitSeconds }, waitSeconds });
  }
}

/** The reply's text, read no further than maxBytes. */
async function boundedText(res: Response, maxBytes: number, what: string, origin: string): Promise<string> {
  const tooLarge = () => new ClassEngineError(`the class engine's reply to ${what} is larger than ${maxBytes} bytes`, res.status);
  if (Number(res.headers.get('content-length')) > maxBytes) {
    await res.body?.cancel().catch(() => {});
    throw tooLarge();
  }
  const reader = res.body?.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = (await reader?.read()) ?? { done: true, value: undefined };
      if (done) break;
      size += value.length;
      if (size > maxBytes) throw tooLarge();
      chunks.push(value);
    }
  } catch (e) {
    await reader?.cancel().catch(() => {});
    if (e instanceof ClassEngineError) throw e;
    throw new ClassUnreachableError(`lost the class engine at ${origin} while reading its reply to ${what}: ${(e as Error).message}`, origin);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function classClient(opts: ClassClientOptions): ClassClient {
  return new ClassClient(opts);
}
