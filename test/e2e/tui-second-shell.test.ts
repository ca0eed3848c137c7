// The TUI's engine from a second shell, in real terminals (tmux): the line the
// menu shows, pasted into another shell, lets the real AWS CLI reach the engine
// the TUI is running. And --present in a real terminal: Enter alone runs and
// advances, and nothing is left in the home.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { CLI, ensureBuilt } from '../helpers/cli.js';
import { hasTmux, Terminal } from '../tui/tmux.js';

const PROMPT = /^ready\$\s*$/m;
let terminals: Terminal[] = [];

beforeAll(() => ensureBuilt());
afterEach(async () => {
  await Promise.all(terminals.map((t) => t.close()));
  terminals = [];
});

function terminal(env: Record<string, string> = {}) {
  const t = new Terminal({ columns: 80, rows: 24, env: { KMS_WORKSHOP_HOME: '', ...env } });
  terminals.push(t);
  return t;
}

describe('the TUI and a second shell', () => {
  beforeAll(() => expect(hasTmux, 'tmux is needed for the real-terminal tests (apt-get install tmux)').toBe(true));

  test('the paste line from the menu, run in a second shell, lets the AWS CLI use the key the TUI just made', async () => {
    const tui = terminal();
    const home = join(tui.dir, 'home');
    await tui.waitFor(PROMPT);
    tui.type(`KMS_WORKSHOP_HOME=${home} ${process.execPath} ${CLI}`);
    let screen = await tui.waitFor(/Shell (eval .*)$/m);
    const pasteLine = /Shell (eval .*)$/m.exec(screen)![1]!.trim();
    expect(pasteLine).toBe(`eval "$(kms-workshop env --home ${home})"`);
    expect(screen).toMatch(/Target local engine at http:\/\/127\.0\.0\.1:\d+/);
    for (const line of screen.split('\n')) expect(line.length).toBeLessThanOrEqual(80);

    tui.press('Enter');
    await tui.waitFor(/introduction/);
    tui.press('Enter');
    await tui.waitFor(/step 1 of \d+/);
    tui.press('Enter');
    screen = await tui.waitFor('✔ done');
    const alias = /✔ CreateAlias\s+you (alias\/kms-workshop-direct\S*)/.exec(screen)?.[1];
    expect(alias).toBeDefined();

    // A second shell with no AWS settings of its own, and a profile that would send the CLI elsewhere.
    const second = terminal({ AWS_PROFILE: 'somewhere-else', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_EC2_METADATA_DISABLED: 'true' });
    await second.waitFor(PROMPT);
    second.type(`kms-workshop() { ${process.execPath} ${CLI} "$@"; }`);
    second.type(pasteLine);
    second.type(`aws kms describe-key --key-id ${alias} --query KeyMetadata.KeyState --output text; echo "exit=$?"`);
    screen = await second.waitFor(/^exit=\d+$/m, 30_000);
    expect(screen).toMatch(/^Enabled$/m);
    expect(screen).toMatch(/^exit=0$/m);
    second.type(`aws kms list-keys --query 'length(Keys)' --output text; echo "listed=$?"`);
    screen = await second.waitFor(/^listed=\d+$/m, 30_000);
    expect(screen).toMatch(/^1\nlisted=0$/m);

    tui.press('q');
    await tui.waitFor(PROMPT);
    expect(existsSync(join(home, 'tui-engine.json'))).toBe(false);
    second.type(`kms-workshop env --home ${home} > /dev/null; echo "env=$?"`);
    await second.waitFor(/^env=1$/m);
  }, 120_000);

  test('--present: Enter opens, begins, runs step 1, then moves on and runs step 2, with a timer; nothing is left in the home', async () => {
    const t = terminal();
    const home = join(t.dir, 'home');
    await t.waitFor(PROMPT);
    t.type(`cd ${t.dir} && KMS_WORKSHOP_HOME=${home} ${process.execPath} ${CLI} --present`);
    await t.waitFor(/presenting: nothing recorded[\s\S]*Shell eval/);
    t.press('Enter');
    await t.waitFor(/introduction/);
    t.press('Enter');
    await t.waitFor(/step 1 of \d+/);
    t.press('Enter');
    await t.waitFor(/step 1 of \d+[\s\S]*✔ done/);
    t.press('Enter');
    const screen = await t.waitFor(/step 2 of \d+[\s\S]*(✔ done|✘)/, 30_000);
    expect(screen).toMatch(/⏱ \d+:\d\d/);
    expect(screen).toContain('✔ done');
    // t: the transcript, in the folder the presenter started in (the run's workspace goes at exit).
    t.press('t');
    await t.waitFor(/Transcript written to .*-transcript\.md/);
    const transcript = readFileSync(join(t.dir, '01-direct-encryption-transcript.md'), 'utf8');
    expect(transcript).toMatch(/^# Direct encryption with a KMS key/);
    expect(transcript).toMatch(/## 1\. Create a KMS key[\s\S]*kms:CreateKey {2}you[\s\S]*## 2\./);
    t.press('Escape');
    await t.waitFor(/1\. Direct encryption.*not started/);
    t.press('q');
    await t.waitFor(PROMPT);
    // No progress, no engine state, no workspace, no announcement: the home holds at most the lesson index cache.
    const left = existsSync(home) ? readdirSync(home) : [];
    expect(left.filter((f) => f !== 'cache')).toEqual([]);
  }, 120_000);
});
