// STS sessions are bounded: past MAX_SESSIONS the expired ones go first, then the oldest,
// from memory and from what is stored, so a flood of AssumeRole calls cannot grow the engine without limit.
import { expect, test } from 'vitest';
import { MAX_SESSIONS, Sessions, type Session } from '../../src/engine/sts/sessions.js';

const session = (id: number, expiresAt: number): Session => ({
  accessKeyId: `ASIA${String(id).padStart(16, '0')}`, secretAccessKey: 's', sessionToken: 't', expiresAt, createdAt: expiresAt - 900_000,
  accountId: '111122223333', roleName: 'r', roleId: 'AROAEXAMPLE', roleArn: 'arn:aws:iam::111122223333:role/r', sessionName: 'n', assumedBy: 'x',
});

test('full, the store drops expired sessions first, then the oldest live ones, and keeps the newest', () => {
  const sessions = new Sessions();
  const now = 1_000_000;
  sessions.add(session(1, now + 60_000), now); // the oldest, live
  sessions.add(session(0, now - 1), now); // expired, newer
  for (let i = 2; i < MAX_SESSIONS; i++) sessions.add(session(i, now + 60_000), now);
  expect(sessions.size).toBe(MAX_SESSIONS);
  sessions.add(session(MAX_SESSIONS, now + 60_000), now);
  expect(sessions.size).toBe(MAX_SESSIONS);
  expect(sessions.get(session(0, 0).accessKeyId)).toBeUndefined(); // the expired one went
  expect(sessions.get(session(1, 0).accessKeyId)).toBeDefined(); // the oldest live one stayed
  sessions.add(session(MAX_SESSIONS + 1, now + 60_000), now);
  expect(sessions.size).toBe(MAX_SESSIONS);
  expect(sessions.get(session(1, 0).accessKeyId)).toBeUndefined(); // none expired: the oldest went
  expect(sessions.get(session(MAX_SESSIONS + 1, 0).accessKeyId)).toBeDefined();
});

test('sessions dropped to make room are dropped from what is stored too', async () => {
  const { Iam } = await import('../../src/engine/iam/directory.js');
  const { openStore } = await import('../../src/engine/store.js');
  const { fixedClock } = await import('../../src/engine/clock.js');
  const directory = new Iam(openStore(null), fixedClock(new Date('2026-01-01T00:00:00Z')));
  const role = directory.createRole('111122223333', { RoleName: 'r', Path: '/', AssumeRolePolicyDocument: '{}', MaxSessionDuration: 3600 });
  const first = directory.issueSession(role, 'first', 900, 'x');
  for (let i = 0; i < MAX_SESSIONS; i++) directory.issueSession(role, `s${i}`, 900, 'x');
  expect(directory.sessions.size).toBe(MAX_SESSIONS);
  expect(directory.state.sessions.size).toBe(MAX_SESSIONS);
  expect(directory.state.sessions.has(first.accessKeyId)).toBe(false);
  expect(directory.credentials(first.accessKeyId)).toBeUndefined();
});
