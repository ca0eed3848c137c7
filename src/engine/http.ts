// Mounts the engine on node:http: hands the request to the core with its body (read
// whole and bounded for JSON 1.1; as a stream the operation reads for S3, so an object
// never sits whole in memory), writes the reply (streamed too, for GetObject).
// Nothing AWS-specific here beyond the error shape for an oversized body.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MAX_JSON_BODY, type Engine } from './engine.js';
import { handleRequest } from './front-door.js';
import { isJsonRequest, type BodyStream, type EngineRequest, type EngineResponse } from './wire.js';

export interface ServeOptions {
  port?: number;
  host?: string;
  /** The largest body accepted (S3 objects included). */
  maxBodyBytes?: number;
}

const DEFAULT_MAX_BODY = 256 * 1024 * 1024;

export function createEngineServer(engine: Engine, opts: ServeOptions = {}): Server {
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const server = createServer((req, res) => {
    void serveOne(engine, req, res, maxBody);
  });
  // Expect: 100-continue is answered when the operation starts reading the body, so a request
  // refused from its headers (too large, no such bucket...) is refused before the body is sent.
  server.on('checkContinue', (req, res) => void serveOne(engine, req, res, maxBody));
  server.on('connect', refuseTunnel);
  server.keepAliveTimeout = 60_000;
  return server;
}

async function serveOne(engine: Engine, req: IncomingMessage, res: ServerResponse, maxBody: number) {
  try {
    const body = await requestBody(req, res, maxBody);
    if (!body) return;
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const request: EngineRequest = {
      method: req.method ?? 'GET',
      path: q < 0 ? url : url.slice(0, q),
      query: new URLSearchParams(q < 0 ? '' : url.slice(q + 1)),
      headers: flatHeaders(req),
      body: body.whole,
      stream: body.stream,
      remoteAddress: req.socket.remoteAddress,
    };
    const reply = await handleRequest(engine, request);
    await writeReply(req, res, reply, body.stream);
  } catch (e) {
    if (isClientAbort(e, req)) return;
    console.error(e);
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ __type: 'InternalFailure', message: 'The local engine failed to handle this request.' }));
  }
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  const headers = req.headers;
  // for...in, not Object.entries: this runs on every request, and builds no array of pairs.
  for (const k in headers) {
    const v = headers[k];
    if (v !== undefined) out[k] = typeof v === 'string' ? v : v.join(',');
  }
  return out;
}

/** A body left unread past this size is not drained after the reply: the connection is closed instead. */
const DRAIN_LIMIT = 1024 * 1024;

/**
 * The request's body: read whole for JSON 1.1 (small, bounded), a stream for the rest, read
 * by the operation as it needs it. A body whose Content-Length says it is over the limit is
 * refused at once, without reading it (undefined: the refusal is sent).
 */
async function requestBody(req: IncomingMessage, res: ServerResponse, maxBody: number): Promise<{ whole: Buffer; stream?: LazyBody } | undefined> {
  const json = isJsonRequest(req.method ?? 'GET', req.headers);
  const limit = json ? Math.min(maxBody, MAX_JSON_BODY) : maxBody;
  const declared = Number(req.headers['content-length']);
  if (declared > limit) return refuseTooLarge(res, json, declared, limit);
  if (!json) return { whole: Buffer.alloc(0), stream: new LazyBody(req, res, limit) };
  if (expectsContinue(req)) res.writeContinue();
  const whole = await readBody(req, limit);
  return whole ? { whole } : refuseTooLarge(res, json, undefined, limit);
}

/** Reads the whole body; undefined as soon as it passes the limit (a chunked body can say nothing in advance). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      req.off('data', onData);
      req.pause();
      resolve(undefined);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The refusal of a body over the limit, in the protocol's error shape (S3's EntityTooLarge, 400); the connection is closed unread. */
function refuseTooLarge(res: ServerResponse, json: boolean, declared: number | undefined, limit: number): undefined {
  const requestId = randomUUID();
  if (json) {
    res.writeHead(413, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId, connection: 'close' });
    res.end(JSON.stringify({ __type: 'SerializationException', message: `The request body is larger than ${limit} bytes.` }));
    return undefined;
  }
  const proposed = declared === undefined ? '' : `<ProposedSize>${declared}</ProposedSize>`;
  res.writeHead(400, { 'content-type': 'application/xml', 'x-amz-request-id': requestId, connection: 'close' });
  res.end(
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>EntityTooLarge</Code><Message>Your proposed upload exceeds the maximum allowed size</Message>` +
      `${proposed}<MaxSizeAllowed>${limit}</MaxSizeAllowed><RequestId>${requestId}</RequestId></Error>`,
  );
  return undefined;
}

const expectsContinue = (req: IncomingMessage) => /^100-continue$/i.test(req.headers.expect ?? '');

/**
 * A body read when, and if, the operation asks for it: the first read answers Expect:
 * 100-continue, so the client sends nothing until then; bytes pass through as they arrive.
 */
class LazyBody implements BodyStream {
  started = false;
  ended = false;
  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    readonly limit: number,
  ) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    if (this.started) throw new Error('a request body can be read once');
    this.started = true;
    if (expectsContinue(this.req) && !this.res.headersSent) this.res.writeContinue();
    // Leaving early (a failed check) must not destroy the socket: the reply still has to go out.
    yield* this.req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>;
    this.ended = true;
  }

  /**
   * After the reply, a body not read to its end: drained if small, so the connection can carry
   * the next request; else the connection closes (the client has not sent it, awaiting 100
   * Continue, or it is large).
   */
  closeAfterReply(): boolean {
    if (this.ended) return false;
    if (!this.started && expectsContinue(this.req)) return true;
    const declared = Number(this.req.headers['content-length']);
    if (!(declared <= DRAIN_LIMIT)) return true;
    // An operation that stopped reading part-way left the request paused: read the rest, dropping it.
    if (this.started) this.req.resume();
    return false;
  }
}

/** Sends the reply: whole, or streamed as it is produced (a download cut short on a failure mid-way). */
async function writeReply(req: IncomingMessage, res: ServerResponse, reply: EngineResponse, body: LazyBody | undefined) {
  const headers: Record<string, string> = { ...reply.headers };
  if (body?.closeAfterReply()) headers.connection = 'close';
  const head = req.method === 'HEAD';
  if (!reply.stream || head) {
    if (reply.stream) await reply.stream[Symbol.asyncIterator]().return?.();
    // A HEAD reply (S3 HeadObject) states the length of the body it does not send.
    if (!(head && headers['content-length'] !== undefined)) headers['content-length'] = String(Buffer.byteLength(reply.body));
    res.writeHead(reply.status, headers);
    res.end(head ? undefined : reply.body);
    return;
  }
  // A stream that ends short of its Content-Length (a bug, a damaged file) must cut the connection, not leave the client waiting.
  res.strictContentLength = true;
  res.writeHead(reply.status, headers);
  try {
    await pipeline(reply.stream, res);
  } catch (e) {
    res.destroy();
    if (!isClientAbort(e, req)) console.error(`A streamed reply failed mid-way: ${(e as Error).message}`);
  }
}

export async function listen(server: Server, port = 0, host = '127.0.0.1'): Promise<AddressInfo> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server.address() as AddressInfo;
}

/** CONNECT asks for a tunnel, a proxy's job: answered 405 and closed (without this node drops the socket unanswered). */
function refuseTunnel(_req: IncomingMessage, socket: Duplex) {
  const body = JSON.stringify({ __type: 'MethodNotAllowed', message: 'CONNECT is not supported: the engine is not a proxy.' });
  socket.on('error', () => {}); // the client may be gone already
  socket.end(
    `HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, HEAD, PUT, POST, DELETE\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** A client that hung up mid-request (its body ends in "aborted"): not an engine error, and there is no one to answer. */
function isClientAbort(e: unknown, req: IncomingMessage): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE') && req.socket.destroyed;
}
