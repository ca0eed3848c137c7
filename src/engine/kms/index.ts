// The engine's KMS: one table of operations, and the call path every KMS call
// takes (by a client over HTTP, or by S3 on a caller's behalf): run the
// operation, then record it in CloudTrail without plaintext or data keys.
import type { Caller } from '../caller.js';
import type { Trail } from '../cloudtrail/trail.js';
import { AwsError, isAwsError, kmsErrors } from '../errors.js';
import { createAlias, deleteAlias, listAliases, updateAlias } from './aliases.js';
import { decrypt, encrypt, generateRandom, reEncrypt } from './crypto-ops.js';
import { generateDataKey, generateDataKeyWithoutPlaintext } from './data-keys.js';
import {
  cancelKeyDeletion, createKey, describeKey, disableKey, enableKey, listKeys, scheduleKeyDeletion, updateKeyDescription,
} from './lifecycle.js';
import type { Kms } from './model.js';
import { listResourceTags, tagResource, untagResource } from './tags.js';

type Operation = (kms: Kms, input: unknown, caller: Caller) => Record<string, unknown>;

export const kmsOperations: Record<string, { run: Operation; readOnly: boolean }> = {
  CreateKey: { run: createKey, readOnly: false },
  DescribeKey: { run: describeKey, readOnly: true },
  ListKeys: { run: listKeys, readOnly: true },
  UpdateKeyDescription: { run: updateKeyDescription, readOnly: false },
  EnableKey: { run: enableKey, readOnly: false },
  DisableKey: { run: disableKey, readOnly: false },
  ScheduleKeyDeletion: { run: scheduleKeyDeletion, readOnly: false },
  CancelKeyDeletion: { run: cancelKeyDeletion, readOnly: false },
  CreateAlias: { run: createAlias, readOnly: false },
  UpdateAlias: { run: updateAlias, readOnly: false },
  DeleteAlias: { run: deleteAlias, readOnly: false },
  ListAliases: { run: listAliases, readOnly: true },
  Encrypt: { run: encrypt, readOnly: true },
  Decrypt: { run: decrypt, readOnly: true },
  ReEncrypt: { run: reEncrypt, readOnly: true },
  GenerateDataKey: { run: generateDataKey, readOnly: true },
  GenerateDataKeyWithoutPlaintext: { run: generateDataKeyWithoutPlaintext, readOnly: true },
  GenerateRandom: { run: generateRandom, readOnly: true },
  TagResource: { run: tagResource, readOnly: false },
  UntagResource: { run: untagResource, readOnly: false },
  ListResourceTags: { run: listResourceTags, readOnly: true },
};

/** Members never written to a CloudTrail event: they carry secrets or ciphertext. */
const SECRET_MEMBERS = new Set(['Plaintext', 'CiphertextBlob', 'SourceCiphertextBlob', 'Policy']);

export function callKms(kms: Kms, trail: Trail, operation: string, input: unknown, caller: Caller, requestId: string): Record<string, unknown> {
  const op = kmsOperations[operation];
  if (!op) throw new AwsError('UnknownOperationException', `Unknown operation ${operation}`);
  let output: Record<string, unknown> | undefined;
  let error: AwsError | undefined;
  try {
    output = op.run(kms, input, caller);
    return output;
  } catch (e) {
    error = isAwsError(e) ? e : kmsErrors.internal('An internal error occurred in the local KMS engine.');
    if (!isAwsError(e)) console.error(e);
    throw error;
  } finally {
    trail.record({
      caller,
      eventSource: 'kms.amazonaws.com',
      eventName: operation,
      requestParameters: requestParameters(input),
      responseElements: responseElements(operation, output),
      resources: resourcesOf(output),
      readOnly: op.readOnly,
      requestId,
      ...(error ? { error: { code: error.code, message: error.message } } : {}),
    });
  }
}

function requestParameters(input: unknown): Record<string, unknown> | null {
  if (!input || typeof input !== 'object') return null;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) {
    if (SECRET_MEMBERS.has(k) || Buffer.isBuffer(v)) continue;
    out[k.charAt(0).toLowerCase() + k.slice(1)] = v;
  }
  return Object.keys(out).length ? out : null;
}

function responseElements(operation: string, output: Record<string, unknown> | undefined): Record<string, unknown> | null {
  if (!output) return null;
  if (operation === 'CreateKey') return { keyMetadata: output.KeyMetadata as Record<string, unknown> };
  if (operation === 'ScheduleKeyDeletion' || operation === 'CancelKeyDeletion') return { keyId: output.KeyId };
  return null;
}

function resourcesOf(output: Record<string, unknown> | undefined) {
  const meta = output?.KeyMetadata as { Arn?: string } | undefined;
  const arns = [meta?.Arn, output?.SourceKeyId, output?.KeyId].filter((a): a is string => typeof a === 'string' && a.startsWith('arn:'));
  return [...new Set(arns)].map((ARN) => ({ type: 'AWS::KMS::Key', ARN }));
}
