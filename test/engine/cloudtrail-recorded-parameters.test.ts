// What a CloudTrail event keeps of a request (cloudtrail/recorded-parameters.ts, a pure
// module): each declared member under its lower camel case name, only when of its declared
// type; unknown, inherited and mistyped members left out; null when nothing is left.
import { expect, test } from 'vitest';
import { recordedParameters, type RecordedMembers } from '../../src/engine/cloudtrail/recorded-parameters.js';

const members: RecordedMembers = {
  KeyId: 'string',
  Limit: 'integer',
  DryRun: 'boolean',
  StartTime: 'timestamp',
  EncryptionContext: 'stringMap',
  GrantTokens: 'stringList',
  LookupAttributes: { listOf: { AttributeKey: 'string', AttributeValue: 'string' } },
};

test('each declared member of its type is recorded under its lower camel case name, and nothing else', () => {
  const input = {
    KeyId: 'alias/x',
    Limit: 5,
    DryRun: false,
    StartTime: 1767225600, // JSON 1.1 epoch seconds
    EncryptionContext: { project: 'workshop' },
    GrantTokens: ['a', 'b'],
    LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'Decrypt', Extra: 'dropped' }],
    Plaintext: 'never recorded',
  };
  expect(recordedParameters(members, input)).toEqual({
    keyId: 'alias/x',
    limit: 5,
    dryRun: false,
    startTime: '2026-01-01T00:00:00.000Z',
    encryptionContext: { project: 'workshop' },
    grantTokens: ['a', 'b'],
    lookupAttributes: [{ attributeKey: 'EventName', attributeValue: 'Decrypt' }],
  });
});

test('a member of another type than declared is left out, each type checked', () => {
  const mistyped = {
    KeyId: 7,
    Limit: 1.5,
    DryRun: 'true',
    StartTime: { at: 1 },
    EncryptionContext: { project: 3 },
    GrantTokens: ['a', 4],
    LookupAttributes: 'EventName',
  };
  expect(recordedParameters(members, mistyped)).toBeNull();
  for (const [name, value] of Object.entries(mistyped)) expect(recordedParameters(members, { [name]: value }), name).toBeNull();
  expect(recordedParameters({ Limit: 'integer' }, { Limit: '5' })).toBeNull();
  expect(recordedParameters({ GrantTokens: 'stringList' }, { GrantTokens: 'a' })).toBeNull();
  expect(recordedParameters({ EncryptionContext: 'stringMap' }, { EncryptionContext: ['a'] })).toBeNull();
  expect(recordedParameters({ EncryptionContext: 'stringMap' }, { EncryptionContext: { a: 'x', b: 2 } })).toBeNull();
  expect(recordedParameters({ EncryptionContext: 'stringMap' }, { EncryptionContext: null })).toBeNull();
  expect(recordedParameters({ EncryptionContext: 'stringMap' }, { EncryptionContext: Buffer.alloc(0) })).toBeNull();
});

test('timestamps: epoch seconds and date strings become ISO dates; an invalid date or another type is left out', () => {
  expect(recordedParameters({ StartTime: 'timestamp' }, { StartTime: 0.5 })).toEqual({ startTime: '1970-01-01T00:00:00.500Z' });
  expect(recordedParameters({ StartTime: 'timestamp' }, { StartTime: '2026-03-04T05:06:07Z' })).toEqual({ startTime: '2026-03-04T05:06:07.000Z' });
  expect(recordedParameters({ StartTime: 'timestamp' }, { StartTime: 'yesterday' })).toBeNull();
  expect(recordedParameters({ StartTime: 'timestamp' }, { StartTime: 1e20 })).toBeNull();
  expect(recordedParameters({ StartTime: 'timestamp' }, { StartTime: true })).toBeNull();
});

test('a request that is not a plain object, or has only unknown or inherited members, records nothing (null)', () => {
  for (const input of [null, undefined, 'KeyId', 42, ['alias/x'], Buffer.from('{"KeyId":"x"}')]) expect(recordedParameters(members, input)).toBeNull();
  expect(recordedParameters(members, {})).toBeNull();
  expect(recordedParameters(members, { Unknown: 'x' })).toBeNull();
  expect(recordedParameters(members, Object.create({ KeyId: 'inherited' }))).toBeNull();
});

test('a copy is recorded: changing the request afterwards does not change the record', () => {
  const input = { EncryptionContext: { a: '1' }, GrantTokens: ['t'] };
  const recorded = recordedParameters(members, input)!;
  input.EncryptionContext.a = '2';
  input.GrantTokens.push('u');
  expect(recorded).toEqual({ encryptionContext: { a: '1' }, grantTokens: ['t'] });
});

test('items of a list that are not objects are left out; an item with no declared member is kept empty', () => {
  const list = { LookupAttributes: { listOf: { AttributeKey: 'string' } } } as const;
  expect(recordedParameters(list, { LookupAttributes: ['x', null, [1], { AttributeKey: 'EventId' }, { Other: 1 }] })).toEqual({
    lookupAttributes: [{ attributeKey: 'EventId' }, {}],
  });
  expect(recordedParameters(list, { LookupAttributes: [] })).toEqual({ lookupAttributes: [] });
});

test('a structure member keeps its own declared members, camel cased; one that is not an object is left out', () => {
  const grant = { Constraints: { struct: { EncryptionContextSubset: 'stringMap', EncryptionContextEquals: 'stringMap' } } } as const;
  expect(recordedParameters(grant, { Constraints: { EncryptionContextSubset: { dept: 'it' }, Other: 'dropped' } })).toEqual({
    constraints: { encryptionContextSubset: { dept: 'it' } },
  });
  expect(recordedParameters(grant, { Constraints: {} })).toEqual({ constraints: {} });
  for (const Constraints of ['x', ['a'], null]) expect(recordedParameters(grant, { Constraints })).toBeNull();
});
