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

for (const file of mutate.flatMap(filesOf)) await import(join(root, file));
