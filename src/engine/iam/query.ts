// The AWS Query protocol, as IAM and STS speak it: a POST to / with a form-urlencoded body
// (Action=CreateUser&Version=2010-05-08&UserName=...), answered in XML:
//   <CreateUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
//     <CreateUserResult>...</CreateUserResult><ResponseMetadata><RequestId>..</RequestId></ResponseMetadata>
//   </CreateUserResponse>
// and errors as <ErrorResponse><Error><Type>Sender</Type><Code>..</Code><Message>..</Message></Error><RequestId>..
// The service is the one the request was signed for (the SigV4 credential scope's service:
// /iam/aws4_request or /sts/aws4_request), else the one that has the Action. Every call is
// recorded in CloudTrail, failed ones with their error, never with a secret.
import { authorizeCall, type DeniedAs } from '../auth/authorize.js';
import type { Caller } from '../caller.js';
import type { Engine } from '../engine.js';
import { AwsError, isAwsError } from '../errors.js';
import { escapeXml } from '../s3/xml.js';
import type { EngineRequest, EngineResponse } from '../wire.js';
import { constraintError, iamErrors } from './errors.js';

/** The largest Query body taken: the largest documents (a role's inline policies, 10,240 characters) URL-encoded, with room. */
export const MAX_QUERY_BODY = 128 * 1024;

/** A Query request: POST / with a form-urlencoded body (the Action is in the body, read later). */
export function isQueryRequest(req: Pick<EngineRequest, 'method' | 'path' | 'headers'>): boolean {
  return req.method === 'POST' && req.path === '/' && (req.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
}

/** The body of a Query request read whole, to one byte past the limit (handleQuery refuses a longer one). */
export async function readQueryBody(req: EngineRequest): Promise<Buffer> {
  if (req.body.length > 0 || !req.stream) return req.body;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req.stream) {
    chunks.push(chunk);
    size += chunk.length;
    if (size > MAX_QUERY_BODY) break;
  }
  return Buffer.concat(chunks);
}

/** What one operation's run is given. */
export interface QueryCall {
  engine: Engine;
  caller: Caller;
  params: Params;
  requestId: string;
}

/** A Query result: plain values, Dates, arrays (rendered as <member> lists) and nested objects. */
export type QueryResult = Record<string, unknown>;

export interface QueryOperation {
  /** The IAM action the call needs, as policies name it ('iam:CreateUser', 'sts:AssumeRole'). */
  action: string;
  /** The ARN of the resource the call acts on, or '*' (for the authorization decision). */
  resource(call: QueryCall): string;
  /** Who decides the permission: the dispatch by default; 'none' needs none; 'decided-by-operation' is decided in run (it reads what only the operation finds). */
  permission?: 'none' | 'decided-by-operation';
  /** As CloudTrail marks the event; a read-only call's responseElements are null unless recordsResponse. */
  readOnly: boolean;
  /** CloudTrail shows what this read-only call answered (STS's AssumeRole: the credentials' id and the session). */
  recordsResponse?: boolean;
  /** The result, or undefined for operations that return nothing but ResponseMetadata. */
  run(call: QueryCall): QueryResult | undefined | Promise<QueryResult | undefined>;
}

export interface QueryService {
  /** The signing name: 'iam' or 'sts'. */
  name: string;
  version: string;
  xmlns: string;
  eventSource: string;
  /** IAM is global: its calls are recorded (and signed) in us-east-1 whatever the client's Region. */
  region?: string;
  operations: ReadonlyMap<string, QueryOperation>;
}

const services = new WeakMap<Engine, QueryService[]>();

/** Makes the engine answer a Query service's actions (iam/index.ts, sts/index.ts). */
export function mountQueryService(engine: Engine, service: QueryService): void {
  const list = services.get(engine) ?? [];
  list.push(service);
  services.set(engine, list);
}

const SCOPE_SERVICE = /Credential=[^/,\s]+\/\d{8}\/[^/,\s]+\/([^/,\s]+)\/aws4_request/;

function serviceFor(engine: Engine, req: EngineRequest, action: string): QueryService | undefined {
  const list = services.get(engine) ?? [];
  const signedFor = SCOPE_SERVICE.exec(req.headers['authorization'] ?? '')?.[1] ?? req.query.get('X-Amz-Credential')?.split('/')[3];
  return list.find((s) => s.name === signedFor) ?? list.find((s) => s.operations.has(action));
}

export async function handleQuery(engine: Engine, req: EngineRequest, caller: Caller, requestId: string): Promise<EngineResponse> {
  const raw = new URLSearchParams(req.body.length > MAX_QUERY_BODY ? '' : req.body.toString('utf8'));
  const action = raw.get('Action') ?? '';
  const service = serviceFor(engine, req, action) ?? (services.get(engine) ?? [])[0];
  if (!service) return queryError(new AwsError('InvalidAction', 'This engine serves no Query service.'), IAM_XMLNS, requestId);
  if (req.body.length > MAX_QUERY_BODY) return queryError(iamErrors.validation(`The request body is larger than ${MAX_QUERY_BODY} bytes.`), service.xmlns, requestId);
  if (action === '') return queryError(iamErrors.missingAction('Missing Action'), service.xmlns, requestId);
  const operation = service.operations.get(action);
  if (!operation) return queryError(iamErrors.invalidAction(`Could not find operation ${action.slice(0, 100)} for version ${(raw.get('Version') ?? 'NO_VERSION_SPECIFIED').slice(0, 20)}`), service.xmlns, requestId);
  const who = service.region ? { ...caller, region: service.region } : caller;
  const call: QueryCall = { engine, caller: who, params: new Params(raw), requestId };
  try {
    authorize(call, operation);
    const result = await operation.run(call);
    record(call, service, action, operation, result);
    return queryResponse(service, action, result, requestId);
  } catch (e) {
    if (!isAwsError(e)) {
      console.error(e);
      return queryError(new AwsError('ServiceFailure', 'The local engine failed to handle this request.', 500), service.xmlns, requestId);
    }
    record(call, service, action, operation, undefined, e);
    return queryError(e, service.xmlns, requestId);
  }
}

/** IAM's and STS's refusal: AccessDenied, HTTP 403, Type Sender. */
export const QUERY_DENIED: DeniedAs = { error: (message) => iamErrors.accessDenied(message) };

/**
 * The one place IAM and STS calls meet the authorization decision (auth/authorize.ts, issue 10):
 * each operation's action on its resource, by the caller's IAM policies; an operation that
 * needs no permission (GetCallerIdentity) or decides for itself (AssumeRole: the role's trust
 * policy with the caller's policies) says so.
 */
function authorize(call: QueryCall, operation: QueryOperation): void {
  if (operation.permission === 'none' || operation.permission === 'decided-by-operation') return;
  authorizeCall(call.engine, call.caller, operation.action, operation.resource(call), QUERY_DENIED);
}

// --- CloudTrail ----------------------------------------------------------------------

/** Members never recorded: AWS's trail shows an access key's id, never its secret or a session token. */
const SECRET_MEMBERS = new Set(['SecretAccessKey', 'SessionToken']);

/** The request's parameters as CloudTrail shows them: members lower-cased first, Query lists (Tags.member.1.Key) as arrays of objects. */
function trailParameters(raw: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const lists = new Map<string, Map<number, Record<string, string> | string>>();
  for (const [name, value] of raw) {
    if (name === 'Action' || name === 'Version' || SECRET_MEMBERS.has(name)) continue;
    const m = /^(\w+)\.member\.(\d{1,4})(?:\.(\w+))?$/.exec(name);
    if (!m) {
      out[lowerFirst(name)] = value;
      continue;
    }
    const list = lists.get(m[1]!) ?? new Map<number, Record<string, string> | string>();
    lists.set(m[1]!, list);
    const at = Number(m[2]);
    if (m[3] === undefined) list.set(at, value);
    else list.set(at, { ...(list.get(at) as Record<string, string> | undefined), [lowerFirst(m[3])]: value });
  }
  for (const [name, list] of lists) out[lowerFirst(name)] = [...list.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v);
  return out;
}

function record(call: QueryCall, service: QueryService, action: string, operation: QueryOperation, result: QueryResult | undefined, error?: AwsError) {
  const requestParameters = trailParameters(call.params.raw);
  call.engine.trail.record({
    caller: call.caller,
    eventSource: service.eventSource,
    eventName: action,
    requestParameters: Object.keys(requestParameters).length > 0 ? requestParameters : null,
    responseElements: (operation.readOnly && !operation.recordsResponse) || !result ? null : (trailShape(result) as Record<string, unknown>),
    readOnly: operation.readOnly,
    requestId: call.requestId,
    ...(error ? { error: { code: error.code, message: error.message } } : {}),
  });
}

function trailShape(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (Array.isArray(value)) return value.map(trailShape);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined && !SECRET_MEMBERS.has(k)) out[lowerFirst(k)] = trailShape(v);
    return out;
  }
  return value;
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

// --- XML -------------------------------------------------------------------------------

export const IAM_XMLNS = 'https://iam.amazonaws.com/doc/2010-05-08/';

// Characters XML 1.0 cannot carry even escaped (a refused value quoted in a message may hold them).
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const xmlText = (s: string) => escapeXml(s.replace(NOT_XML, '\uFFFD'));

function toXml(value: unknown): string {
  if (value instanceof Date) return value.toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (Array.isArray(value)) return value.map((v) => `<member>${toXml(v)}</member>`).join('');
  if (value && typeof value === 'object')
    return Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `<${k}>${toXml(v)}</${k}>`)
      .join('');
  return xmlText(String(value));
}

function queryResponse(service: QueryService, action: string, result: QueryResult | undefined, requestId: string): EngineResponse {
  const body =
    `<${action}Response xmlns="${service.xmlns}">` +
    (result ? `<${action}Result>${toXml(result)}</${action}Result>` : '') +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
  return { status: 200, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, body };
}

export function queryError(error: AwsError, xmlns: string, requestId: string): EngineResponse {
  const type = error.status >= 500 ? 'Receiver' : 'Sender';
  const body =
    `<ErrorResponse xmlns="${xmlns}"><Error><Type>${type}</Type><Code>${xmlText(error.code)}</Code>` +
    `<Message>${xmlText(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
  return { status: error.status, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, body };
}

// --- parameters -------------------------------------------------------------------------

export interface Constraint {
  min?: number;
  max?: number;
  /** The pattern as AWS's model writes it (quoted in the message) and a RegExp matching it whole. */
  pattern?: [string, RegExp];
}

/** The request's parameters, checked as AWS's model constrains them (member names as AWS's messages name them). */
export class Params {
  constructor(readonly raw: URLSearchParams) {}

  optional(name: string, c: Constraint = {}): string | undefined {
    const value = this.raw.get(name);
    if (value === null) return undefined;
    const member = lowerFirst(name);
    if (c.min !== undefined && value.length < c.min) throw constraintError(member, value, `Member must have length greater than or equal to ${c.min}`);
    if (c.max !== undefined && value.length > c.max) throw constraintError(member, value, `Member must have length less than or equal to ${c.max}`);
    if (c.pattern && !c.pattern[1].test(value)) throw constraintError(member, value, `Member must satisfy regular expression pattern: ${c.pattern[0]}`);
    return value;
  }

  required(name: string, c: Constraint = {}): string {
    const value = this.optional(name, c);
    if (value === undefined) throw constraintError(lowerFirst(name), null, 'Member must not be null');
    return value;
  }

  /**
   * A list of structures, as the Query protocol flattens it (Tags.member.1.Key=a&Tags.member.1.Value=b):
   * one object of fields per member, in member order; refused past `max` members.
   */
  structures(name: string, max: number): Record<string, string>[] {
    const prefix = `${name}.member.`;
    const byIndex = new Map<number, Record<string, string>>();
    for (const [k, v] of this.raw) {
      if (!k.startsWith(prefix)) continue;
      const m = /^(\d{1,4})\.(\w{1,32})$/.exec(k.slice(prefix.length));
      if (!m || Number(m[1]) < 1) throw iamErrors.validation(`Invalid parameter ${k.slice(0, 100)}`);
      const at = Number(m[1]);
      if (!byIndex.has(at) && byIndex.size >= max) throw constraintError(lowerFirst(name), null, `Member must have length less than or equal to ${max}`);
      byIndex.set(at, { ...byIndex.get(at), [m[2]!]: v });
    }
    return [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, fields]) => fields);
  }

  /** An integer member in [min, max], or undefined. */
  integer(name: string, min: number, max: number): number | undefined {
    const value = this.raw.get(name);
    if (value === null) return undefined;
    const member = lowerFirst(name);
    if (!/^-?\d{1,15}$/.test(value)) throw iamErrors.validation(`Invalid value for parameter ${member}, value: ${value.slice(0, 50)}, type: class java.lang.String, expected type: class java.lang.Integer`);
    const n = Number(value);
    if (n < min) throw constraintError(member, value, `Member must have value greater than or equal to ${min}`);
    if (n > max) throw constraintError(member, value, `Member must have value less than or equal to ${max}`);
    return n;
  }
}

/** AWS's patterns for IAM names and paths (IAM API Reference, each parameter's constraints). */
export const NAME: Constraint = { min: 1, max: 64, pattern: ['[\\w+=,.@-]+', /^[\w+=,.@-]+$/] };
export const POLICY_NAME: Constraint = { min: 1, max: 128, pattern: ['[\\w+=,.@-]+', /^[\w+=,.@-]+$/] };
export const PATH: Constraint = { min: 1, max: 512, pattern: ['(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)', /^(\/|\/[\u0021-\u007E]+\/)$/] };
export const PATH_PREFIX: Constraint = { min: 1, max: 512, pattern: ['\\u002F[\\u0021-\\u007E]*', /^\/[\u0021-\u007E]*$/] };
export const ARN: Constraint = { min: 20, max: 2048 };
export const DOCUMENT: Constraint = { min: 1, max: 131_072, pattern: ['[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+', /^[\u0009\u000A\u000D\u0020-\u00FF]+$/] };
export const DESCRIPTION: Constraint = { max: 1000, pattern: ['[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*', /^[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*$/] };
export const MARKER: Constraint = { min: 1, max: 320, pattern: ['[\\u0020-\\u00FF]+', /^[\u0020-\u00FF]+$/] };

/** One page of a list (Marker and MaxItems, 100 by default): the items, IsTruncated, and the next Marker. */
export function page<T>(params: Params, items: T[]): { items: T[]; IsTruncated: boolean; Marker?: string } {
  const maxItems = params.integer('MaxItems', 1, 1000) ?? 100;
  const marker = params.optional('Marker', MARKER);
  let start = 0;
  if (marker !== undefined) {
    const m = /^p(\d{1,9})$/.exec(marker);
    if (!m || Number(m[1]) > items.length) throw iamErrors.validation('Invalid Marker.');
    start = Number(m[1]);
  }
  const end = start + maxItems;
  const truncated = end < items.length;
  return { items: items.slice(start, end), IsTruncated: truncated, ...(truncated ? { Marker: `p${end}` } : {}) };
}

/** An error for a Query request before any service took it (authentication), in the shape of the service it was for. */
export function queryErrorFor(engine: Engine, req: EngineRequest, error: AwsError, requestId: string): EngineResponse {
  const action = new URLSearchParams(req.body.length > MAX_QUERY_BODY ? '' : req.body.toString('utf8')).get('Action') ?? '';
  return queryError(error, serviceFor(engine, req, action)?.xmlns ?? IAM_XMLNS, requestId);
}
