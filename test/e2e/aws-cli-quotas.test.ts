// KMS's request quotas through the AWS CLI, unchanged, against the built `kms-workshop serve`:
// --quota-scale lowers every quota, the control endpoints change them while it runs, a burst of
// CLI processes with retries off meets ThrottlingException in AWS's words, the same with the
// CLI's standard retries gets through, and CloudTrail shows the throttled calls. Bad factors
// are refused before the engine starts (exit 2).
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { awsCliEnv, CLI, ensureBuilt, startServe, type Served } from '../helpers/cli.js';
import { tempHome } from '../helpers/engine.js';

const THROTTLED = /An error occurred \(ThrottlingException\) when calling the GenerateDataKey operation.*: You have exceeded the rate at which you may call KMS\. Reduce the frequency of your calls\./;

let served: Served;
let home: string;
let keyId: string;
beforeAll(async () => {
  home = tempHome();
  // 0.00001 x AWS's figures: GenerateDataKey 1 a second in us-east-1, CreateKey one every 5.5 hours.
  served = await startServe(['--home', home, '--quota-scale', '0.00001']);
}, 60_000);
afterAll(async () => {
  expect(await served.stop()).toBe(0);
  rmSync(home, { recursive: true, force: true });
});

function aws(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync('aws', ['--endpoint-url', served.endpoint, '--output', 'json', ...args], { env: { ...awsCliEnv(home), ...env }, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `count` CLI processes at once; their exit codes and stderr. */
function together(count: number, args: string[], env: NodeJS.ProcessEnv) {
  return Promise.all(
    Array.from({ length: count }, () =>
      new Promise<{ status: number | null; stderr: string }>((resolve) => {
        const child = spawn('aws', ['--endpoint-url', served.endpoint, '--output', 'json', ...args], { env: { ...awsCliEnv(home), ...env } });
        let stderr = '';
        child.stderr.on('data', (d) => (stderr += d));
        child.on('close', (status) => resolve({ status, stderr }));
      }),
    ),
  );
}

function control(method: string, path: string) {
  const secret = readFileSync(join(home, 'engine', 'control.secret'), 'utf8');
  return fetch(`${served.endpoint}/_engine/${path}`, { method, headers: { 'x-kms-workshop-secret': secret } });
}

const NO_RETRIES = { AWS_MAX_ATTEMPTS: '1' };

test('serve --quota-scale lowers every quota: the second create-key is throttled, and the status says the scale', async () => {
  const first = aws(['kms', 'create-key'], NO_RETRIES);
  expect(first.status, first.stderr).toBe(0);
  keyId = JSON.parse(first.stdout).KeyMetadata.KeyId;
  const second = aws(['kms', 'create-key'], NO_RETRIES);
  expect(second.status).not.toBe(0);
  expect(second.stderr).toMatch(/\(ThrottlingException\) when calling the CreateKey operation.*: You have exceeded the rate at which you may call KMS/);
  expect(await (await control('GET', 'status')).json()).toMatchObject({ quotaScale: 0.00001 });
  expect(served.output()).toContain("quotas:     KMS's request quotas at 0.00001 x AWS's (GenerateDataKey and the other symmetric operations: 1/s in us-east-1)");
}, 60_000);

test('a burst of generate-data-key with retries off: one gets through, the others are ThrottlingException in AWS words; CloudTrail has them', async () => {
  const set = await control('POST', 'request-quota?operation=GenerateDataKey&perSecond=0.1'); // one every ten seconds
  expect(set.status).toBe(200);
  const results = await together(4, ['kms', 'generate-data-key', '--key-id', keyId, '--key-spec', 'AES_256'], NO_RETRIES);
  expect(results.filter((r) => r.status === 0)).toHaveLength(1);
  const throttled = results.filter((r) => r.status !== 0);
  expect(throttled).toHaveLength(3);
  for (const r of throttled) expect(r.stderr).toMatch(THROTTLED);

  const events = aws(['cloudtrail', 'lookup-events', '--lookup-attributes', 'AttributeKey=EventName,AttributeValue=GenerateDataKey']);
  expect(events.status, events.stderr).toBe(0);
  const details = (JSON.parse(events.stdout).Events as { CloudTrailEvent: string }[]).map((e) => JSON.parse(e.CloudTrailEvent));
  expect(details.filter((d) => d.errorCode === 'ThrottlingException')).toHaveLength(3);
}, 60_000);

test("the same burst with the CLI's standard retries: every call succeeds", async () => {
  expect((await control('POST', 'request-quota?operation=GenerateDataKey&perSecond=1')).status).toBe(200);
  const results = await together(4, ['kms', 'generate-data-key', '--key-id', keyId, '--key-spec', 'AES_256'], { AWS_RETRY_MODE: 'standard', AWS_MAX_ATTEMPTS: '10' });
  for (const r of results) expect(r.status, r.stderr).toBe(0);
}, 120_000);

test('the control endpoint scales the quotas back up while serve runs; a factor out of range is 400', async () => {
  expect((await control('POST', 'quota-scale?factor=0')).status).toBe(400);
  expect((await control('DELETE', 'request-quota?operation=GenerateDataKey')).status).toBe(200);
  expect((await control('POST', 'quota-scale?factor=1')).status).toBe(200);
  const created = aws(['kms', 'create-key'], NO_RETRIES); // 5 a second again
  expect(created.status, created.stderr).toBe(0);
}, 60_000);

test('serve refuses a quota scale that is not a number from 0.000001 to 1000 (exit 2, one line)', () => {
  ensureBuilt();
  for (const bad of ['0', '-1', 'abc', '', '1001', 'Infinity']) {
    const r = spawnSync(process.execPath, [CLI, 'serve', '--port', '0', '--home', join(home, 'never'), `--quota-scale=${bad}`], { encoding: 'utf8', timeout: 15_000 });
    expect(r.status, bad).toBe(2);
    expect(r.stderr).toBe(`kms-workshop serve: --quota-scale must be a number from 0.000001 to 1000 (1: AWS's own request quotas), not '${bad}'.\n`);
  }
  const help = spawnSync(process.execPath, [CLI, 'serve', '--help'], { encoding: 'utf8' });
  expect(help.stdout).toContain('--quota-scale F');
});
