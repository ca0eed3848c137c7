// --target aws for lessons 7 and 8: the plan names the kinds of key lesson 8
// creates (RSA, ECC, HMAC), counts the requests with asymmetric keys (outside
// the free tier, priced higher) and lesson 7's on-demand rotation (a charged
// key material), and the estimate prices them.
import { describe, expect, test } from 'vitest';
import { loadLessons } from '../../src/lessons/loader.js';
import {
  estimateCost,
  formatPlan,
  HOURS_PER_MONTH,
  planLessons,
  ROTATION_MONTH_USD,
  USD_PER_10K_ASYMMETRIC_REQUESTS,
  USD_PER_10K_KMS_REQUESTS,
} from '../../src/runtime/cost.js';

const { lessons } = loadLessons();
const byId = (id: string) => lessons.filter((l) => l.id === id);
const where = { region: 'eu-west-1', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', prefix: 'kms-workshop-abc123', leftovers: { keys: [], aliases: [], buckets: [] } };

describe('the plan of lessons 7 and 8', () => {
  test('rotation: two symmetric keys, two aliases, one on-demand rotation, no asymmetric request', () => {
    expect(planLessons(byId('rotation-and-reencryption'))).toEqual([
      expect.objectContaining({ keys: 2, aliases: 2, keySpecs: [], rotations: 1, asymmetricRequests: 0 }),
    ]);
  });

  test('asymmetric and HMAC: four keys of which RSA_2048, ECC_NIST_P256 and HMAC_256; eight requests with RSA or ECC keys or GenerateDataKeyPair', () => {
    const [plan] = planLessons(byId('asymmetric-and-hmac'));
    expect(plan).toMatchObject({ keys: 4, aliases: 4, keySpecs: ['RSA_2048', 'ECC_NIST_P256', 'HMAC_256'], rotations: 0 });
    // GetPublicKey x2, the RSAES Decrypt, Sign x2, Verify x2, GenerateDataKeyPair
    expect(plan!.asymmetricRequests).toBe(8);
    // HMAC requests and the data key pair's AES_256 / KeyPairSpec are not counted as key kinds
    expect(plan!.keySpecs).not.toContain('AES_256');
  });

  test('the estimate prices asymmetric requests apart and each rotation as a key material billed by the hour', () => {
    const plans = planLessons([...byId('rotation-and-reencryption'), ...byId('asymmetric-and-hmac')]);
    const e = estimateCost(plans);
    const requests = plans.reduce((n, p) => n + p.requests, 0);
    expect(e.asymmetricRequests).toBe(8);
    expect(e.requestUsd).toBeCloseTo(((requests - 8) * USD_PER_10K_KMS_REQUESTS + 8 * USD_PER_10K_ASYMMETRIC_REQUESTS) / 10_000, 12);
    expect(e.rotations).toBe(1);
    expect(e.rotationUsd).toBeCloseTo(ROTATION_MONTH_USD / HOURS_PER_MONTH, 12);
    expect(e.totalUsd).toBeCloseTo(e.keyUsd + e.requestUsd + e.rotationUsd, 12);
  });

  test('the plan says which keys, that asymmetric requests are not in the free tier, and what a rotation costs, in 80 columns', () => {
    const text = formatPlan(planLessons([...byId('rotation-and-reencryption'), ...byId('asymmetric-and-hmac')]), where).join('\n');
    expect(text).toMatch(/asymmetric-and-hmac {8}4 KMS keys \(1 RSA, 1 ECC, 1 HMAC\), 4 aliases\n/);
    expect(text).toMatch(/rotation-and-reencryption {2}2 KMS keys, 2 aliases\n/);
    expect(text).toMatch(/of which 8 with RSA or ECC keys or GenerateDataKeyPair: not in\n {14}the free tier, counted at up to \$0\.15 per 10,000/);
    expect(text).toMatch(/Rotations {3}1 on demand: \$1 per month for each new key material \(a key's\n {14}first two rotations\), by the hour until deletion: under \$0\.01/);
    for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
  });

  test('lessons with neither add no line about asymmetric requests or rotations', () => {
    const text = formatPlan(planLessons(byId('direct-encryption')), where).join('\n');
    expect(text).not.toMatch(/RSA or ECC|Rotations/);
  });
});
