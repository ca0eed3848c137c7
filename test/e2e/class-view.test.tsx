// The instructor's view against a real class engine (`serve --learners 2`, a process of its
// own): learner1 makes calls with the SDK and reports progress with the class client, then the
// view, with its real hooks over real HTTP, lists learner1 where they are and opens their call
// log with the calls in it, live; in a real terminal (tmux) too, and as plain text without one.
// No frame ever holds the plaintext of learner1's data key.
import { DecryptCommand, EncryptCommand, GenerateDataKeyCommand, KMSClient, CreateKeyCommand } from '@aws-sdk/client-kms';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import React from 'react';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { roomSource } from '../../src/commands/class-view.js';
import { ClassClient } from '../../src/runtime/class-client.js';
import { readClassProfile } from '../../src/runtime/class-target.js';
import { ClassView } from '../../src/tui/class/class-view/class-view.js';
import { CLI, startServe, type Served } from '../helpers/cli.js';
import { tempHome } from '../helpers/engine.js';
import { KEYS, waitForFrame } from '../tui/fake-workshop.js';
import { hasTmux, Terminal } from '../tui/tmux.js';

let served: Served;
let home: string;
let learner1: KMSClient;
let instructor: ClassClient;
/** learner1's data key, as GenerateDataKey returned it: it must show nowhere. */
const secrets: string[] = [];
const STACK = /^\s+at .+:\d+:\d+\)?$/m;

beforeAll(async () => {
  home = tempHome('kms-workshop-class-view-');
  served = await startServe(['--home', home, '--learners', '2']);
  const credentialsFile = join(home, 'class', 'credentials');
  const [p1, pi] = await Promise.all([readClassProfile({ profile: 'learner1', credentialsFile }), readClassProfile({ profile: 'instructor', credentialsFile })]);
  learner1 = new KMSClient({ endpoint: served.endpoint, region: p1.region, credentials: p1, maxAttempts: 1 });
  instructor = new ClassClient({ endpoint: served.endpoint, region: pi.region, credentials: pi });
  const { KeyMetadata } = await learner1.send(new CreateKeyCommand({}));
  const { Plaintext } = await learner1.send(new GenerateDataKeyCommand({ KeyId: KeyMetadata!.KeyId, KeySpec: 'AES_256', EncryptionContext: { project: 'class-view' } }));
  secrets.push(Buffer.from(Plaintext!).toString('base64'), Buffer.from(Plaintext!).toString('hex'));
  await learner1.send(new DecryptCommand({ CiphertextBlob: new Uint8Array(64) })).catch(() => undefined); // an error for the room to show
  const c1 = new ClassClient({ endpoint: served.endpoint, region: p1.region, credentials: p1 });
  await c1.reportProgress({ lesson: 'envelope-encryption', lessonTitle: 'Envelope encryption', step: 3, steps: 9, stepTitle: 'Make a data key', passed: 2, solved: 1 });
}, 60_000);
afterAll(async () => {
  learner1?.destroy();
  await served?.stop();
  rmSync(home, { recursive: true, force: true });
});

function expectNoSecret(text: string) {
  for (const secret of secrets) expect(text).not.toContain(secret);
}

describe('with the real hooks (ink-testing-library)', () => {
  const apps: Array<{ unmount: () => void }> = [];
  afterEach(() => {
    for (const app of apps.splice(0)) app.unmount();
  });

  test("lists learner1 with their progress and last error, opens their call log with the GenerateDataKey in it, follows a new call live, Esc back; no frame holds the data key's plaintext", async () => {
    const app = render(<ClassView source={roomSource(instructor)} endpoint={served.endpoint} width={80} height={24} pollMs={200} callsWaitSeconds={2} />);
    apps.push(app);
    let frame = await waitForFrame(app.lastFrame, /learner1\s+envelope-enc…\s+3\/9 Make a data key\s+2\s+1/, 10_000);
    expect(frame).toMatch(/learner1 .*InvalidCipherte…/);
    expect(frame).toMatch(/learner2\s+not started/);
    expect(frame).toMatch(/GenerateDataKey\s+1\s+◀ one call/);
    app.stdin.write(KEYS.enter);
    frame = await waitForFrame(app.lastFrame, 'keySpec=AES_256', 10_000);
    expect(frame).toMatch(/^learner1 · Envelope encryption · step 3\/9 Make a data key/m);
    expect(frame).toMatch(/✔ CreateKey kms · user\//);
    expect(frame).toMatch(/✔ GenerateDataKey kms · user\//);
    expect(frame).toMatch(/keyId=[0-9a-f]{8}… · keySpec=AES_256 · encryptionContext=\{project=class-view\}/);
    expect(frame).toMatch(/✘ Decrypt kms · user\/\S+ InvalidCiphertextException/);
    // A call learner1 makes now shows without a key pressed.
    const { KeyMetadata } = await learner1.send(new CreateKeyCommand({ Description: 'second' }));
    const plaintext = 'a secret encrypted live';
    secrets.push(plaintext, Buffer.from(plaintext).toString('base64'));
    await learner1.send(new EncryptCommand({ KeyId: KeyMetadata!.KeyId, Plaintext: Buffer.from(plaintext) }));
    frame = await waitForFrame(app.lastFrame, /✔ Encrypt kms · user\//, 10_000);
    app.stdin.write(KEYS.esc);
    await waitForFrame(app.lastFrame, "The room's calls");
    expectNoSecret(app.frames.join('\n'));
  });
});

test('without a terminal, `kms-workshop class URL` prints the room once and exits 0', () => {
  const r = spawnSync(process.execPath, [CLI, 'class', served.endpoint, '--home', home], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000, env: { ...process.env, AWS_SHARED_CREDENTIALS_FILE: '' } });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/^\s+learner1\s+envelope-encryption\s+3\/9 Make a data key\s+2\s+1\s+\d+\s+InvalidCiphertext \(Decrypt\)$/m);
  expect(r.stdout).toMatch(/^GenerateDataKey: (one call|\d+ calls), everyone together$/m);
  expectNoSecret(r.stdout);
});

test("a learner's profile is refused the room in one line, exit 1, no stack trace", () => {
  const r = spawnSync(process.execPath, [CLI, 'class', served.endpoint, '--home', home, '--profile', 'learner2'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/^kms-workshop class: the class engine at http:\/\/\S+ shows the room only to the instructor, not to profile 'learner2' .*use --profile instructor\n$/);
  expect(r.stderr).not.toMatch(STACK);
});

// tmux is on these machines and .ci/run installs it where missing: fail loudly rather than skip.
describe('in a real terminal (tmux, 80x24)', () => {
  let t: Terminal | undefined;
  afterEach(async () => t?.close());
  test('lists learner1, Enter opens their calls, Esc back, q gives the terminal back; no plaintext on screen', async () => {
    expect(hasTmux, 'tmux is needed for the real-terminal tests (apt-get install tmux)').toBe(true);
    t = new Terminal({ columns: 80, rows: 24 });
    await t.waitFor(/^ready\$\s*$/m);
    t.type(`${process.execPath} ${CLI} class ${served.endpoint} --home ${home}`);
    let screen = await t.waitFor(/learner1\s+envelope-enc…\s+3\/9 Make a data key/);
    expect(t.info('alternate_on')).toBe('1');
    expect(screen).toContain(`kms-workshop class · ${served.endpoint}`);
    for (const line of screen.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    t.press('Enter');
    screen = await t.waitFor(/GenerateDataKey kms · user\/[\s\S]*keySpec=AES_256/);
    expectNoSecret(screen);
    t.press('Escape');
    await t.waitFor("The room's calls");
    t.press('q');
    await t.waitFor(/^ready\$\s*$/m);
    expect(t.info('alternate_on')).toBe('0');
    expect(t.screen()).not.toMatch(STACK);
  });
});

function classCli(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, 'class', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('class --help names every option; usage errors are one line with the hint, exit 2; no engine at the URL is one line, exit 1', () => {
  const help = classCli(['--help']);
  expect(help.code).toBe(0);
  expect(help.stdout).toMatch(/^Usage: kms-workshop class URL/);
  for (const flag of ['--profile', '--credentials', '--config', '--home', '--stuck-minutes']) expect(help.stdout).toContain(flag);
  for (const [args, message] of [
    [[], "name the class engine's URL"],
    [['192.168.1.20:4599'], "'192.168.1.20:4599' is not a class engine's URL"],
    [[served.endpoint, '--stuck-minutes', '0'], '--stuck-minutes is a whole number from 1 to 60'],
    [[served.endpoint, '--frobnicate'], "Unknown option '--frobnicate'"],
    [[served.endpoint, 'extra'], 'one URL only'],
  ] as const) {
    const r = classCli([...args]);
    expect(r.code, args.join(' ')).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain("Run 'kms-workshop class --help'");
  }
  const nowhere = classCli(['http://127.0.0.1:9', '--home', home]);
  expect(nowhere.code).toBe(1);
  expect(nowhere.stderr).toMatch(/^kms-workshop class: cannot reach the class engine at http:\/\/127\.0\.0\.1:9 .*\n$/);
  const noProfile = classCli([served.endpoint, '--home', home, '--profile', 'learner9']);
  expect(noProfile.code).toBe(1);
  expect(noProfile.stderr).toMatch(/^kms-workshop class: no access key for profile 'learner9' in .*class\/credentials/);
  for (const r of [nowhere, noProfile]) expect(r.stderr).not.toMatch(STACK);
});
