// What the engine noticed at start-up and did not obey (a saved clock it could not use)
// reaches the learner in one line wherever the engine runs: the runtime session, `run`
// (serve: test/e2e/serve-signals.test.ts) and the TUI's home screen.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import React from 'react';
import { afterEach, expect, test } from 'vitest';
import { openSession } from '../../src/runtime/session.js';
import { Home } from '../../src/tui/screens/home.js';
import { tempHome } from '../helpers/engine.js';
import { CLI, ensureBuilt } from '../helpers/cli.js';

const NOTE = /^The engine clock starts from the real time: the saved one could not be used \(it is negative \(the engine clock never runs behind real time\)\) and was set aside from .*clock\.json to clock\.json\.unusable\.$/;

const homes: string[] = [];
afterEach(() => {
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});
function homeWithBadClock() {
  const home = tempHome();
  homes.push(home);
  mkdirSync(join(home, 'engine'), { recursive: true });
  writeFileSync(join(home, 'engine', 'clock.json'), '{"aheadSeconds":-3600}');
  return home;
}

test('a session on the local engine carries the note; a second start has nothing to say', async () => {
  const home = homeWithBadClock();
  const session = await openSession({ home });
  expect(session.notes).toEqual([expect.stringMatching(NOTE)]);
  await session.close();
  const again = await openSession({ home });
  expect(again.notes).toEqual([]);
  await again.close();
});

test('run prints the note on stderr in one line and runs the lesson', () => {
  ensureBuilt();
  const home = homeWithBadClock();
  const r = spawnSync(process.execPath, [CLI, 'run', 'direct-encryption', '--home', home], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status).toBe(0);
  expect(r.stderr.split('\n').filter(Boolean)).toEqual([expect.stringMatching(/^kms-workshop run: note: The engine clock starts from the real time: /)]);
});

test('the TUI home screen shows the note under the target, on one line', () => {
  const note = 'The engine clock starts from the real time: the saved one could not be used (it is negative) and was set aside from /home/me/.kms-workshop/engine/clock.json to clock.json.unusable.';
  const { lastFrame } = render(
    <Home lessons={[]} progressOf={() => ({ state: 'new', total: 1 })} target="local engine at http://127.0.0.1:4599" targetState="ready" targetNote={note} workspace="/w" width={80} onOpen={() => {}} />,
  );
  const lines = lastFrame()!.split('\n');
  const at = lines.findIndex((l) => l.startsWith('Target '));
  expect(lines[at + 1]).toMatch(/^Note The engine clock starts from the real time: the saved one could not be u.*…$/);
  expect(lines[at + 2]).toMatch(/^Files /);
});
