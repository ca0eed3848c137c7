// Loads lesson folders (lessons/NN-slug/: lesson.md + steps.ts) into the
// Lesson model, checking everything an author can get wrong and naming the
// file and line of each problem. The format is documented in lessons/README.md.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Lesson, LessonLevel, LessonStep, Question } from '../runtime/types.js';
import { problem, type LessonProblem } from './errors.js';
import { readExercise, readHints } from './exercise-fields.js';
import { isNonEmptyString, linesOf, readFields } from './fields.js';
import { splitLessonMarkdown, type StepSection } from './markdown.js';
import { assetsRoot, lessonsRoot } from '../package-paths.js';
import { scanStepFunctions, type StepFunctionSource } from './steps-source.js';

export const FRONT_MATTER_FIELDS = ['id', 'title', 'summary', 'minutes', 'level', 'based-on', 'assets'] as const;
export const STEP_FIELDS = ['id', 'function', 'cli', 'hint', 'hints', 'predict', 'question', 'explain', 'exercise'] as const;
export const QUESTION_FIELDS = ['prompt', 'choices', 'answer', 'explanation'] as const;
const LEVELS: readonly LessonLevel[] = ['beginner', 'intermediate', 'advanced'];
const ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** Kept as a name for callers; every Lesson carries its assets. */
export type LoadedLesson = Lesson;

export interface LoadResult {
  lessons: LoadedLesson[];
  problems: LessonProblem[];
}

/**
 * Loads every lesson folder under `root` (default: the package's lessons/),
 * or the single lesson when `root` itself holds a lesson.md. Lessons with
 * problems are left out of `lessons`; their problems are all returned.
 */
export function loadLessons(root: string = lessonsRoot()): LoadResult {
  const dir = resolve(root);
  if (!existsSync(dir)) return { lessons: [], problems: [problem(dir, 1, 'no such folder')] };
  if (existsSync(join(dir, 'lesson.md'))) {
    const one = loadLesson(dir);
    return { lessons: one.lesson ? [one.lesson] : [], problems: one.problems };
  }
  const lessons: LoadedLesson[] = [];
  const problems: LessonProblem[] = [];
  const seen = new Map<string, { file: string; line: number }>();
  for (const name of readdirSync(dir).sort()) {
    const folder = join(dir, name);
    if (name.startsWith('.') || name.startsWith('_') || !statSync(folder).isDirectory()) continue;
    const { lesson, problems: found, idLine } = loadLesson(folder);
    problems.push(...found);
    if (!lesson) continue;
    const file = join(folder, 'lesson.md');
    const earlier = seen.get(lesson.id);
    if (earlier) {
      problems.push(problem(file, idLine, `lesson id '${lesson.id}' is already used by ${earlier.file}:${earlier.line}`));
      continue;
    }
    seen.set(lesson.id, { file, line: idLine });
    lessons.push(lesson);
  }
  return { lessons, problems };
}

/** Loads one lesson folder. */
export function loadLesson(folder: string): { lesson?: LoadedLesson; problems: LessonProblem[]; idLine: number } {
  const dir = resolve(folder);
  const mdFile = join(dir, 'lesson.md');
  const stepsFile = join(dir, 'steps.ts');
  const problems: LessonProblem[] = [];
  if (!existsSync(mdFile)) problems.push(problem(mdFile, 1, 'a lesson folder needs a lesson.md (front matter and steps)'));
  if (!existsSync(stepsFile)) problems.push(problem(stepsFile, 1, 'a lesson folder needs a steps.ts (one exported async function per step)'));
  if (problems.length) return { problems, idLine: 1 };

  const split = splitLessonMarkdown(readFileSync(mdFile, 'utf8'), mdFile);
  problems.push(...split.problems);

  // ---- front matter
  const meta = split.frontMatter ? readFields(split.frontMatter, mdFile, FRONT_MATTER_FIELDS, 'front matter', problems) : undefined;
  const fmLine = split.frontMatter?.line ?? 1;
  const need = (name: string) => {
    const f = meta?.get(name);
    if (meta && !f) problems.push(problem(mdFile, fmLine, `front matter: missing field '${name}'`));
    return f;
  };
  const id = need('id');
  const title = need('title');
  const summary = need('summary');
  const minutes = need('minutes');
  const level = need('level');
  const basedOn = meta?.get('based-on');
  const assetsField = meta?.get('assets');

  if (id && !(typeof id.value === 'string' && ID.test(id.value)))
    problems.push(problem(mdFile, id.line, `front matter: id must be lower-case words joined by '-', e.g. envelope-encryption (got ${JSON.stringify(id.value)})`));
  if (title && !isNonEmptyString(title.value)) problems.push(problem(mdFile, title.line, 'front matter: title must be a non-empty text'));
  if (summary && !isNonEmptyString(summary.value)) problems.push(problem(mdFile, summary.line, 'front matter: summary must be a non-empty text'));
  if (minutes && !(typeof minutes.value === 'number' && Number.isFinite(minutes.value) && minutes.value > 0))
    problems.push(problem(mdFile, minutes.line, `front matter: minutes must be a number above 0 (got ${JSON.stringify(minutes.value)})`));
  if (level && !LEVELS.includes(level.value as LessonLevel))
    problems.push(problem(mdFile, level.line, `front matter: level must be one of ${LEVELS.join(', ')} (got ${JSON.stringify(level.value)})`));
  const basedOnList = basedOn === undefined ? [] : typeof basedOn.value === 'string' ? [basedOn.value] : basedOn.value;
  if (basedOn && !(Array.isArray(basedOnList) && basedOnList.every(isNonEmptyString)))
    problems.push(problem(mdFile, basedOn.line, 'front matter: based-on must be a text or a list of texts'));

  const assets: Record<string, string> = {};
  if (assetsField) {
    const names = typeof assetsField.value === 'string' ? [assetsField.value] : assetsField.value;
    if (!Array.isArray(names) || !names.every(isNonEmptyString)) {
      problems.push(problem(mdFile, assetsField.line, 'front matter: assets must be a list of file names from assets/'));
    } else {
      for (const name of names) {
        const source = [join(dir, 'assets', name), join(assetsRoot(), name)].find((p) => existsSync(p));
        if (name.includes('..') || name.startsWith('/')) problems.push(problem(mdFile, assetsField.line, `front matter: asset '${name}' must be a plain file name`));
        else if (!source) problems.push(problem(mdFile, assetsField.line, `front matter: asset '${name}' is in neither ${join(dir, 'assets')} nor ${assetsRoot()}`));
        else assets[basename(name)] = source;
      }
    }
  }

  // ---- steps in lesson.md
  const scanned = scanStepFunctions(readFileSync(stepsFile, 'utf8'));
  if (scanned.unbalancedAt !== undefined)
    problems.push(problem(stepsFile, scanned.unbalancedAt, 'cannot read the functions in steps.ts: a bracket, string or comment starting here is never closed'));
  const functions = new Map<string, StepFunctionSource>();
  for (const fn of scanned.functions) {
    const earlier = functions.get(fn.name);
    if (earlier) problems.push(problem(stepsFile, fn.line, `function '${fn.name}' is exported twice (first on line ${earlier.line})`));
    else functions.set(fn.name, fn);
  }

  if (split.sections.length === 0 && split.frontMatter)
    problems.push(problem(mdFile, split.frontMatter.line, 'the lesson has no steps: each step is a "## Title" heading with a ```step block below it'));

  const steps: LessonStep[] = [];
  const stepIds = new Map<string, number>();
  const used = new Map<string, number>();
  for (const section of split.sections) {
    const step = readStep(section, mdFile, dir, problems);
    if (!step) continue;
    const { fields, functionLine, idLine } = step;
    const earlierId = stepIds.get(fields.id);
    if (earlierId !== undefined) problems.push(problem(mdFile, idLine, `step id '${fields.id}' is already used by the step on line ${earlierId}`));
    else stepIds.set(fields.id, section.line);
    const fn = functions.get(fields.functionName);
    const earlierUse = used.get(fields.functionName);
    if (!fn) {
      problems.push(problem(mdFile, functionLine, `step '${fields.id}' runs function '${fields.functionName}', but steps.ts exports no such function`));
      continue;
    }
    if (earlierUse !== undefined) {
      problems.push(problem(mdFile, functionLine, `function '${fields.functionName}' already runs the step on line ${earlierUse}; each step needs its own function`));
      continue;
    }
    used.set(fields.functionName, section.line);
    const verify = fields.exercise?.verify;
    if (verify && !functions.has(verify)) {
      problems.push(problem(mdFile, section.line, `step '${fields.id}': its exercise's verify names '${verify}', but steps.ts exports no such function`));
      continue;
    }
    steps.push({ ...fields, source: fn.source, sourceLine: fn.line });
  }
  for (const fn of functions.values()) {
    if (!used.has(fn.name) && !split.sections.some((s) => s.block?.text.includes(fn.name)))
      problems.push(problem(stepsFile, fn.line, `exported function '${fn.name}' has no step in lesson.md (add a step with 'function: ${fn.name}', or stop exporting it)`));
  }

  const idLine = id?.line ?? fmLine;
  if (problems.length) return { problems, idLine };
  return {
    problems,
    idLine,
    lesson: {
      id: id!.value as string,
      slug: basename(dir),
      dir,
      title: (title!.value as string).trim(),
      summary: (summary!.value as string).trim(),
      minutes: minutes!.value as number,
      level: level!.value as LessonLevel,
      basedOn: basedOnList as string[],
      intro: split.intro,
      steps,
      assets,
    },
  };
}

type StepFields = Omit<LessonStep, 'source' | 'sourceLine'>;

function readStep(section: StepSection, file: string, lessonDir: string, problems: LessonProblem[]): { fields: StepFields; functionLine: number; idLine: number } | undefined {
  if (!section.title) problems.push(problem(file, section.line, 'a step heading needs a title after "## "'));
  if (!section.block) {
    problems.push(problem(file, section.line, `step "${section.title}" has no \`\`\`step block (with at least 'id:' and 'function:')`));
    return undefined;
  }
  const before = problems.length;
  const what = `step "${section.title}"`;
  const f = readFields(section.block, file, STEP_FIELDS, what, problems);
  if (!f) return undefined;
  const id = f.get('id');
  const fn = f.get('function');
  if (!id) problems.push(problem(file, f.line, `${what}: missing field 'id'`));
  else if (!(typeof id.value === 'string' && ID.test(id.value)))
    problems.push(problem(file, id.line, `${what}: id must be lower-case words joined by '-', e.g. decrypt-the-key (got ${JSON.stringify(id.value)})`));
  if (!fn) problems.push(problem(file, f.line, `${what}: missing field 'function' (the name of its exported function in steps.ts)`));
  else if (!(typeof fn.value === 'string' && IDENTIFIER.test(fn.value)))
    problems.push(problem(file, fn.line, `${what}: function must be a function name like generateDataKey (got ${JSON.stringify(fn.value)})`));
  const cli = f.get('cli');
  const hint = f.get('hint');
  if (cli && !isNonEmptyString(cli.value)) problems.push(problem(file, cli.line, `${what}: cli must be the text of a command`));
  if (hint && !isNonEmptyString(hint.value)) problems.push(problem(file, hint.line, `${what}: hint must be a text`));
  const explain = f.get('explain');
  if (explain && !isNonEmptyString(explain.value)) problems.push(problem(file, explain.line, `${what}: explain must be a text (markdown shown once the step has run)`));
  const predict = f.get('predict') ? readQuestion(f.get('predict')!, file, `${what}: predict`, problems) : undefined;
  const question = f.get('question') ? readQuestion(f.get('question')!, file, `${what}: question`, problems) : undefined;
  const hints = f.get('hints') ? readHints(f.get('hints')!, file, what, problems) : undefined;
  const exercise = f.get('exercise') ? readExercise(f.get('exercise')!, file, what, lessonDir, problems) : undefined;
  if (problems.length > before) return undefined;
  return {
    fields: {
      id: id!.value as string,
      title: section.title,
      text: section.text,
      functionName: fn!.value as string,
      ...(cli ? { cli: (cli.value as string).trimEnd() } : {}),
      ...(hint ? { hint: (hint.value as string).trim() } : {}),
      ...(predict ? { predict } : {}),
      ...(question ? { question } : {}),
      ...(explain ? { explain: (explain.value as string).trim() } : {}),
      ...(hints ? { hints } : {}),
      ...(exercise ? { exercise } : {}),
    },
    functionLine: fn!.line,
    idLine: id!.line,
  };
}

function readQuestion(field: { value: unknown; line: number }, file: string, what: string, problems: LessonProblem[]): Question | undefined {
  const q = field.value;
  const lines = linesOf(field);
  const at = (name: string) => lines[name] ?? field.line;
  if (q === null || typeof q !== 'object' || Array.isArray(q)) {
    problems.push(problem(file, field.line, `${what} must have the fields ${QUESTION_FIELDS.join(', ')}`));
    return undefined;
  }
  const obj = q as Record<string, unknown>;
  const before = problems.length;
  for (const name of Object.keys(obj))
    if (!(QUESTION_FIELDS as readonly string[]).includes(name))
      problems.push(problem(file, at(name), `${what}: unknown field '${name}' (known fields: ${QUESTION_FIELDS.join(', ')})`));
  for (const name of QUESTION_FIELDS) if (!(name in obj)) problems.push(problem(file, field.line, `${what}: missing field '${name}'`));
  if ('prompt' in obj && !isNonEmptyString(obj.prompt)) problems.push(problem(file, at('prompt'), `${what}: prompt must be a text`));
  if ('explanation' in obj && !isNonEmptyString(obj.explanation)) problems.push(problem(file, at('explanation'), `${what}: explanation must be a text`));
  const choices = obj.choices;
  const choicesOk = Array.isArray(choices) && choices.length >= 2 && choices.every(isNonEmptyString);
  if ('choices' in obj && !choicesOk) problems.push(problem(file, at('choices'), `${what}: choices must be a list of at least two texts`));
  if ('answer' in obj && choicesOk) {
    const n = obj.answer;
    if (!(typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= (choices as string[]).length))
      problems.push(problem(file, at('answer'), `${what}: answer must be the number of the right choice, 1 to ${(choices as string[]).length} (got ${JSON.stringify(n)})`));
  }
  if (problems.length > before) return undefined;
  return {
    prompt: (obj.prompt as string).trim(),
    choices: (choices as string[]).map((c) => c.trim()),
    answer: (obj.answer as number) - 1,
    explanation: (obj.explanation as string).trim(),
  };
}
