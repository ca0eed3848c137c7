// Loads a lesson's steps.ts as code to run. Three cases:
// - from the source tree (vitest, tsx): import steps.ts itself;
// - from the bundle (dist/cli.js): the build compiled lessons/<slug>/steps.ts
//   into dist/lessons/<slug>/steps.js, sharing the SDK chunks with the CLI;
// - an author's folder the build has not seen (or a steps.ts edited since the
//   build, told by content hash): compile it with esbuild if it is installed.
// The source shown on screen always comes from steps.ts (see the loader).
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compiledLessonsRoot, lessonsRoot } from '../lessons/paths.js';
import type { StepFunction } from './context.js';
import type { Lesson } from './types.js';

const RUNNING_FROM_SOURCE = import.meta.url.endsWith('.ts');

export class StepModuleError extends Error {
  override name = 'StepModuleError';
}

export async function loadStepFunctions(lesson: Lesson): Promise<Record<string, StepFunction>> {
  const source = join(lesson.dir, 'steps.ts');
  const url = await moduleUrl(lesson, source);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (e) {
    throw new StepModuleError(`${source}: cannot load the lesson's steps: ${(e as Error).message}`);
  }
  const functions: Record<string, StepFunction> = {};
  // A step's function, and an exercise's verify function beside it.
  for (const step of lesson.steps) {
    for (const name of [step.functionName, ...(step.exercise?.verify ? [step.exercise.verify] : [])]) {
      const fn = mod[name];
      if (typeof fn !== 'function') throw new StepModuleError(`${source}:${step.sourceLine}: '${name}' is not an exported function once compiled`);
      functions[name] = fn as StepFunction;
    }
  }
  return functions;
}

async function moduleUrl(lesson: Lesson, source: string): Promise<string> {
  if (RUNNING_FROM_SOURCE) return pathToFileURL(source).href;
  const compiled = join(compiledLessonsRoot(), lesson.slug, 'steps.js');
  const packaged = join(lessonsRoot(), lesson.slug) === lesson.dir;
  if (packaged && existsSync(compiled) && builtFrom(lesson.slug) === sha256(readFileSync(source))) return pathToFileURL(compiled).href;
  return pathToFileURL(await compileWithEsbuild(source)).href;
}

/** The hash of the steps.ts the build compiled (dist/lessons/manifest.json, written by scripts/build.mjs). */
function builtFrom(slug: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(compiledLessonsRoot(), 'manifest.json'), 'utf8')) as Record<string, string>)[slug];
  } catch {
    return undefined;
  }
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Bundles an author's steps.ts (and what it imports) into one temporary ES module. */
async function compileWithEsbuild(source: string): Promise<string> {
  let esbuild: typeof import('esbuild');
  try {
    const name = 'esbuild'; // not a literal: the CLI bundle must not swallow esbuild itself
    esbuild = (await import(name)) as typeof import('esbuild');
  } catch {
    throw new StepModuleError(
      `${source}: running a lesson that is not part of the build needs esbuild (npm install -D esbuild in the lesson's project), or rebuild with 'npm run build'.`,
    );
  }
  const outfile = join(mkdtempSync(join(tmpdir(), 'kms-workshop-steps-')), 'steps.mjs');
  try {
    await esbuild.build({
      entryPoints: [source],
      outfile,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      logLevel: 'silent',
      banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    });
  } catch (e) {
    const errors = (e as { errors?: Array<{ text: string; location?: { line: number } }> }).errors ?? [];
    const first = errors[0];
    throw new StepModuleError(first ? `${source}:${first.location?.line ?? 1}: ${first.text}` : `${source}: ${(e as Error).message}`);
  }
  return outfile;
}
