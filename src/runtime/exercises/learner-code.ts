// Runs the file a learner edits in an editor exercise. An installed package
// has no compiler and no node_modules (the SDK lives in the bundle), so an
// exercise file is JavaScript with JSDoc types: its `import ... from 'x'`
// lines become lookups of the modules the workshop carries, and
// `export default` its step function, then it runs in this process with
// node:vm. Line numbers stay the file's own, so an error names the learner's
// line. This is a narrow rewrite (imports and exports at the start of a
// line), not a transpiler: the exercise format documents it.
import { readFileSync } from 'node:fs';
import { Script } from 'node:vm';
import type { StepFunction } from '../context.js';
import { HOST_MODULES } from '../host-modules.js';

/** What an exercise file may import: the packages a lesson may (host-modules.ts; not the types-only one) and a few built-ins. */
const { 'kms-workshop': _typesOnly, ...packages } = HOST_MODULES;
const MODULES: Record<string, () => Promise<unknown>> = {
  ...packages,
  'node:fs/promises': () => import('node:fs/promises'),
  'node:fs': () => import('node:fs'),
  'node:path': () => import('node:path'),
  'node:crypto': () => import('node:crypto'),
};

export class LearnerCodeError extends Error {
  override name = 'LearnerCodeError';
}

const IMPORT = /^import\s+([\s\S]*?)\s+from\s+(['"])([^'"\n]+)\2[ \t]*;?/gm;
const EXPORT_DEFAULT = /^export\s+default\s+/m;
const EXPORT = /^export\s+(?=(?:async\s+)?function|const|let|class)/gm;

/** The file's default export, freshly read: a function taking the step context. */
export async function loadLearnerFunction(file: string): Promise<StepFunction> {
  const source = readFileSync(file, 'utf8');
  const body = rewrite(source, file);
  let run: (load: (name: string) => Promise<unknown>, exports: { default?: unknown }) => Promise<void>;
  try {
    // One line of wrapper, on the file's first line: line numbers stay the file's.
    run = new Script(`(async function (__import, __exports) {${body}\n})`, { filename: file }).runInThisContext() as typeof run;
  } catch (e) {
    throw new LearnerCodeError(where(e, file));
  }
  const exports: { default?: unknown } = {};
  try {
    await run(loadModule, exports);
  } catch (e) {
    throw new LearnerCodeError(where(e, file));
  }
  if (typeof exports.default !== 'function') throw new LearnerCodeError(`${file}: the file must export a function: export default async function (ctx) { ... }`);
  return exports.default as StepFunction;
}

function rewrite(source: string, file: string): string {
  if (!EXPORT_DEFAULT.test(source)) throw new LearnerCodeError(`${file}: the file must export a function: export default async function (ctx) { ... }`);
  return source
    .replace(IMPORT, (whole, clause: string, _q: string, name: string) => {
      if (!Object.hasOwn(MODULES, name)) throw new LearnerCodeError(`${file}:${lineAt(source, whole)}: an exercise file can import only ${Object.keys(MODULES).join(', ')} (not '${name}')`);
      const lines = '\n'.repeat(countLines(whole) - countLines(clause));
      return `${bindings(clause.trim(), name)}${lines}`;
    })
    .replace(EXPORT_DEFAULT, '__exports.default = ')
    .replace(EXPORT, '');
}

/** `{ a, b as c }`, `* as ns`, `name` or `name, { a }` as declarations of what the module gives. */
function bindings(clause: string, name: string): string {
  const get = `await __import(${JSON.stringify(name)})`;
  const parts: string[] = [];
  const named = /\{[\s\S]*\}/.exec(clause)?.[0];
  const star = /\*\s*as\s+([\w$]+)/.exec(clause)?.[1];
  const def = /^([\w$]+)\s*(?:,|$)/.exec(clause)?.[1];
  if (def) parts.push(`const ${def} = (${get}).default;`);
  if (star) parts.push(`const ${star} = ${get};`);
  if (named) parts.push(`const ${named.replace(/([\w$]+)\s+as\s+([\w$]+)/g, '$1: $2')} = ${get};`);
  return parts.join(' ');
}

async function loadModule(name: string): Promise<unknown> {
  return MODULES[name]!();
}

function countLines(text: string): number {
  return text.split('\n').length;
}

function lineAt(source: string, fragment: string): number {
  return countLines(source.slice(0, source.indexOf(fragment)));
}

/** An error as `file:line: message`, the line taken from the stack where it names the file. */
function where(e: unknown, file: string): string {
  const err = e as Error;
  const stack = String(err?.stack ?? '');
  const line = new RegExp(`${escape(file)}:(\\d+)`).exec(stack)?.[1];
  return `${file}${line ? `:${line}` : ''}: ${err?.name && err.name !== 'Error' ? `${err.name}: ` : ''}${err?.message ?? String(e)}`;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
