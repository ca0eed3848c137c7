// Where the package's lessons and assets are, whether running from the source
// tree (vitest, tsx) or from the bundle in dist/: walk up to our package.json.
// Below everything that reads them (the lessons loader, the runtime, the commands).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'kms-workshop') return (cached = dir);
      } catch {
        /* not ours; keep looking */
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('kms-workshop: cannot find the package folder (package.json) above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}

export const lessonsRoot = () => join(packageRoot(), 'lessons');
export const assetsRoot = () => join(packageRoot(), 'assets');
/** Where the build puts compiled step files: dist/lessons/<slug>/steps.js. */
export const compiledLessonsRoot = () => join(packageRoot(), 'dist', 'lessons');
