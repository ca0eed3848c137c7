// The lesson screen's keys: the footer and the list behind `?`. Apart from the
// screen itself, which loads after the menu's first frame.
import type { KeyBinding } from '../layout/key-help.js';

export const LESSON_KEYS: KeyBinding[] = [
  { keys: 'Enter/r', does: 'run' },
  { keys: '←→', does: 'step' },
  { keys: 'c', does: 'code/CLI' },
  { keys: 'h', does: 'hint' },
  { keys: 'a', does: 'calls' },
  { keys: 's', does: 'solve' },
  { keys: '↑↓', does: 'scroll' },
  { keys: 'Esc', does: 'menu' },
  { keys: '?', does: 'keys' },
  { keys: 'q', does: 'quit' },
];

/** On the lesson's introduction page. */
export const INTRO_KEYS: KeyBinding[] = [
  { keys: 'Enter/→', does: 'begin' },
  { keys: '↑↓', does: 'scroll' },
  { keys: 'Esc', does: 'menu' },
  { keys: '?', does: 'keys' },
  { keys: 'q', does: 'quit' },
];

export const LESSON_HELP: KeyBinding[] = [
  { keys: 'Enter or r', does: 'run this step (earlier steps not yet run go first); an exercise: start it' },
  { keys: '→ or n', does: 'next step' },
  { keys: '← or p', does: 'previous step' },
  { keys: 'c', does: 'switch between the code and the AWS CLI command' },
  { keys: 'v', does: 'show or fold the code (it folds once the step has run)' },
  { keys: 'a', does: "the step's API calls: ↑↓ choose one, Enter opens it in full, Esc back" },
  { keys: 'h', does: 'show the hints one at a time, then hide them' },
  { keys: 's', does: 'an exercise: solve it (its reference solution runs; marked solved)' },
  { keys: '1-9', does: 'answer the question (a prediction before running the step)' },
  { keys: 'b', does: "after the lesson's clean-up: run it again from step 1" },
  { keys: 't', does: "write this lesson's transcript (Markdown) beside its workspace" },
  { keys: '↑↓ PgUp PgDn', does: 'scroll' },
  { keys: 'Esc', does: 'back to the lessons' },
  { keys: '?', does: 'this list' },
  { keys: 'q', does: 'quit' },
];
