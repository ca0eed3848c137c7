// Lessons 1-4 walked at 80x24 in a real terminal (tmux): no code line wraps
// inside a token (each identifier and string of a step's code is whole on one
// row somewhere as the learner pages through it), and a question whose prompt
// is on screen has its choices on screen as the step opens and after it runs.
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { loadLessons } from '../../src/lessons/loader.js';
import type { LessonStep } from '../../src/runtime/types.js';
import { CLI, ensureBuilt } from '../helpers/cli.js';
import { hasTmux, Terminal } from '../tui/tmux.js';

let terminals: Terminal[] = [];
beforeAll(() => ensureBuilt());
afterEach(async () => {
  await Promise.all(terminals.map((t) => t.close()));
  terminals = [];
});

/** Identifiers, strings and flags: what must never be split across rows. */
function tokensOf(source: string): string[] {
  return [...new Set(source.match(/'[^'\n]*'|"[^"\n]*"|--?[A-Za-z][\w-]*|[A-Za-z_$][\w$]*/g) ?? [])].filter((t) => t.length <= 60);
}

/**
 * Each source line found on screen (a row starting as it does) has each of its
 * tokens whole within that row and its continuations (the next rows, indented deeper).
 */
function expectTokensWhole(source: string, rows: string[], where: string) {
  for (const line of source.split('\n')) {
    const whole = line.trim();
    if (whole.length < 6) continue;
    // The row a source line starts on is that line, or its beginning when it wraps.
    const at = rows.findIndex((r) => r.trim().length >= Math.min(whole.length, 20) && whole.startsWith(r.trim()) && r.search(/\S/) === line.search(/\S/));
    if (at < 0) continue; // paged past, or not this build's source
    const indent = line.search(/\S/);
    const group = [rows[at]!];
    for (const r of rows.slice(at + 1)) {
      if (r.search(/\S/) > indent && group.join('').replace(/\s+/g, '').length < line.replace(/\s+/g, '').length) group.push(r);
      else break;
    }
    for (const token of tokensOf(line)) expect(group.some((r) => r.includes(token)), `${where}: "${token}" whole on one row of\n${group.join('\n')}`).toBe(true);
  }
}

/** The rows inside the code box (between its side borders), borders stripped. */
function codeRows(screen: string): string[] {
  return screen
    .split('\n')
    .filter((l) => /^│ .*│\s*$/.test(l))
    .map((l) => l.replace(/^│ /, '').replace(/│\s*$/, ''));
}

/** Every question of the step whose prompt shows has all its choices showing (each choice's first words). */
function expectChoicesWithPrompts(screen: string, step: LessonStep, where: string) {
  for (const q of [step.predict, step.question]) {
    if (!q || !screen.includes(`? ${q.prompt.slice(0, 30)}`)) continue;
    for (const [i, choice] of q.choices.entries()) expect(screen, `${where}: choice ${i + 1} of "${q.prompt}"`).toContain(`${i + 1}. ${choice.slice(0, 20)}`);
  }
}

describe('lessons 1-4 at 80x24', () => {
  beforeAll(() => expect(hasTmux, 'tmux is needed for the real-terminal tests').toBe(true));
  test('no code line wraps inside a token, and a question shown has its choices shown', async () => {
    const lessons = loadLessons().lessons.slice(0, 4);
    expect(lessons).toHaveLength(4);
    const t = new Terminal({ columns: 80, rows: 24, env: { KMS_WORKSHOP_HOME: '' } });
    terminals.push(t);
    await t.waitFor(/^ready\$\s*$/m);
    t.type(`KMS_WORKSHOP_HOME=${join(t.dir, 'home')} ${process.execPath} ${CLI}`);
    await t.waitFor(/Target local engine at/);
    for (const [n, lesson] of lessons.entries()) {
      if (n > 0) t.press('Down');
      t.press('Enter');
      await t.waitFor(/introduction|step 1 of/);
      if (t.screen().includes('introduction')) t.press('Enter');
      for (const [i, step] of lesson.steps.entries()) {
        const where = `${lesson.id} step ${i + 1}`;
        let screen = await t.waitFor(`step ${i + 1} of ${lesson.steps.length}`);
        await new Promise((r) => setTimeout(r, 300));
        screen = t.screen();
        expectChoicesWithPrompts(screen, step, `${where} as opened`);
        // Page through the step, gathering the code box's rows.
        const rows: string[] = codeRows(screen);
        for (let page = 0; page < 6; page++) {
          t.press('Space');
          await new Promise((r) => setTimeout(r, 150));
          screen = t.screen();
          rows.push(...codeRows(screen));
        }
        if (!step.exercise) expectTokensWhole(step.source, rows, where);
        t.press('Home');
        // Run it (a prediction asks first; an exercise is solved), then look again.
        t.press(step.exercise ? 's' : 'Enter');
        if (step.predict && !step.exercise) {
          await t.waitFor(/What do you expect|✔ done/);
          if (t.screen().includes('What do you expect')) {
            t.press('1');
            await t.waitFor('Your prediction');
            t.press('Enter');
          }
        }
        screen = await t.waitFor(/✔ done|✔ you did it|Solved|did not do what|Press b to run/, 60_000);
        await new Promise((r) => setTimeout(r, 300));
        expectChoicesWithPrompts(t.screen(), step, `${where} after its run`);
        if (i + 1 < lesson.steps.length) t.press('Right');
      }
      t.press('Escape');
      await t.waitFor(/Lessons/);
    }
    t.press('q');
  }, 600_000);
});
