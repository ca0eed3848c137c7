// A test file's own `kms-workshop serve` (the built CLI), a home for it and a work folder for the
// learner's files, with the AWS CLI pointed at it, as a learner's second shell is.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, expect } from 'vitest';
import { awsCliEnv, startServe, type Served } from './cli.js';
import { tempHome } from './engine.js';

export interface AwsCliShell {
  readonly endpoint: string;
  readonly home: string;
  /** The learner's files, outside the engine's home; commands run here. */
  readonly work: string;
  /** `aws --endpoint-url <engine> --output json ...args`, run in the work folder. */
  aws(...args: string[]): { status: number | null; stdout: string; stderr: string; json(): any };
}

/** Starts serve before the file's tests and stops it after (it must exit 0), removing both folders. */
export function awsCliShellForFile(workPrefix: string): AwsCliShell {
  let served: Served | undefined;
  let home = '';
  let work = '';
  beforeAll(async () => {
    home = tempHome();
    work = tempHome(workPrefix);
    served = await startServe(['--home', home]);
  }, 60_000);
  afterAll(async () => {
    expect(await served?.stop()).toBe(0);
    rmSync(home, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });
  return {
    get endpoint() {
      return served!.endpoint;
    },
    get home() {
      return home;
    },
    get work() {
      return work;
    },
    aws(...args) {
      const r = spawnSync('aws', ['--endpoint-url', served!.endpoint, '--output', 'json', ...args], { env: awsCliEnv(home), encoding: 'utf8', cwd: work });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr, json: () => JSON.parse(r.stdout) };
    },
  };
}
