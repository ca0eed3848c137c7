// The package's import entry, for lesson authors' editors: the types a lesson's
// steps.ts uses, `import type { StepContext } from 'kms-workshop'`. Types only:
// the build turns this into dist/types/index.d.ts (scripts/build.mjs), and a
// lesson's import of 'kms-workshop' compiles to nothing at run time.
export type { ExpectedError, FastForward, RequestQuotaChange, StepContext, StepFunction } from './runtime/context.js';
export type { Names } from './runtime/names.js';
export type { Show } from './runtime/show.js';
export type { ApiCall, CallCount, JsonValue, StepResult, TargetKind } from './runtime/types.js';
