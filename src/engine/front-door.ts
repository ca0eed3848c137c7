// Where every request comes in (http.ts hands it here): the Host check, the protocol,
// who is calling (auth/authenticate.ts), then the service. AWS JSON 1.1 requests carry
// X-Amz-Target (KMS's TrentService, CloudTrail's LookupEvents); IAM and STS speak AWS
// Query (a form POSTed to /, iam/query.ts); everything else is S3 REST. A small control
// plane under /_engine/ (control.ts) lets the runtime fast-forward the clock; it answers
// only the holder of the engine's secret. A class engine's own endpoints under /_class/
// (class-endpoints.ts) are signed with SigV4 by a class member.
import { randomUUID } from 'node:crypto';
import { authenticate } from './auth/authenticate.js';
import type { Caller } from './caller.js';
import { classReply, handleClass, readClassBody } from './class-endpoints.js';
import { CLASS_PATH_PREFIX } from './class-protocol.js';
import { controlReply, handleControl } from './control.js';
import type { Engine } from './engine.js';
import { AwsError, isAwsError } from './errors.js';
import { isLoopbackHost } from './host-check.js';
import { handleQuery, IAM_XMLNS, isQueryRequest, queryError, queryErrorFor, readQueryBody } from './iam/query.js';
import { s3ErrorResponse, S3Error } from './s3/errors.js';
import { jsonDepth, MAX_JSON_DEPTH } from './validate.js';
import { decodeBlobs, isJsonRequest, jsonError, jsonResponse, toWire, type EngineRequest, type EngineResponse } from './wire.js';

type Protocol = 'control' | 'class' | 'json' | 'query' | 'rest';

/** The reply to one request, whatever it is: a failure of the engine's own is InternalFailure (500), never a thrown error. */
export async function handleRequest(engine: Engine, req: EngineRequest): Promise<EngineResponse> {
  const requestId = randomUUID();
  const protocol = protocolOf(req);
  // Refused before any service sees it: nothing runs, nothing is recorded in the trail.
  if (engine.loopbackOnly && !isLoopbackHost(req.headers.host)) return refuseHost(protocol, req.headers.host, requestId);
  if (protocol === 'control') return handleControl(engine, req, requestId);
  if (protocol === 'class') return handleClassRequest(engine, req, requestId);
  // A Query request's signature covers its body, and its Action is in it: read whole (bounded) first.
  if (protocol === 'query') req = { ...req, body: await readQueryBody(req) };
  const caller = await authenticate(req, protocol, { directory: engine.directory, clock: engine.clock, strict: engine.strict });
  if (isAwsError(caller)) return protocol === 'json' ? jsonError(caller, requestId) : protocol === 'query' ? queryErrorFor(engine, req, caller, requestId) : s3ErrorResponse(caller, requestId);
  // A class's learners each have their own clock (clock.ts): the request sees its account's time.
  if (engine.clock.accountsAhead) return engine.clock.inAccount(caller.accountId, () => dispatch(engine, req, protocol, caller, requestId));
  return dispatch(engine, req, protocol, caller, requestId);
}

/** A class engine's own endpoint (class-endpoints.ts): its body read whole (bounded) first, since the signature covers it. */
async function handleClassRequest(engine: Engine, req: EngineRequest, requestId: string): Promise<EngineResponse> {
  const body = await readClassBody(req);
  if (body === undefined) return classReply(413, { message: 'The request body is too large for a class endpoint.' }, requestId);
  const signed = { ...req, body };
  const caller = await authenticate(signed, 'json', { directory: engine.directory, clock: engine.clock, strict: engine.strict });
  return handleClass(engine, signed, caller, requestId); // refuses an unauthenticated caller in its own words
}

function dispatch(engine: Engine, req: EngineRequest, protocol: Protocol, caller: Caller, requestId: string): Promise<EngineResponse> {
  if (protocol === 'query') return handleQuery(engine, req, caller, requestId);
  if (protocol === 'json') return handleJson(engine, req, req.headers['x-amz-target'] ?? '', caller, requestId);
  if (!engine.rest) return Promise.resolve(jsonError(new AwsError('UnknownOperationException', 'This engine serves no REST service yet.'), requestId));
  return engine.rest(req, caller, requestId);
}

async function handleJson(engine: Engine, req: EngineRequest, target: string, caller: Caller, requestId: string): Promise<EngineResponse> {
  try {
    const dot = target.lastIndexOf('.');
    const prefix = target.slice(0, dot);
    const operation = target.slice(dot + 1);
    const byPrefix = engine.jsonServices.get(prefix);
    const byOperation = engine.jsonOperations.get(operation);
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
