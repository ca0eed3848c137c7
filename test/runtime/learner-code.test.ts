import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { LearnerCodeError, loadLearnerFunction } from '../../src/runtime/exercises/learner-code.js';

const dir = mkdtempSync(join(tmpdir(), 'learner-code-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, source: string) => {
  const path = join(dir, name);
  writeFileSync(path, source);
  return path;
};

test('an exercise file imports the SDK clients the lessons carry (IAM and STS too) and node built-ins, and runs', async () => {
  const path = file('ok.mjs', [
    "import { KMSClient } from '@aws-sdk/client-kms';",
    "import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';",
    "import { join } from 'node:path';",
    'export default async function (ctx) {',
    "  return [typeof KMSClient, typeof GetCallerIdentityCommand, join('a', 'b')];",
    '}',
  ].join('\n'));
  const step = await loadLearnerFunction(path);
  expect(await step({} as never)).toEqual(['function', 'function', join('a', 'b')]);
});

test('a package the workshop does not carry, or a name an object happens to have, is refused on its line', async () => {
  for (const name of ['lodash', 'toString', 'constructor', 'kms-workshop']) {
    const path = file(`${name}.mjs`, `// line 1\nimport x from '${name}';\nexport default async function () {}\n`);
    const error = await loadLearnerFunction(path).catch((e: unknown) => e);
    expect(error, name).toBeInstanceOf(LearnerCodeError);
    expect((error as Error).message).toContain(`${path}:2: an exercise file can import only @aws-sdk/client-kms`);
    expect((error as Error).message).toContain(`(not '${name}')`);
  }
});
