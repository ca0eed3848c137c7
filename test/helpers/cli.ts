// Running the built CLI (dist/cli.js) as a user would, in a child process.
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = `${ROOT}dist/cli.js`;

/** `npm test` builds first; a lone `vitest run` of one file builds here if needed. */
export function ensureBuilt() {
  if (!existsSync(CLI)) execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
}

export interface Served {
  child: ChildProcessWithoutNullStreams;
  endpoint: string;
  output(): string;
  stop(): Promise<number | null>;
}

/** Starts `kms-workshop serve --port 0` and waits for the endpoint it prints. */
export async function startServe(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Served> {
  ensureBuilt();
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], { env: { ...process.env, ...env }, stdio: 'pipe' });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  // 'close', not 'exit': the process can exit before the last of its output is read from the pipe.
  const closed = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${out}`)), 15_000);
    const check = () => {
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}:\n${out}`));
    });
  });
  return {
    child,
    endpoint,
    output: () => out,
    stop: () => {
      if (child.exitCode === null) child.kill('SIGINT');
      return closed;
    },
  };
}

/** Environment for the AWS CLI: static credentials, a region, no config files, no metadata service. */
export function awsCliEnv(home: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: `${home}/aws-config-none`,
    AWS_SHARED_CREDENTIALS_FILE: `${home}/aws-credentials-none`,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
  };
}
