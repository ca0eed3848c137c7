// The standards `check` holds a lesson to beyond loading: code that fits the
// 76 columns of the code panel, and a narrative that does not give away the
// error the step is about to show. Each problem names its file and line.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { formatProblem } from '../../src/lessons/errors.js';
import { loadLesson, loadLessons } from '../../src/lessons/loader.js';
import { checkLessonStandards, expectedErrorCodes } from '../../src/lessons/standards.js';

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

const WIDE = 'x'.repeat(70);

const MD = `---
id: wide-lesson
title: Wide
summary: s
minutes: 1
level: beginner
---

Intro.

## Encrypt

\`\`\`step
id: encrypt
function: encrypt
cli: |
  aws kms encrypt --key-id alias/kms-workshop-direct --plaintext fileb://NewSecretFile.txt
  aws kms list-keys
\`\`\`

Encrypt it.

## Decrypt

\`\`\`step
id: decrypt
function: decrypt
cli: aws kms decrypt --ciphertext-blob fileb://NewSecretsEncryptedFile.txt --output text --query Plaintext
\`\`\`

Decrypt it without the context: it fails with InvalidCiphertextException.
`;

const STEPS = `// A comment line shown above the step, ${WIDE}
export async function encrypt({ show }: any) {
  const fine = 'this line is short';
  return show.text(fine + '${WIDE}');
}

export async function decrypt({ expectError }: any) {
  return expectError(Promise.reject(new Error('x')), {
    code: 'InvalidCiphertextException',
    why: 'w',
    fix: 'f',
  });
}
`;

function fixture(md = MD, steps = STEPS) {
  const root = mkdtempSync(join(tmpdir(), 'kms-workshop-standards-'));
  roots.push(root);
  const dir = join(root, '01-wide');
  mkdirSync(dir);
  writeFileSync(join(dir, 'lesson.md'), md);
  writeFileSync(join(dir, 'steps.ts'), steps);
  const { lesson, problems } = loadLesson(dir);
  expect(problems).toEqual([]);
  return { dir, problems: checkLessonStandards(lesson!).map(formatProblem) };
}

test('a step function line wider than 76 columns is named with its steps.ts line, comment lines above included', () => {
  const { dir, problems } = fixture();
  const steps = join(dir, 'steps.ts');
  expect(problems).toContainEqual(expect.stringMatching(new RegExp(`^${steps}:1: step function encrypt: this line is 110 columns wide, more than the 76`)));
  expect(problems).toContainEqual(expect.stringMatching(new RegExp(`^${steps}:4: step function encrypt: this line is 100 columns wide`)));
  expect(problems.filter((p) => p.startsWith(steps))).toHaveLength(2);
});

test('a cli: line wider than 76 columns is named with its lesson.md line, in a block and on the field line', () => {
  const { dir, problems } = fixture();
  const md = join(dir, 'lesson.md');
  expect(problems).toContainEqual(expect.stringMatching(new RegExp(`^${md}:17: the cli: of step "Encrypt": this line is 88 columns wide`)));
  expect(problems).toContainEqual(expect.stringMatching(new RegExp(`^${md}:28: the cli: of step "Decrypt": this line is 101 columns wide`)));
});

test('the narrative above a step naming the error that step expects is a problem, on its line', () => {
  const { dir, problems } = fixture();
  expect(problems).toContainEqual(
    `${join(dir, 'lesson.md')}:31: step 'decrypt': the narrative names InvalidCiphertextException, the error this step expects, before the learner runs it; ask about the outcome (predict:) and explain it after the run (explain:)`,
  );
  expect(problems).toHaveLength(5);
});

test('a lesson within the standards has no problem: lines of exactly 76 columns, the error named only in explain:', () => {
  const md = MD.replace(/--plaintext fileb:\/\/NewSecretFile\.txt/, '\\\n    --plaintext fileb://NewSecretFile.txt')
    .replace('cli: aws kms decrypt --ciphertext-blob fileb://NewSecretsEncryptedFile.txt --output text --query Plaintext', 'cli: aws kms decrypt --ciphertext-blob fileb://x.txt\nexplain: It fails with InvalidCiphertextException.')
    .replace(': it fails with InvalidCiphertextException.', '.');
  const steps = STEPS.replace(`, ${WIDE}`, '').replace(`'${WIDE}'`, `'${'y'.repeat(76 - "  return show.text(fine + '');".length)}'`);
  expect(Math.max(...steps.split('\n').map((l) => l.length))).toBe(76);
  expect(fixture(md, steps).problems).toEqual([]);
});

test('the error codes a step declares are read from its expectError options', () => {
  expect(expectedErrorCodes(STEPS)).toEqual(['InvalidCiphertextException']);
  expect(expectedErrorCodes("expectError(p, { code: 'NoSuchBucket' }); expectError(q, {code: \"DisabledException\"})")).toEqual(['NoSuchBucket', 'DisabledException']);
});

test('the packaged lessons meet the standards', () => {
  const { lessons } = loadLessons();
  expect(lessons.flatMap(checkLessonStandards).map(formatProblem)).toEqual([]);
});
