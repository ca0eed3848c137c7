// The control plane under /_engine/: status, fast-forwarding the clock, CloudTrail's
// delivery delay, KMS's request quotas (kms/quotas.ts). Any web page can send a request to localhost (a form POST needs no
// permission), so every control request must carry the engine's per-process secret in
// a custom header. A page cannot read the secret (it is in a 0600 file in the home, and
// in the memory of the process that started the engine), and a custom header makes the
// browser ask first with a CORS preflight, which the engine never approves.
import { createHash, timingSafeEqual } from 'node:crypto';
import { ClockRangeError } from './clock.js';
import { MAX_CLOUDTRAIL_DELAY_SECONDS } from './cloudtrail/trail.js';
import { CONTROL_SECRET_FILE } from './control-secret.js';
import type { Engine } from './engine.js';
import { awsQuota, isQuotaFigure, isQuotaScale, MAX_QUOTA_PER_SECOND, MAX_QUOTA_SCALE, MIN_QUOTA_PER_SECOND, MIN_QUOTA_SCALE, quotaOfOperation } from './kms/quotas.js';
import type { EngineRequest, EngineResponse } from './wire.js';

export const CONTROL_SECRET_HEADER = 'x-kms-workshop-secret';

/** Compares in constant time (digests of equal length, whatever was sent). */
export function secretMatches(given: string | undefined, secret: string): boolean {
  if (given === undefined) return false;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(secret));
}

export function controlReply(status: number, body: unknown, requestId: string): EngineResponse {
  return { status, headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId }, body: JSON.stringify(body) };
}

export function handleControl(engine: Engine, req: EngineRequest, requestId: string): EngineResponse {
  const reply = (status: number, body: unknown) => controlReply(status, body, requestId);
  const given = req.headers[CONTROL_SECRET_HEADER];
  if (!secretMatches(given, engine.controlSecret))
    return reply(403, {
      message:
        `${given === undefined ? 'Missing' : 'Wrong'} ${CONTROL_SECRET_HEADER} header: the engine's control endpoints answer only ` +
        `a request that carries the secret the engine wrote to <home>/engine/${CONTROL_SECRET_FILE} when it started.`,
    });
  const status = () => ({
    now: engine.clock.now().toISOString(),
    aheadSeconds: engine.clock.aheadSeconds,
    cloudTrailDelaySeconds: engine.trail.delaySeconds,
    secondsUntilAllDelivered: engine.trail.secondsUntilAllDelivered(),
    quotaScale: engine.quotas.settings.scale,
    requestQuotas: engine.quotas.settings.overrides,
  });
  if (req.path === '/_engine/status' && req.method === 'GET') return reply(200, status());
  if (req.path === '/_engine/advance-clock' && req.method === 'POST') {
    const seconds = secondsParameter(req);
    if (seconds === undefined) return reply(400, { message: 'seconds must be a number >= 0' });
    try {
      engine.advanceClock(seconds);
    } catch (e) {
      if (e instanceof ClockRangeError) return reply(400, { message: `seconds is too large: ${e.message} (at most ${Math.floor(engine.clock.secondsLeft())} now)` });
      throw e;
    }
    return reply(200, status());
  }
  if (req.path === '/_engine/cloudtrail-delay' && req.method === 'POST') {
    const seconds = secondsParameter(req);
    if (seconds === undefined || seconds > MAX_CLOUDTRAIL_DELAY_SECONDS)
      return reply(400, { message: `seconds must be a number from 0 to ${MAX_CLOUDTRAIL_DELAY_SECONDS} (CloudTrail delivers an event within minutes)` });
    engine.setCloudTrailDelay(seconds);
    return reply(200, status());
  }
  if (req.path === '/_engine/quota-scale' && req.method === 'POST') {
    const factor = numberParameter(req, 'factor');
    if (factor === undefined || !isQuotaScale(factor))
      return reply(400, { message: `factor must be a number from ${MIN_QUOTA_SCALE} to ${MAX_QUOTA_SCALE}: every KMS request quota is AWS's figure times it` });
    engine.quotas.setScale(factor);
    return reply(200, status());
  }
  // One quota set outright (POST, perSecond=N) or given back AWS's figure (DELETE), named by AWS's name for it
  // (quota=...) or by an operation that counts against it (operation=GenerateDataKey: the symmetric one).
  if (req.path === '/_engine/request-quota' && (req.method === 'POST' || req.method === 'DELETE')) {
    const named = req.query.get('quota');
    const quota = named !== null ? (awsQuota(named, '') === undefined ? undefined : named) : quotaOfOperation(req.query.get('operation') ?? '');
    if (quota === undefined)
      return reply(400, { message: "operation must name a KMS operation that has a request quota (GenerateDataKey, CreateKey, ...), or quota one of AWS's quota names ('GenerateDataKeyPair (RSA_2048) request rate', ...)" });
    const perSecond = req.method === 'POST' ? numberParameter(req, 'perSecond') : undefined;
    if (req.method === 'POST' && (perSecond === undefined || !isQuotaFigure(perSecond)))
      return reply(400, { message: `perSecond must be a number from ${MIN_QUOTA_PER_SECOND} to ${MAX_QUOTA_PER_SECOND}` });
    engine.quotas.setQuota(quota, perSecond);
    return reply(200, { ...status(), quota: engine.quotas.describe(quota, req.query.get('region') ?? 'us-east-1') });
  }
  return reply(404, { message: `No control endpoint ${req.method} ${req.path}` });
}

/** The `seconds` query parameter as a number >= 0, or undefined when missing or not one. */
function secondsParameter(req: EngineRequest): number | undefined {
  const seconds = numberParameter(req, 'seconds');
  return seconds !== undefined && seconds >= 0 ? seconds : undefined;
}

/** A query parameter as a finite number, or undefined when missing or not one. */
function numberParameter(req: EngineRequest, name: string): number | undefined {
  const text = req.query.get(name);
  if (text === null || text.trim() === '') return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}
