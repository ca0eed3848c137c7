// Loads a lesson's steps.ts as code to run. Three cases:
// - from the source tree (vitest, tsx): import steps.ts itself;
// - from the bundle (dist/cli.js): the build compiled lessons/<slug>/steps.ts
//   into dist/lessons/<slug>/steps.js, sharing the SDK chunks with the CLI;
// - a lesson pack's folder, anywhere (or a steps.ts edited since the build,
//   told by content hash): compile it with esbuild, a dependency of the
//   package, its SDK imports served by the CLI's own copy (host-modules.ts).
// The source shown on screen always comes from steps.ts (see the loader).
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compiledLessonsRoot, lessonsRoot } from '../package-paths.js';
import type { StepFunction } from './context.js';
import { HOST_MODULES, HOST_MODULES_GLOBAL, isHostModule, publishHostModule } from './host-modules.js';
import type { Lesson } from './types.js';

const RUNNING_FROM_SOURCE = import.meta.url.endsWith('.ts');

export class StepModuleError extends Error {
  override name = 'StepModuleError';
}

export async function loadStepFunctions(lesson: Lesson): Promise<Record<string, StepFunction>> {
  const source = join(lesson.dir, 'steps.ts');
  const { url, temporary } = await moduleUrl(lesson, source);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (e) {
    throw new StepModuleError(`${source}: cannot load the lesson's steps: ${(e as Error).message}`);
  } finally {
    // Imported (or failed): the compiled copy has served its purpose.
    if (temporary) rmSync(temporary, { recursive: true, force: true });
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

async function moduleUrl(lesson: Lesson, source: string): Promise<{ url: string; temporary?: string }> {
  const packaged = join(lessonsRoot(), lesson.slug) === lesson.dir;
  // From the source tree a packaged lesson imports its SDK from this project's node_modules; a pack has none.
  if (RUNNING_FROM_SOURCE && packaged) return { url: pathToFileURL(source).href };
  const compiled = join(compiledLessonsRoot(), lesson.slug, 'steps.js');
  if (packaged && existsSync(compiled) && builtFrom(lesson.slug) === sha256(readFileSync(source))) return { url: pathToFileURL(compiled).href };
  const outfile = await compileWithEsbuild(source);
  return { url: pathToFileURL(outfile).href, temporary: dirname(outfile) };
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
    throw new StepModuleError(`${source}: running a lesson that is not part of the build needs esbuild, which kms-workshop installs with itself: reinstall kms-workshop.`);
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
      plugins: [hostModules],
      banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    });
  } catch (e) {
    rmSync(dirname(outfile), { recursive: true, force: true });
    const errors = (e as { errors?: Array<{ text: string; location?: { line: number } }> }).errors ?? [];
    const first = errors[0];
    throw new StepModuleError(first ? `${source}:${first.location?.line ?? 1}: ${first.text}` : `${source}: ${(e as Error).message}`);
  }
  return outfile;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const HOST = 'kms-workshop-host';

/**
 * Bare imports: node built-ins stay imports; the SDK and 'kms-workshop' become small modules that
 * hand out the CLI's own loaded copy (one instance, no node_modules needed beside the lesson);
 * anything else is refused with the list of what a lesson may import.
 */
const hostModules: import('esbuild').Plugin = {
  name: 'kms-workshop-host-modules',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      if (args.path.startsWith('node:') || builtinModules.includes(args.path)) return { path: args.path, external: true };
      if (isHostModule(args.path)) return { path: args.path, namespace: HOST };
      return {
        errors: [
          {
            text: `Could not resolve "${args.path}": a lesson's steps.ts can import ${Object.keys(HOST_MODULES).join(', ')}, node: built-ins and files of its own folder (kms-workshop carries these; nothing is installed beside a lesson)`,
          },
        ],
      };
    });
    build.onLoad({ filter: /.*/, namespace: HOST }, async (args) => {
      const names = await publishHostModule(args.path);
      const named = names.filter((n) => n !== 'default' && IDENTIFIER.test(n));
      const from = `globalThis[Symbol.for(${JSON.stringify(HOST_MODULES_GLOBAL.description)})][${JSON.stringify(args.path)}]`;
      const contents = [
        `const m = ${from};`,
        named.length ? `export const { ${named.join(', ')} } = m;` : 'export {};',
        names.includes('default') ? 'export default m.default;' : '',
      ].join('\n');
      return { contents, loader: 'js' };
    });
  },
};
