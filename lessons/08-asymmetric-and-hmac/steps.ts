// Lesson 8: asymmetric keys and HMAC. Each exported function is one step;
// its source is what the learner sees as "the code" on screen. Where a
// learner would use openssl, the step runs openssl when it is installed,
// and does the same with node:crypto when it is not.
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  GenerateDataKeyPairCommand,
  GenerateMacCommand,
  GetPublicKeyCommand,
  ScheduleKeyDeletionCommand,
  SignCommand,
  UpdateAliasCommand,
  VerifyCommand,
  VerifyMacCommand,
} from '@aws-sdk/client-kms';
import { spawnSync } from 'node:child_process';
import {
  constants,
  createHash,
  createPrivateKey,
  createPublicKey,
  publicEncrypt,
  sign,
  verify,
} from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import type { StepContext } from '../../src/runtime/context.js';

export async function createRsaKey(ctx: StepContext) {
  const { kms, show, path, names } = ctx;
  const alias = names.alias('kms-workshop-rsa');
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({
    KeySpec: 'RSA_2048',
    KeyUsage: 'ENCRYPT_DECRYPT',
    Description: 'kms-workshop: RSA encryption',
  }));
  const target = { AliasName: alias, TargetKeyId: KeyMetadata!.KeyId };
  try {
    await kms.send(new CreateAliasCommand(target));
  } catch (e) {
    // A run stopped before its clean-up left the alias behind:
    // point it at the new key.
    if ((e as Error).name !== 'AlreadyExistsException') throw e;
    await kms.send(new UpdateAliasCommand(target));
  }
  const { PublicKey, KeySpec, KeyUsage, EncryptionAlgorithms } =
    await kms.send(new GetPublicKeyCommand({ KeyId: alias }));
  // DER (SubjectPublicKeyInfo), and the same key as PEM for openssl
  await writeFile(path('rsa-public.der'), PublicKey!);
  const pem = createPublicKey({
    key: Buffer.from(PublicKey!),
    format: 'der',
    type: 'spki',
  }).export({ type: 'spki', format: 'pem' });
  await writeFile(path('rsa-public.pem'), pem);
  show.json(
    { KeySpec, KeyUsage, EncryptionAlgorithms, PublicKey },
    'GetPublicKey response',
  );
  return show.file('rsa-public.pem', 'the public key: share it freely');
}

export async function encryptOutsideAws(ctx: StepContext) {
  const { show, path, workspace, calls } = ctx;
  await writeFile(path('secret.txt'), 'The launch code is 0000\n');
  // What someone with no AWS access runs, with the public key only
  const command = [
    'pkeyutl', '-encrypt', '-pubin', '-inkey', 'rsa-public.pem',
    '-pkeyopt', 'rsa_padding_mode:oaep',
    '-pkeyopt', 'rsa_oaep_md:sha256',
    '-pkeyopt', 'rsa_mgf1_md:sha256',
    '-in', 'secret.txt', '-out', 'secret.enc',
  ];
  const run = spawnSync('openssl', command, { cwd: workspace });
  if (run.error) {
    // No openssl here: node:crypto does the same (OAEP, SHA-256, MGF1)
    const encrypted = publicEncrypt({
      key: await readFile(path('rsa-public.pem')),
      padding: constants.RSA_PKCS1_OAEP_PADDING,
      oaepHash: 'sha256',
    }, await readFile(path('secret.txt')));
    await writeFile(path('secret.enc'), encrypted);
  } else if (run.status !== 0) {
    throw new Error(`openssl failed: ${run.stderr}`);
  }
  show.text(run.error
    ? 'openssl is not installed: node:crypto encrypted instead'
    : `ran: openssl ${command.join(' ')}`);
  show.hexdump('secret.enc', 'secret.enc: 256 bytes, one RSA-2048 block');
  return show.check('no call to AWS was needed', calls.length === 0);
}

export async function decryptWithKms(ctx: StepContext) {
  const { kms, show, path, names } = ctx;
  const { Plaintext, KeyId, EncryptionAlgorithm } = await kms.send(
    new DecryptCommand({
      KeyId: names.alias('kms-workshop-rsa'),
      EncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
      CiphertextBlob: await readFile(path('secret.enc')),
    }),
  );
  await writeFile(path('secret-decrypted.txt'), Plaintext!);
  show.json({ KeyId, EncryptionAlgorithm }, 'Decrypt response');
  const diff = show.diff('secret.txt', 'secret-decrypted.txt');
  return show.check('KMS decrypted what openssl encrypted', diff.identical);
}

export async function createSigningKeyAndSign(ctx: StepContext) {
  const { kms, show, path, names } = ctx;
  const alias = names.alias('kms-workshop-signing');
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({
    KeySpec: 'ECC_NIST_P256',
    KeyUsage: 'SIGN_VERIFY',
    Description: 'kms-workshop: signing',
  }));
  const target = { AliasName: alias, TargetKeyId: KeyMetadata!.KeyId };
  try {
    await kms.send(new CreateAliasCommand(target));
  } catch (e) {
    if ((e as Error).name !== 'AlreadyExistsException') throw e;
    await kms.send(new UpdateAliasCommand(target));
  }
  await writeFile(path('release.txt'), 'release 1.0.0 of our app\n');
  const message = await readFile(path('release.txt'));
  // Sign the message itself (up to 4096 bytes) ...
  const raw = await kms.send(new SignCommand({
    KeyId: alias,
    Message: message,
    MessageType: 'RAW',
    SigningAlgorithm: 'ECDSA_SHA_256',
  }));
  // ... or its SHA-256 digest, made here (any size of message)
  const digest = createHash('sha256').update(message).digest();
  const ofDigest = await kms.send(new SignCommand({
    KeyId: alias,
    Message: digest,
    MessageType: 'DIGEST',
    SigningAlgorithm: 'ECDSA_SHA_256',
  }));
  await writeFile(path('release.sig'), raw.Signature!);
  await writeFile(path('release-digest.sig'), ofDigest.Signature!);
  const start = (b: Uint8Array) =>
    `${Buffer.from(b).toString('hex').slice(0, 32)}...`;
  return show.table(['MessageType', 'bytes', 'signature (DER)'], [
    ['RAW', raw.Signature!.length, start(raw.Signature!)],
    ['DIGEST', ofDigest.Signature!.length, start(ofDigest.Signature!)],
  ], 'Two signatures of release.txt');
}

export async function verifyWithKmsAndOpenssl(ctx: StepContext) {
  const { kms, show, path, names, workspace } = ctx;
  const alias = names.alias('kms-workshop-signing');
  const message = await readFile(path('release.txt'));
  const { SignatureValid } = await kms.send(new VerifyCommand({
    KeyId: alias,
    Message: message,
    MessageType: 'RAW',
    Signature: await readFile(path('release.sig')),
    SigningAlgorithm: 'ECDSA_SHA_256',
  }));
  show.check('KMS: the RAW signature is valid', SignatureValid === true);

  // Outside AWS: the public key, and openssl (or node:crypto)
  const { PublicKey } = await kms.send(new GetPublicKeyCommand({
    KeyId: alias,
  }));
  const pem = createPublicKey({
    key: Buffer.from(PublicKey!),
    format: 'der',
    type: 'spki',
  }).export({ type: 'spki', format: 'pem' });
  await writeFile(path('signing-public.pem'), pem);
  for (const sig of ['release.sig', 'release-digest.sig']) {
    const run = spawnSync('openssl', [
      'dgst', '-sha256', '-verify', 'signing-public.pem',
      '-signature', sig, 'release.txt',
    ], { cwd: workspace, encoding: 'utf8' });
    const ok = run.error
      ? verify('sha256', message, pem, await readFile(path(sig)))
      : run.stdout.trim() === 'Verified OK';
    const by = run.error ? 'node:crypto' : 'openssl dgst -verify';
    show.check(`${by}: ${sig} verifies with the public key`, ok);
  }
  return show.counter({ title: 'KMS calls of this step' });
}

export async function tamperedMessage(ctx: StepContext) {
  const { kms, show, path, names, workspace, expectError } = ctx;
  const tampered = (await readFile(path('release.txt'), 'utf8'))
    .replace('1.0.0', '6.6.6');
  await writeFile(path('release-tampered.txt'), tampered);
  const run = spawnSync('openssl', [
    'dgst', '-sha256', '-verify', 'signing-public.pem',
    '-signature', 'release.sig', 'release-tampered.txt',
  ], { cwd: workspace, encoding: 'utf8' });
  const openssl = run.error
    ? 'node:crypto verify: ' + verify(
      'sha256',
      Buffer.from(tampered),
      await readFile(path('signing-public.pem')),
      await readFile(path('release.sig')),
    )
    : `openssl dgst -verify: ${run.stdout.trim()} (exit ${run.status})`;
  show.text(openssl, 'warn');
  return expectError(
    kms.send(new VerifyCommand({
      KeyId: names.alias('kms-workshop-signing'),
      Message: Buffer.from(tampered),
      MessageType: 'RAW',
      Signature: await readFile(path('release.sig')),
      SigningAlgorithm: 'ECDSA_SHA_256',
    })),
    {
      code: 'KMSInvalidSignatureException',
      why: 'The signature was made for release.txt, not for this text.',
      fix: 'Nothing to fix: refusing a changed message is the point.',
    },
  );
}

export async function dataKeyPair(ctx: StepContext) {
  const { kms, show, path, names } = ctx;
  // A symmetric KMS key protects the private key of each data key pair
  const alias = names.alias('kms-workshop-pairs');
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({
    Description: 'kms-workshop: data key pairs',
  }));
  const target = { AliasName: alias, TargetKeyId: KeyMetadata!.KeyId };
  try {
    await kms.send(new CreateAliasCommand(target));
  } catch (e) {
    if ((e as Error).name !== 'AlreadyExistsException') throw e;
    await kms.send(new UpdateAliasCommand(target));
  }
  const pair = await kms.send(new GenerateDataKeyPairCommand({
    KeyId: alias,
    KeyPairSpec: 'ECC_NIST_P256',
    EncryptionContext: { purpose: 'log-signing' },
  }));
  show.json(pair, 'GenerateDataKeyPair response', {
    secrets: ['PrivateKeyPlaintext'],
  });
  // Kept: the public key, and the private key encrypted under the KMS key
  await writeFile(path('pair-public.der'), pair.PublicKey!);
  await writeFile(path('pair-private.enc'), pair.PrivateKeyCiphertextBlob!);

  // Sign 100 log lines here, with no call to KMS
  const privateKey = createPrivateKey({
    key: Buffer.from(pair.PrivateKeyPlaintext!),
    format: 'der',
    type: 'pkcs8',
  });
  const lines = Array.from({ length: 100 }, (_, i) => `log line ${i}`);
  const signatures = lines.map((line) =>
    sign('sha256', Buffer.from(line), privateKey));
  pair.PrivateKeyPlaintext!.fill(0); // forget it: Decrypt gives it back
  const publicKey = createPublicKey({
    key: Buffer.from(pair.PublicKey!),
    format: 'der',
    type: 'spki',
  });
  const allValid = lines.every((line, i) =>
    verify('sha256', Buffer.from(line), publicKey, signatures[i]!));
  show.counter({ title: 'KMS calls for 100 signatures' });
  return show.check('100 signatures, all valid, made locally', allValid);
}

export async function hmacToken(ctx: StepContext) {
  const { kms, show, path, names } = ctx;
  const alias = names.alias('kms-workshop-hmac');
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({
    KeySpec: 'HMAC_256',
    KeyUsage: 'GENERATE_VERIFY_MAC',
    Description: 'kms-workshop: tokens',
  }));
  const target = { AliasName: alias, TargetKeyId: KeyMetadata!.KeyId };
  try {
    await kms.send(new CreateAliasCommand(target));
  } catch (e) {
    if ((e as Error).name !== 'AlreadyExistsException') throw e;
    await kms.send(new UpdateAliasCommand(target));
  }
  const payload = JSON.stringify({ sub: 'learner', role: 'reader' });
  const { Mac } = await kms.send(new GenerateMacCommand({
    KeyId: alias,
    Message: Buffer.from(payload),
    MacAlgorithm: 'HMAC_SHA_256',
  }));
  // A token: the payload and its MAC, each base64url, joined by a dot
  const b64url = (b: Uint8Array | string) =>
    Buffer.from(b).toString('base64url');
  await writeFile(path('token.txt'), `${b64url(payload)}.${b64url(Mac!)}`);
  show.file('token.txt', 'payload.mac: the token you hand out');

  // Later, a token comes back: check it with KMS
  const token = await readFile(path('token.txt'), 'utf8');
  const [body, mac] = token.split('.');
  const { MacValid } = await kms.send(new VerifyMacCommand({
    KeyId: alias,
    Message: Buffer.from(body!, 'base64url'),
    Mac: Buffer.from(mac!, 'base64url'),
    MacAlgorithm: 'HMAC_SHA_256',
  }));
  show.json({ payload: JSON.parse(payload), MacValid }, 'VerifyMac');
  return show.check('the token is genuine', MacValid === true);
}

export async function forgedToken(ctx: StepContext) {
  const { kms, show, path, names, expectError } = ctx;
  const [, mac] = (await readFile(path('token.txt'), 'utf8')).split('.');
  // The same MAC, with a payload that promotes its holder
  const forged = JSON.stringify({ sub: 'learner', role: 'admin' });
  show.text(`forged payload: ${forged}`, 'warn');
  return expectError(
    kms.send(new VerifyMacCommand({
      KeyId: names.alias('kms-workshop-hmac'),
      Message: Buffer.from(forged),
      Mac: Buffer.from(mac!, 'base64url'),
      MacAlgorithm: 'HMAC_SHA_256',
    })),
    {
      code: 'KMSInvalidMacException',
      why: 'The MAC was made for the reader payload; any change breaks it.',
      fix: 'Nothing to fix: refusing a forged token is the point.',
    },
  );
}

export async function cleanUp({ kms, show, path, names }: StepContext) {
  const rows = [];
  for (const name of [
    'kms-workshop-rsa',
    'kms-workshop-signing',
    'kms-workshop-pairs',
    'kms-workshop-hmac',
  ]) {
    const alias = names.alias(name);
    const found = await kms.send(new DescribeKeyCommand({ KeyId: alias }))
      .catch((e: Error) => {
        // Not made yet (a run stopped before that step): nothing to remove
        if (e.name === 'NotFoundException') return undefined;
        throw e;
      });
    if (!found) continue;
    const { KeyMetadata } = found;
    await kms.send(new DeleteAliasCommand({ AliasName: alias }));
    const { KeyState } = await kms.send(new ScheduleKeyDeletionCommand({
      KeyId: KeyMetadata!.KeyId,
      PendingWindowInDays: 7,
    }));
    rows.push([alias, KeyMetadata!.KeySpec, KeyState]);
  }
  for (const file of ['secret-decrypted.txt', 'pair-private.enc']) {
    await rm(path(file), { force: true });
  }
  return show.table(
    ['alias (deleted)', 'KeySpec', 'state'],
    rows,
    'Keys scheduled for deletion (7 days)',
  );
}
