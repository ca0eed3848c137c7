// The packages a lesson's steps.ts may import besides node: built-ins and its
// own files, each served by the CLI's own loaded copy: a lesson pack outside
// this project has no node_modules, and a second copy of the SDK would break
// the SDK's own `instanceof` checks (its paginators check the client's class).

/** Loads each package the way the CLI itself does (in the bundle: the same chunks). */
export const HOST_MODULES: Readonly<Record<string, () => Promise<Record<string, unknown>>>> = {
  '@aws-sdk/client-kms': () => import('@aws-sdk/client-kms'),
  '@aws-sdk/client-s3': () => import('@aws-sdk/client-s3'),
  '@aws-sdk/client-cloudtrail': () => import('@aws-sdk/client-cloudtrail'),
  '@aws-sdk/client-iam': () => import('@aws-sdk/client-iam'),
  '@aws-sdk/client-sts': () => import('@aws-sdk/client-sts'),
  '@aws-crypto/client-node': () => import('@aws-crypto/client-node'),
  // Types only (StepContext and what it names): nothing to run.
  'kms-workshop': async () => ({}),
};

export function isHostModule(name: string): boolean {
  return Object.hasOwn(HOST_MODULES, name);
}

/** Where compiled step files find the modules loaded for them (a global: they are separate ES modules). */
export const HOST_MODULES_GLOBAL = Symbol.for('kms-workshop.host-modules');

/** Loads a host module and publishes it for compiled step files; returns its export names. */
export async function publishHostModule(name: string): Promise<string[]> {
  const exports = asNamedExports(await HOST_MODULES[name]!());
  const g = globalThis as unknown as Record<symbol, Record<string, unknown> | undefined>;
  (g[HOST_MODULES_GLOBAL] ??= {})[name] = exports;
  return Object.keys(exports);
}

/** The bundle hands a CommonJS package (the SDK's dist-cjs) over as `{ default: module.exports }`
 * only; Node gives its names too. Either way: its names, and `default` as Node has it. */
function asNamedExports(ns: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(ns);
  const cjs = ns.default;
  if (keys.length === 1 && keys[0] === 'default' && typeof cjs === 'object' && cjs !== null) return { ...(cjs as Record<string, unknown>), default: cjs };
  return ns;
}
