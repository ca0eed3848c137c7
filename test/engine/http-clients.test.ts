// Clients that do odd things at the HTTP level: a CONNECT (a proxy tunnel request) gets
// an answer instead of a dropped socket; a client that hangs up mid-upload is not an
// error (nothing is logged) and the engine goes on answering.
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { connect } from 'node:net';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';

let te: TestEngine;
let port: number;
beforeEach(async () => {
  te = await startTestEngine();
  port = te.port;
});
afterEach(async () => {
  vi.restoreAllMocks();
  await te.stop();
});

/** Sends raw bytes and collects what comes back until the server closes the connection. */
function exchange(bytes: string): Promise<{ reply: string; closedByServer: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ reply, closedByServer: false });
    }, 3000);
    socket.on('data', (d) => (reply += d));
    socket.on('end', () => {
      clearTimeout(timer);
      resolve({ reply, closedByServer: true });
    });
    socket.on('error', reject);
    socket.write(bytes);
  });
}

test('a CONNECT request is answered with 405 Method Not Allowed and the connection closed', async () => {
  const { reply, closedByServer } = await exchange(`CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n`);
  expect(reply).toMatch(/^HTTP\/1\.1 405 Method Not Allowed\r\n/);
  expect(reply).toMatch(/\r\nConnection: close\r\n/i);
  expect(closedByServer).toBe(true);
  expect((await te.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyState).toBe('Enabled');
});

/** Starts a request that announces a body, sends part of it, then hangs up. */
async function abortMidBody(head: string) {
  await new Promise<void>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(`${head}Content-Length: 1000000\r\n\r\n`);
      socket.write(Buffer.alloc(64 * 1024, 1), () => {
        socket.destroy();
        resolve();
      });
    });
    socket.on('error', reject);
  });
}

test('a client that disconnects mid-upload logs nothing, and the engine still answers', async () => {
  const errors = vi.spyOn(console, 'error');
  const put = await fetch(`${te.endpoint}/uploads`, { method: 'PUT' });
  expect(put.status).toBe(200);
  await abortMidBody(`PUT /uploads/big.bin HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`);
  await abortMidBody(`POST / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Amz-Target: TrentService.Encrypt\r\nContent-Type: application/x-amz-json-1.1\r\n`);
  // Give the server time to notice the hang-ups.
  await new Promise((r) => setTimeout(r, 300));
  expect((await te.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyState).toBe('Enabled');
  expect(errors).not.toHaveBeenCalled();
});
