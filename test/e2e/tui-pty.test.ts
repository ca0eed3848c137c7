// The built CLI in a real pseudo-terminal (tmux): what a person sees, by keys,
// and the terminal given back as it was after q and after Ctrl-C.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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

function terminal(env: Record<string, string> = {}, size = { columns: 80, rows: 24 }) {
  const t = new Terminal({ ...size, env: { KMS_WORKSHOP_HOME: '', ...env } });
  terminals.push(t);
  return t;
}

/** Starts the CLI from the shell after saving the tty settings, so they can be compared after. */
async function launch(t: Terminal, nodeOptions: string[] = []) {
  await t.waitFor(PROMPT);
  t.type(`stty -g > ${join(t.dir, 'before')}; KMS_WORKSHOP_HOME=${join(t.dir, 'home')} ${process.execPath} ${nodeOptions.join(' ')} ${CLI}`);
  return t.waitFor(/Lessons[\s\S]*Enter open/);
}

/** Makes the engine answer each request 5 s late, so a step is seen running. */
const SLOW_ENGINE = ['--import', fileURLToPath(new URL('./fixtures/slow-engine.mjs', import.meta.url))];

async function expectRestored(t: Terminal) {
  await t.waitFor(PROMPT);
  expect(t.info('alternate_on')).toBe('0');
  expect(t.info('cursor_flag')).toBe('1');
  t.type(`stty -g > ${join(t.dir, 'after')}; echo saved`);
  await t.waitFor(/^saved$/m);
  expect(readFileSync(join(t.dir, 'after'), 'utf8')).toBe(readFileSync(join(t.dir, 'before'), 'utf8'));
}

// tmux is on these machines and .ci/run installs it where missing: fail loudly rather than skip.
describe('kms-workshop in a real terminal', () => {
  beforeAll(() => expect(hasTmux, 'tmux is needed for the real-terminal tests (apt-get install tmux)').toBe(true));
  test('open a lesson, run a step, see calls and counters, back to the menu with progress, quit: the terminal is as it was', async () => {
    const t = terminal();
    let screen = await launch(t);
    expect(t.info('alternate_on')).toBe('1');
    expect(screen).toMatch(/› 1\. Direct encryption/);
    expect(screen).toContain('not started');
    screen = await t.waitFor(/Target local engine at http:\/\/127\.0\.0\.1:\d+/);
    for (const line of screen.split('\n')) expect(line.length).toBeLessThanOrEqual(80);

    t.press('Enter');
    // The lesson's first page: its introduction and what it is based on, within 80 columns.
    screen = await t.waitFor(/Direct encryption with a KMS key\s+introduction/);
    expect(screen).toContain('KMS can encrypt data for you directly');
    expect(screen).toMatch(/Enter\/→ begin/);
    for (const line of screen.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    t.press('Enter');
    screen = await t.waitFor(/step 1 of \d+[\s\S]*Enter\/r run/); // the whole frame: its key help is drawn last
    expect(screen).toContain('1. Create a KMS key');
    expect(screen).toMatch(/Enter\/r run/);
    t.press('Enter');
    screen = await t.waitFor('✔ done');
    expect(screen).toMatch(/✔ CreateKey\s+you/);
    expect(screen).toMatch(/✔ CreateAlias\s+you alias\/kms-workshop-direct/);
    expect(screen).toMatch(/CreateAlias\s+1/);

    t.press('?');
    await t.waitFor('any key closes this');
    t.press('x');
    await t.waitFor('✔ done');

    t.press('Escape');
    screen = await t.waitFor(/› 1\. Direct encryption.*step 2 of \d+/);
    t.press('q');
    await expectRestored(t);
  }, 60_000);

  test('Ctrl-C in the middle of a lesson, while a step runs, leaves the terminal as it was', async () => {
    const t = terminal({ SLOW_ENGINE_MS: '5000' });
    await launch(t, SLOW_ENGINE);
    await t.waitFor(/Target local engine at/);
    t.press('Enter');
    await t.waitFor(/introduction/);
    t.press('Enter');
    await t.waitFor(/step 1 of \d+/);
    t.press('Enter');
    const screen = await t.waitFor('running…');
    expect(screen).not.toContain('✔ done');
    const pressed = Date.now();
    t.press('C-c');
    await expectRestored(t);
    expect(Date.now() - pressed).toBeLessThan(5000); // it did not wait for the step to finish
  }, 60_000);

  test('adapts to a resize: the menu redraws to the new width, one line per lesson', async () => {
    const t = terminal({}, { columns: 100, rows: 30 });
    let screen = await launch(t);
    expect(screen).toMatch(/› 1\. Direct encryption with a KMS key\s+10 min\s+beginner\s+not started/);
    t.resize(60, 20);
    screen = await t.waitFor(/› 1\. Direct encryption.*10 min\s+not started/);
    expect(screen.split('\n')[0]).toMatch(/^kms-workshop/);
    expect(screen).not.toMatch(/^not started/m); // no line wrapped by a layout wider than the screen
    t.press('q');
    await t.waitFor(PROMPT);
  }, 60_000);

  test('a terminal too small says so and what to do; grown, the menu comes back; q still quits', async () => {
    const t = terminal({}, { columns: 80, rows: 24 });
    await launch(t);
    t.resize(40, 10);
    let screen = await t.waitFor(/Terminal too small/);
    expect(screen.replace(/\s+/g, ' ')).toContain('This window is 40x10; kms-workshop needs at least 60x18');
    t.resize(80, 24);
    screen = await t.waitFor(/Lessons[\s\S]*Enter open/);
    expect(screen).toMatch(/› 1\. Direct encryption/);
    t.resize(40, 10);
    await t.waitFor(/Terminal too small/);
    t.press('q');
    await expectRestored(t);
  }, 60_000);

  test('NO_COLOR draws the same screen without a single colour', async () => {
    const coloured = terminal();
    await launch(coloured);
    expect(coloured.screen({ escapes: true })).toMatch(/\u001B\[[0-9;]*3[0-9]m|\u001B\[[0-9;]*9[0-7]m/);
    coloured.press('q');

    const plain = terminal({ NO_COLOR: '1' });
    await launch(plain);
    const screen = plain.screen({ escapes: true });
    expect(screen).toContain('Lessons');
    expect(screen).not.toMatch(/\u001B\[[0-9;]*(3[0-8]|9[0-7]|4[0-8]|10[0-7])m/);
    plain.press('q');
    await plain.waitFor(PROMPT);
  }, 60_000);
});

test('without a terminal it prints the lessons and how to run one headless, and exits 0', () => {
  ensureBuilt();
  const out = execFileSync(process.execPath, [CLI], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  expect(out).toMatch(/Lessons:\n\s+direct-encryption\s+Direct encryption/);
  expect(out).toContain('kms-workshop run direct-encryption');
});
