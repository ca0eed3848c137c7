// The engine's CloudTrail: the Trail records every call (see trail.ts); this mounts
// LookupEvents for whatever X-Amz-Target prefix a client uses
// (com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents for the SDK and CLI).
import { authorizeCall, type DeniedAs } from '../auth/authorize.js';
import type { Caller } from '../caller.js';
import type { Engine } from '../engine.js';
import { AwsError } from '../errors.js';
import { seesEveryAccount } from '../class.js';
import { lookupEventsOperation } from './lookup-events.js';

/** CloudTrail's refusal (a JSON 1.1 service): AccessDeniedException, HTTP 400 as AWS's JSON services send it. */
const CLOUDTRAIL_DENIED: DeniedAs = { error: (message) => new AwsError('AccessDeniedException', message) };

export function mountCloudTrail(engine: Engine): void {
  // Each account sees its own event history; the class's instructor every account's (class.ts).
  const authorize = (caller: Caller) => authorizeCall(engine, caller, 'cloudtrail:LookupEvents', '*', CLOUDTRAIL_DENIED);
  engine.jsonOperations.set('LookupEvents', lookupEventsOperation(engine.trail, () => engine.clock.now(), (caller) => seesEveryAccount(engine.store, caller), authorize));
  engine.closing(() => engine.trail.close()); // flushes the segment being appended to
}
