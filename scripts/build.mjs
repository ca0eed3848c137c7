// Bundles the CLI (and everything it imports) into dist/, so the published
// package needs no dependencies at install time and starts fast.
// Code splitting keeps the SDK and the engine in chunks loaded on demand.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Everything but the entry and the output folder, shared with bench/startup.ts so its
 * bare Ink "hello" is bundled exactly as the CLI is. */
export const bundleOptions = {
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: false,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
  // Some dependencies are CommonJS and call require(); give the ESM bundle one.
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  define: {
    'process.env.NODE_ENV': '"production"',
    __VERSION__: JSON.stringify(JSON.parse(readFileSync('package.json', 'utf8')).version),
  },
  external: ['react-devtools-core'],
};

/** Each lesson's steps.ts becomes dist/lessons/<slug>/steps.js, an entry of the same build so
 * it shares the SDK chunks with the CLI; the runtime imports it (the source shown on screen is
 * still read from lessons/<slug>/steps.ts). */
export function lessonEntries() {
  if (!existsSync('lessons')) return {};
  const entries = {};
  for (const slug of readdirSync('lessons').sort())
    if (existsSync(`lessons/${slug}/steps.ts`)) entries[`lessons/${slug}/steps`] = `lessons/${slug}/steps.ts`;
  return entries;
}

/** The packages the installed kms-workshop carries only inside its bundle (the AWS SDK) and node's
 * own modules, as 'any' for a lesson pack's editor: used only where their real types are not found. */
const UNTYPED = `// Modules kms-workshop carries without their types: anything imported from
// them is 'any' unless their real types are found first (tsconfig.json paths).
declare module '@aws-sdk/*';
declare module '@aws-crypto/*';
declare module 'node:*';
`;

/**
 * dist/types/: index.d.ts (\`import type { StepContext } from 'kms-workshop'\`, package.json "types")
 * and the .d.ts of each source file it reaches, made file by file without type-checking the
 * program (transpileDeclaration: a second, not the 20 s a full program takes with the SDK's
 * types), which needs explicit types on what those files export; tsc --noEmit checks them.
 */
export async function writeTypes(outdir = 'dist/types') {
  const ts = (await import('typescript')).default;
  const todo = ['src/index.ts'];
  const done = new Set();
  while (todo.length) {
    const file = todo.pop();
    if (done.has(file)) continue;
    done.add(file);
    const out = ts.transpileDeclaration(readFileSync(file, 'utf8'), {
      fileName: file,
      reportDiagnostics: true,
      compilerOptions: { module: ts.ModuleKind.NodeNext, target: ts.ScriptTarget.ES2022 },
    });
    const problems = (out.diagnostics ?? []).map((d) => `${file}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
    if (problems.length) throw new Error(`cannot write the types lesson authors import:\n${problems.join('\n')}`);
    const target = join(outdir, file.replace(/^src\//, '').replace(/\.ts$/, '.d.ts'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, out.outputText);
    for (const [, rel] of out.outputText.matchAll(/(?:from |import\()['"](\.{1,2}\/[^'"]+)\.js['"]/g)) todo.push(join(dirname(file), `${rel}.ts`));
  }
  writeFileSync(join(outdir, 'untyped.d.ts'), UNTYPED);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  rmSync('dist', { recursive: true, force: true });
  await build({ entryPoints: { cli: 'src/cli.ts', index: 'src/index.ts', ...lessonEntries() }, outdir: 'dist', ...bundleOptions });
  await writeTypes();
  // Which steps.ts each compiled file was built from, by content (mtimes do not survive npm install):
  // the runtime uses a compiled file only while its steps.ts is unchanged.
  const manifest = {};
  for (const source of Object.values(lessonEntries())) manifest[source.split('/')[1]] = createHash('sha256').update(readFileSync(source)).digest('hex');
  if (Object.keys(manifest).length) writeFileSync('dist/lessons/manifest.json', JSON.stringify(manifest, null, 2) + '\n');
}
