// Records every SDK call a step makes, at the client: a middleware sees the
// command's input before it is sent and the output or error after, so the
// screen can show each call (operation, key, context, outcome, time) as it
// happens. Works the same for any target: it sits in the client, not the wire.
import { toDisplayJson } from '../mask.js';
import type { ApiCall, CallOutcome, JsonValue } from './types.js';

/** A call as captured, before the session numbers it. */
export type CapturedCall = Omit<ApiCall, 'seq' | 'stepId'>;

interface MiddlewareClient {
  middlewareStack: {
    add(middleware: unknown, options: { step: 'initialize'; name: string; priority?: 'high' | 'low'; override?: boolean }): void;
  };
}

interface HandlerContext {
  clientName?: string;
  commandName?: string;
}

type Input = Record<string, unknown>;

/** Adds the capture middleware to an SDK v3 client. */
export function captureCalls(client: MiddlewareClient, onCall: (call: CapturedCall) => void): void {
  const middleware =
    (next: (args: { input: Input }) => Promise<{ output: Input }>, context: HandlerContext) =>
    async (args: { input: Input }) => {
      const started = Date.now();
      const time = new Date(started).toISOString();
      const service = serviceOf(context.clientName);
      const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
      try {
        const result = await next(args);
        onCall({ ...describeCall(service, operation, args.input, result.output, { ok: true }, time, Date.now() - started, requestIdOf(result.output)), ...retriesOf(result.output?.$metadata), ...inFull(args.input, result.output) });
        return result;
      } catch (e) {
        const err = e as { name?: string; Code?: string; message?: string; $metadata?: { requestId?: string; attempts?: number; totalRetryDelay?: number } };
        const outcome: CallOutcome = { ok: false, code: err.name ?? err.Code ?? 'Error', message: err.message === 'UnknownError' ? '' : (err.message ?? String(e)) };
        onCall({ ...describeCall(service, operation, args.input, undefined, outcome, time, Date.now() - started, err.$metadata?.requestId), ...retriesOf(err.$metadata), ...inFull(args.input, undefined) });
        throw e;
      }
    };
  client.middlewareStack.add(middleware, { step: 'initialize', name: 'kmsWorkshopCaptureCalls', priority: 'high', override: true });
}

function serviceOf(clientName: string | undefined): string {
  const name = (clientName ?? '').replace(/Client$/, '').toLowerCase();
  return name || 'unknown';
}

function requestIdOf(output: Input | undefined): string | undefined {
  const meta = output?.$metadata as { requestId?: string } | undefined;
  return meta?.requestId;
}

/** The SDK's retries of a call (its $metadata), when it made more than one attempt: a throttled call waited this long in backoff. */
function retriesOf(meta: unknown): Pick<ApiCall, 'retries'> {
  const m = meta as { attempts?: unknown; totalRetryDelay?: unknown } | undefined;
  if (typeof m?.attempts !== 'number' || m.attempts <= 1) return {};
  return { retries: { attempts: m.attempts, delayMs: typeof m.totalRetryDelay === 'number' ? m.totalRetryDelay : 0 } };
}

/** Pulls out what the screen shows about a call: the key, alias, context, bucket and object. */
export function describeCall(
  service: string,
  operation: string,
  input: Input,
  output: Input | undefined,
  outcome: CallOutcome,
  time: string,
  durationMs: number,
  requestId: string | undefined,
): CapturedCall {
  const requestedKey = str(input.KeyId) ?? str(input.TargetKeyId) ?? str(input.SSEKMSKeyId) ?? str(input.DestinationKeyId);
  const keyMetadata = output?.KeyMetadata as Input | undefined;
  const respondedKey = str(output?.KeyId) ?? str(keyMetadata?.Arn) ?? str(output?.SSEKMSKeyId);
  const alias = str(input.AliasName) ?? (requestedKey?.startsWith('alias/') ? requestedKey : undefined) ?? aliasInArn(requestedKey);
  const keyId = requestedKey && !requestedKey.startsWith('alias/') ? requestedKey : (respondedKey ?? requestedKey);
  const encryptionContext = contextOf(input);
  return {
    time,
    service,
    operation,
    ...(keyId ? { keyId } : {}),
    ...(alias ? { alias } : {}),
    ...(str(input.Bucket) ? { bucket: str(input.Bucket) } : {}),
    ...(str(input.Key) ? { objectKey: str(input.Key) } : {}),
    ...(output?.BucketKeyEnabled === true ? { bucketKey: true } : {}),
    ...(encryptionContext ? { encryptionContext } : {}),
    caller: 'you',
    outcome,
    durationMs,
    ...(requestId ? { requestId } : {}),
  };
}

/** The request and response, for a learner who opens the call. */
function inFull(input: Input, output: Input | undefined): Pick<ApiCall, 'request' | 'response'> {
  const response = forDisplay(output);
  return { request: forDisplay(input)!, ...(response !== undefined ? { response } : {}) };
}

/** Longest text kept of one value in a call's request or response: a 4 KB ciphertext in base64 fits. */
const MAX_SHOWN = 8192;

/** A request or response as the learner may open it: secrets masked, an S3 body named, not copied; long text cut. */
function forDisplay(value: Input | undefined): JsonValue | undefined {
  if (!value) return undefined;
  const { Body, ...rest } = value;
  const json = toDisplayJson(rest);
  if (Body !== undefined && json && typeof json === 'object' && !Array.isArray(json)) json.Body = '(the object body)';
  return clip(json);
}

function clip(value: JsonValue): JsonValue {
  if (typeof value === 'string') return value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}… (${value.length - MAX_SHOWN} more characters)` : value;
  if (Array.isArray(value)) return value.map(clip);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clip(v)]));
  return value;
}

function contextOf(input: Input): Record<string, string> | undefined {
  const ec = input.EncryptionContext;
  if (ec && typeof ec === 'object' && !Array.isArray(ec)) return ec as Record<string, string>;
  // S3 sends the context as base64 JSON in a header
  const s3 = str(input.SSEKMSEncryptionContext);
  if (s3) {
    try {
      return JSON.parse(Buffer.from(s3, 'base64').toString('utf8')) as Record<string, string>;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function aliasInArn(key: string | undefined): string | undefined {
  const m = key ? /:(alias\/.+)$/.exec(key) : null;
  return m?.[1];
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}
