// A process that prints "listening on <url>" (the built `serve`, the stub, a
// bench's own engine): benches run the engine in its own process, as a
// learner's shell or a class does, so both sides of a comparison pay the same.
import { spawn, type ChildProcess } from 'node:child_process';

export interface ListeningProcess {
  child: ChildProcess;
  endpoint: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startListening(args: string[], signal: NodeJS.Signals = 'SIGTERM'): Promise<ListeningProcess> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  // A bench that dies (its output piped to head, an error) must not leave servers running.
  process.once('exit', () => child.kill());
  const endpoint = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}: ${out}`)));
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  return { child, endpoint, pid: child.pid!, stop };
}

/** The built CLI's `serve` on a port of its own, with its state in `home`. */
export const startServe = (home: string, cli = 'dist/cli.js') => startListening([cli, 'serve', '--port', '0', '--home', home]);
