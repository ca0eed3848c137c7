// The engine's CloudTrail: the Trail records every call (see trail.ts); this mounts
// LookupEvents for whatever X-Amz-Target prefix a client uses
// (com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents for the SDK and CLI).
import type { Engine } from '../engine.js';
import { seesEveryAccount } from '../class.js';
import { lookupEventsOperation } from './lookup-events.js';

export function mountCloudTrail(engine: Engine): void {
  // Each account sees its own event history; the class's instructor every account's (class.ts).
  engine.jsonOperations.set('LookupEvents', lookupEventsOperation(engine.trail, () => engine.clock.now(), (caller) => seesEveryAccount(engine.store, caller)));
  engine.closing(() => engine.trail.close()); // flushes the segment being appended to
}
