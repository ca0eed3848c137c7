// Starting and stopping the engine on a port: used by `serve`, by the runtime
// (which starts it on loopback port 0) and by tests.
import type { Server } from 'node:http';
import { Engine, type EngineOptions } from './engine.js';
import { createEngineServer, listen } from './http.js';
import { mountCloudTrail } from './cloudtrail/index.js';
import { mountS3 } from './s3/index.js';
import { mountIam } from './iam/index.js';
import { mountSts } from './sts/index.js';

export { Engine } from './engine.js';
export type { EngineOptions } from './engine.js';

export interface RunningEngine {
  engine: Engine;
  server: Server;
  endpoint: string;
  port: number;
  host: string;
  close(): Promise<void>;
}

/** The engine with every service mounted: KMS (built in), then S3, CloudTrail, IAM and STS. */
export function createEngine(opts: EngineOptions): Engine {
  const engine = new Engine(opts);
  mountS3(engine);
  mountCloudTrail(engine);
  mountIam(engine);
  mountSts(engine);
  return engine;
}

export async function startEngine(opts: EngineOptions & { port?: number; host?: string }): Promise<RunningEngine> {
  const engine = createEngine({ rsaKeyPairsAtStart: true, ...opts });
  const server = createEngineServer(engine);
  let address;
  try {
    address = await listen(server, opts.port ?? 0, opts.host ?? '127.0.0.1');
  } catch (e) {
    engine.close();
    throw e;
  }
  engine.listeningOn(address.address);
  const host = address.address.includes(':') ? `[${address.address}]` : address.address;
  return {
    engine,
    server,
    endpoint: `http://${host}:${address.port}`,
    port: address.port,
    host: address.address,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      engine.close();
    },
  };
}
