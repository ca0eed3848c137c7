// `kms-workshop join URL --profile learner1` in a real pseudo-terminal (tmux), against a class
// engine of its own process: the tutorial opens on the class engine, a step runs in the
// learner's account and the instructor's room shows where they are; the AWS CLI exercise says
// how a second shell signs as the learner; the engine gone, the next
// step says so plainly and how to carry on; q gives the terminal back.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, expect, test } from 'vitest';
import { ClassClient } from '../../src/runtime/class-client.js';
import { readClassProfile } from '../../src/runtime/class-target.js';
import { CLI, ensureBuilt, startServe, type Served } from '../helpers/cli.js';
import { tempHome } from '../helpers/engine.js';
import { hasTmux, Terminal } from '../tui/tmux.js';

const PROMPT = /^ready\$\s*$/m;
const cleanUp: (() => Promise<unknown> | void)[] = [];
beforeAll(() => {
  ensureBuilt();
  expect(hasTmux, 'tmux is needed for the real-terminal tests (apt-get install tmux)').toBe(true);
});
afterEach(async () => {
  for (const f of cleanUp.splice(0).reverse()) await f();
});

test('the tutorial joined: a step runs in the learner\'s account, the instructor sees the step, the exercise names the profile for a second shell, and the engine gone says so plainly', async () => {
  const home = tempHome();
  cleanUp.push(() => rmSync(home, { recursive: true, force: true }));
  const served: Served = await startServe(['--home', home, '--learners', '1']);
  cleanUp.push(() => (served.child.signalCode === null ? served.stop() : undefined)); // killed below: nothing to stop
  const credentials = join(home, 'class', 'credentials');
  const t = new Terminal({ columns: 100, rows: 30, env: { KMS_WORKSHOP_HOME: '' } });
  cleanUp.push(() => t.close());

  await t.waitFor(PROMPT);
  t.type(`KMS_WORKSHOP_HOME=${join(t.dir, 'home')} ${process.execPath} ${CLI} join ${served.endpoint} --profile learner1 --credentials ${credentials}`);
  let screen = await t.waitFor(new RegExp(`class engine at ${served.endpoint.replace(/\./g, '\\.')}, as learner1 \\(account \\d{12}\\)`), 30_000);
  expect(screen).toMatch(/› 1\. Direct encryption/);

  t.press('Enter');
  await t.waitFor(/introduction/);
  t.press('Enter');
  await t.waitFor(/step 1 of \d+/);
  t.press('Enter');
  screen = await t.waitFor('✔ done', 30_000);
  expect(screen).toMatch(/✔ CreateKey\s+you/);

  const instructor = await readClassProfile({ profile: 'instructor', credentialsFile: credentials });
  const room = new ClassClient({ endpoint: served.endpoint, region: instructor.region, credentials: instructor });
  await expect.poll(async () => (await room.room()).learners[0]?.progress?.step, { timeout: 10_000 }).toBe(1);

  // The AWS CLI exercise (step 6): the second shell's lines sign as learner1, with the files' full paths.
  for (let i = 0; i < 5; i++) t.press('Right');
  screen = await t.waitFor(/step 6 of \d+/);
  const flat = screen.replace(/\s+/g, ' ');
  expect(flat).toContain(`export AWS_PROFILE=learner1 AWS_ENDPOINT_URL=${served.endpoint}`);
  expect(flat).toContain(`AWS_SHARED_CREDENTIALS_FILE=${credentials}`);
  for (let i = 0; i < 4; i++) t.press('Left');
  await t.waitFor(/step 2 of \d+/);

  served.child.kill('SIGKILL');
  t.press('Enter');
  screen = await t.waitFor(/lost the class engine/, 30_000);
  expect(screen.replace(/\s+/g, ' ')).toContain(`lost the class engine at ${served.endpoint}; your progress is saved; run the same join command to resume`);
  expect(screen).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  t.press('q');
  await t.waitFor(PROMPT);
}, 120_000);
