// The learner's progress as the TUI's screens want it, read from
// <home>/progress.json, which the runtime writes when a step passes.
import { lessonStatus, readProgress, type Progress } from '../runtime/progress.js';
import type { Lesson } from '../runtime/types.js';
import type { ProgressPort } from '../tui/app.js';

export function progressPort(home: string): ProgressPort {
  let progress: Progress = readProgress(home);
  return {
    view(lesson) {
      const status = lessonStatus(progress, lesson);
      if (status.complete) return { state: 'done', total: status.total };
      if (status.done === 0) return { state: 'new', total: status.total };
      return { state: 'in-progress', step: indexOf(lesson, status.nextStep) + 1, total: status.total };
    },
    resumeAt(lesson) {
      const status = lessonStatus(progress, lesson);
      return status.complete ? 0 : indexOf(lesson, status.nextStep);
    },
    stepPassed() {
      progress = readProgress(home);
    },
    stepVisited() {
      // progress.json records passed steps only; a lesson reopens at its first step not yet passed.
    },
  };
}

/** Presenting: nothing read, nothing recorded; every lesson opens at its start. */
export function presentingProgressPort(): ProgressPort {
  return {
    view: (lesson) => ({ state: 'new', total: lesson.steps.length }),
    resumeAt: () => 0,
    stepPassed() {},
    stepVisited() {},
  };
}

function indexOf(lesson: Lesson, stepId: string | undefined): number {
  return Math.max(0, lesson.steps.findIndex((s) => s.id === stepId));
}
