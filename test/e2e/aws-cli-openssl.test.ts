// The AWS CLI and openssl, unchanged, against the built `kms-workshop serve`: what a learner
// does in a shell with asymmetric and HMAC keys. RSA encrypted by openssl decrypts in KMS;
// KMS signatures (RSA, RSA-PSS, ECDSA, over a message or a digest) verify with openssl and
// the public key the CLI downloads; an HMAC round trip.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { awsCliShellForFile } from '../helpers/aws-cli-shell.js';

const shell = awsCliShellForFile('kms-workshop-openssl-');
const aws = (...args: string[]) => shell.aws('kms', ...args);

function ok(...args: string[]) {
  const r = aws(...args);
  expect(r.status, r.stderr).toBe(0);
  return r.json();
}

function openssl(...args: string[]) {
  const r = spawnSync('openssl', args, { cwd: shell.work, encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

const file = (name: string) => join(shell.work, name);

/** create-key, then get-public-key into <name>.der and, through openssl pkey, <name>.pem. */
function keyWithPublicKey(name: string, spec: string, usage: string): string {
  const keyId = ok('create-key', '--key-spec', spec, '--key-usage', usage).KeyMetadata.KeyId as string;
  const pub = ok('get-public-key', '--key-id', keyId);
  expect(pub.KeySpec).toBe(spec);
  writeFileSync(file(`${name}.der`), Buffer.from(pub.PublicKey, 'base64'));
  const converted = openssl('pkey', '-pubin', '-inform', 'DER', '-in', `${name}.der`, '-out', `${name}.pem`);
  expect(converted.status, converted.out).toBe(0);
  return keyId;
}

test('openssl reads the DER public key get-public-key gives', () => {
  keyWithPublicKey('ec-read', 'ECC_NIST_P384', 'SIGN_VERIFY');
  const text = openssl('pkey', '-pubin', '-inform', 'DER', '-in', 'ec-read.der', '-noout', '-text');
  expect(text.status, text.out).toBe(0);
  expect(text.out).toContain('NIST CURVE: P-384');
});

test('RSA: encrypted by openssl with the public key (OAEP, SHA-256), decrypted by KMS; and the other way round', () => {
  const keyId = keyWithPublicKey('rsa-enc', 'RSA_2048', 'ENCRYPT_DECRYPT');
  writeFileSync(file('secret.txt'), 'the launch code is 0000');
  const enc = openssl('pkeyutl', '-encrypt', '-pubin', '-inkey', 'rsa-enc.pem', '-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', 'rsa_oaep_md:sha256', '-pkeyopt', 'rsa_mgf1_md:sha256', '-in', 'secret.txt', '-out', 'secret.enc');
  expect(enc.status, enc.out).toBe(0);
  const out = ok('decrypt', '--key-id', keyId, '--encryption-algorithm', 'RSAES_OAEP_SHA_256', '--ciphertext-blob', `fileb://${file('secret.enc')}`);
  expect(Buffer.from(out.Plaintext, 'base64').toString()).toBe('the launch code is 0000');

  const sha1 = openssl('pkeyutl', '-encrypt', '-pubin', '-inkey', 'rsa-enc.pem', '-pkeyopt', 'rsa_padding_mode:oaep', '-in', 'secret.txt', '-out', 'secret-sha1.enc');
  expect(sha1.status, sha1.out).toBe(0);
  const out1 = ok('decrypt', '--key-id', keyId, '--encryption-algorithm', 'RSAES_OAEP_SHA_1', '--ciphertext-blob', `fileb://${file('secret-sha1.enc')}`);
  expect(Buffer.from(out1.Plaintext, 'base64').toString()).toBe('the launch code is 0000');

  const wrong = aws('decrypt', '--key-id', keyId, '--encryption-algorithm', 'RSAES_OAEP_SHA_1', '--ciphertext-blob', `fileb://${file('secret.enc')}`);
  expect(wrong.status).not.toBe(0);
  expect(wrong.stderr).toContain('InvalidCiphertextException');
});

test.each([
  ['RSA_2048', 'RSASSA_PKCS1_V1_5_SHA_256', []],
  ['RSA_2048', 'RSASSA_PSS_SHA_256', ['-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:32']],
  ['ECC_NIST_P256', 'ECDSA_SHA_256', []],
  ['ECC_SECG_P256K1', 'ECDSA_SHA_256', []],
])('%s: a %s signature from KMS verifies with openssl dgst -verify and the downloaded public key', (spec, algorithm, sigopts) => {
  const name = `sign-${spec}-${algorithm}`;
  const keyId = keyWithPublicKey(name, spec, 'SIGN_VERIFY');
  writeFileSync(file(`${name}.msg`), `a release to sign with ${algorithm}\n`);
  const signed = ok('sign', '--key-id', keyId, '--message', `fileb://${file(`${name}.msg`)}`, '--message-type', 'RAW', '--signing-algorithm', algorithm);
  writeFileSync(file(`${name}.sig`), Buffer.from(signed.Signature, 'base64'));
  const verified = openssl('dgst', '-sha256', ...sigopts, '-verify', `${name}.pem`, '-signature', `${name}.sig`, `${name}.msg`);
  expect(verified.out).toContain('Verified OK');
  expect(verified.status).toBe(0);
  // The same check fails for another message: openssl is really checking.
  writeFileSync(file(`${name}.other`), 'something else\n');
  expect(openssl('dgst', '-sha256', ...sigopts, '-verify', `${name}.pem`, '-signature', `${name}.sig`, `${name}.other`).status).not.toBe(0);
});

test('ECDSA over a digest made by openssl: KMS signs the DIGEST, openssl pkeyutl -verify accepts it, and KMS verify too', () => {
  const keyId = keyWithPublicKey('digest', 'ECC_NIST_P256', 'SIGN_VERIFY');
  writeFileSync(file('big.msg'), 'x'.repeat(10_000)); // larger than Sign takes: sign its digest instead
  expect(openssl('dgst', '-sha256', '-binary', '-out', 'big.digest', 'big.msg').status).toBe(0);
  const signed = ok('sign', '--key-id', keyId, '--message', `fileb://${file('big.digest')}`, '--message-type', 'DIGEST', '--signing-algorithm', 'ECDSA_SHA_256');
  writeFileSync(file('big.sig'), Buffer.from(signed.Signature, 'base64'));
  const verified = openssl('pkeyutl', '-verify', '-pubin', '-inkey', 'digest.pem', '-in', 'big.digest', '-sigfile', 'big.sig');
  expect(verified.out).toContain('Signature Verified Successfully');
  expect(openssl('dgst', '-sha256', '-verify', 'digest.pem', '-signature', 'big.sig', 'big.msg').out).toContain('Verified OK');
  const kmsVerify = ok('verify', '--key-id', keyId, '--message', `fileb://${file('big.digest')}`, '--message-type', 'DIGEST', '--signature', `fileb://${file('big.sig')}`, '--signing-algorithm', 'ECDSA_SHA_256');
  expect(kmsVerify.SignatureValid).toBe(true);
  const tampered = readFileSync(file('big.digest'));
  tampered[0]! ^= 1;
  writeFileSync(file('tampered.digest'), tampered);
  const refused = aws('verify', '--key-id', keyId, '--message', `fileb://${file('tampered.digest')}`, '--message-type', 'DIGEST', '--signature', `fileb://${file('big.sig')}`, '--signing-algorithm', 'ECDSA_SHA_256');
  expect(refused.status).not.toBe(0);
  expect(refused.stderr).toContain('KMSInvalidSignatureException');
});

test('HMAC round trip: generate-mac, verify-mac accepts it, and refuses it for another message', () => {
  const keyId = ok('create-key', '--key-spec', 'HMAC_256', '--key-usage', 'GENERATE_VERIFY_MAC').KeyMetadata.KeyId as string;
  writeFileSync(file('token.json'), '{"user":"learner","role":"admin"}');
  const mac = ok('generate-mac', '--key-id', keyId, '--message', `fileb://${file('token.json')}`, '--mac-algorithm', 'HMAC_SHA_256');
  expect(Buffer.from(mac.Mac, 'base64')).toHaveLength(32);
  writeFileSync(file('token.mac'), Buffer.from(mac.Mac, 'base64'));
  const verified = ok('verify-mac', '--key-id', keyId, '--message', `fileb://${file('token.json')}`, '--mac-algorithm', 'HMAC_SHA_256', '--mac', `fileb://${file('token.mac')}`);
  expect(verified.MacValid).toBe(true);
  writeFileSync(file('forged.json'), '{"user":"learner","role":"root"}');
  const refused = aws('verify-mac', '--key-id', keyId, '--message', `fileb://${file('forged.json')}`, '--mac-algorithm', 'HMAC_SHA_256', '--mac', `fileb://${file('token.mac')}`);
  expect(refused.status).not.toBe(0);
  expect(refused.stderr).toContain('KMSInvalidMacException');
});
