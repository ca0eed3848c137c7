// The AWS CLI and openssl, unchanged, against the built `kms-workshop serve`: key agreement and
// multi-Region keys as a learner does them in a shell. derive-shared-secret with a peer key made
// by openssl gives the secret `openssl pkeyutl -derive` computes from the peer's private key and
// the public key get-public-key downloads; a replica in another Region (the CLI's --region)
// decrypts what the primary encrypted.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { awsCliShellForFile } from '../helpers/aws-cli-shell.js';

const shell = awsCliShellForFile('kms-workshop-ecdh-');
const aws = (...args: string[]) => shell.aws('kms', ...args);

function ok(...args: string[]) {
  const r = aws(...args);
  expect(r.status, r.stderr).toBe(0);
  return r.json();
}

function openssl(...args: string[]) {
  const r = spawnSync('openssl', args, { cwd: shell.work, encoding: 'utf8' });
  expect(r.status, r.stdout + r.stderr).toBe(0);
  return r.stdout;
}

const file = (name: string) => join(shell.work, name);

test.each([
  ['ECC_NIST_P256', 'P-256'],
  ['ECC_NIST_P384', 'P-384'],
  ['ECC_NIST_P521', 'P-521'],
])('%s: derive-shared-secret gives the secret openssl pkeyutl -derive computes on the peer\'s side', (spec, curve) => {
  const name = spec.toLowerCase();
  const keyId = ok('create-key', '--key-spec', spec, '--key-usage', 'KEY_AGREEMENT').KeyMetadata.KeyId as string;
  const pub = ok('get-public-key', '--key-id', keyId);
  expect(pub.KeyAgreementAlgorithms).toEqual(['ECDH']);
  writeFileSync(file(`${name}-kms.der`), Buffer.from(pub.PublicKey, 'base64'));

  // The peer: a key pair made by openssl, its public key as DER SubjectPublicKeyInfo.
  openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', `ec_paramgen_curve:${curve}`, '-out', `${name}-peer.pem`);
  openssl('pkey', '-in', `${name}-peer.pem`, '-pubout', '-outform', 'DER', '-out', `${name}-peer-pub.der`);

  const derived = ok('derive-shared-secret', '--key-id', keyId, '--key-agreement-algorithm', 'ECDH', '--public-key', `fileb://${file(`${name}-peer-pub.der`)}`);
  expect(derived).toMatchObject({ KeyAgreementAlgorithm: 'ECDH', KeyOrigin: 'AWS_KMS' });
  openssl('pkeyutl', '-derive', '-inkey', `${name}-peer.pem`, '-peerkey', `${name}-kms.der`, '-peerform', 'DER', '-out', `${name}-openssl.bin`);
  expect(Buffer.from(derived.SharedSecret, 'base64').equals(readFileSync(file(`${name}-openssl.bin`)))).toBe(true);
});

test('derive-shared-secret refuses a peer key on another curve (ValidationException) and a signing key (InvalidKeyUsageException)', () => {
  const keyId = ok('create-key', '--key-spec', 'ECC_NIST_P256', '--key-usage', 'KEY_AGREEMENT').KeyMetadata.KeyId as string;
  openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384', '-out', 'other-curve.pem');
  openssl('pkey', '-in', 'other-curve.pem', '-pubout', '-outform', 'DER', '-out', 'other-curve.der');
  const wrongCurve = aws('derive-shared-secret', '--key-id', keyId, '--key-agreement-algorithm', 'ECDH', '--public-key', `fileb://${file('other-curve.der')}`);
  expect(wrongCurve.status).not.toBe(0);
  expect(wrongCurve.stderr).toContain('ValidationException');

  const signing = ok('create-key', '--key-spec', 'ECC_NIST_P384', '--key-usage', 'SIGN_VERIFY').KeyMetadata.KeyId as string;
  const wrongUsage = aws('derive-shared-secret', '--key-id', signing, '--key-agreement-algorithm', 'ECDH', '--public-key', `fileb://${file('other-curve.der')}`);
  expect(wrongUsage.status).not.toBe(0);
  expect(wrongUsage.stderr).toContain('InvalidKeyUsageException');
});

test('a multi-Region key: replicate-key into eu-west-1, encrypt there, decrypt in us-east-1; update-primary-region', () => {
  const primary = ok('create-key', '--multi-region', '--description', 'primary').KeyMetadata;
  expect(primary.KeyId).toMatch(/^mrk-[0-9a-f]{32}$/);
  const replica = ok('replicate-key', '--key-id', primary.KeyId, '--replica-region', 'eu-west-1', '--description', 'replica').ReplicaKeyMetadata;
  expect(replica.Arn).toBe(primary.Arn.replace(':us-east-1:', ':eu-west-1:'));
  expect(replica.MultiRegionConfiguration.MultiRegionKeyType).toBe('REPLICA');

  writeFileSync(file('note.txt'), 'written in Ireland');
  const enc = ok('--region', 'eu-west-1', 'encrypt', '--key-id', primary.KeyId, '--plaintext', `fileb://${file('note.txt')}`);
  writeFileSync(file('note.enc'), Buffer.from(enc.CiphertextBlob, 'base64'));
  const dec = ok('--region', 'us-east-1', 'decrypt', '--ciphertext-blob', `fileb://${file('note.enc')}`);
  expect(Buffer.from(dec.Plaintext, 'base64').toString()).toBe('written in Ireland');
  expect(dec.KeyId).toBe(primary.Arn);
  // And the other way: what the primary encrypted, the replica decrypts, and names itself.
  const back = ok('encrypt', '--key-id', primary.Arn, '--plaintext', `fileb://${file('note.txt')}`);
  writeFileSync(file('note-east.enc'), Buffer.from(back.CiphertextBlob, 'base64'));
  const west = ok('--region', 'eu-west-1', 'decrypt', '--ciphertext-blob', `fileb://${file('note-east.enc')}`);
  expect(Buffer.from(west.Plaintext, 'base64').toString()).toBe('written in Ireland');
  expect(west.KeyId).toBe(replica.Arn);

  const updated = aws('update-primary-region', '--key-id', primary.KeyId, '--primary-region', 'eu-west-1');
  expect(updated.status, updated.stderr).toBe(0); // the operation returns no output
  expect(ok('--region', 'eu-west-1', 'describe-key', '--key-id', primary.KeyId).KeyMetadata.MultiRegionConfiguration.MultiRegionKeyType).toBe('PRIMARY');
  expect(ok('describe-key', '--key-id', primary.KeyId).KeyMetadata.MultiRegionConfiguration.MultiRegionKeyType).toBe('REPLICA');

  const malformed = aws('describe-key', '--key-id', 'mrk-fake-key-id');
  expect(malformed.status).not.toBe(0);
  expect(malformed.stderr).toContain("Invalid keyId 'mrk-fake-key-id'");
});
