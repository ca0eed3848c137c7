// Mounts the engine on node:http: reads the body (bounded), hands the request to
// the core, writes the reply with an x-amzn-RequestId. Nothing AWS-specific here
// beyond the error shape for an oversized body.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Engine } from './engine.js';
import type { EngineRequest } from './wire.js';

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
  server.on('connect', refuseTunnel);
  server.keepAliveTimeout = 60_000;
  return server;
}

async function serveOne(engine: Engine, req: IncomingMessage, res: ServerResponse, maxBody: number) {
  try {
    const isJson = req.headers['x-amz-target'] !== undefined;
    const limit = isJson ? Math.min(maxBody, 1024 * 1024) : maxBody;
    const body = await readBody(req, limit);
    if (body === undefined) {
      const requestId = randomUUID();
      const message = `The request body is larger than ${limit} bytes.`;
      res.writeHead(413, isJson ? { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId, connection: 'close' } : { 'content-type': 'application/xml', 'x-amz-request-id': requestId, connection: 'close' });
      res.end(isJson ? JSON.stringify({ __type: 'SerializationException', message }) : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>EntityTooLarge</Code><Message>${message}</Message><RequestId>${requestId}</RequestId></Error>`);
      return;
    }
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const request: EngineRequest = {
      method: req.method ?? 'GET',
      path: q < 0 ? url : url.slice(0, q),
      query: new URLSearchParams(q < 0 ? '' : url.slice(q + 1)),
      headers: flatHeaders(req),
      body,
      remoteAddress: req.socket.remoteAddress,
    };
    const reply = await engine.handle(request);
    // A HEAD reply (S3 HeadObject) states the length of the body it does not send.
    const length = request.method === 'HEAD' && reply.headers['content-length'] !== undefined ? reply.headers['content-length'] : Buffer.byteLength(reply.body);
    res.writeHead(reply.status, { ...reply.headers, 'content-length': length });
    res.end(request.method === 'HEAD' ? undefined : reply.body);
  } catch (e) {
    if (isClientAbort(e, req)) return;
    console.error(e);
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ __type: 'InternalFailure', message: 'The local engine failed to handle this request.' }));
  }
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(',') : v;
  return out;
}

/** The whole body, or undefined once it passes the limit (the rest is discarded). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      req.on('end', () => resolve(undefined));
      req.on('error', () => resolve(undefined));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
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
