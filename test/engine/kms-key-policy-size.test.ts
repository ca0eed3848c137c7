// The 32 KB quota of a key policy document (kms/key-policy-document.ts, called directly): the
// policy language allows tab, line feed, carriage return and U+0020 to U+00FF, one byte each, so
// a policy of 32,768 such characters, accented letters included, is at the quota, one more over.
import { describe, expect, test } from 'vitest';
import { makeCaller } from '../../src/engine/caller.js';
import { fixedClock } from '../../src/engine/clock.js';
import { AwsError } from '../../src/engine/errors.js';
import { checkKeyPolicy, MAX_KEY_POLICY_BYTES } from '../../src/engine/kms/key-policy-document.js';
import { Kms } from '../../src/engine/kms/model.js';
import { openStore } from '../../src/engine/store.js';

const me = makeCaller();
const kms = new Kms(openStore(null), fixedClock());
const keyArn = kms.keyArn(me, '*');

/** A policy that lets the account manage the key, its Sid padded with `pad` to `chars` characters. */
function sized(chars: number, pad: string): string {
  const base = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: '', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${me.accountId}:root` }, Action: 'kms:*', Resource: '*' }] });
  return base.replace('"Sid":""', `"Sid":"${pad.repeat(chars - base.length)}"`);
}

describe('the key policy size quota', () => {
  test('counts one byte per character, U+0080 to U+00FF included: 32,768 of them are kept, 32,769 are LimitExceededException', () => {
    for (const pad of ['s', 'é', '\u00ff']) {
      expect(() => checkKeyPolicy(kms, sized(MAX_KEY_POLICY_BYTES, pad), me, keyArn, false), pad).not.toThrow();
      let refusal: unknown;
      try {
        checkKeyPolicy(kms, sized(MAX_KEY_POLICY_BYTES + 1, pad), me, keyArn, true);
      } catch (e) {
        refusal = e;
      }
      expect(refusal).toBeInstanceOf(AwsError);
      expect(refusal).toMatchObject({ code: 'LimitExceededException', message: 'The key policy is 32769 bytes; a key policy can be at most 32768 bytes (32 KB).' });
    }
  });
});
