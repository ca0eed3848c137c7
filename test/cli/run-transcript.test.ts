// `kms-workshop run <lesson> --transcript FILE.md`: a Markdown record of the
// lesson as it ran, with secrets masked: the data key's plaintext, recovered
// here from the engine afterwards, never appears in it.
import { CancelKeyDeletionCommand, DecryptCommand, EnableKeyCommand, ListKeysCommand } from '@aws-sdk/client-kms';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { lessonTranscript } from '../../src/commands/transcript.js';
import { loadLessons } from '../../src/lessons/loader.js';
import { CLI, ensureBuilt } from '../helpers/cli.js';
import { startTestEngine } from '../helpers/engine.js';

const temp: string[] = [];
function tempDir() {
  const d = mkdtempSync(join(tmpdir(), 'kms-workshop-transcript-'));
  temp.push(d);
  return d;
}
function cli(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => ensureBuilt());
afterAll(() => temp.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('kms-workshop run --transcript', () => {
  test('records the lesson: intro, each step’s narrative, code, CLI, calls with who made them, results and questions; never the data key', async () => {
    const home = tempDir();
    const file = join(tempDir(), 'envelope.md');
    const r = cli(['run', 'envelope-encryption', '--home', home, '--transcript', file]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`transcript written to ${file}`);
    const md = readFileSync(file, 'utf8');
    const lesson = loadLessons().lessons.find((l) => l.id === 'envelope-encryption')!;

    expect(md).toMatch(/^# Envelope encryption with a data key\n/);
    expect(md).toContain(lesson.intro.trim().split('\n')[0]);
    for (const [i, step] of lesson.steps.entries()) {
      expect(md).toContain(`## ${i + 1}. ${step.title}`);
      expect(md).toContain(step.text.trim().split('\n')[0]);
      expect(md).toContain(step.source.split('\n')[0]);
      if (step.cli) expect(md).toContain(step.cli.split('\n')[0]);
      if (step.question) expect(md).toContain(`**Question:** ${step.question.prompt}`);
    }
    expect(md).toMatch(/kms:GenerateDataKey {2}you {2}key .*context project=workshop {2}ok/);
    expect(md).toContain('expected error: InvalidCiphertextException from Decrypt');
    expect(md).toMatch(/"Plaintext": "..\*\*\.\.\.\*\*..."/);
    expect(md).not.toContain('_Not run._');

    // The data key, recovered from the engine the run left in the home: in no form in the transcript.
    const engine = await startTestEngine({ home });
    try {
      for (const { KeyId } of (await engine.kms.send(new ListKeysCommand({}))).Keys ?? []) {
        await engine.kms.send(new CancelKeyDeletionCommand({ KeyId })).catch(() => {});
        await engine.kms.send(new EnableKeyCommand({ KeyId })).catch(() => {});
      }
      const blob = readFileSync(join(home, 'workspace', lesson.slug, 'datakeyEncrypted.txt'));
      const { Plaintext } = await engine.kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: { project: 'workshop' } }));
      const key = Buffer.from(Plaintext!);
      expect(key.length).toBe(32);
      for (const form of [key.toString('base64'), key.toString('hex'), key.toString('base64').slice(5, 25)]) expect(md).not.toContain(form);
    } finally {
      await engine.stop();
    }
  });

  test('a secret in a result that reached the transcript unmasked is masked there; a step not run says so; the answer given is recorded', () => {
    const lesson = loadLessons().lessons.find((l) => l.id === 'envelope-encryption')!;
    const [first, second] = lesson.steps;
    const withQuestion = lesson.steps.find((s) => s.question)!;
    const key = Buffer.alloc(32, 7);
    const md = lessonTranscript({
      lesson,
      target: 'local engine',
      steps: new Map([[first!.id, { status: 'passed', calls: [], results: [{ kind: 'json', value: { Plaintext: key.toString('base64'), KeyId: 'k' } }], durationMs: 5 }]]),
      answers: new Map([[`${withQuestion.id}/question`, 0]]),
    });
    expect(md).not.toContain(key.toString('base64'));
    expect(md).toContain(`"Plaintext": "Bw**...**wc="`);
    expect(md).toMatch(new RegExp(`## 2\\. ${second!.title.replace(/[()]/g, '.')}[\\s\\S]*_Not run\\._`));
    expect(md).toContain(`Answered: 1. ${withQuestion.question!.choices[0]}`);
  });

  test('a transcript that cannot be written fails the run with the reason; --transcript is for run only', () => {
    const r = cli(['run', 'direct-encryption', '--fresh', '--transcript', join(tempDir(), 'no', 'such', 'folder', 'x.md')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/could not write the transcript to .*x\.md: ENOENT/);
    expect(cli(['list', '--transcript', 'x.md']).code).toBe(2);
  });
});
