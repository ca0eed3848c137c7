// A lesson as it went, in Markdown, for the learner to keep or an instructor to
// hand out: the introduction, then per step its narrative, code and AWS CLI,
// the calls and who made them, the results (secrets masked) and the answers
// given. Written by `run --transcript FILE.md` and by `t` in the TUI.
import { toDisplayJson } from '../mask.js';
import type { ApiCall, Lesson, LessonStep, Question, StepOutcome, StepResult } from '../runtime/types.js';
import { callLine, resultLines } from './plain-results.js';

/** What happened in one step: a StepOutcome, or what the TUI's run store holds of it. */
export interface TranscriptStep {
  status: string;
  calls: readonly ApiCall[];
  results: readonly StepResult[];
  durationMs?: number;
  /** Why it failed, in plain words. */
  error?: string;
  /** An exercise done by its reference solution, not by the learner. */
  solved?: boolean;
}

export function transcriptStepOf(outcome: StepOutcome): TranscriptStep {
  const { status, calls, results, durationMs } = outcome;
  if (outcome.status === 'failed') return { status, calls, results, durationMs, error: outcome.error.message };
  return { status, calls, results, durationMs, ...(outcome.solved ? { solved: true } : {}) };
}

export interface TranscriptInput {
  lesson: Lesson;
  /** Where the calls went ('local engine at http://127.0.0.1:4599'). */
  target: string;
  /** By step id; a step missing was not run. */
  steps: ReadonlyMap<string, TranscriptStep>;
  /** The choice (0-based) given to a step's question or prediction, keyed answerKey(step, kind). */
  answers?: ReadonlyMap<string, number>;
  when?: Date;
}

export function answerKey(stepId: string, kind: 'question' | 'predict'): string {
  return `${stepId}/${kind}`;
}

export function lessonTranscript({ lesson, target, steps, answers = new Map(), when = new Date() }: TranscriptInput): string {
  const out: string[] = [`# ${lesson.title}`, '', `_A transcript by kms-workshop, ${when.toISOString().slice(0, 16).replace('T', ' ')} UTC, against the ${target}._`, ''];
  if (lesson.intro.trim()) out.push(lesson.intro.trim(), '');
  if (lesson.basedOn.length) out.push('Based on:', '', ...lesson.basedOn.map((b) => `- ${b}`), '');
  for (const [i, step] of lesson.steps.entries()) out.push(...stepSection(i + 1, step, steps.get(step.id), answers));
  return out.join('\n').replace(/\n{3,}/g, '\n\n');
}

function stepSection(n: number, step: LessonStep, run: TranscriptStep | undefined, answers: ReadonlyMap<string, number>): string[] {
  const out = [`## ${n}. ${step.title}`, '', step.text.trim(), ''];
  if (step.predict) out.push(...questionLines('Predict first', step.predict, answers.get(answerKey(step.id, 'predict'))));
  out.push('Code (steps.ts):', '', ...fence('ts', step.source), '');
  if (step.cli) out.push('AWS CLI:', '', ...fence('sh', step.cli), '');
  if (!run) out.push('_Not run._', '');
  else {
    out.push(`**${verdict(run)}**`, '');
    if (run.calls.length) out.push('API calls (who made them):', '', ...fence('text', run.calls.map(callLine).join('\n')), '');
    const shown = run.results.flatMap((r) => resultLines(masked(r)));
    if (shown.length) out.push('Results:', '', ...fence('text', shown.join('\n')), '');
  }
  if (step.question) out.push(...questionLines('Question', step.question, answers.get(answerKey(step.id, 'question'))));
  return out;
}

function verdict(run: TranscriptStep): string {
  const time = run.durationMs !== undefined ? ` in ${(run.durationMs / 1000).toFixed(1)} s` : '';
  const calls = `${run.calls.length} API call${run.calls.length === 1 ? '' : 's'}`;
  if (run.status === 'passed') return `${run.solved ? 'Solved by its reference solution' : 'Passed'}${time}, ${calls}.`;
  if (run.status === 'failed' || run.status === 'crashed') return `Did not do what the lesson expects${time}: ${run.error ?? run.status}`;
  return `Still ${run.status} when this was written (${calls} so far).`;
}

function questionLines(label: string, q: Question, given: number | undefined): string[] {
  const answered = given === undefined ? 'Not answered.' : `Answered: ${given + 1}. ${q.choices[given] ?? '?'} (${given === q.answer ? 'right' : 'not right'}).`;
  return [
    `**${label}:** ${q.prompt}`,
    '',
    ...q.choices.map((c, i) => `${i + 1}. ${c}`),
    '',
    answered,
    '',
    '<details><summary>The answer</summary>',
    '',
    `${q.answer + 1}. ${q.choices[q.answer] ?? ''}`,
    '',
    q.explanation.trim(),
    '',
    '</details>',
    '',
  ];
}

/** JSON results are masked already where they are shown; masked again here, so a transcript never depends on it. */
function masked(result: StepResult): StepResult {
  return result.kind === 'json' ? { ...result, value: toDisplayJson(result.value) } : result;
}

/** A fenced block whose fence is longer than any run of backticks inside it. */
function fence(language: string, text: string): string[] {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((m) => m.length));
  const marks = '`'.repeat(longest + 1);
  return [`${marks}${language}`, text.replace(/\s+$/, ''), marks];
}
