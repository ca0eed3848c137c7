// The AWS CLI and openssl, unchanged, against the built `kms-workshop serve`: the workshop's own
// import flow (a key with no material, the wrapping public key and import token downloaded,
// `openssl rand` key material wrapped with `openssl pkeyutl` / `rsautl -oaep`, then
// import-key-material), the AWS docs' RSA_AES_KEY_WRAP_SHA_256 commands, a rotation on demand
// that old ciphertexts survive, and a year fast-forwarded on the engine clock to see an
// automatic rotation in list-key-rotations.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { awsCliShellForFile } from '../helpers/aws-cli-shell.js';
import { awsCliEnv } from '../helpers/cli.js';

const DAY = 24 * 60 * 60;

const shell = awsCliShellForFile('kms-workshop-import-work-');
const aws = shell.aws;

/** A command run in the work folder, as a learner types it; fails the test with its stderr if it fails. */
function sh(command: string): string {
  const r = spawnSync('sh', ['-c', command], { cwd: shell.work, encoding: 'utf8', env: awsCliEnv(shell.home) });
  expect(r.status, `${command}\n${r.stderr}`).toBe(0);
  return r.stdout;
}

const endpoint = () => `--endpoint-url ${shell.endpoint}`;

/** The workshop's steps up to import-key-material, with the wrapping command given. */
function importWith(keyId: string, algorithm: string, wrapCommands: string): void {
  sh(`aws ${endpoint()} kms get-parameters-for-import --key-id ${keyId} --wrapping-algorithm ${algorithm} --wrapping-key-spec RSA_2048 > getparameters.json`);
  // The workshop takes both from the one response with jq -r (the token and its public key belong together).
  const params = JSON.parse(readFileSync(join(shell.work, 'getparameters.json'), 'utf8')) as { PublicKey: string; ImportToken: string };
  writeFileSync(join(shell.work, 'PublicKey.b64'), params.PublicKey);
  writeFileSync(join(shell.work, 'ImportToken.b64'), params.ImportToken);
  sh('openssl enc -d -base64 -A -in PublicKey.b64 -out PublicKey.bin');
  sh('openssl enc -d -base64 -A -in ImportToken.b64 -out ImportToken.bin');
  sh('openssl rand -out genkey.bin 32');
  sh(wrapCommands);
  const imported = aws('kms', 'import-key-material', '--key-id', keyId, '--encrypted-key-material', 'fileb://WrappedKeyMaterial.bin',
    '--import-token', 'fileb://ImportToken.bin', '--expiration-model', 'KEY_MATERIAL_DOES_NOT_EXPIRE');
  expect(imported.status, imported.stderr).toBe(0);
  expect(imported.json().KeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
}

function newExternalKey(description: string): string {
  const created = aws('kms', 'create-key', '--origin', 'EXTERNAL', '--description', description);
  expect(created.status, created.stderr).toBe(0);
  expect(created.json().KeyMetadata).toMatchObject({ Origin: 'EXTERNAL', KeyState: 'PendingImport', Enabled: false });
  return created.json().KeyMetadata.KeyId as string;
}

test('the workshop import flow: openssl rand material wrapped with pkeyutl (OAEP SHA-1) is imported into alias/ImportedCMK, which then makes and opens data keys', () => {
  const keyId = newExternalKey('ImportedCMK');
  expect(aws('kms', 'create-alias', '--alias-name', 'alias/ImportedCMK', '--target-key-id', keyId).status).toBe(0);
  importWith(keyId, 'RSAES_OAEP_SHA_1',
    'openssl pkeyutl -encrypt -in genkey.bin -out WrappedKeyMaterial.bin -inkey PublicKey.bin -keyform DER -pubin -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha1');
  expect(aws('kms', 'describe-key', '--key-id', 'alias/ImportedCMK').json().KeyMetadata).toMatchObject({ KeyState: 'Enabled', ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });

  const dk = aws('kms', 'generate-data-key', '--key-id', 'alias/ImportedCMK', '--key-spec', 'AES_256', '--encryption-context', 'project=workshop');
  expect(dk.status, dk.stderr).toBe(0);
  writeFileSync(join(shell.work, 'datakey.enc'), Buffer.from(dk.json().CiphertextBlob, 'base64'));
  const opened = aws('kms', 'decrypt', '--ciphertext-blob', 'fileb://datakey.enc', '--encryption-context', 'project=workshop');
  expect(opened.status, opened.stderr).toBe(0);
  expect(opened.json().Plaintext).toBe(dk.json().Plaintext);
});

test('the older `openssl rsautl -oaep` wrapping imports too', () => {
  const keyId = newExternalKey('rsautl');
  importWith(keyId, 'RSAES_OAEP_SHA_1', 'openssl rsautl -encrypt -in genkey.bin -oaep -inkey PublicKey.bin -keyform DER -pubin -out WrappedKeyMaterial.bin');
  expect(aws('kms', 'describe-key', '--key-id', keyId).json().KeyMetadata.KeyState).toBe('Enabled');
});

test('RSAES_OAEP_SHA_256 with pkeyutl (OAEP and MGF1 SHA-256), and the AWS docs RSA_AES_KEY_WRAP_SHA_256 commands, import', () => {
  const oaep = newExternalKey('oaep sha256');
  importWith(oaep, 'RSAES_OAEP_SHA_256',
    'openssl pkeyutl -encrypt -in genkey.bin -out WrappedKeyMaterial.bin -inkey PublicKey.bin -keyform DER -pubin -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256');
  const aesWrap = newExternalKey('rsa aes key wrap');
  importWith(aesWrap, 'RSA_AES_KEY_WRAP_SHA_256', [
    'openssl rand -out aes-key.bin 32',
    'openssl enc -id-aes256-wrap-pad -K "$(xxd -p < aes-key.bin | tr -d \'\\n\')" -iv A65959A6 -in genkey.bin -out key-material-wrapped.bin',
    'openssl pkeyutl -encrypt -in aes-key.bin -out aes-key-wrapped.bin -inkey PublicKey.bin -keyform DER -pubin -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256',
    'cat aes-key-wrapped.bin key-material-wrapped.bin > WrappedKeyMaterial.bin',
  ].join(' && '));
  for (const keyId of [oaep, aesWrap]) {
    const enc = aws('kms', 'encrypt', '--key-id', keyId, '--plaintext', 'fileb://genkey.bin', '--query', 'CiphertextBlob', '--output', 'text');
    expect(enc.status, enc.stderr).toBe(0);
  }
});

test('wrapping with the wrong algorithm is InvalidCiphertextException, and the key stays PendingImport', () => {
  const keyId = newExternalKey('wrong wrapping');
  sh(`aws ${endpoint()} kms get-parameters-for-import --key-id ${keyId} --wrapping-algorithm RSAES_OAEP_SHA_256 --wrapping-key-spec RSA_2048 > getparameters.json`);
  const params = JSON.parse(readFileSync(join(shell.work, 'getparameters.json'), 'utf8')) as { PublicKey: string; ImportToken: string };
  writeFileSync(join(shell.work, 'PublicKey.bin'), Buffer.from(params.PublicKey, 'base64'));
  writeFileSync(join(shell.work, 'ImportToken.bin'), Buffer.from(params.ImportToken, 'base64'));
  sh('openssl rand -out genkey.bin 32 && openssl pkeyutl -encrypt -in genkey.bin -out WrappedKeyMaterial.bin -inkey PublicKey.bin -keyform DER -pubin -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha1');
  const refused = aws('kms', 'import-key-material', '--key-id', keyId, '--encrypted-key-material', 'fileb://WrappedKeyMaterial.bin',
    '--import-token', 'fileb://ImportToken.bin', '--expiration-model', 'KEY_MATERIAL_DOES_NOT_EXPIRE');
  expect(refused.status).not.toBe(0);
  expect(refused.stderr).toContain('InvalidCiphertextException');
  expect(aws('kms', 'describe-key', '--key-id', keyId).json().KeyMetadata.KeyState).toBe('PendingImport');
});

test('rotate-key-on-demand, then an old ciphertext still decrypts under the same key; list-key-rotations shows ON_DEMAND', () => {
  const created = aws('kms', 'create-key', '--description', 'rotated on demand');
  const { KeyId: keyId, Arn: keyArn } = created.json().KeyMetadata as { KeyId: string; Arn: string };
  writeFileSync(join(shell.work, 'secret.txt'), 'rotate me');
  const enc = aws('kms', 'encrypt', '--key-id', keyId, '--plaintext', 'fileb://secret.txt', '--encryption-context', 'project=kmsworkshop');
  expect(enc.status, enc.stderr).toBe(0);
  writeFileSync(join(shell.work, 'old.enc'), Buffer.from(enc.json().CiphertextBlob, 'base64'));

  const rotated = aws('kms', 'rotate-key-on-demand', '--key-id', keyId);
  expect(rotated.status, rotated.stderr).toBe(0);
  const listed = aws('kms', 'list-key-rotations', '--key-id', keyId).json().Rotations as { RotationType: string }[];
  expect(listed.map((r) => r.RotationType)).toEqual(['ON_DEMAND']);

  const opened = aws('kms', 'decrypt', '--ciphertext-blob', 'fileb://old.enc', '--encryption-context', 'project=kmsworkshop');
  expect(opened.status, opened.stderr).toBe(0);
  expect(Buffer.from(opened.json().Plaintext, 'base64').toString()).toBe('rotate me');
  expect(opened.json().KeyId).toBe(keyArn);
});

test('enable-key-rotation, a year fast-forwarded on the engine clock (control endpoint), and list-key-rotations shows the AUTOMATIC rotation', async () => {
  const keyId = aws('kms', 'create-key', '--description', 'rotated every 90 days').json().KeyMetadata.KeyId as string;
  expect(aws('kms', 'enable-key-rotation', '--key-id', keyId, '--rotation-period-in-days', '180').status).toBe(0);
  const status = aws('kms', 'get-key-rotation-status', '--key-id', keyId).json();
  expect(status).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 180 });

  const secret = readFileSync(join(shell.home, 'engine', 'control.secret'), 'utf8');
  const moved = await fetch(`${shell.endpoint}/_engine/advance-clock?seconds=${366 * DAY}`, { method: 'POST', headers: { 'x-kms-workshop-secret': secret } });
  expect(moved.status).toBe(200);

  const rotations = aws('kms', 'list-key-rotations', '--key-id', keyId).json().Rotations as { RotationType: string; RotationDate: string }[];
  expect(rotations.map((r) => r.RotationType)).toEqual(['AUTOMATIC', 'AUTOMATIC']);
  const due = Date.parse(status.NextRotationDate);
  expect(rotations.map((r) => Date.parse(r.RotationDate))).toEqual([due, due + 180 * DAY * 1000]);
});
