// The built CLI, as a user or CI runs it: no TTY, plain output, exit codes.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { lockHome } from '../../src/engine/home-lock.js';
import { loadLessons } from '../../src/lessons/loader.js';
import { CLI, ensureBuilt, ROOT } from '../helpers/cli.js';

const temp: string[] = [];
function tempDir(base = tmpdir(), prefix = 'kms-workshop-cli-') {
  const d = mkdtempSync(join(base, prefix));
  temp.push(d);
  return d;
}
function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// The packaged lessons, counted as the CLI counts them: a new lesson needs no edit here.
const packaged = loadLessons().lessons;
const LESSONS = packaged.length;
const STEPS = packaged.reduce((n, l) => n + l.steps.length, 0);

beforeAll(() => ensureBuilt());
afterAll(() => temp.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('kms-workshop run', () => {
  test('run all passes every step of every packaged lesson, offline, and list then shows them done', () => {
    expect(LESSONS).toBeGreaterThanOrEqual(8);
    const home = tempDir();
    const r = cli(['run', 'all', '--home', home]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`running ${LESSONS} lessons against the local engine at http://127\\.0\\.0\\.1:\\d+`));
    expect(r.stdout).toMatch(new RegExp(`^${LESSONS} lessons, ${STEPS} steps: ${STEPS} passed, 0 failed in \\d+\\.\\d\\d s$`, 'm'));
    expect(r.stdout).toContain('expected error: InvalidCiphertextException from Decrypt');
    expect(r.stdout).toContain('diff plaintext_u.txt plaintext_u_cycled.txt: identical');
    expect(r.stdout).toMatch(/call {2}kms:GenerateDataKey {2}s3\.amazonaws\.com on your behalf/);
    expect(r.stdout).toMatch(/GenerateDataKey +1 {2}by you/);
    expect(r.stdout).toMatch(/fast-forwarded the local engine clock by 120 s/);
    expect(r.stdout).not.toMatch(/\n\s+at .+:\d+:\d+/);

    const list = cli(['list', '--home', home]);
    expect(list.code).toBe(0);
    // Headless, an exercise runs its reference solution: done, with the exercises solved rather than passed.
    const progress = list.stdout.trim().split('\n').slice(1);
    expect(progress.map((l) => l.replace(/ \(\d+ solved\)$/, '').split(/\s+/).at(-1))).toEqual(Array(LESSONS).fill('done'));
    expect(progress[0]).toMatch(/done \(2 solved\)$/);
    const again = cli(['run', 'all', '--home', home]); // the engine state in the home is reused
    expect(again.code).toBe(0);
  }, 180_000); // ten lessons, lesson 11 waits out real backoff: about 17 s alone, more on a loaded machine

  test('--json: one JSON object per step, with calls and masked results', () => {
    const r = cli(['run', 'envelope-encryption', '--json', '--fresh', '--home', tempDir()]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.step, l.status])).toEqual([
      ['create-key-and-secret', 'passed'],
      ['encrypt-with-data-key', 'passed'],
      ['openssl-trap', 'passed'],
      ['decrypt-key-without-context', 'passed'],
      ['decrypt-key-yourself', 'passed'],
      ['decrypt-key-and-file', 'passed'],
      ['clean-up', 'passed'],
    ]);
    // An exercise says so, and that its reference solution did it.
    expect(lines[4]).toMatchObject({ exercise: 'terminal', solved: true });
    expect(lines[3]).not.toHaveProperty('exercise');
    const generate = lines[1];
    expect(generate.calls[0]).toMatchObject({ operation: 'GenerateDataKey', caller: 'you', encryptionContext: { project: 'workshop' }, outcome: { ok: true } });
    expect(generate.results[0].value.Plaintext).toMatch(/^.{2}\*\*\.\.\.\*\*.{3}$/);
    expect(generate.results.find((x: { kind: string }) => x.kind === 'hexdump').bytes).toMatch(/^[0-9a-f]+$/);
    expect(r.stderr).toMatch(/1 lesson, 7 steps: 7 passed, 0 failed/);
  });

  test("each lesson's introduction and what it is based on come before its first step, in the log and in --json", () => {
    const r = cli(['run', 'direct-encryption', '--fresh', '--home', tempDir()]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^== direct-encryption: Direct encryption with a KMS key \(\d+ steps, workspace .*\)\n\n {4}KMS can encrypt data for you directly: you send up to 4 KB, KMS encrypts it\n[\s\S]*\n {4}Based on:\n {4}- AWS KMS workshop, section 2: Encryption using AWS KMS with no data key\n {4}- KMS study notes: API summary and the 4 KB limit\n\n\[1\/\d+\] Create a KMS key$/m,
    );
    const json = cli(['run', 'envelope-encryption', '--json', '--fresh', '--home', tempDir()]);
    const [first, second] = json.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(first.intro).toMatch(/^KMS encrypts at most 4 KB itself\. For anything else you use \*\*envelope/);
    expect(first.basedOn).toEqual(['AWS KMS workshop, section 2: How envelope encryption works in practice', 'KMS developer demo: data keys in code, the IV in the file header']);
    expect(second).not.toHaveProperty('intro');
  });

  test('lessons can be named by number or folder; an unknown one is a usage error', () => {
    const named = cli(['run', '1', '01-direct-encryption', 'envelope', '--fresh', '--home', tempDir()]);
    expect(named.code).toBe(0);
    // lesson 1 twice (by number and by folder), then lesson 2: counted, since steps are added to them
    const named3 = 2 * packaged[0]!.steps.length + packaged[1]!.steps.length;
    expect(named.stdout).toMatch(new RegExp(`^3 lessons, ${named3} steps: ${named3} passed`, 'm'));
    const r = cli(['run', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`kms-workshop run: no lesson 'nope'. Lessons: ${packaged.map((l) => l.id).join(', ')}, or all.\n`);
    expect(cli(['run']).code).toBe(2);
    expect(cli(['run', 'all', '--bogus']).stderr).toMatch(/^kms-workshop run: Unknown option '--bogus'/);
  });

  test('a reader that goes away (| head) stops the run quietly', () => {
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${CLI}" run all --fresh --home "${tempDir()}" | head -1`], { encoding: 'utf8' });
    expect(r.stdout).toMatch(new RegExp(`^kms-workshop: running ${LESSONS} lessons`));
    expect(r.stderr).toBe('');
  });

  test('a home held by another process is one clear line, exit 1', () => {
    const home = tempDir();
    mkdirSync(join(home, 'engine'), { recursive: true });
    // the engine's lock, taken by a live process: this test's own
    const lock = lockHome(join(home, 'engine'));
    const r = cli(['run', '1', '--home', home]);
    lock.release();
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^kms-workshop run: The engine state in .* is in use by another kms-workshop process \(pid \d+\)/);
  });
});

describe('kms-workshop check', () => {
  test('the packaged lessons are valid and pass end to end', () => {
    const r = cli(['check']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^${LESSONS} lessons valid, 0 problems$`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^${LESSONS} lessons, ${STEPS} steps: ${STEPS} passed, 0 failed`, 'm'));
  });

  test("an author's new lesson folder, outside the build, is compiled and run; problems are file:line", () => {
    // inside the project, so its steps.ts resolves the SDK from node_modules like an author's clone
    const dir = tempDir(join(ROOT, 'test', 'cli'), '.author-');
    const good = join(dir, '01-new-lesson');
    cpSync(join(ROOT, 'test', 'runtime', 'fixtures', '01-behaviours'), good, { recursive: true });
    writeFileSync(
      join(good, 'lesson.md'),
      `---\nid: new-lesson\ntitle: New\nsummary: An author's draft.\nminutes: 2\nlevel: beginner\n---\n\n## Random\n\n\`\`\`step\nid: random\nfunction: waitForTrail\n\`\`\`\n\nText.\n`,
    );
    writeFileSync(join(good, 'steps.ts'), 'import { GenerateRandomCommand } from "@aws-sdk/client-kms";\n\nexport async function waitForTrail({ kms, show }: any) {\n  const { Plaintext } = await kms.send(\n    new GenerateRandomCommand({ NumberOfBytes: 4 }),\n  );\n  return show.check("four bytes", Plaintext.length === 4);\n}\n');
    const bad = join(dir, '02-broken');
    mkdirSync(bad);
    writeFileSync(join(bad, 'lesson.md'), `---\nid: broken\ntitle: Broken\nsummary: s\nminutes: 1\nlevel: beginner\n---\n\n## One\n\n\`\`\`step\nid: one\nfunction: missing\n\`\`\`\n`);
    writeFileSync(join(bad, 'steps.ts'), 'export async function other() {}\n');

    const r = cli(['check', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${join(bad, 'lesson.md')}:13: step 'one' runs function 'missing', but steps.ts exports no such function`);
    expect(r.stdout).toContain(`${join(bad, 'steps.ts')}:1: exported function 'other' has no step in lesson.md`);
    expect(r.stdout).toMatch(/^1 lesson valid, 2 problems$/m);
    expect(r.stdout).toMatch(/\[1\/1\] Random: passed \(1 call, \d+ ms\)/);

    const alone = cli(['check', good]);
    expect(alone.code).toBe(0);
  });

  test('a lesson line wider than the 76-column code panel fails check, named by file:line', () => {
    const dir = tempDir(join(ROOT, 'test', 'cli'), '.author-');
    const wide = `aws kms encrypt --key-id alias/kms-workshop-direct --plaintext fileb://NewSecretFile.txt`;
    writeFileSync(join(dir, 'lesson.md'), `---\nid: wide\ntitle: Wide\nsummary: s\nminutes: 1\nlevel: beginner\n---\n\n## Random\n\n\`\`\`step\nid: random\nfunction: random\ncli: |\n  ${wide}\n\`\`\`\n`);
    writeFileSync(join(dir, 'steps.ts'), `import { GenerateRandomCommand } from "@aws-sdk/client-kms";\n\nexport async function random({ kms, show }: any) {\n  const { Plaintext } = await kms.send(new GenerateRandomCommand({ NumberOfBytes: 4 })); // four bytes\n  return show.check("four bytes", Plaintext.length === 4);\n}\n`);
    const r = cli(['check', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${join(dir, 'steps.ts')}:4: step function random: this line is 102 columns wide, more than the 76 the code panel shows at 80 columns`);
    expect(r.stdout).toContain(`${join(dir, 'lesson.md')}:15: the cli: of step "Random": this line is ${wide.length} columns wide`);
    expect(r.stdout).toMatch(/^1 lesson valid, 2 problems$/m);
    // The lesson still runs: a standard is a problem for its author, not a reason to refuse the steps.
    expect(r.stdout).toMatch(/\[1\/1\] Random: passed/);
  });

  test('a step that fails: the message and the request id, no stack trace, exit 1', () => {
    const dir = tempDir(join(ROOT, 'test', 'cli'), '.author-');
    writeFileSync(join(dir, 'lesson.md'), `---\nid: failing\ntitle: Failing\nsummary: s\nminutes: 1\nlevel: beginner\n---\n\n## Decrypt rubbish\n\n\`\`\`step\nid: rubbish\nfunction: rubbish\n\`\`\`\n\n## Never reached\n\n\`\`\`step\nid: later\nfunction: later\n\`\`\`\n`);
    writeFileSync(join(dir, 'steps.ts'), 'import { DecryptCommand } from "@aws-sdk/client-kms";\n\nexport async function rubbish({ kms }: any) {\n  await kms.send(new DecryptCommand({ CiphertextBlob: Buffer.from("rubbish, not a ciphertext") }));\n}\n\nexport async function later() {}\n');
    const r = cli(['check', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/\[1\/2\] Decrypt rubbish: FAILED: Decrypt failed with InvalidCiphertextException \(request id [0-9a-f-]{36}\)/);
    expect(r.stdout).toMatch(/0 passed, 1 failed, 1 skipped/);
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });
});
