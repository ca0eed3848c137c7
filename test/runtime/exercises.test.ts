// Exercises in the runtime, on small lesson folders written here: the loader
// refuses a malformed exercise with its line; run (and so check) runs an
// exercise's reference solution, then its checklist, and fails a solution
// that does not pass its own exercise, saying why.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { loadLesson } from '../../src/lessons/loader.js';
import { readProgress } from '../../src/runtime/progress.js';
import { openSession } from '../../src/runtime/session.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const STEPS = `import { CreateAliasCommand, CreateKeyCommand, EncryptCommand } from '@aws-sdk/client-kms';
import type { StepContext } from '../../src/runtime/context.js';

export async function makeKey({ kms }: StepContext) {
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
  await kms.send(new CreateAliasCommand({ AliasName: 'alias/exercise-test', TargetKeyId: KeyMetadata!.KeyId }));
}

export async function encryptIt({ kms }: StepContext) {
  await kms.send(new EncryptCommand({ KeyId: 'alias/exercise-test', Plaintext: Buffer.from('x'), EncryptionContext: { team: 'blue' } }));
}

export async function checkSomething({ calls, show }: StepContext) {
  show.check('exactly one Encrypt', calls.filter((c) => c.operation === 'Encrypt').length === 1, 'not one');
}
`;

function lessonFolder(exercise: string, steps = STEPS) {
  const root = mkdtempSync(join(tmpdir(), 'kmsws-exercise-lesson-'));
  dirs.push(root);
  // Inside the project, so steps.ts finds the SDK as the packaged lessons do.
  const dir = join(process.cwd(), 'test', 'runtime', 'fixtures', `_exercise-test-${Math.random().toString(36).slice(2, 8)}`);
  dirs.push(dir);
  mkdirSync(dir);
  writeFileSync(join(dir, 'steps.ts'), steps);
  writeFileSync(
    join(dir, 'lesson.md'),
    `---\nid: exercise-test\ntitle: T\nsummary: S.\nminutes: 1\nlevel: beginner\n---\n\nIntro.\n\n## Make a key\n\n\`\`\`step\nid: make-key\nfunction: makeKey\n\`\`\`\n\n## Your turn\n\n\`\`\`step\nid: your-turn\nfunction: encryptIt\n${exercise}\`\`\`\n\nEncrypt it.\n`,
  );
  return { dir, home: root };
}

test('an exercise whose reference solution misses its own checklist fails when run (as check runs it), saying why', async () => {
  const withoutVerify = STEPS.replace(/export async function checkSomething[\s\S]*$/, '');
  const { dir, home } = lessonFolder('exercise:\n  kind: terminal\n  calls:\n    - operation: Encrypt\n      key: alias/exercise-test\n      context: { team: red }\n', withoutVerify);
  const { lesson, problems } = loadLesson(dir);
  expect(problems).toEqual([]);
  const session = await openSession({ home, freshEngine: true });
  try {
    await session.runStep(lesson!, lesson!.steps[0]!);
    const outcome = await session.runStep(lesson!, lesson!.steps[1]!);
    expect(outcome.status).toBe('failed');
    if (outcome.status !== 'failed') return;
    expect(outcome.error.message).toContain('Encrypt with alias/exercise-test and the context team=red succeeding');
    expect(outcome.error.message).toContain('you called Encrypt with the encryption context team=blue, not team=red');
    expect(readProgress(home).lessons['exercise-test']?.steps['your-turn']).toBeUndefined();
  } finally {
    await session.close();
  }
}, 30_000);

test('an exercise whose solution meets its checklist and its verify function passes as solved, and progress says solved', async () => {
  const { dir, home } = lessonFolder('exercise:\n  kind: terminal\n  verify: checkSomething\n  calls:\n    - operation: Encrypt\n      key: alias/exercise-test\n      context: { team: blue }\n');
  const { lesson, problems } = loadLesson(dir);
  expect(problems).toEqual([]);
  const session = await openSession({ home, freshEngine: true });
  try {
    await session.runStep(lesson!, lesson!.steps[0]!);
    const outcome = await session.runStep(lesson!, lesson!.steps[1]!);
    expect(outcome.status === 'failed' ? outcome.error.message : '').toBe('');
    expect(outcome).toMatchObject({ status: 'passed', solved: true });
    expect(outcome.results.filter((r) => r.kind === 'check').map((r) => r.kind === 'check' && [r.label, r.ok])).toEqual([
      ['Encrypt with alias/exercise-test and the context team=blue succeeding', true],
      ['exactly one Encrypt', true],
    ]);
    const progress = readProgress(home).lessons['exercise-test']!;
    expect(progress.solved?.['your-turn']).toBeDefined();
    expect(progress.solved?.['make-key']).toBeUndefined();
  } finally {
    await session.close();
  }
}, 30_000);

test('the loader refuses a malformed exercise, each problem on its line', () => {
  const { dir } = lessonFolder(
    'exercise:\n  kind: shell\n  verify: notExported\n  colour: red\n  calls:\n    - operation: decrypt\n      context: project\n  files:\n    - sameAs: ../etc/passwd\n',
  );
  const { problems } = loadLesson(dir);
  const messages = problems.map((p) => `${p.line}: ${p.message}`).join('\n');
  expect(messages).toMatch(/exercise kind must be terminal .* or editor/);
  expect(messages).toMatch(/exercise: unknown field 'colour'/);
  expect(messages).toMatch(/needs operation: an API operation such as Decrypt \(got "decrypt"\)/);
  expect(messages).toMatch(/context must be name: text pairs/);
  expect(messages).toMatch(/sameAs must be a file name in the workspace/);
  expect(messages).toMatch(/an expected file needs path/);
  expect(problems.every((p) => p.line > 1)).toBe(true);
  // An editor exercise needs its starter; a verify must be exported.
  const editor = lessonFolder('exercise:\n  kind: editor\n  starter: missing.js\n  calls:\n    - operation: Encrypt\n');
  expect(loadLesson(editor.dir).problems.map((p) => p.message).join('\n')).toMatch(/starter 'missing\.js' is not in .*exercises/);
  const verify = lessonFolder('exercise:\n  kind: terminal\n  verify: notExported\n');
  expect(loadLesson(verify.dir).problems.map((p) => p.message).join('\n')).toMatch(/verify names 'notExported', but steps.ts exports no such function/);
});
