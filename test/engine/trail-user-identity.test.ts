// CloudTrail's userIdentity for each kind of caller, as the CloudTrail user guide's
// "CloudTrail userIdentity element" shows it: an IAM user (with userName), an assumed role
// (sessionContext naming the role and when the session began; no userName), the root user
// (the account as principal), and a service acting on the caller's behalf (invokedBy).
import { expect, test } from 'vitest';
import { makeCaller, onBehalfOf, type Caller } from '../../src/engine/caller.js';
import { fixedClock } from '../../src/engine/clock.js';
import { Trail } from '../../src/engine/cloudtrail/trail.js';
import { openStore } from '../../src/engine/store.js';

const ACCOUNT = '111122223333';
const store = openStore(null);
const trail = new Trail(store, fixedClock(new Date('2026-03-01T10:00:00Z')), 0);

/** The event of one call, read back as LookupEvents would (reading stores what the trail recorded). */
function recorded(input: Parameters<Trail['record']>[0]) {
  trail.record(input);
  return trail.delivered().at(-1)!;
}

const identityOf = (caller: Caller) =>
  recorded({ caller, eventSource: 'kms.amazonaws.com', eventName: 'ListKeys', requestParameters: null, readOnly: true, requestId: 'r' }).userIdentity;

test('an IAM user: type IAMUser, its unique id, ARN, key and userName', () => {
  const alice = makeCaller({ type: 'IAMUser', principalId: 'AIDAJ45Q7YFFAREXAMPLE', userName: 'Alice', accessKeyId: 'AKIAALICE00000000000' });
  expect(identityOf(alice)).toEqual({
    type: 'IAMUser',
    principalId: 'AIDAJ45Q7YFFAREXAMPLE',
    arn: `arn:aws:iam::${ACCOUNT}:user/Alice`,
    accountId: ACCOUNT,
    accessKeyId: 'AKIAALICE00000000000',
    userName: 'Alice',
  });
});

test('an assumed role: the session as principal, sessionContext with the role and its creation date, no userName', () => {
  const session = makeCaller({
    type: 'AssumedRole',
    principalId: 'AROAIDPPEZS35WEXAMPLE:MySessionName',
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/RoleToBeAssumed/MySessionName`,
    userName: 'RoleToBeAssumed',
    accessKeyId: 'ASIAEXAMPLE000000000',
    sessionIssuer: { arn: `arn:aws:iam::${ACCOUNT}:role/RoleToBeAssumed`, userName: 'RoleToBeAssumed', principalId: 'AROAIDPPEZS35WEXAMPLE', accountId: ACCOUNT },
    sessionCreatedAt: Date.parse('2026-03-01T09:45:12.345Z'),
  });
  expect(identityOf(session)).toEqual({
    type: 'AssumedRole',
    principalId: 'AROAIDPPEZS35WEXAMPLE:MySessionName',
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/RoleToBeAssumed/MySessionName`,
    accountId: ACCOUNT,
    accessKeyId: 'ASIAEXAMPLE000000000',
    sessionContext: {
      sessionIssuer: { type: 'Role', principalId: 'AROAIDPPEZS35WEXAMPLE', arn: `arn:aws:iam::${ACCOUNT}:role/RoleToBeAssumed`, accountId: ACCOUNT, userName: 'RoleToBeAssumed' },
      attributes: { creationDate: '2026-03-01T09:45:12Z', mfaAuthenticated: 'false' },
    },
  });
});

test('the root user: type Root, the account id as principal, no userName', () => {
  const root = makeCaller({ type: 'Root', arn: `arn:aws:iam::${ACCOUNT}:root`, accessKeyId: 'AKIAROOT000000000000' });
  expect(identityOf(root)).toEqual({ type: 'Root', principalId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT, accessKeyId: 'AKIAROOT000000000000' });
});

test("S3 calling KMS on a caller's behalf: the caller's identity with invokedBy s3.amazonaws.com, and S3 as source", () => {
  const alice = makeCaller({ type: 'IAMUser', principalId: 'AIDAJ45Q7YFFAREXAMPLE', userName: 'Alice', sourceIp: '192.0.2.7', userAgent: 'aws-cli/2' });
  const event = recorded({ caller: onBehalfOf(alice, 's3.amazonaws.com'), eventSource: 'kms.amazonaws.com', eventName: 'GenerateDataKey', requestParameters: null, readOnly: true, requestId: 'r' });
  expect(event.userIdentity).toMatchObject({ type: 'IAMUser', userName: 'Alice', principalId: 'AIDAJ45Q7YFFAREXAMPLE', invokedBy: 's3.amazonaws.com' });
  expect(event.sourceIPAddress).toBe('s3.amazonaws.com');
  expect(event.userAgent).toBe('s3.amazonaws.com');
});
