// The steps.ts scanner: finds exported step functions and cuts out exactly
// their text, whatever strings, templates, regexes and comments they hold.
import { expect, test } from 'vitest';
import { scanStepFunctions } from '../../src/lessons/steps-source.js';

test('functions with braces inside strings, templates, regexes and comments are cut at their own end', () => {
  const source = [
    "import x from 'y';",
    '',
    '/* a block comment with } */',
    '// a helper note',
    'export async function one({ show }: Ctx): Promise<{ ok: boolean }> {',
    "  const a = '}' + \"{\" + `${'}'}` + `x${ { a: 1 }.a }`;",
    '  const r = /[{}]/g; // } in a comment',
    '  return { ok: a.length > 0 && r.test("}") };',
    '}',
    '',
    'function notExported() {',
    '  return 1;',
    '}',
    '',
    'export const two = async ({ show }: Ctx) => {',
    '  return show.text(`multi',
    '}line`);',
    '};',
    'export function* three() {}',
  ].join('\n');
  const { functions, unbalancedAt } = scanStepFunctions(source);
  expect(unbalancedAt).toBeUndefined();
  expect(functions.map((f) => [f.name, f.line])).toEqual([
    ['one', 5],
    ['two', 15],
    ['three', 19],
  ]);
  // the comments directly above belong to the function
  expect(functions[0]!.source).toBe(source.split('\n').slice(2, 9).join('\n'));
  expect(functions[1]!.source).toBe(source.split('\n').slice(14, 18).join('\n'));
  expect(functions[2]!.source).toBe('export function* three() {}');
});

test('an unterminated template literal is reported at its start', () => {
  const { unbalancedAt } = scanStepFunctions('export function a() {\n  return `never closed\n}\n');
  expect(unbalancedAt).toBe(2);
});

test('a closing brace with no opening one is reported', () => {
  expect(scanStepFunctions('export function a() {}\n}\n').unbalancedAt).toBe(2);
});
