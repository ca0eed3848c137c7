// The TUI's engine listens on a port a second shell can count on: 4599, else
// the next free one of a few, else any free one; loopback only.
import { createServer, type Server } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { STABLE_PORT, STABLE_PORT_TRIES, startLocalTarget } from '../../src/runtime/local-target.js';
import type { Target } from '../../src/runtime/target.js';

let open: Target[] = [];
let held: Server[] = [];
afterEach(async () => {
  await Promise.all(open.map((t) => t.close()));
  await Promise.all(held.map((s) => new Promise((r) => s.close(r))));
  open = [];
  held = [];
});

async function target(port: number | 'stable') {
  const t = await startLocalTarget({ home: null, port });
  open.push(t);
  return t;
}
const portOf = (t: Target) => Number(new URL(t.clientSettings.endpoint!).port);

/** Takes a loopback port if it is free; false when something else has it. */
function hold(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      held.push(s);
      resolve(true);
    });
  });
}

test('the stable port is 4599 or, when it is taken, the next free one: two engines side by side get two ports of the range', async () => {
  const first = await target('stable');
  const second = await target('stable');
  expect(new URL(first.clientSettings.endpoint!).hostname).toBe('127.0.0.1');
  for (const t of [first, second]) {
    expect(portOf(t)).toBeGreaterThanOrEqual(STABLE_PORT);
    expect(portOf(t)).toBeLessThan(STABLE_PORT + STABLE_PORT_TRIES);
  }
  expect(portOf(second)).toBeGreaterThan(portOf(first));
  const kms = await fetch(`${first.clientSettings.endpoint}/`, { method: 'POST', headers: { 'x-amz-target': 'TrentService.ListKeys', 'content-type': 'application/x-amz-json-1.1' }, body: '{}' });
  expect(kms.status).toBeLessThan(500);
});

test('with every port of the range taken, any free port will do', async () => {
  for (let p = STABLE_PORT; p < STABLE_PORT + STABLE_PORT_TRIES; p++) await hold(p);
  const t = await target('stable');
  expect(portOf(t) < STABLE_PORT || portOf(t) >= STABLE_PORT + STABLE_PORT_TRIES).toBe(true);
});

test('a port chosen with --port is that port exactly, and an error when taken', async () => {
  const probe = await target(0);
  const free = portOf(probe);
  await probe.close();
  open = open.filter((t) => t !== probe);
  expect(portOf(await target(free))).toBe(free);
  await expect(target(free)).rejects.toMatchObject({ code: 'EADDRINUSE' });
});
