// The shape of every class endpoint reply (engine/class-endpoints.ts classReply), called
// directly: JSON with its content type and the request id, and for 204 the request id
// alone with an empty body (over HTTP a 204's body and headers are hard to see: Node drops
// a 204's body, so only a direct call shows what the engine handed it).
import { expect, test } from 'vitest';
import { classReply } from '../../src/engine/class-endpoints.js';

test('a reply is JSON with its content type and request id; a 204 is the request id alone and no body', () => {
  expect(classReply(200, { next: 3 }, 'req-1')).toEqual({ status: 200, headers: { 'content-type': 'application/json', 'x-amzn-requestid': 'req-1' }, body: '{"next":3}' });
  expect(classReply(400, { message: 'm' }, 'req-2')).toEqual({ status: 400, headers: { 'content-type': 'application/json', 'x-amzn-requestid': 'req-2' }, body: '{"message":"m"}' });
  expect(classReply(204, undefined, 'req-3')).toEqual({ status: 204, headers: { 'x-amzn-requestid': 'req-3' }, body: '' });
});
