// The secrets probe for the new key kinds: RSA and ECC private keys, HMAC secrets and the
// private keys of data key pairs are nowhere in the engine's home, in any usual encoding.
import { CreateKeyCommand, DecryptCommand, EncryptCommand, GenerateDataKeyPairCommand, GenerateMacCommand, SignCommand } from '@aws-sdk/client-kms';
import { createPrivateKey } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { startTestEngine, tempHome } from '../helpers/engine.js';

function allFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}

/** A private key (PKCS#8 DER) as it might leak: PEM, DER in PKCS#8 and the key type's own format, base64, hex, and the bare private value. */
function encodingsOfPrivateKey(pkcs8: Buffer): Buffer[] {
  const key = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
  const ders = [pkcs8, key.export({ format: 'der', type: key.asymmetricKeyType === 'rsa' ? 'pkcs1' : 'sec1' })];
  const pems = [key.export({ format: 'pem', type: 'pkcs8' }).toString(), key.export({ format: 'pem', type: key.asymmetricKeyType === 'rsa' ? 'pkcs1' : 'sec1' }).toString()];
  const bareValue = Buffer.from(key.export({ format: 'jwk' }).d!, 'base64url'); // the RSA private exponent, or the EC scalar
  return [
    ...ders.flatMap(encodingsOfBytes),
    ...pems.flatMap((pem) => [Buffer.from(pem), Buffer.from(pem.split('\n')[1]!)]), // the whole PEM, and its first line of base64
    ...encodingsOfBytes(bareValue),
    Buffer.from(bareValue.toString('base64url')),
  ];
}

const encodingsOfBytes = (b: Buffer) => [b, Buffer.from(b.toString('base64')), Buffer.from(b.toString('hex')), Buffer.from(b.toString('hex').toUpperCase())];

test('RSA and ECC private keys, HMAC secrets and data key pairs\' private keys are not in the home in PEM, DER, base64 or hex', async () => {
  const home = tempHome();
  const e = await startTestEngine({ home, keepHome: true });
  try {
    const made = async (KeySpec: 'RSA_2048' | 'ECC_NIST_P256' | 'ECC_SECG_P256K1' | 'ECC_NIST_P521' | 'HMAC_256', KeyUsage: 'ENCRYPT_DECRYPT' | 'SIGN_VERIFY' | 'GENERATE_VERIFY_MAC') =>
      (await e.kms.send(new CreateKeyCommand({ KeySpec, KeyUsage }))).KeyMetadata!.KeyId!;
    const rsa = await made('RSA_2048', 'ENCRYPT_DECRYPT');
    const ecc = [await made('ECC_NIST_P256', 'SIGN_VERIFY'), await made('ECC_SECG_P256K1', 'SIGN_VERIFY'), await made('ECC_NIST_P521', 'SIGN_VERIFY')];
    const hmac = await made('HMAC_256', 'GENERATE_VERIFY_MAC');
    const symmetric = (await e.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;

    // Use every key, so anything an operation might persist or log is there to be found.
    const { CiphertextBlob } = await e.kms.send(new EncryptCommand({ KeyId: rsa, Plaintext: Buffer.from('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }));
    await e.kms.send(new DecryptCommand({ KeyId: rsa, CiphertextBlob, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }));
    for (const KeyId of ecc) await e.kms.send(new SignCommand({ KeyId, Message: Buffer.from('m'), SigningAlgorithm: KeyId === ecc[2] ? 'ECDSA_SHA_512' : 'ECDSA_SHA_256' }));
    await e.kms.send(new GenerateMacCommand({ KeyId: hmac, Message: Buffer.from('m'), MacAlgorithm: 'HMAC_SHA_256' }));
    const pairs = [
      await e.kms.send(new GenerateDataKeyPairCommand({ KeyId: symmetric, KeyPairSpec: 'RSA_2048' })),
      await e.kms.send(new GenerateDataKeyPairCommand({ KeyId: symmetric, KeyPairSpec: 'ECC_NIST_P256' })),
    ];

    const privateKeys = [rsa, ...ecc].map((id) => e.engine.kms.materialForTest(id)[0]!);
    privateKeys.push(...pairs.map((p) => Buffer.from(p.PrivateKeyPlaintext!)));
    const [hmacSecret] = e.engine.kms.materialForTest(hmac);
    expect(privateKeys).toHaveLength(6);
    expect(hmacSecret).toHaveLength(32);
    const needles = [...privateKeys.flatMap(encodingsOfPrivateKey), ...encodingsOfBytes(hmacSecret!)];

    await e.stop();
    const files = allFiles(home).map((f) => ({ f, bytes: readFileSync(f) }));
    expect(files.length).toBeGreaterThan(2);
    for (const { f, bytes } of files) for (const needle of needles) expect(bytes.includes(needle), `${f} holds a secret`).toBe(false);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
