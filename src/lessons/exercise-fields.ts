// Reads a step's `exercise:` field (what the learner does themselves and what
// counts as done) and its `hints:` list, naming the line of each problem.
// The format is documented in lessons/README.md, "Exercises".
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Exercise, ExpectedCall, ExpectedFile } from '../runtime/types.js';
import { problem, type LessonProblem } from './errors.js';
import { isNonEmptyString, linesOf } from './fields.js';

export const EXERCISE_FIELDS = ['kind', 'starter', 'verify', 'calls', 'files'] as const;
export const EXPECTED_CALL_FIELDS = ['operation', 'key', 'context', 'error', 'caller', 'label'] as const;
export const EXPECTED_FILE_FIELDS = ['path', 'contains', 'sameAs', 'differsFrom', 'label'] as const;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const PLAIN_NAME = /^[\w.-]+$/;

type Field = { value: unknown; line: number };

export function readHints(field: Field, file: string, what: string, problems: LessonProblem[]): string[] | undefined {
  const v = field.value;
  if (!(Array.isArray(v) && v.length > 0 && v.every(isNonEmptyString))) {
    problems.push(problem(file, field.line, `${what}: hints must be a list of texts (shown one at a time, from a nudge to nearly the answer)`));
    return undefined;
  }
  return v.map((h) => h.trim());
}

export function readExercise(field: Field, file: string, what: string, lessonDir: string, problems: LessonProblem[]): Exercise | undefined {
  const v = field.value;
  const lines = linesOf(field);
  const at = (name: string) => lines[name] ?? field.line;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    problems.push(problem(file, field.line, `${what}: exercise must have the fields ${EXERCISE_FIELDS.join(', ')}`));
    return undefined;
  }
  const obj = v as Record<string, unknown>;
  const before = problems.length;
  unknownFields(obj, EXERCISE_FIELDS, file, at, `${what}: exercise`, problems);
  const kind = obj.kind;
  if (kind !== 'terminal' && kind !== 'editor') problems.push(problem(file, at('kind'), `${what}: exercise kind must be terminal (the learner's own shell) or editor (a file they edit) (got ${JSON.stringify(kind)})`));
  const starter = obj.starter;
  let starterPath: string | undefined;
  if (kind === 'editor') {
    if (!(typeof starter === 'string' && PLAIN_NAME.test(starter) && starter.endsWith('.js')))
      problems.push(problem(file, at('starter'), `${what}: an editor exercise needs starter: the name of a .js file in exercises/ (got ${JSON.stringify(starter)})`));
    else if (!existsSync((starterPath = join(lessonDir, 'exercises', starter))))
      problems.push(problem(file, at('starter'), `${what}: starter '${starter}' is not in ${join(lessonDir, 'exercises')}`));
  } else if (starter !== undefined) problems.push(problem(file, at('starter'), `${what}: only an editor exercise has a starter file`));
  const verify = obj.verify;
  if (verify !== undefined && !(typeof verify === 'string' && IDENTIFIER.test(verify)))
    problems.push(problem(file, at('verify'), `${what}: verify must be the name of a function exported by steps.ts (got ${JSON.stringify(verify)})`));
  const calls = listOf(obj.calls, at('calls'), file, `${what}: exercise calls`, problems).map((c) => readCall(c, at('calls'), file, what, problems));
  const files = listOf(obj.files, at('files'), file, `${what}: exercise files`, problems).map((f) => readFile(f, at('files'), file, what, problems));
  if (calls.length === 0 && files.length === 0 && verify === undefined)
    problems.push(problem(file, field.line, `${what}: an exercise must say what counts as done: calls, files or verify`));
  if (problems.length > before) return undefined;
  return {
    kind: kind as Exercise['kind'],
    ...(starterPath ? { starter: starter as string, starterPath } : {}),
    calls: calls as ExpectedCall[],
    files: files as ExpectedFile[],
    ...(verify ? { verify: verify as string } : {}),
  };
}

function listOf(v: unknown, line: number, file: string, what: string, problems: LessonProblem[]): Record<string, unknown>[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every((x) => x !== null && typeof x === 'object' && !Array.isArray(x))) {
    problems.push(problem(file, line, `${what} must be a list of entries (- name: value)`));
    return [];
  }
  return v as Record<string, unknown>[];
}

function readCall(c: Record<string, unknown>, line: number, file: string, what: string, problems: LessonProblem[]): ExpectedCall | undefined {
  unknownFields(c, EXPECTED_CALL_FIELDS, file, () => line, `${what}: an expected call`, problems);
  if (!(typeof c.operation === 'string' && /^[A-Z][A-Za-z]+$/.test(c.operation)))
    problems.push(problem(file, line, `${what}: an expected call needs operation: an API operation such as Decrypt (got ${JSON.stringify(c.operation)})`));
  for (const name of ['key', 'error', 'caller', 'label'] as const)
    if (c[name] !== undefined && !isNonEmptyString(c[name])) problems.push(problem(file, line, `${what}: an expected call's ${name} must be a text`));
  const context = c.context;
  if (context !== undefined && !(context !== null && typeof context === 'object' && !Array.isArray(context) && Object.values(context).every((x) => typeof x === 'string')))
    problems.push(problem(file, line, `${what}: an expected call's context must be name: text pairs, e.g. { project: kmsworkshop }`));
  return c as unknown as ExpectedCall;
}

function readFile(f: Record<string, unknown>, line: number, file: string, what: string, problems: LessonProblem[]): ExpectedFile | undefined {
  unknownFields(f, EXPECTED_FILE_FIELDS, file, () => line, `${what}: an expected file`, problems);
  for (const name of ['path', 'sameAs', 'differsFrom'] as const)
    if (f[name] !== undefined && !(typeof f[name] === 'string' && PLAIN_NAME.test(f[name] as string)))
      problems.push(problem(file, line, `${what}: an expected file's ${name} must be a file name in the workspace (got ${JSON.stringify(f[name])})`));
  if (f.path === undefined) problems.push(problem(file, line, `${what}: an expected file needs path: its name in the workspace`));
  for (const name of ['contains', 'label'] as const)
    if (f[name] !== undefined && !isNonEmptyString(f[name])) problems.push(problem(file, line, `${what}: an expected file's ${name} must be a text`));
  return f as unknown as ExpectedFile;
}

function unknownFields(obj: Record<string, unknown>, known: readonly string[], file: string, at: (name: string) => number, what: string, problems: LessonProblem[]) {
  for (const name of Object.keys(obj))
    if (!known.includes(name)) problems.push(problem(file, at(name), `${what}: unknown field '${name}' (known fields: ${known.join(', ')})`));
}
