// --target aws for lessons 5 and 6: the plan knows keys with imported key
// material and the AWS managed key a lesson uses, the estimate bills keys only
// until they are scheduled for deletion (AWS's pricing page), and the ledger of
// what to clean up takes a key back when its deletion is cancelled.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { loadLessons } from '../../src/lessons/loader.js';
import { ResourceLedger, RESOURCES_FILE } from '../../src/runtime/aws-resources.js';
import type { CapturedCall } from '../../src/runtime/capture.js';
import { estimateCost, formatPlan, HOURS_PER_MONTH, planLessons } from '../../src/runtime/cost.js';

const homes: string[] = [];
afterAll(() => homes.forEach((h) => rmSync(h, { recursive: true, force: true })));

const { lessons } = loadLessons();
const byId = (id: string) => lessons.filter((l) => l.id === id);

describe('the plan of lessons 5 and 6', () => {
  test("a key's life: one customer managed key, an alias, a bucket with one object, and the AWS managed key aws/s3", () => {
    expect(planLessons(byId('key-lifecycle'))).toEqual([
      expect.objectContaining({ keys: 1, importedKeys: 0, awsManagedKeys: ['aws/s3'], aliases: 1, buckets: 1, objects: 1 }),
    ]);
  });

  test('your own key material: two keys, both made for imported material, one alias, no AWS managed key', () => {
    expect(planLessons(byId('imported-key-material'))).toEqual([expect.objectContaining({ keys: 2, importedKeys: 2, awsManagedKeys: [], aliases: 1, buckets: 0 })]);
  });

  test('the plan names the imported material and says aws/s3 stays at no monthly charge, in 80 columns', () => {
    const text = formatPlan(planLessons([...byId('key-lifecycle'), ...byId('imported-key-material')]), {
      region: 'eu-west-1',
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      prefix: 'kms-workshop-abc123',
      leftovers: { keys: [], aliases: [], buckets: [] },
    }).join('\n');
    expect(text).toMatch(/imported-key-material {2}2 KMS keys \(imported material\), 1 alias\n/);
    expect(text).toMatch(/key-lifecycle uses the AWS managed key aws\/s3, which AWS creates in your\naccount on first use and does not delete: no monthly charge, only requests\./);
    expect(text).toMatch(/KMS keys {4}3 x \$1 per key-month, billed by the hour until scheduled for\n {14}deletion \(no charge while pending deletion\)/);
    for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
  });

  test('a lesson that names no AWS managed key adds no paragraph about one', () => {
    const text = formatPlan(planLessons(byId('imported-key-material')), { region: 'eu-west-1', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', prefix: 'p', leftovers: { keys: [], aliases: [], buckets: [] } }).join('\n');
    expect(text).not.toContain('AWS managed key');
  });

  test('the estimate counts an hour of each key, none of its waiting period', () => {
    const estimate = estimateCost(planLessons([...byId('key-lifecycle'), ...byId('imported-key-material')]));
    expect(estimate.keys).toBe(3);
    expect(estimate.keyUsd).toBeCloseTo(3 / HOURS_PER_MONTH, 9);
  });
});

describe('the ledger of what to clean up', () => {
  const call = (operation: string, keyId: string, ok = true): CapturedCall => ({
    time: new Date(0).toISOString(),
    service: 'kms',
    operation,
    keyId,
    caller: 'you',
    outcome: ok ? { ok: true } : { ok: false, code: 'KMSInvalidStateException', message: 'not pending deletion' },
    durationMs: 1,
  });

  test("a key whose deletion is cancelled (lesson 5's cancel-deletion) is the lessons' to clean up again, and is saved so", () => {
    const home = mkdtempSync(join(tmpdir(), 'kms-workshop-ledger-'));
    homes.push(home);
    const ledger = new ResourceLedger(home, 'eu-west-1|aws');
    const arn = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    ledger.observe(call('CreateKey', arn));
    ledger.observe(call('ScheduleKeyDeletion', '1234abcd-12ab-34cd-56ef-1234567890ab'));
    expect(ledger.resources.keys).toEqual([]);
    ledger.observe(call('CancelKeyDeletion', '1234abcd-12ab-34cd-56ef-1234567890ab', false)); // refused: nothing back
    expect(ledger.resources.keys).toEqual([]);
    ledger.observe(call('CancelKeyDeletion', '1234abcd-12ab-34cd-56ef-1234567890ab'));
    expect(ledger.resources.keys).toEqual(['1234abcd-12ab-34cd-56ef-1234567890ab']);
    const saved = JSON.parse(readFileSync(join(home, RESOURCES_FILE), 'utf8')) as { entries: { keys: string[] }[] };
    expect(saved.entries.flatMap((e) => e.keys)).toEqual(['1234abcd-12ab-34cd-56ef-1234567890ab']);
    ledger.observe(call('ScheduleKeyDeletion', arn)); // the clean-up names it by ARN: still the same key
    expect(ledger.resources.keys).toEqual([]);
  });
});
