// A test engine in a process of its own (started with the same helper as every test),
// so a test can measure the engine's memory without its own allocations in the figure,
// and see what the engine writes to stderr. Run by forkTestEngine(); speaks over IPC.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startTestEngine } from './engine.js';

export interface EngineProcess {
  endpoint: string;
  port: number;
  /** The engine process's memory (rss, heapUsed, external...), after a full garbage collection. */
  memory(): Promise<NodeJS.MemoryUsage>;
  /** Everything the engine wrote to stdout and stderr so far. */
  output(): string;
  stop(): Promise<void>;
}

type Message = { type: 'ready'; endpoint: string; port: number } | { type: 'memory'; usage: NodeJS.MemoryUsage };

export async function forkTestEngine(): Promise<EngineProcess> {
  const child = fork(fileURLToPath(import.meta.url), ['--child'], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const next = <T extends Message['type']>(type: T) =>
    new Promise<Extract<Message, { type: T }>>((resolve, reject) => {
      const onMessage = (m: Message) => {
        if (m.type !== type) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(m as Extract<Message, { type: T }>);
      };
      const onExit = (code: number | null) => reject(new Error(`the engine process exited (${code}) before '${type}':\n${output}`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const ready = await next('ready');
  return {
    endpoint: ready.endpoint,
    port: ready.port,
    memory: async () => {
      const reply = next('memory');
      child.send('memory');
      return (await reply).usage;
    },
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.send('stop');
      }),
  };
}

async function runChild() {
  const te = await startTestEngine();
  process.on('message', async (m) => {
    if (m === 'memory') {
      // Two full collections a moment apart: V8 hands freed pages back to the system in the background.
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      await new Promise((resolve) => setTimeout(resolve, 200));
      gc?.();
      process.send!({ type: 'memory', usage: process.memoryUsage() });
    } else if (m === 'stop') {
      await te.stop();
      process.exit(0);
    }
  });
  process.on('disconnect', () => process.exit(0)); // the test process is gone: do not outlive it
  process.send!({ type: 'ready', endpoint: te.endpoint, port: te.port });
}

if (process.argv.includes('--child') && process.send) await runChild();
