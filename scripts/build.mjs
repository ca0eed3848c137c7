// Bundles the CLI (and everything it imports) into dist/, so the published
// package needs no dependencies at install time and starts fast.
// Code splitting keeps the SDK and the engine in chunks loaded on demand.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  rmSync('dist', { recursive: true, force: true });
  await build({ entryPoints: { cli: 'src/cli.ts', ...lessonEntries() }, outdir: 'dist', ...bundleOptions });
  // Which steps.ts each compiled file was built from, by content (mtimes do not survive npm install):
  // the runtime uses a compiled file only while its steps.ts is unchanged.
  const manifest = {};
  for (const source of Object.values(lessonEntries())) manifest[source.split('/')[1]] = createHash('sha256').update(readFileSync(source)).digest('hex');
  if (Object.keys(manifest).length) writeFileSync('dist/lessons/manifest.json', JSON.stringify(manifest, null, 2) + '\n');
}
