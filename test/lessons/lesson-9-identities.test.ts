// The step context's other identities, through a session on a fresh local
// engine: as() with a role's session (AssumeRole's Credentials, with its token)
// signs as the assumed role and logs its calls with the name given; as()
// refuses credentials it cannot sign with and a name that is not one;
// otherAccount() gives the administrator of account 444455556666, once per
// session, and a client signing as them is in that account.
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { loadLessons } from '../../src/lessons/loader.js';
import { callLine } from '../../src/commands/plain-results.js';
import { openSession } from '../../src/runtime/session.js';
import { callerLabel } from '../../src/tui/calls/call-log.js';
import type { RuntimeSession, StepOutcome } from '../../src/runtime/types.js';

const FIXTURE = fileURLToPath(new URL('./lesson-9-fixtures/09-other-identities', import.meta.url));
let home: string;
let session: RuntimeSession;
const played = new Map<string, StepOutcome>();

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'kms-workshop-identities-'));
  const { lessons, problems } = loadLessons(FIXTURE);
  expect(problems).toEqual([]);
  session = await openSession({ home, freshEngine: true });
  for (const step of lessons[0]!.steps) played.set(step.id, await session.runStep(lessons[0]!, step));
}, 60_000);
afterAll(async () => {
  await session?.close();
  rmSync(home, { recursive: true, force: true });
});

const texts = (id: string) => played.get(id)!.results.flatMap((r) => (r.kind === 'text' ? [r.text] : []));

test('a role\'s session: as() signs with its token as the assumed role, and the call log names the role', () => {
  const o = played.get('role-session')!;
  expect(o.status, o.status === 'failed' ? o.error.message : '').toBe('passed');
  expect(texts('role-session')).toContain('signs as arn:aws:sts::111122223333:assumed-role/kms-workshop-role/fixture');
  const byRole = o.calls.filter((c) => c.caller === 'kms-workshop-role').map((c) => `${c.operation} ${c.outcome.ok ? 'ok' : c.outcome.code}`);
  expect(byRole).toEqual(['GetCallerIdentity ok', 'CreateKey ok', 'GenerateDataKey AccessDeniedException']);
  const denied = o.results.find((r) => r.kind === 'expectedError');
  expect(denied).toMatchObject({ message: expect.stringMatching(/^User: arn:aws:sts::111122223333:assumed-role\/kms-workshop-role\/fixture is not authorized to perform: kms:GenerateDataKey/) });
  // The learner's own calls stay 'you'
  expect(o.calls.filter((c) => c.operation === 'AssumeRole').map((c) => c.caller)).toEqual(['you']);
});

test('as() refuses credentials without a secret, and "you" or a blank name as who signs', () => {
  expect(texts('refused')).toEqual([
    expect.stringMatching(/^refused: as\(\) needs an accessKeyId and a secretAccessKey/),
    expect.stringMatching(/^refused: as\(\) needs the name of who signs .* not 'you'$/),
    expect.stringMatching(/^refused: as\(\) needs the name of who signs/),
  ]);
});

test('otherAccount(): account 444455556666\'s administrator, one access key per session, signing in that account', () => {
  const t = texts('other-account');
  expect(t[0]).toMatch(/second account, 444455556666, on first use, with an administrator \(arn:aws:iam::444455556666:user\/workshop-learner\)/);
  expect(t).toContain('same key: true');
  expect(t.at(-1)).toBe('444455556666 arn:aws:iam::444455556666:user/workshop-learner');
  expect(played.get('other-account')!.calls.map((c) => c.caller)).toEqual(['account 444455556666']);
});

test('who made a call, in the call log and in plain output: you, a service on your behalf, or "as" another identity', () => {
  expect(['you', 's3.amazonaws.com', 'kms-workshop-novice'].map(callerLabel)).toEqual(['you', 's3.amazonaws.com for you', 'as kms-workshop-novice']);
  const [roleCall] = played.get('role-session')!.calls.filter((c) => c.caller === 'kms-workshop-role');
  expect(callLine(roleCall!)).toMatch(/^sts:GetCallerIdentity\s+as kms-workshop-role\b/);
  expect(callLine({ ...roleCall!, caller: 's3.amazonaws.com' })).toMatch(/s3\.amazonaws\.com on your behalf/);
});
