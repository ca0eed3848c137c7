import { expect, test } from 'vitest';
import { untilExit } from '../../src/tui/terminal.js';

/** An app that ends when unmounted, or with `fail`. */
function app() {
  let end!: () => void;
  let fail!: (e: unknown) => void;
  const exited = new Promise<void>((resolve, reject) => ((end = resolve), (fail = reject)));
  const state = { unmounted: 0, fail };
  return { state, unmount: () => (state.unmounted++, end()), waitUntilExit: () => exited };
}

function screen() {
  const state = { restored: 0 };
  return { state, restore: () => void state.restored++ };
}

test('SIGTERM from outside unmounts the app; the screen is given back and nothing crashed', async () => {
  const a = app();
  const s = screen();
  const done = untilExit(a, s);
  process.emit('SIGTERM');
  expect(await done).toEqual({});
  expect(a.state.unmounted).toBe(1);
  expect(s.state.restored).toBe(1);
  // its listeners are gone: a later signal does not reach the app
  expect(process.listenerCount('SIGTERM')).toBe(0);
});

test('an error nothing caught unmounts the app and is returned, the screen given back', async () => {
  const a = app();
  const s = screen();
  const done = untilExit(a, s);
  const boom = new Error('boom');
  process.emit('uncaughtException', boom);
  expect(await done).toEqual({ crashed: boom });
  expect(a.state.unmounted).toBe(1);
  expect(s.state.restored).toBe(1);
});

test('an app that fails on its own is a crash too, and the screen is still given back', async () => {
  const a = app();
  const s = screen();
  const done = untilExit(a, s);
  const boom = new Error('render failed');
  a.state.fail(boom);
  expect(await done).toEqual({ crashed: boom });
  expect(s.state.restored).toBe(1);
});
