// Who may make a KMS call (issue 10): what each operation asks permission for, as the API
// reference's "Required permissions" lists it, and the one decision (auth/decision.ts) for
// each. An operation on a key needs kms:<Operation> on that key, decided by its key policy,
// the caller's IAM policies and the key's grants; Decrypt's key is the one its ciphertext
// names; ReEncrypt needs kms:ReEncryptFrom on the source and kms:ReEncryptTo on the
// destination; the alias operations need the permission on the alias (IAM) and on the key;
// CreateKey, ListKeys, ListAliases, GenerateRandom and ListRetirableGrants act on no key:
// IAM alone. A key the request names that cannot be found is left to the operation, which
// answers NotFoundException or InvalidCiphertextException as before.
import type { Caller } from '../caller.js';
import type { Clock } from '../clock.js';
import { kmsErrors } from '../errors.js';
import { kmsContext, type KmsRequestKeys } from '../auth/condition-context.js';
import { accessDeniedMessage, decide, type DecisionInput } from '../auth/decision.js';
import type { Directory } from '../auth/types.js';
import { GRANT_OPERATIONS, grantsAnswer, type GrantRequest } from './grants.js';
import type { KeyRecord, Kms } from './model.js';

type Input = Record<string, unknown>;

/** One permission a request needs. */
type Need =
  /** On no resource ('*'): IAM alone. */
  | { on: 'account' }
  /** On the alias the field names: IAM alone (aliases have no policy). */
  | { on: 'alias'; field: string }
  /** On a key: the key the field names, else (`blob`) the key the ciphertext names; or the key the alias in `aliasField` points to now. */
  | { on: 'key'; field?: string; blob?: true; aliasField?: string; action?: string; grant?: string; context?: string };

const account: Need = { on: 'account' };
const keyIn = (field: string, more: Omit<Extract<Need, { on: 'key' }>, 'on' | 'field'> = {}): Need => ({ on: 'key', field, ...more });
const ciphertextKey = (field: string, more: Omit<Extract<Need, { on: 'key' }>, 'on' | 'field' | 'blob'> = {}): Need => ({ on: 'key', field, blob: true, ...more });

/** The operations that need more, or other, than kms:<Operation> on the key in KeyId. */
const NEEDS: Record<string, readonly Need[]> = {
  CreateKey: [account],
  ListKeys: [account],
  ListAliases: [account],
  GenerateRandom: [account],
  ListRetirableGrants: [account],
  // Who may retire a grant is the grant's to say (its retiring principal, its grantee): RetireGrant checks it.
  RetireGrant: [],
  Encrypt: [keyIn('KeyId', { grant: 'Encrypt', context: 'EncryptionContext' })],
  Decrypt: [ciphertextKey('KeyId', { grant: 'Decrypt', context: 'EncryptionContext' })],
  ReEncrypt: [
    ciphertextKey('SourceKeyId', { action: 'kms:ReEncryptFrom', grant: 'ReEncryptFrom', context: 'SourceEncryptionContext' }),
    keyIn('DestinationKeyId', { action: 'kms:ReEncryptTo', grant: 'ReEncryptTo', context: 'DestinationEncryptionContext' }),
  ],
  GenerateDataKey: [keyIn('KeyId', { grant: 'GenerateDataKey', context: 'EncryptionContext' })],
  GenerateDataKeyWithoutPlaintext: [keyIn('KeyId', { grant: 'GenerateDataKeyWithoutPlaintext', context: 'EncryptionContext' })],
  GenerateDataKeyPair: [keyIn('KeyId', { grant: 'GenerateDataKeyPair', context: 'EncryptionContext' })],
  GenerateDataKeyPairWithoutPlaintext: [keyIn('KeyId', { grant: 'GenerateDataKeyPairWithoutPlaintext', context: 'EncryptionContext' })],
  CreateAlias: [{ on: 'alias', field: 'AliasName' }, keyIn('TargetKeyId')],
  UpdateAlias: [{ on: 'alias', field: 'AliasName' }, { on: 'key', aliasField: 'AliasName' }, keyIn('TargetKeyId')],
  DeleteAlias: [{ on: 'alias', field: 'AliasName' }, { on: 'key', aliasField: 'AliasName' }],
};

/** Every other operation: kms:<Operation> on the key in KeyId (a grant counts for the grant operations), or IAM alone with no KeyId. */
function needsOf(operation: string, input: Input): readonly Need[] {
  if (Object.hasOwn(NEEDS, operation)) return NEEDS[operation]!;
  if (input.KeyId === undefined) return [account];
  return [keyIn('KeyId', (GRANT_OPERATIONS as readonly string[]).includes(operation) ? { grant: operation } : {})];
}

/** What authorization reads of the engine: the keys, who is who, and the time for aws:CurrentTime. */
export interface AuthorizationPath {
  kms: Kms;
  directory: Directory;
  clock: Clock;
}

/** AccessDeniedException unless every permission the request needs is allowed. */
export function authorizeKmsCall({ kms, directory, clock }: AuthorizationPath, operation: string, input: unknown, caller: Caller): void {
  const fields: Input = input !== null && typeof input === 'object' && !Array.isArray(input) ? (input as Input) : {};
  const needs = needsOf(operation, fields);
  if (needs.length === 0) return;
  const identityPolicies = directory.identityPolicies(caller);
  const now = clock.now();
  for (const need of needs) {
    if (need.on === 'account') {
      deny(decide({ request: { caller, action: `kms:${operation}`, resource: '*', context: kmsContext(caller, now, requestKeys(caller, fields, undefined, operation)) }, identityPolicies }));
    } else if (need.on === 'alias') {
      const name = fields[need.field];
      if (typeof name !== 'string' || !name.startsWith('alias/')) continue; // the operation refuses it
      if (name.startsWith('alias/aws/')) return; // reserved for AWS managed keys: NotAuthorizedException, whoever asks
      const resource = kms.aliasArn(caller, name);
      deny(decide({ request: { caller, action: `kms:${operation}`, resource, context: kmsContext(caller, now, requestKeys(caller, fields, undefined, operation)) }, resourceAccount: caller.accountId, identityPolicies }));
    } else {
      const key = keyNamed(kms, need, fields, caller);
      if (!key) continue; // NotFoundException, InvalidCiphertextException...: the operation's to answer
      const context = need.context ? encryptionContextIn(fields[need.context]) : undefined;
      const action = need.action ?? `kms:${operation}`;
      const grant = need.grant;
      const decision: DecisionInput = {
        request: { caller, action, resource: key.Arn, context: kmsContext(caller, now, requestKeys(caller, fields, key, operation, context)) },
        resourceAccount: key.AWSAccountId,
        identityPolicies,
        resourcePolicy: { name: 'default', document: key.Policy },
      };
      if (grant) decision.grants = (identityAllows) => grantsAnswer(kms, key, caller, grantRequest(grant, fields, context, identityAllows));
      deny(decide(decision));
    }
  }
}

function deny(decision: ReturnType<typeof decide>): void {
  if (!decision.allowed) throw kmsErrors.accessDenied(accessDeniedMessage(decision));
}

/** The key a need names, or undefined when the request names none that exists (the operation then answers). */
function keyNamed(kms: Kms, need: Extract<Need, { on: 'key' }>, fields: Input, caller: Caller): KeyRecord | undefined {
  try {
    if (need.aliasField) {
      const alias = typeof fields[need.aliasField] === 'string' ? kms.findAlias(fields[need.aliasField] as string, caller) : undefined;
      return alias ? kms.resolve(alias.TargetKeyId, caller) : undefined;
    }
    const ref = need.field ? fields[need.field] : undefined;
    if (typeof ref === 'string') return kms.resolve(ref, caller);
    const blob = fields.CiphertextBlob;
    if (need.blob && Buffer.isBuffer(blob)) return kms.keyOfBlob(blob, caller.region);
  } catch {
    return undefined;
  }
  return undefined;
}

function encryptionContextIn(v: unknown): Record<string, string> | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  for (const x of Object.values(v)) if (typeof x !== 'string') return undefined;
  return v as Record<string, string>;
}

const stringIn = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** The condition keys a KMS request carries (the KMS condition keys reference): the key's properties, the request's parameters. */
function requestKeys(caller: Caller, fields: Input, key: KeyRecord | undefined, operation: string, encryptionContext?: Record<string, string>): KmsRequestKeys {
  const keys: KmsRequestKeys = {};
  if (encryptionContext) keys.encryptionContext = encryptionContext;
  // A service calling on the caller's behalf (S3's SSE-KMS): kms:ViaService names it in the caller's Region.
  if (caller.invokedBy) keys.viaService = caller.invokedBy.replace(/\.amazonaws\.com$/, `.${caller.region}.amazonaws.com`);
  if (key) {
    keys.keySpec = key.KeySpec;
    keys.keyUsage = key.KeyUsage;
    keys.keyOrigin = key.Origin;
    keys.multiRegion = key.MultiRegionKeyType !== undefined;
  } else if (operation === 'CreateKey') {
    // For CreateKey, the values the request asks for (their defaults when absent).
    keys.keySpec = stringIn(fields.KeySpec) ?? stringIn(fields.CustomerMasterKeySpec) ?? 'SYMMETRIC_DEFAULT';
    keys.keyUsage = stringIn(fields.KeyUsage) ?? 'ENCRYPT_DECRYPT';
    keys.keyOrigin = stringIn(fields.Origin) ?? 'AWS_KMS';
    keys.multiRegion = fields.MultiRegion === true;
  }
  const algorithm = stringIn(fields.EncryptionAlgorithm);
  if (algorithm) keys.encryptionAlgorithm = algorithm;
  const signing = stringIn(fields.SigningAlgorithm);
  if (signing) keys.signingAlgorithm = signing;
  const mac = stringIn(fields.MacAlgorithm);
  if (mac) keys.macAlgorithm = mac;
  const pairSpec = stringIn(fields.KeyPairSpec);
  if (pairSpec) keys.dataKeyPairSpec = pairSpec;
  const agreement = stringIn(fields.KeyAgreementAlgorithm);
  if (agreement) keys.keyAgreementAlgorithm = agreement;
  const keyId = stringIn(fields.KeyId);
  if (keyId?.startsWith('alias/')) keys.requestAlias = keyId;
  if (operation === 'CreateGrant') {
    if (Array.isArray(fields.Operations) && fields.Operations.every((o) => typeof o === 'string')) keys.grantOperations = fields.Operations as string[];
    const grantee = stringIn(fields.GranteePrincipal);
    if (grantee) keys.granteePrincipal = grantee;
    const retiring = stringIn(fields.RetiringPrincipal);
    if (retiring) keys.retiringPrincipal = retiring;
    keys.grantIsForAwsResource = caller.invokedBy !== undefined;
  }
  return keys;
}

function grantRequest(operation: string, fields: Input, encryptionContext: Record<string, string> | undefined, identityAllows: boolean): GrantRequest {
  const tokens = Array.isArray(fields.GrantTokens) && fields.GrantTokens.every((t) => typeof t === 'string') ? (fields.GrantTokens as string[]) : undefined;
  const request: GrantRequest = { operation, accountDelegates: () => identityAllows };
  if (encryptionContext) request.encryptionContext = encryptionContext;
  if (tokens) request.grantTokens = tokens;
  if (operation === 'CreateGrant' && Array.isArray(fields.Operations)) {
    const constraints = fields.Constraints;
    request.newGrant = {
      Operations: fields.Operations as string[],
      ...(constraints !== null && typeof constraints === 'object' ? { Constraints: constraints as NonNullable<GrantRequest['newGrant']>['Constraints'] } : {}),
    };
  }
  return request;
}
