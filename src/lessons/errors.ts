// A problem in a lesson folder, named by file and line so an author can jump to it.

export interface LessonProblem {
  /** Absolute (or as given) path of the file at fault. */
  file: string;
  /** 1-based line; 1 when the problem is the file as a whole. */
  line: number;
  message: string;
}

export function problem(file: string, line: number, message: string): LessonProblem {
  return { file, line: Math.max(1, line), message };
}

/** `file:line: message`, the shape editors and terminals turn into links. */
export function formatProblem(p: LessonProblem): string {
  return `${p.file}:${p.line}: ${p.message}`;
}

/** Thrown by loadLesson when a folder has problems; carries all of them, not just the first. */
export class LessonValidationError extends Error {
  constructor(readonly problems: LessonProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'LessonValidationError';
  }
}
