// The cost of one authorization decision, in ns: GenerateDataKey on a key with the
// default key policy, by the default learner (AdministratorAccess), the request context
// built as the engine builds it (kmsContext, with an encryption context). Also the
// decision that refuses (a power user), and one under a key policy with a condition.
// Run: npx tsx bench/authorize.ts
import { makeCaller } from '../src/engine/caller.js';
import { kmsContext } from '../src/engine/auth/condition-context.js';
import { decide, type DecisionInput } from '../src/engine/auth/decision.js';
import type { NamedPolicy } from '../src/engine/auth/types.js';

const ROUNDS = 5;
const N = Number(process.env.BENCH_DECISIONS ?? 200_000);
const KEY = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const learner = makeCaller();
const now = new Date();

const policy = (name: string, Statement: unknown): NamedPolicy => ({ name, document: JSON.stringify({ Version: '2012-10-17', Statement }, null, 2) });
const administratorAccess = policy('AdministratorAccess', [{ Effect: 'Allow', Action: '*', Resource: '*' }]);
const powerUser = policy('AWSKeyManagementServicePowerUser', [{ Effect: 'Allow', Action: ['kms:CreateAlias', 'kms:CreateKey', 'kms:DeleteAlias', 'kms:Describe*', 'kms:GenerateRandom', 'kms:Get*', 'kms:List*', 'kms:TagResource', 'kms:UntagResource', 'iam:ListGroups', 'iam:ListRoles', 'iam:ListUsers'], Resource: '*' }]);
const defaultKeyPolicy = policy('default', [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*' }]);
const conditionalKeyPolicy = policy('default', [
  { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: ['kms:Describe*', 'kms:Get*', 'kms:List*'], Resource: '*' },
  { Sid: 'Allow use of the key', Effect: 'Allow', Principal: { AWS: learner.arn }, Action: 'kms:GenerateDataKey*', Resource: '*', Condition: { StringEquals: { 'kms:EncryptionContext:project': 'workshop' }, 'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['project'] } } },
]);

function input(identityPolicies: NamedPolicy[], resourcePolicy: NamedPolicy): DecisionInput {
  return {
    request: { caller: learner, action: 'kms:GenerateDataKey', resource: KEY, context: kmsContext(learner, now, { encryptionContext: { project: 'workshop' } }) },
    resourceAccount: '111122223333',
    identityPolicies,
    resourcePolicy,
  };
}

function nsPerDecision(make: () => DecisionInput, expectAllowed: boolean): number {
  let best = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < N; i++) if (decide(make()).allowed !== expectAllowed) throw new Error('unexpected decision');
    best = Math.min(best, Number(process.hrtime.bigint() - t) / N);
  }
  return best;
}

const rows: [string, () => DecisionInput, boolean][] = [
  ['administrator, default key policy', () => input([administratorAccess], defaultKeyPolicy), true],
  ['power user, default key policy (denied)', () => input([powerUser], defaultKeyPolicy), false],
  ['key policy with conditions', () => input([], conditionalKeyPolicy), true],
];
console.log(`authorization decision for kms:GenerateDataKey (context built each time; best of ${ROUNDS} x ${N})`);
for (const [label, make, allowed] of rows) console.log(`${label.padEnd(42)} ${nsPerDecision(make, allowed).toFixed(0).padStart(6)} ns/decision`);
