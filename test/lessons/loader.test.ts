// The lesson loader: a valid folder becomes the Lesson model; every mistake an
// author can make is reported with its file and line.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { loadLesson, loadLessons } from '../../src/lessons/loader.js';
import type { LessonProblem } from '../../src/lessons/errors.js';

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

function root() {
  const r = mkdtempSync(join(tmpdir(), 'kms-workshop-loader-'));
  roots.push(r);
  return r;
}

const FRONT = `---
id: sample-lesson
title: A sample lesson
summary: Something to learn.
minutes: 5
level: beginner
based-on: the tests
---
`;

const STEPS = `import type { StepContext } from '../../src/runtime/context.js';

// The first step.
export async function first({ show }: StepContext) {
  return show.text('one { } ' + "two }" + \`three \${'}'}\`);
}

export async function second({ show }: StepContext) {
  return show.text(/[}]/.source);
}
`;

const BODY = `
Intro text.

## First step

\`\`\`step
id: first-step
function: first
cli: aws kms list-keys
hint: A hint.
question:
  prompt: Which?
  choices:
    - this
    - that
  answer: 2
  explanation: Because.
\`\`\`

Text of the first step.

## Second step

\`\`\`step
id: second-step
function: second
\`\`\`

Text of the second step.
`;

/** Writes a lesson folder; returns the folder. */
function lesson(md: string, steps = STEPS, dir = join(root(), '01-sample')) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'lesson.md'), md);
  writeFileSync(join(dir, 'steps.ts'), steps);
  return dir;
}

/** Line number (1-based) of the first line containing `needle`. */
function lineOf(text: string, needle: string, from = 0): number {
  const lines = text.split('\n');
  const i = lines.findIndex((l, n) => n >= from && l.includes(needle));
  if (i < 0) throw new Error(`no line with ${needle}`);
  return i + 1;
}

function problemsOf(dir: string): LessonProblem[] {
  return loadLesson(dir).problems;
}

function expectOne(problems: LessonProblem[], file: string, line: number, message: RegExp) {
  expect(problems.map((p) => `${p.file}:${p.line}: ${p.message}`)).toContainEqual(expect.stringMatching(new RegExp(`^${escape(file)}:${line}: .*${message.source}`)));
}

function escape(s: string) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('a valid lesson', () => {
  test('loads front matter, steps with their fields, and each function source as written', () => {
    const dir = lesson(FRONT + BODY);
    const { lesson: l, problems } = loadLesson(dir);
    expect(problems).toEqual([]);
    expect(l).toMatchObject({ id: 'sample-lesson', slug: '01-sample', title: 'A sample lesson', minutes: 5, level: 'beginner', basedOn: ['the tests'], intro: 'Intro text.' });
    expect(l!.steps.map((s) => s.id)).toEqual(['first-step', 'second-step']);
    const [first, second] = l!.steps;
    expect(first).toMatchObject({ title: 'First step', functionName: 'first', cli: 'aws kms list-keys', hint: 'A hint.', text: 'Text of the first step.' });
    expect(first!.question).toEqual({ prompt: 'Which?', choices: ['this', 'that'], answer: 1, explanation: 'Because.' });
    expect(first!.source).toBe(`// The first step.\nexport async function first({ show }: StepContext) {\n  return show.text('one { } ' + "two }" + \`three \${'}'}\`);\n}`);
    expect(first!.sourceLine).toBe(lineOf(STEPS, 'export async function first'));
    expect(second!.source).toBe("export async function second({ show }: StepContext) {\n  return show.text(/[}]/.source);\n}");
    expect(second!.question).toBeUndefined();
  });

  test('every packaged lesson loads without a problem', () => {
    const { lessons, problems } = loadLessons();
    expect(problems).toEqual([]);
    // Lessons are being added (9-12) in parallel: these keep their folder order, others may come between
    const known = [
      'direct-encryption', 'envelope-encryption', 'sse-s3', 'cse-data-key-caching',
      'key-lifecycle', 'imported-key-material', 'rotation-and-reencryption', 'asymmetric-and-hmac',
      'quotas-and-backoff',
    ];
    expect(lessons.map((l) => l.id).filter((id) => known.includes(id))).toEqual(known);
    for (const l of lessons) for (const s of l.steps) expect(s.source).toMatch(new RegExp(`export async function ${s.functionName}\\(`));
  });
});

test('predict (a question asked before the run) and explain (markdown after it) are read; a bad predict is named like a question', () => {
  const md = FRONT + BODY.replace('hint: A hint.', 'hint: A hint.\npredict:\n  prompt: What will it answer?\n  choices: [an error, a key]\n  answer: 1\n  explanation: It fails.\nexplain: |\n  Because of **this**.');
  const { lesson: l, problems } = loadLesson(lesson(md));
  expect(problems).toEqual([]);
  expect(l!.steps[0]!.predict).toEqual({ prompt: 'What will it answer?', choices: ['an error', 'a key'], answer: 0, explanation: 'It fails.' });
  expect(l!.steps[0]!.explain).toBe('Because of **this**.');
  expect(l!.steps[1]!.predict).toBeUndefined();
  const bad = lesson(FRONT + BODY.replace('hint: A hint.', 'hint: A hint.\npredict:\n  prompt: What?\n  choices: [one]\n  answer: 1\n  explanation: e\nexplain: 3'));
  const found = problemsOf(bad).map((p) => `${p.line}: ${p.message}`);
  expect(found).toContain(`${lineOf(FRONT + BODY, 'hint: A hint.') + 3}: step "First step": predict: choices must be a list of at least two texts`);
  expect(found).toContain(`${lineOf(FRONT + BODY, 'hint: A hint.') + 6}: step "First step": explain must be a text (markdown shown once the step has run)`);
});

describe('folder problems', () => {
  test('a folder without lesson.md or steps.ts', () => {
    const dir = join(root(), '02-empty');
    mkdirSync(dir);
    const problems = problemsOf(dir);
    expectOne(problems, join(dir, 'lesson.md'), 1, /needs a lesson.md/);
    expectOne(problems, join(dir, 'steps.ts'), 1, /needs a steps.ts/);
  });

  test('two lessons with the same id: the second is named with its id line', () => {
    const r = root();
    lesson(FRONT + BODY, STEPS, join(r, '01-a'));
    const second = lesson(FRONT + BODY, STEPS, join(r, '02-b'));
    const { lessons, problems } = loadLessons(r);
    expect(lessons).toHaveLength(1);
    expectOne(problems, join(second, 'lesson.md'), 2, /lesson id 'sample-lesson' is already used by .*01-a\/lesson.md:2/);
  });
});

describe('front matter problems', () => {
  test('no front matter', () => {
    const dir = lesson(BODY);
    expectOne(problemsOf(dir), join(dir, 'lesson.md'), 1, /must start with front matter/);
  });

  test('front matter never closed', () => {
    const dir = lesson('---\nid: x\n');
    expectOne(problemsOf(dir), join(dir, 'lesson.md'), 1, /no closing '---'/);
  });

  test('YAML syntax error, on its line', () => {
    const md = FRONT.replace('minutes: 5', 'minutes: [5') + BODY;
    const dir = lesson(md);
    const problems = problemsOf(dir);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]!.file).toBe(join(dir, 'lesson.md'));
    expect(problems[0]!.line).toBeGreaterThanOrEqual(lineOf(md, 'minutes: [5'));
    expect(problems[0]!.message).toMatch(/^front matter: /);
  });

  test('unknown field', () => {
    const md = FRONT.replace('level: beginner', 'level: beginner\nauthor: me') + BODY;
    const dir = lesson(md);
    expectOne(problemsOf(dir), join(dir, 'lesson.md'), lineOf(md, 'author: me'), /front matter: unknown field 'author'/);
  });

  test('duplicate field', () => {
    const md = FRONT.replace('minutes: 5', 'minutes: 5\nminutes: 6') + BODY;
    const dir = lesson(md);
    expectOne(problemsOf(dir), join(dir, 'lesson.md'), lineOf(md, 'minutes: 6'), /front matter: .*unique/i);
  });

  test.each(['id', 'title', 'summary', 'minutes', 'level'])('missing %s', (field) => {
    const md = FRONT.replace(new RegExp(`^${field}: .*\\n`, 'm'), '') + BODY;
    const dir = lesson(md);
    expectOne(problemsOf(dir), join(dir, 'lesson.md'), 2, new RegExp(`front matter: missing field '${field}'`));
  });

  test.each([
    ['id: Sample Lesson', /id must be lower-case words/],
    ['title: ""', /title must be a non-empty text/],
    ['summary: 12', /summary must be a non-empty text/],
    ['minutes: soon', /minutes must be a number above 0/],
    ['minutes: 0', /minutes must be a number above 0/],
    ['level: expert', /level must be one of beginner, intermediate, advanced/],
    ['based-on: {a: 1}', /based-on must be a text or a list of texts/],
    ['assets: [no-such-file.txt]', /asset 'no-such-file.txt' is in neither/],
    ['assets: [../secret.txt]', /must be a plain file name/],
  ])('bad value %s', (line, message) => {
    const field = line.split(':')[0]!;
    const md = (FRONT.includes(`${field}:`) ? FRONT.replace(new RegExp(`^${field}: .*$`, 'm'), line) : FRONT.replace('---\n', `---\n${line}\n`)) + BODY;
    const dir = lesson(md);
    expectOne(problemsOf(dir), join(dir, 'lesson.md'), lineOf(md, line), message);
  });
});

describe('step problems', () => {
  test('a lesson with no steps', () => {
    const dir = lesson(FRONT + '\nJust text.\n', '');
    expectOne(problemsOf(dir), join(dir, 'lesson.md'), 2, /the lesson has no steps/);
  });

  test('a step heading without a step block', () => {
    const md = FRONT + BODY + '\n## Third step\n\nNo block here.\n';
    const dir = lesson(md);
    expectOne(problemsOf(dir), join(dir, 'lesson.md'), lineOf(md, '## Third step'), /step "Third step" has no ```step block/);
  });

  test('a step block before the first step heading', () => {
    const md = FRONT + '\n```step\nid: early\nfunction: first\n```\n' + BODY;
    const dir = lesson(md);
    expectOne(problemsOf(dir), join(dir, 'lesson.md'), lineOf(md, '```step'), /must be inside a step/);
  });

  test('two step blocks in one step', () => {
    const md = FRONT + BODY.replace('Text of the second step.', 'Text.\n\n```step\nid: again\nfunction: second\n```\n');
    const dir = lesson(md);
    expectOne(problemsOf(dir), join(dir, 'lesson.md'), lineOf(md, '```step', lineOf(md, 'id: again') - 2), /has a second ```step block/);
  });

  test('a code block never closed', () => {
    const md = FRONT + BODY + '\n```sh\naws kms list-keys\n';
    const dir = lesson(md);
    expectOne(problemsOf(dir), join(dir, 'lesson.md'), lineOf(md, '```sh'), /never closed/);
  });

  test('a "## " inside a code block is not a step', () => {
    const md = FRONT + BODY.replace('Text of the second step.', '```md\n## not a step\n```');
    const { lesson: l, problems } = loadLesson(lesson(md));
    expect(problems).toEqual([]);
    expect(l!.steps).toHaveLength(2);
    expect(l!.steps[1]!.text).toContain('## not a step');
  });

  test('unknown step field', () => {
    const md = FRONT + BODY.replace('function: second', 'function: second\nnotes: hmm');
    const dir = lesson(md);
    expectOne(problemsOf(dir), join(dir, 'lesson.md'), lineOf(md, 'notes: hmm'), /step "Second step": unknown field 'notes'/);
  });

  test('missing id and missing function', () => {
    const md = FRONT + BODY.replace('id: second-step\nfunction: second\n', 'cli: echo\n');
    const dir = lesson(md);
    const blockLine = lineOf(md, 'cli: echo');
    const problems = problemsOf(dir);
    expectOne(problems, join(dir, 'lesson.md'), blockLine, /step "Second step": missing field 'id'/);
    expectOne(problems, join(dir, 'lesson.md'), blockLine, /step "Second step": missing field 'function'/);
  });

  test.each([
    ['id: Second Step', /id must be lower-case words/],
    ['function: not-a-name', /function must be a function name/],
  ])('bad %s', (line, message) => {
    const field = line.split(':')[0]!;
    const md = FRONT + BODY.replace(field === 'id' ? 'id: second-step' : 'function: second', line);
    const dir = lesson(md);
    expectOne(problemsOf(dir), join(dir, 'lesson.md'), lineOf(md, line), message);
  });

  test('cli and hint must be texts', () => {
    const md = FRONT + BODY.replace('cli: aws kms list-keys', 'cli: [a, b]').replace('hint: A hint.', 'hint: 3');
    const dir = lesson(md);
    const problems = problemsOf(dir);
    expectOne(problems, join(dir, 'lesson.md'), lineOf(md, 'cli: [a, b]'), /cli must be the text of a command/);
    expectOne(problems, join(dir, 'lesson.md'), lineOf(md, 'hint: 3'), /hint must be a text/);
  });

  test('duplicate step ids: the second is named', () => {
    const md = FRONT + BODY.replace('id: second-step', 'id: first-step');
    const dir = lesson(md);
    const second = lineOf(md, 'id: first-step', lineOf(md, '## Second step'));
    expectOne(problemsOf(dir), join(dir, 'lesson.md'), second, /step id 'first-step' is already used by the step on line \d+/);
  });

  test('a step whose function steps.ts does not export', () => {
    const md = FRONT + BODY.replace('function: second', 'function: third');
    const dir = lesson(md);
    expectOne(problemsOf(dir), join(dir, 'lesson.md'), lineOf(md, 'function: third'), /runs function 'third', but steps.ts exports no such function/);
  });

  test('an exported function with no step', () => {
    const steps = STEPS + '\nexport async function orphan() {\n  return 1;\n}\n';
    const dir = lesson(FRONT + BODY, steps);
    expectOne(problemsOf(dir), join(dir, 'steps.ts'), lineOf(steps, 'function orphan'), /exported function 'orphan' has no step in lesson.md/);
  });

  test('an exported arrow function counts as a function', () => {
    const steps = STEPS + '\nexport const extra = async () => {\n  return 1;\n};\n';
    const dir = lesson(FRONT + BODY, steps);
    expectOne(problemsOf(dir), join(dir, 'steps.ts'), lineOf(steps, 'export const extra'), /exported function 'extra' has no step/);
  });

  test('two steps running one function', () => {
    const md = FRONT + BODY.replace('function: second', 'function: first');
    const dir = lesson(md, STEPS.replace('export async function second', 'async function second'));
    expectOne(problemsOf(dir), join(dir, 'lesson.md'), lineOf(md, 'function: first', lineOf(md, '## Second step')), /function 'first' already runs the step on line \d+/);
  });

  test('a function exported twice', () => {
    const steps = STEPS + '\nexport function second() {}\n';
    const dir = lesson(FRONT + BODY, steps);
    expectOne(problemsOf(dir), join(dir, 'steps.ts'), steps.split('\n').length - 1, /function 'second' is exported twice \(first on line \d+\)/);
  });

  test('steps.ts with an unclosed bracket', () => {
    const steps = STEPS + '\nexport async function broken() {\n  if (x) {\n';
    const dir = lesson(FRONT + BODY, steps);
    expectOne(problemsOf(dir), join(dir, 'steps.ts'), lineOf(steps, 'if (x) {'), /never closed/);
  });
});

describe('question problems', () => {
  test('unknown and missing question fields', () => {
    const md = FRONT + BODY.replace('  explanation: Because.', '  why: Because.');
    const dir = lesson(md);
    const problems = problemsOf(dir);
    expectOne(problems, join(dir, 'lesson.md'), lineOf(md, '  why: Because.'), /question: unknown field 'why'/);
    expectOne(problems, join(dir, 'lesson.md'), lineOf(md, 'question:'), /question: missing field 'explanation'/);
  });

  test('answer out of range', () => {
    const md = FRONT + BODY.replace('answer: 2', 'answer: 3');
    const dir = lesson(md);
    expectOne(problemsOf(dir), join(dir, 'lesson.md'), lineOf(md, 'answer: 3'), /answer must be the number of the right choice, 1 to 2 \(got 3\)/);
  });

  test('fewer than two choices', () => {
    const md = FRONT + BODY.replace('    - that\n', '');
    const dir = lesson(md);
    expectOne(problemsOf(dir), join(dir, 'lesson.md'), lineOf(md, 'choices:'), /choices must be a list of at least two texts/);
  });

  test('a question that is not a set of fields', () => {
    const md = FRONT + BODY.replace(/question:\n(  .*\n)+/, 'question: Why?\n');
    const dir = lesson(md);
    expectOne(problemsOf(dir), join(dir, 'lesson.md'), lineOf(md, 'question: Why?'), /question must have the fields prompt, choices, answer, explanation/);
  });
});

describe('more problems, each with its message and line', () => {
  test('a lessons folder that does not exist', () => {
    const missing = join(root(), 'no-such-lessons');
    const { lessons, problems } = loadLessons(missing);
    expect(lessons).toEqual([]);
    expect(problems).toEqual([{ file: missing, line: 1, message: 'no such folder' }]);
  });

  test('a "## " heading with no title', () => {
    const md = FRONT + BODY + '\n## \n\n```step\nid: third-step\nfunction: second\n```\n';
    const dir = lesson(md, STEPS);
    expectOne(problemsOf(dir), join(dir, 'lesson.md'), md.split('\n').indexOf('## ') + 1, /a step heading needs a title after "## "/);
  });

  test('a step block that is not YAML fields', () => {
    const md = FRONT + BODY.replace('id: second-step\nfunction: second\n', '- id: second-step\n- function: second\n');
    const dir = lesson(md);
    expectOne(problemsOf(dir), join(dir, 'lesson.md'), lineOf(md, '- id: second-step'), /step "Second step" must be YAML fields \(name: value\), one per line/);
  });

  test('a step block with a YAML syntax error, on its line', () => {
    const md = FRONT + BODY.replace('function: second', 'function: [second');
    const dir = lesson(md);
    const problems = problemsOf(dir).filter((p) => p.message.startsWith('step "Second step": '));
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]!.line).toBeGreaterThanOrEqual(lineOf(md, 'function: [second'));
  });

  test.each([
    ['  prompt: [Which, one]', /question: prompt must be a text/],
    ['  explanation: 3', /question: explanation must be a text/],
  ])('a question whose field is not a text: %s', (line, message) => {
    const field = line.trim().split(':')[0]!;
    const md = FRONT + BODY.replace(new RegExp(`^  ${field}: .*$`, 'm'), line);
    const dir = lesson(md);
    expectOne(problemsOf(dir), join(dir, 'lesson.md'), lineOf(md, line), message);
  });

  test.each(['assets: {file: a.txt}', 'assets: 3', 'assets: [a.txt, 4]'])('%s is not a list of file names', (line) => {
    const md = FRONT.replace('---\n', `---\n${line}\n`) + BODY;
    const dir = lesson(md);
    expectOne(problemsOf(dir), join(dir, 'lesson.md'), lineOf(md, line), /front matter: assets must be a list of file names from assets\//);
  });
});
