// `kms-workshop new-lesson DIR`: a lesson to start from, anywhere. lesson.md
// (front matter, an introduction, a step with a prediction and its
// explanation, the clean-up), steps.ts (the SDK and the step context, served
// by the installed kms-workshop: nothing to npm install), and a tsconfig.json
// that points the editor at the installed package's types. `check DIR` passes
// on it as made.
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { packageRoot } from '../package-paths.js';

export function newLesson(opts: { dir: string; out?: NodeJS.WritableStream; err?: NodeJS.WritableStream }): number {
  const out = opts.out ?? process.stdout;
  const err = opts.err ?? process.stderr;
  const dir = resolve(opts.dir);
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) {
      err.write(`kms-workshop new-lesson: ${dir} is a file; name a new or empty folder.\n`);
      return 2;
    }
    if (readdirSync(dir).length > 0) {
      err.write(`kms-workshop new-lesson: ${dir} is not empty; name a new or empty folder (nothing was written).\n`);
      return 2;
    }
  }
  const id = lessonId(basename(dir));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'lesson.md'), lessonMarkdown(id));
  writeFileSync(join(dir, 'steps.ts'), stepsSource(id));
  writeFileSync(join(dir, 'tsconfig.json'), `${JSON.stringify(editorConfig(packageRoot()), null, 2)}\n`);
  out.write(
    [
      `kms-workshop: a lesson '${id}' in ${dir}:`,
      '  lesson.md      what the learner reads, cut into steps',
      '  steps.ts       one exported function per step',
      "  tsconfig.json  for your editor: the types of the kms-workshop you ran",
      '',
      `Check it:  kms-workshop check ${opts.dir}`,
      `Run it:    kms-workshop run --lessons ${opts.dir} ${id}`,
      `Open it:   kms-workshop --lessons ${opts.dir}`,
      '',
    ].join('\n'),
  );
  return 0;
}

/** The folder's name as a lesson id (lower-case words joined by '-'). */
export function lessonId(folder: string): string {
  const words = folder
    .toLowerCase()
    .replace(/^\d+[-_ ]*/, '')
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  return words.length ? words.join('-') : 'my-lesson';
}

function lessonMarkdown(id: string): string {
  return `---
id: ${id}
title: Encrypt a text with a key of your own
summary: A lesson made with kms-workshop new-lesson; change this line to say what the learner does.
minutes: 5
level: beginner
---

Replace this introduction: it is the lesson's first page. Say what the
learner will do and why it matters, for someone who has not started yet.

Here you make a KMS key, encrypt a short text with it, and look at what
comes back. The format is described in kms-workshop's lessons/README.md.

## Encrypt a text

What the learner reads before the step runs. Do not tell the outcome here:
ask about it with \`predict:\` and explain it in \`explain:\`.

\`\`\`step
id: encrypt-a-text
function: encryptText
cli: |
  aws kms encrypt \\
    --key-id alias/kms-workshop-${id} \\
    --plaintext fileb://text.txt
predict:
  prompt: The text is 20 bytes long. How long is its ciphertext?
  choices:
    - 20 bytes, as long as the text
    - Longer than the text
  answer: 2
  explanation: >-
    The ciphertext also carries which key made it, a random IV and an
    authentication tag, so KMS can decrypt it and tell tampering.
explain: |
  KMS encrypted the text with a key that never leaves it. The ciphertext
  names the key, so Decrypt will not even need to be told which key.
\`\`\`

## Clean up

Deletes the alias and schedules the key's deletion, the shortest wait KMS
allows.

\`\`\`step
id: clean-up
function: cleanUp
\`\`\`
`;
}

function stepsSource(id: string): string {
  return `// One exported async function per step of lesson.md; what is shown on
// screen as the step's code is the function with the comments above it.
// kms-workshop serves these imports itself: no npm install here.
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  EncryptCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import type { StepContext } from 'kms-workshop';

export async function encryptText({ kms, names, show }: StepContext) {
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({
    Description: 'kms-workshop: ${id}',
  }));
  await kms.send(new CreateAliasCommand({
    AliasName: names.alias('kms-workshop-${id}'),
    TargetKeyId: KeyMetadata!.KeyId,
  }));
  const text = new TextEncoder().encode('A text of 20 bytes..');
  const { CiphertextBlob, KeyId } = await kms.send(new EncryptCommand({
    KeyId: names.alias('kms-workshop-${id}'),
    Plaintext: text,
  }));
  show.check(
    'the ciphertext is longer than the text',
    CiphertextBlob!.length > text.length,
  );
  return show.json({ KeyId, CiphertextBlob }, 'Encrypt response');
}

export async function cleanUp({ kms, names, show }: StepContext) {
  const alias = names.alias('kms-workshop-${id}');
  const { KeyMetadata } = await kms.send(
    new DescribeKeyCommand({ KeyId: alias }),
  );
  await kms.send(new DeleteAliasCommand({ AliasName: alias }));
  await kms.send(new ScheduleKeyDeletionCommand({
    KeyId: KeyMetadata!.KeyId,
    PendingWindowInDays: 7,
  }));
  return show.text(\`\${alias} deleted; its key is pending deletion\`);
}
`;
}

/**
 * For the editor only (kms-workshop compiles steps.ts itself): 'kms-workshop' is the installed
 * package's types. The SDK's types are taken from where those types find them (a clone of the
 * project, or a project that installed the SDK beside kms-workshop), so both agree; where there
 * are none, untyped.d.ts makes the SDK 'any' (the installed package carries it untyped in its bundle).
 */
function editorConfig(pkg: string) {
  const types = join(pkg, 'dist', 'types');
  const paths: Record<string, string[]> = { 'kms-workshop': [join(types, 'index.d.ts')] };
  const seenFromTypes = createRequire(join(types, 'index.d.ts'));
  for (const [scope, probe] of [['@aws-sdk', '@aws-sdk/client-kms'], ['@aws-crypto', '@aws-crypto/client-node']] as const) {
    try {
      paths[`${scope}/*`] = [join(dirname(dirname(seenFromTypes.resolve(`${probe}/package.json`))), '*')];
    } catch {
      // not installed: untyped.d.ts
    }
  }
  return {
    compilerOptions: {
      target: 'ES2022',
      lib: ['ES2022', 'DOM'],
      module: 'ESNext',
      moduleResolution: 'Bundler',
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: [],
      paths,
    },
    include: ['**/*.ts', join(types, 'untyped.d.ts')],
  };
}
