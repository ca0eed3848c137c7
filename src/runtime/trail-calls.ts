// A call as the session shows it, made from an engine's trail record: the calls a service made
// on the learner's behalf (invokedBy) and those of the learner's other clients. Shared by the
// targets that follow an engine's trail: the local engine in this process, a class engine afar.
import type { TrailEvent } from '../engine/cloudtrail/trail.js';
import type { CapturedCall } from './capture.js';
import { RUNTIME_USER_AGENT } from './target.js';

/** A call a service (S3) made to KMS on the learner's behalf. */
export const isServiceCall = (event: TrailEvent): boolean => Boolean(event.userIdentity.invokedBy);

/** A call of the learner's own other clients (the AWS CLI, an SDK): not a service's, not the runtime's own clients'. */
export const isOtherClientCall = (event: TrailEvent): boolean => !event.userIdentity.invokedBy && !event.userAgent.includes(RUNTIME_USER_AGENT);

/** A trail record as a call: a service's on the learner's behalf shows that service as its caller. */
export function callFromEvent(event: TrailEvent): CapturedCall {
  const params = (event.requestParameters ?? {}) as Record<string, unknown>;
  const keyId = event.resources?.[0]?.ARN ?? (typeof params.keyId === 'string' ? params.keyId : undefined);
  const context = params.encryptionContext;
  return {
    time: event.eventTime,
    service: event.eventSource.split('.')[0]!,
    operation: event.eventName,
    ...(keyId ? { keyId } : {}),
    ...(context && typeof context === 'object' ? { encryptionContext: context as Record<string, string> } : {}),
    caller: event.userIdentity.invokedBy ?? 'you',
    outcome: event.errorCode ? { ok: false, code: event.errorCode, message: event.errorMessage ?? '' } : { ok: true },
    durationMs: 0,
    requestId: event.requestID,
  };
}

/** A call from another client: as callFromEvent, with the alias it named and its user agent's first word. */
export function callFromOtherClient(event: TrailEvent): CapturedCall {
  const call = callFromEvent(event);
  const params = (event.requestParameters ?? {}) as Record<string, unknown>;
  const named = [params.keyId, params.aliasName, params.targetKeyId].find((v): v is string => typeof v === 'string' && v.startsWith('alias/'));
  const bucket = typeof params.bucketName === 'string' ? params.bucketName : undefined;
  return { ...call, ...(named ? { alias: named } : {}), ...(bucket ? { bucket } : {}), caller: 'you', client: event.userAgent.split(/[\s/]/)[0] || 'another client' };
}
