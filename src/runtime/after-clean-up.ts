// A step run again after its lesson's clean-up finds the key, bucket or files
// it builds on gone. Rather than a raw NotFoundException, the learner is told
// that the clean-up removed them and that the lesson runs again from its start.
// The clean-up is the step with the id `clean-up` (lessons/README.md).
import type { Lesson, LessonStep, StepFailure } from './types.js';

export const CLEAN_UP_STEP_ID = 'clean-up';

/**
 * What a missing resource looks like: KMS and S3 error names, a key pending deletion, a missing workspace file,
 * and a disabled key (lesson 10's clean-up disables its key, as the developer demo does, rather than delete it).
 */
const GONE = new Set(['NotFoundException', 'NoSuchBucket', 'NoSuchKey', 'KMSInvalidStateException', 'DisabledException']);

export function isMissingResource(e: unknown): boolean {
  const err = e as { name?: string; code?: string } | null;
  return typeof err === 'object' && err !== null && (GONE.has(err.name ?? '') || err.code === 'ENOENT');
}

/** Remembers, per lesson step, when it last passed in this session. */
export class PassOrder {
  private readonly order = new Map<string, number>();
  private passes = 0;

  passed(lesson: Lesson, step: LessonStep): void {
    this.order.set(key(lesson, step), ++this.passes);
  }

  /**
   * The lesson's clean-up step, when it has passed since every step before
   * `step` last did: what those steps made is gone. Undefined otherwise (no
   * clean-up yet, an earlier step run again since, or the first step, which
   * builds on nothing).
   */
  cleanedUpBefore(lesson: Lesson, step: LessonStep): LessonStep | undefined {
    const cleanUp = lesson.steps.find((s) => s.id === CLEAN_UP_STEP_ID);
    const at = cleanUp && this.order.get(key(lesson, cleanUp));
    const index = lesson.steps.indexOf(step);
    if (!cleanUp || at === undefined || index <= 0) return undefined;
    const rebuilt = lesson.steps.slice(0, index).some((s) => s !== cleanUp && (this.order.get(key(lesson, s)) ?? 0) > at);
    return rebuilt ? undefined : cleanUp;
  }
}

/** The failure, told as what it is: the clean-up removed what the step builds on. */
export function afterCleanUpFailure(failure: StepFailure, lesson: Lesson, cleanUp: LessonStep): StepFailure {
  const n = lesson.steps.indexOf(cleanUp) + 1;
  return {
    ...failure,
    afterCleanUp: true,
    message:
      `This lesson's clean-up (step ${n}, “${cleanUp.title}”) has run since the steps this one builds on, ` +
      `so what they made (the key and its alias, a bucket, files in the workspace) is gone. ` +
      `Run the lesson again from its start (step 1) to make them anew. (${failure.message})`,
  };
}

function key(lesson: Lesson, step: LessonStep) {
  return `${lesson.id}/${step.id}`;
}
