// The lesson screen at the size a learner has (80x24 in a terminal; 100x24 here):
// a call opened in full, what the call pane says, the code folded once the
// step has run, hints and question choices kept in view (issue 14, the screen).
import { Box } from 'ink';
import { render } from 'ink-testing-library';
import React from 'react';
import { afterEach, expect, test } from 'vitest';
import type { Lesson } from '../../src/runtime/types.js';
import { App } from '../../src/tui/app.js';
import { Question } from '../../src/tui/question.js';
import { fakeSession, KEYS, lesson, memoryProgress, step, tick, waitForFrame, type Script } from './fake-workshop.js';

let cleanup: Array<() => void> = [];
afterEach(() => {
  cleanup.forEach((c) => c());
  cleanup = [];
});

async function open(lessons: Lesson[], scripts: Record<string, Script> = {}) {
  const fake = fakeSession(scripts);
  const app = render(<App lessons={lessons} workspaceRoot="/ws" openSession={async () => fake.session} progress={memoryProgress()} reportError={(_, e) => ({ message: String(e) })} />);
  cleanup.push(app.unmount);
  await waitForFrame(app.lastFrame, 'Target local engine');
  app.stdin.write(KEYS.enter);
  await waitForFrame(app.lastFrame, /step 1 of/);
  return { ...app, fake };
}

const S3_ARN = 'arn:aws:s3:::kms-workshop-sse-usecase-1-111122223333-bucket/plaintext_u.txt';
const DATA_KEY = 'q9VzVd3kE1TtXgPj0mC4aGm8b1u2Y3x5N7w9Z0rQsLk=';

test('a: the calls of a step; Enter opens one in full with its whole encryption context and masked data key; Esc goes back', async () => {
  const { lastFrame, stdin } = await open([lesson('sse', [step('download')])], {
    download: {
      calls: [
        { operation: 'GetObject', service: 's3', bucket: 'b', objectKey: 'plaintext_u.txt' },
        {
          operation: 'Decrypt',
          caller: 's3.amazonaws.com',
          keyId: 'arn:aws:kms:us-east-1:111122223333:key/0f6c3d4e-1111-2222-3333-444455556666',
          encryptionContext: { 'aws:s3:arn': S3_ARN },
          request: { CiphertextBlob: 'AQIDAHh...', EncryptionContext: { 'aws:s3:arn': S3_ARN } },
          response: { Plaintext: DATA_KEY, KeyId: 'arn:aws:kms:us-east-1:111122223333:key/0f6c3d4e-1111-2222-3333-444455556666' },
        },
      ],
    },
  });
  stdin.write(KEYS.enter);
  await waitForFrame(lastFrame, '✔ done');
  stdin.write('a');
  await waitForFrame(lastFrame, 'Enter opens one in full');
  stdin.write(KEYS.enter);
  let frame = await waitForFrame(lastFrame, 'Esc back to the calls');
  expect(frame).toContain('Decrypt');
  expect(frame).toContain('s3.amazonaws.com for you');
  expect(frame.replace(/\s+/g, '')).toContain(`aws:s3:arn=${S3_ARN}`);
  expect(frame).toContain('key/0f6c3d4e-1111-2222-3333-444455556666');
  for (let i = 0; i < 30; i++) stdin.write(KEYS.down);
  frame = await waitForFrame(lastFrame, '"Plaintext"');
  expect(frame).toContain('"q9**...**Lk="');
  expect(frame).not.toContain(DATA_KEY);
  expect(frame).not.toContain(DATA_KEY.slice(2, 20));
  stdin.write(KEYS.esc);
  await waitForFrame(lastFrame, 'Enter opens one in full');
  stdin.write(KEYS.up);
  await tick();
  stdin.write(KEYS.enter);
  frame = await waitForFrame(lastFrame, 'Esc back to the calls');
  expect(frame).toContain('GetObject');
  expect(frame).toContain('s3://b/plaintext_u.txt');
  stdin.write(KEYS.esc);
  await waitForFrame(lastFrame, 'Enter opens one in full');
  stdin.write(KEYS.esc);
  frame = await waitForFrame(lastFrame, '✔ done');
  expect(frame).toContain('step 1 of 1');
});

test('after a run that made no calls the call pane says so, not "no API calls yet: run the step"', async () => {
  const { lastFrame, stdin } = await open([lesson('quiet', [step('think')])]);
  expect(lastFrame()).toContain('no API calls yet');
  stdin.write(KEYS.enter);
  const frame = await waitForFrame(lastFrame, '✔ done');
  await tick();
  expect(lastFrame()).toContain('this step made no API calls');
  expect(lastFrame()).not.toContain('no API calls yet: run the step');
  expect(frame).toBeTruthy();
});

test('c on a step with no AWS CLI equivalent says so and does not title its code "AWS CLI"', async () => {
  const { lastFrame, stdin } = await open([lesson('nocli', [step('random')])]);
  stdin.write('c');
  const frame = await waitForFrame(lastFrame, 'has no AWS CLI equivalent');
  expect(frame).not.toMatch(/^AWS CLI/m);
  expect(frame).toContain('Code · steps.ts line 10');
});

test("a step title's backticks are drawn as code, not shown", async () => {
  const { lastFrame } = await open([lesson('ticks', [step('decrypt', { title: 'Decrypt with `aws kms decrypt`' })])]);
  const frame = await waitForFrame(lastFrame, '1. Decrypt with aws kms decrypt');
  expect(frame).not.toContain('`');
});

test('the code folds once the step has run, giving the results the room; v shows it again', async () => {
  const { lastFrame, stdin } = await open([lesson('fold', [step('encrypt')])], { encrypt: { results: [{ kind: 'text', text: 'the ciphertext is here' }] } });
  expect(lastFrame()).toContain('export async function encrypt');
  stdin.write(KEYS.enter);
  let frame = await waitForFrame(lastFrame, 'the ciphertext is here');
  expect(frame).not.toContain('export async function encrypt');
  expect(frame).toContain('v: show it');
  stdin.write('v');
  frame = await waitForFrame(lastFrame, 'export async function encrypt');
});

test('h while scrolled down brings the hint it opens into view', async () => {
  const narrative = Array.from({ length: 40 }, (_, i) => `- narrative line ${i + 1}`).join('\n');
  const source = `export async function long({kms}: StepContext) {\n${Array.from({ length: 40 }, (_, i) => `  const line${i} = ${i};`).join('\n')}\n}`;
  const { lastFrame, stdin } = await open([lesson('hints', [step('long', { text: narrative, source, hint: 'Use the alias, not the key id.' })])]);
  for (let i = 0; i < 120; i++) stdin.write(KEYS.down);
  await waitForFrame(lastFrame, 'Press Enter to run this step');
  stdin.write('h');
  await waitForFrame(lastFrame, 'Use the alias, not the key id.');
});

test("whenever a step opens, a question whose prompt is on screen has its choices on screen too", async () => {
  // Narratives of 8 to 22 rows put the prediction's prompt at every row near the fold.
  const steps = Array.from({ length: 15 }, (_, n) =>
    step(`s${n}`, {
      text: Array.from({ length: 8 + n }, (_, i) => `- line ${i + 1}`).join('\n'),
      predict: { prompt: `Guess ${n}?`, choices: ['first choice', 'second choice', 'third choice'], answer: 0, explanation: 'because' },
    }),
  );
  const { lastFrame, stdin } = await open([lesson('predict', steps)]);
  for (let n = 0; n < steps.length; n++) {
    const frame = await waitForFrame(lastFrame, `step ${n + 1} of ${steps.length}`);
    await tick(150);
    const now = lastFrame()!;
    if (now.includes(`Guess ${n}?`)) for (const c of ['first choice', 'second choice', 'third choice']) expect(now, `step ${n + 1}:\n${now}`).toContain(c);
    expect(frame).toBeTruthy();
    stdin.write(KEYS.right);
  }
});

test('a choice that wraps keeps its indent, under its own text', () => {
  const { lastFrame } = render(
    <Box width={40}>
      <Question prompt="Which is sent to KMS?" choices={['short', 'only the encrypted data key and the encryption context, never the file']} answer={1} explanation="x" />
    </Box>,
  );
  const lines = lastFrame()!.split('\n');
  const at = lines.findIndex((l) => l.includes('2. only'));
  expect(lines[at + 1]).toMatch(/^ {5}\S/);
});

test('a menu title is cut only when the screen has no room for it (not at 100 columns)', async () => {
  const long = 'Server-side encryption of an S3 object with a KMS key';
  const fake = fakeSession({});
  const app = render(<App lessons={[lesson('sse', [step('one')], { title: long })]} workspaceRoot="/ws" openSession={async () => fake.session} progress={memoryProgress()} reportError={(_, e) => ({ message: String(e) })} />);
  cleanup.push(app.unmount);
  const frame = await waitForFrame(app.lastFrame, 'Target local engine');
  expect(frame).toContain(`1. ${long}`);
});
