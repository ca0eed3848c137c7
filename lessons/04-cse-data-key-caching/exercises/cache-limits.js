// @ts-check
// Your turn: two encryptions, one data key. This file runs every time you
// save it, against the same engine as the lesson, and the screen shows
// what it did. Only the two TODO lines need changing.
import {
  buildClient,
  CommitmentPolicy,
  getLocalCryptographicMaterialsCache,
  KmsKeyringNode,
  NodeCachingMaterialsManager,
} from '@aws-crypto/client-node';
import { readFile, writeFile } from 'node:fs/promises';

/** @param {import('kms-workshop').StepContext} ctx */
export default async function ({ kms, path, names, show }) {
  const keyring = new KmsKeyringNode({
    generatorKeyId: names.alias('kms_key_cse_usecase_4'),
    clientProvider: () => kms,
  });
  const cachingCmm = new NodeCachingMaterialsManager({
    backingMaterials: keyring,
    cache: getLocalCryptographicMaterialsCache(100),
    // TODO: how long a cached data key may be used, in milliseconds
    maxAge: 60 * 1000,
    // TODO: how many messages one data key may encrypt
    maxMessagesEncrypted: 1,
  });
  const { encrypt } = buildClient(
    CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
  );

  const plaintext = await readFile(path('plaintext_u.txt'));
  const encryptionContext = { usecase: 'cse-4', cache: 'mine' };
  const options = { encryptionContext };
  for (const n of [1, 2]) {
    const { result } = await encrypt(cachingCmm, plaintext, options);
    await writeFile(path(`encrypted_mine_${n}.txt`), result);
  }
  return show.counter({
    title: 'KMS calls for your two encryptions',
    operations: ['GenerateDataKey'],
  });
}
