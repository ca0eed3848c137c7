// `kms-workshop env`: the exports a second shell needs to reach the running
// TUI's engine, eval'd by a real bash and used by the real AWS CLI.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { exportsFor } from '../../src/commands/env.js';
import { announceRunningEngine, runningEnginePath } from '../../src/commands/running-engine.js';
import { CLI, ensureBuilt } from '../helpers/cli.js';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';

const temp: string[] = [];
function tempDir() {
  const d = mkdtempSync(join(tmpdir(), 'kms-workshop-env-'));
  temp.push(d);
  return d;
}
function cli(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const has = (program: string) => spawnSync(program, ['--version']).status === 0;

/** A shell, run without blocking this process: the engine it talks to runs here. */
function shell(program: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(program, args, { env, encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ status: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

let engine: TestEngine;
beforeAll(async () => {
  ensureBuilt();
  engine = await startTestEngine();
});
afterAll(async () => {
  await engine.stop();
  temp.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

/** A home whose "TUI" (this test process) announces the test engine, as the TUI does once its engine listens. */
function homeWithRunningTui() {
  const home = tempDir();
  const unannounce = announceRunningEngine(home, { endpoint: engine.endpoint, region: 'us-east-1', workspace: join(home, 'workspace') });
  return { home, unannounce };
}

/** A shell with none of this machine's AWS settings, and a profile that does not exist: env must clear it. */
function shellEnv(home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    AWS_PROFILE: 'no-such-profile',
    AWS_CONFIG_FILE: join(home, 'none'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'none'),
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

describe('kms-workshop env', () => {
  test('eval in a real bash lets the AWS CLI reach the running engine: list-keys lists a key made there', async () => {
    const { home, unannounce } = homeWithRunningTui();
    try {
      const { KeyMetadata } = await engine.kms.send(new (await import('@aws-sdk/client-kms')).CreateKeyCommand({}));
      const script = `eval "$(${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} env --home ${JSON.stringify(home)})" && aws kms list-keys --output json`;
      const r = await shell('bash', ['--norc', '--noprofile', '-c', script], shellEnv(home));
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect((JSON.parse(r.stdout) as { Keys: { KeyId: string }[] }).Keys.map((k) => k.KeyId)).toContain(KeyMetadata!.KeyId);
    } finally {
      unannounce();
    }
  });

  test('prints the endpoint, placeholder credentials, the Region twice, an empty AWS_PAGER and unsets AWS_PROFILE, in bash syntax', () => {
    const { home, unannounce } = homeWithRunningTui();
    try {
      const r = cli(['env', '--home', home, '--shell', 'bash']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`export AWS_ENDPOINT_URL='${engine.endpoint}'`);
      expect(r.stdout).toMatch(/^export AWS_ACCESS_KEY_ID='.+'$/m);
      expect(r.stdout).toMatch(/^export AWS_SECRET_ACCESS_KEY='.+'$/m);
      expect(r.stdout).toContain("export AWS_REGION='us-east-1'");
      expect(r.stdout).toContain("export AWS_DEFAULT_REGION='us-east-1'");
      expect(r.stdout).toContain("export AWS_PAGER=''");
      expect(r.stdout).toMatch(/^unset AWS_PROFILE$/m);
      expect(r.stdout).toContain(`# lesson files: ${join(home, 'workspace')}`);
    } finally {
      unannounce();
    }
  });

  test('fish and PowerShell get their own syntax', () => {
    const engineInfo = { endpoint: 'http://127.0.0.1:4600', region: 'us-east-1', workspace: "/home/o'brien/ws" };
    const fish = exportsFor('fish', engineInfo);
    expect(fish).toContain("set -gx AWS_ENDPOINT_URL 'http://127.0.0.1:4600'");
    expect(fish).toContain("set -gx AWS_PAGER ''");
    expect(fish).toMatch(/^set -e AWS_PROFILE$/m);
    const ps = exportsFor('powershell', engineInfo);
    expect(ps).toContain("$env:AWS_ENDPOINT_URL = 'http://127.0.0.1:4600'");
    expect(ps).toContain("$env:AWS_DEFAULT_REGION = 'us-east-1'");
    expect(ps).toMatch(/^Remove-Item Env:AWS_PROFILE/m);
    expect(exportsFor('zsh', engineInfo)).toBe(exportsFor('bash', engineInfo));
  });

  test.skipIf(!has('fish'))('sourced by a real fish, the AWS CLI reaches the engine', async () => {
    const { home, unannounce } = homeWithRunningTui();
    try {
      const r = await shell('fish', ['--no-config', '-c', `${process.execPath} ${CLI} env --shell fish --home ${home} | source; and aws kms list-keys`], shellEnv(home));
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('Keys');
    } finally {
      unannounce();
    }
  });

  test.skipIf(!has('pwsh'))('run by a real PowerShell, the AWS CLI reaches the engine', async () => {
    const { home, unannounce } = homeWithRunningTui();
    try {
      const r = await shell('pwsh', ['-NoProfile', '-Command', `& '${process.execPath}' '${CLI}' env --shell powershell --home '${home}' | Invoke-Expression; aws kms list-keys`], shellEnv(home));
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('Keys');
    } finally {
      unannounce();
    }
  });

  test('with no tutorial running it says so on stderr, prints nothing to eval, and exits 1', () => {
    const r = cli(['env', '--home', tempDir()]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/no tutorial is running with the home .*Start the tutorial/s);
  });

  test("a file left by a TUI whose process is gone is ignored", () => {
    const home = tempDir();
    const gone = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    writeFileSync(runningEnginePath(home), JSON.stringify({ pid: Number(gone.stdout.trim()), endpoint: engine.endpoint, region: 'us-east-1', workspace: home }));
    const r = cli(['env', '--home', home]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
  });

  test('a file whose endpoint is not a loopback URL is not trusted (its text would be eval’d)', () => {
    const home = tempDir();
    writeFileSync(runningEnginePath(home), JSON.stringify({ pid: process.pid, endpoint: "http://example.com/'; touch /tmp/owned; echo ':4599", region: 'us-east-1', workspace: home }));
    const r = cli(['env', '--home', home]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
  });

  test('the TUI’s announcement is removed by it, and only while it is still its own', () => {
    const { home, unannounce } = homeWithRunningTui();
    expect(cli(['env', '--home', home]).code).toBe(0);
    unannounce();
    expect(cli(['env', '--home', home]).code).toBe(1);
  });

  test('an unknown shell is a usage error', () => {
    const r = cli(['env', '--shell', 'tcsh']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--shell is one of bash, zsh, fish, powershell');
  });
});
