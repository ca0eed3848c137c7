// A terminal exercise end to end, as a learner does it: the built CLI in one
// real terminal (tmux), the real AWS CLI in a second one, pointed at the
// engine the TUI runs. Its calls tick the checklist off, a near miss is
// explained, and the exercise passes.
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { loadLessons } from '../../src/lessons/loader.js';
import { CLI, ensureBuilt } from '../helpers/cli.js';
import { hasTmux, Terminal } from '../tui/tmux.js';

const PROMPT = /^ready\$\s*$/m;
// Lesson 1's exercise, where the loader puts it (steps are added before it).
const DIRECT = loadLessons().lessons.find((l) => l.id === 'direct-encryption')!;
const EXERCISE_AT = DIRECT.steps.findIndex((s) => s.id === 'cli-encrypt-decrypt');
let terminals: Terminal[] = [];

beforeAll(() => ensureBuilt());
afterEach(async () => {
  await Promise.all(terminals.map((t) => t.close()));
  terminals = [];
});

function terminal(size: { columns: number; rows: number }) {
  const t = new Terminal({ ...size, env: { KMS_WORKSHOP_HOME: '' } });
  terminals.push(t);
  return t;
}

let commands = 0;
/** Types a command in the shell and waits for the prompt after it (a mark of its own: the screen may still show the last one's). */
async function shell(t: Terminal, command: string) {
  const mark = `done-${++commands}`;
  t.type(`clear; ${command}; echo "${mark} exit=$?"`);
  return t.waitFor(new RegExp(`^${mark} exit=\\d+\\s*\\n[\\s\\S]*ready\\$`, 'm'), 30_000);
}

describe('an exercise in a real terminal', () => {
  beforeAll(() => expect(hasTmux, 'tmux is needed for the real-terminal tests (apt-get install tmux)').toBe(true));
  test('the real AWS CLI in a second shell passes a terminal exercise against the TUI’s engine, a near miss explained on the way', async () => {
    const tui = terminal({ columns: 100, rows: 40 });
    const home = join(tui.dir, 'home');
    await tui.waitFor(PROMPT);
    tui.type(`KMS_WORKSHOP_HOME=${home} ${process.execPath} ${CLI}`);
    let screen = await tui.waitFor(/Target local engine at http:\/\/127\.0\.0\.1:\d+/, 20_000);
    tui.press('Enter'); // lesson 1
    await tui.waitFor(/Direct encryption with a KMS key\s+introduction/);
    tui.press('Enter');
    await tui.waitFor('step 1 of');
    for (let i = 0; i < EXERCISE_AT; i++) tui.press('Right');
    await tui.waitFor('Your turn: encrypt and decrypt with the AWS CLI');
    tui.press('Enter'); // runs the steps before it first, then watches
    screen = await tui.waitFor('no Encrypt call has reached the engine yet', 30_000);
    // The second shell's lines, as the TUI shows them.
    const endpoint = /export AWS_ENDPOINT_URL=(http:\/\/127\.0\.0\.1:\d+)/.exec(screen)?.[1];
    expect(endpoint, screen).toBeDefined();
    const workspace = /cd (\S+01-direct-encryption)/.exec(screen)?.[1];
    expect(workspace).toBe(join(home, 'workspace', '01-direct-encryption'));

    const second = terminal({ columns: 200, rows: 50 });
    await second.waitFor(PROMPT);
    const aws = `aws --endpoint-url ${endpoint}`;
    await shell(second, `cd ${workspace} && export AWS_ACCESS_KEY_ID=AKIDSECONDSHELL AWS_SECRET_ACCESS_KEY=x AWS_DEFAULT_REGION=us-east-1 AWS_PAGER=`);
    let out = await shell(
      second,
      `${aws} kms encrypt --key-id alias/kms-workshop-direct --plaintext fileb://NewSecretFile.txt --encryption-context project=kmsworkshop --query CiphertextBlob --output text | base64 --decode > MySecret.encrypted`,
    );
    expect(out).toContain('exit=0');
    screen = await tui.waitFor('✔ Encrypt with alias/kms-workshop-direct');
    expect(screen).toMatch(/✔ Encrypt\s+you \(aws-cli\)/);

    // Decrypt without the context: KMS refuses it, and the TUI says why it does not count.
    out = await shell(second, `${aws} kms decrypt --ciphertext-blob fileb://MySecret.encrypted --query Plaintext --output text`);
    expect(out).toContain('InvalidCiphertextException');
    screen = await tui.waitFor('you called Decrypt without the encryption context project=kmsworkshop');
    expect(screen).toMatch(/✘ Decrypt\s+you \(aws-cli\) InvalidCiphertextException/);

    out = await shell(
      second,
      `${aws} kms decrypt --ciphertext-blob fileb://MySecret.encrypted --encryption-context project=kmsworkshop --query Plaintext --output text | base64 --decode > MySecret.decrypted`,
    );
    expect(out).toContain('exit=0');
    const n = EXERCISE_AT + 1;
    screen = await tui.waitFor(new RegExp(`step ${n} of ${DIRECT.steps.length} ●{${n}}○`));
    expect(screen).toContain('✔ MySecret.decrypted is the same as NewSecretFile.txt');
    tui.press('q');
    await tui.waitFor(PROMPT);
  }, 120_000);
});
