// Loaded first in every test file when StrykerJS runs the suite (vitest.mutation.config.ts):
// imports every module `npm run mutate` mutates, before any test starts. A module first
// imported inside a test (a dynamic import) would otherwise have its load-time code
// counted as covered by that one test, and its mutants run against that test alone.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const { mutate } = JSON.parse(readFileSync(join(root, 'stryker.config.json'), 'utf8')) as { mutate: string[] };

function filesOf(pattern: string): string[] {
  if (!pattern.includes('*')) return [pattern];
  const dir = pattern.slice(0, pattern.indexOf('/*'));
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => join(dir, f));
}

/** Stryker's instrumentation namespace: only a module this run mutates contains it. */
const INSTRUMENTED = 'stryNS_9fa48';

// Only the modules this run mutates (`--mutate` may name one): importing all of them again for
// every mutant made a one-module run spend most of its time loading modules it does not mutate.
for (const file of mutate.flatMap(filesOf)) {
  if (readFileSync(join(root, file), 'utf8').includes(INSTRUMENTED)) await import(join(root, file));
}
