// ReplicateKey's BypassPolicyLockoutSafetyCheck (kms/multi-region.ts, called directly): a replica
// policy that would lock the caller out is refused unless the request bypasses the check, as
// CreateKey's and PutKeyPolicy's are.
import { expect, test } from 'vitest';
import { makeCaller } from '../../src/engine/caller.js';
import { fixedClock } from '../../src/engine/clock.js';
import { AwsError } from '../../src/engine/errors.js';
import { createKey } from '../../src/engine/kms/lifecycle.js';
import { Kms } from '../../src/engine/kms/model.js';
import { replicateKey } from '../../src/engine/kms/multi-region.js';
import { openStore } from '../../src/engine/store.js';

const me = makeCaller();

test('a replica policy that locks the caller out is MalformedPolicyDocumentException, unless BypassPolicyLockoutSafetyCheck is true', () => {
  const kms = new Kms(openStore(null), fixedClock());
  const { KeyId } = createKey(kms, { MultiRegion: true }, me).KeyMetadata as { KeyId: string };
  // lets someone else manage the key, not the caller
  const Policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 'kms:*', Resource: '*' }] });
  for (const BypassPolicyLockoutSafetyCheck of [undefined, false]) {
    let refusal: unknown;
    try {
      replicateKey(kms, { KeyId, ReplicaRegion: 'us-west-2', Policy, BypassPolicyLockoutSafetyCheck }, me);
    } catch (e) {
      refusal = e;
    }
    expect(refusal).toBeInstanceOf(AwsError);
    expect(refusal).toMatchObject({ code: 'MalformedPolicyDocumentException', message: 'The new key policy will not allow you to update the key policy in the future.' });
  }
  const out = replicateKey(kms, { KeyId, ReplicaRegion: 'us-west-2', Policy, BypassPolicyLockoutSafetyCheck: true }, me);
  expect(out.ReplicaPolicy).toBe(Policy);
});
