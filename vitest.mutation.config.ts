// The suite as StrykerJS runs it (`npm run mutate`, see stryker.config.json): the same
// tests, minus test/e2e, which run the built CLI (dist/), where a mutant in src/ never
// reaches, so they could only cost time and fail for want of a build in the sandbox; and
// the mutated modules loaded before each test file (see test/helpers/mutation-setup.ts).
import { configDefaults, defineConfig } from 'vitest/config';
import base from './vitest.config.js';

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    exclude: [...configDefaults.exclude, 'test/e2e/**'],
    reporters: ['default'],
    setupFiles: ['test/helpers/mutation-setup.ts'],
  },
});
