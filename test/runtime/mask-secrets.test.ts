// Every secret a step can show is masked, wherever it sits: STS-style credentials
// (SecretAccessKey, SessionToken), data key plaintext, and fields a step names as
// secret, inside objects, inside arrays, and as arrays themselves.
import { describe, expect, test } from 'vitest';
import { maskSecret, toDisplayJson } from '../../src/mask.js';
import { createShow } from '../../src/runtime/show.js';
import type { StepResult } from '../../src/runtime/types.js';

const SECRET_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const TOKEN = 'IQoJb3JpZ2luX2VjEFAaCXVzLWVhc3QtMSJHMEUCIQD' + 'x'.repeat(200) + 'TOKENEND';

describe('credentials', () => {
  test('SecretAccessKey and SessionToken are masked, the access key id and expiry are not', () => {
    const shown = toDisplayJson({ Credentials: { AccessKeyId: 'ASIAEXAMPLE', SecretAccessKey: SECRET_KEY, SessionToken: TOKEN, Expiration: new Date('2026-01-01T00:00:00Z') } });
    expect(shown).toEqual({ Credentials: { AccessKeyId: 'ASIAEXAMPLE', SecretAccessKey: 'wJ**...**KEY', SessionToken: 'IQ**...**END', Expiration: '2026-01-01T00:00:00.000Z' } });
  });

  test('inside arrays, at any depth', () => {
    const shown = toDisplayJson({ Sessions: [[{ SecretAccessKey: SECRET_KEY }], { Inner: [{ SessionToken: TOKEN, AccessKeyId: 'ASIA1' }] }] });
    expect(shown).toEqual({ Sessions: [[{ SecretAccessKey: 'wJ**...**KEY' }], { Inner: [{ SessionToken: 'IQ**...**END', AccessKeyId: 'ASIA1' }] }] });
    expect(JSON.stringify(shown)).not.toContain(SECRET_KEY.slice(2, -3));
  });

  test('as bytes too', () => {
    const bytes = Buffer.from(SECRET_KEY);
    expect(toDisplayJson([{ SecretAccessKey: new Uint8Array(bytes) }])).toEqual([{ SecretAccessKey: maskSecret(bytes) }]);
  });
});

describe('fields a step names as secret', () => {
  test('the secrets option masks its fields inside arrays of objects, and only those fields', () => {
    const shown = toDisplayJson({ Items: [{ Pin: 'pin-0000-secret', Name: 'first' }, { Nested: [{ Pin: 'pin-1111-secret' }] }], Pin: 'pin-2222-secret' }, ['Pin']);
    expect(shown).toEqual({ Items: [{ Pin: 'pi**...**ret', Name: 'first' }, { Nested: [{ Pin: 'pi**...**ret' }] }], Pin: 'pi**...**ret' });
  });

  test('a secret field holding a list, a number or an object shows none of it', () => {
    const shown = toDisplayJson({ Pins: ['pin-0000-secret', 'pin-1111-secret'], Code: 987654321, Plaintext: { raw: 'not-for-the-screen' }, Empty: null }, ['Pins', 'Code', 'Empty']);
    expect(shown).toEqual({ Pins: ['pi**...**ret', 'pi**...**ret'], Code: '**...**', Plaintext: '**...**', Empty: null });
    for (const leaked of ['0000', '1111', '987654321', 'not-for-the-screen']) expect(JSON.stringify(shown)).not.toContain(leaked);
  });

  test('show.json passes the secrets option on, and what it emits is what it returns', () => {
    const emitted: StepResult[] = [];
    const show = createShow('/tmp', () => [], (r) => emitted.push(r));
    const result = show.json({ Grants: [{ GrantToken: 'grant-token-secret-value', GrantId: 'g-1' }], SessionToken: TOKEN }, 'grants', { secrets: ['GrantToken'] });
    expect(result).toEqual({ kind: 'json', title: 'grants', value: { Grants: [{ GrantToken: 'gr**...**lue', GrantId: 'g-1' }], SessionToken: 'IQ**...**END' } });
    expect(emitted).toEqual([result]);
  });
});

describe('what is not secret, made plain for display', () => {
  test('numbers, booleans, text and big integers as they are; null and undefined as null; functions and $metadata left out', () => {
    const shown = toDisplayJson({ Count: 3, Zero: 0, Truncated: false, Enabled: true, Name: 'key', Big: 12345678901234567890n, Nothing: null, list: [1, 'two', undefined, null], fn: () => 1, $metadata: { requestId: 'r' } });
    expect(shown).toEqual({ Count: 3, Zero: 0, Truncated: false, Enabled: true, Name: 'key', Big: '12345678901234567890', Nothing: null, list: [1, 'two', null, null] });
    expect(toDisplayJson(null)).toBeNull();
    expect(toDisplayJson(undefined)).toBeNull();
    expect(toDisplayJson(7)).toBe(7);
    expect(toDisplayJson(Symbol.for('odd'))).toBe('Symbol(odd)');
  });

  test('a secret of five characters or fewer shows nothing of itself; six show their ends', () => {
    expect(maskSecret('abcde')).toBe('**...**');
    expect(maskSecret('abcdef')).toBe('ab**...**def');
    expect(maskSecret(new Uint8Array([1, 2, 3]))).toBe('**...**'); // AQID
    expect(toDisplayJson({ Pins: ['long-secret-pin', undefined, null] }, ['Pins'])).toEqual({ Pins: ['lo**...**pin', null, null] });
  });
});
