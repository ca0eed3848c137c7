// The standards every lesson follows beyond what the loader needs to run it
// (lessons/README.md, "Standards"). `check` reports them as problems, with
// file:line; the loader does not, so a lesson that breaks one still opens.
//   - Code the learner reads fits the panel: no line of a step function or of
//     a `cli:` block wider than CODE_COLUMNS (80 columns less the panel's
//     border and padding).
//   - Predict, then observe: the narrative shown before a step runs does not
//     name the error the step itself expects (its `expectError` code).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lesson } from '../runtime/types.js';
import { problem, type LessonProblem } from './errors.js';
import { readFields } from './fields.js';
import { STEP_FIELDS } from './loader.js';
import { splitLessonMarkdown, type StepSection } from './markdown.js';

/** The code panel at 80 columns: a border and one column of padding on each side. */
export const CODE_COLUMNS = 76;

export function checkLessonStandards(lesson: Lesson): LessonProblem[] {
  const mdFile = join(lesson.dir, 'lesson.md');
  const stepsFile = join(lesson.dir, 'steps.ts');
  const raw = readFileSync(mdFile, 'utf8').replace(/\r\n?/g, '\n').split('\n');
  const sections = splitLessonMarkdown(raw.join('\n'), mdFile).sections;
  const problems: LessonProblem[] = [];
  for (const step of lesson.steps) {
    problems.push(...wideCodeLines(step.source, firstSourceLine(step.source, step.sourceLine), stepsFile, `step function ${step.functionName}`));
    const index = sections.findIndex((s) => s.block && /^id:\s*(\S+)/m.exec(s.block.text)?.[1] === step.id);
    const section = sections[index];
    if (!section) continue;
    if (step.cli) problems.push(...wideCliLines(step.cli, section, raw, mdFile));
    const end = sections[index + 1]?.line ?? raw.length + 1;
    problems.push(...outcomeGivenAway(step.id, expectedErrorCodes(step.source), section, raw.slice(section.line, end - 1), mdFile));
  }
  return problems;
}

/** The 1-based line of the source's first line: the export line less the comment lines shown above it. */
function firstSourceLine(source: string, exportLine: number): number {
  const lines = source.split('\n');
  const at = lines.findIndex((l) => /^export\b/.test(l));
  return exportLine - Math.max(0, at);
}

function wideCodeLines(text: string, firstLine: number, file: string, what: string): LessonProblem[] {
  return text.split('\n').flatMap((line, i) => (columns(line) > CODE_COLUMNS ? [problem(file, firstLine + i, tooWide(what, line))] : []));
}

function wideCliLines(cli: string, section: StepSection, raw: string[], file: string): LessonProblem[] {
  const block = section.block!;
  const cliLine = readFields(block, file, STEP_FIELDS, '', [])?.get('cli')?.line ?? block.line;
  // `cli: |` puts the command on the lines below, one for one; `cli: aws ...` on the same line.
  const blockStyle = /^cli:\s*[|>]/.test(raw[cliLine - 1]?.trim() ?? '');
  return cli.split('\n').flatMap((line, i) =>
    columns(line) > CODE_COLUMNS ? [problem(file, blockStyle ? cliLine + 1 + i : cliLine, tooWide(`the cli: of step "${section.title}"`, line))] : [],
  );
}

function tooWide(what: string, line: string): string {
  return `${what}: this line is ${columns(line)} columns wide, more than the ${CODE_COLUMNS} the code panel shows at 80 columns; break it (a call after '(' or between arguments, a long text into two, a comment on its own line above)`;
}

function columns(line: string): number {
  return [...line.replace(/\t/g, '  ')].length;
}

/** The error codes the step's own function declares it expects: `code: 'InvalidCiphertextException'`. */
export function expectedErrorCodes(source: string): string[] {
  return [...new Set([...source.matchAll(/\bcode:\s*['"`]([A-Za-z][\w.]*)['"`]/g)].map((m) => m[1]!))];
}

/** The narrative (shown before the step runs) must not name the error the step is about to show. */
function outcomeGivenAway(stepId: string, codes: string[], section: StepSection, body: string[], file: string): LessonProblem[] {
  if (codes.length === 0) return [];
  const problems: LessonProblem[] = [];
  let inBlock = false;
  for (const [i, line] of body.entries()) {
    if (/^ {0,3}```+\s*step\s*$/.test(line)) inBlock = true;
    else if (inBlock && /^ {0,3}```+\s*$/.test(line)) {
      inBlock = false;
      continue;
    }
    if (inBlock) continue;
    for (const code of codes)
      if (new RegExp(`\\b${code.replace(/\./g, '\\.')}\\b`).test(line))
        problems.push(
          problem(
            file,
            section.line + 1 + i,
            `step '${stepId}': the narrative names ${code}, the error this step expects, before the learner runs it; ask about the outcome (predict:) and explain it after the run (explain:)`,
          ),
        );
  }
  return problems;
}
