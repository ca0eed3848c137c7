// The state of the engine's KMS: keys, their material, aliases and tags,
// how a key is named (id, ARN, alias, alias ARN), and persistence. The records themselves: records.ts.
import { createHash, createPrivateKey, createSecretKey, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import type { Directory } from '../auth/types.js';
import type { Caller } from '../caller.js';
import type { Clock } from '../clock.js';
import { AwsError, kmsErrors } from '../errors.js';
import { JournaledState } from '../journal.js';
import type { Store } from '../store.js';
import { TrackedMap } from '../tracked-map.js';
import { HANDLE_BYTES, handleOf, open, seal } from './ciphertext.js';
import { newKeyMaterial } from './key-specs.js';

export type { KeyState, Tag, KeyRecord, MaterialRecord, ExpirationModel, AutomaticRotation, ServiceEvent, AliasRecord, GrantRecord } from './records.js';
import type { AliasRecord, AutomaticRotation, GrantRecord, KeyRecord, KeyState, MaterialRecord, ServiceEvent } from './records.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** AWS managed keys rotate every year (since May 2022). */
const AWS_MANAGED_ROTATION_DAYS = 365;

/** A material in clear, in memory only, by its handle: whose it is, and what sealing with it needs, made on first use. */
interface MaterialEntry {
  keyId: string;
  material: Buffer;
  sealing?: { key: KeyObject; handle: Buffer };
}

interface Snapshot {
  keys: KeyRecord[];
  aliases: AliasRecord[];
  /** Absent in homes written before grants existed. */
  grants?: GrantRecord[];
}

/** One change, as the journal keeps it: a whole record, or the name of one deleted. */
type Change =
  | { key: KeyRecord }
  | { deletedKey: string }
  | { alias: AliasRecord }
  | { deletedAlias: string }
  | { grant: GrantRecord }
  | { deletedGrant: string };

// kms.json is the snapshot (the whole state, as older versions wrote after every change);
// kms.journal the changes since.
const STATE_FILE = 'kms.json';
const JOURNAL_FILE = 'kms.journal';

export class Kms {
  /** Every change to a key or alias, made anywhere, is noted here and written by save(). */
  readonly keys = new TrackedMap<string, KeyRecord>(); // by KeyId
  readonly aliases = new TrackedMap<string, AliasRecord>(); // by `${region}/${AliasName}`
  readonly grants = new TrackedMap<string, GrantRecord>(); // by GrantId
  /** Who exists (iam/): set by the engine, so key policies and grants can name only principals that do. Absent: any well-formed principal. */
  directory?: Directory;
  private readonly materials = new Map<string, MaterialEntry>(); // by handle hex
  /** Parsed private keys, by the material entry they come from (dropped with it). */
  private readonly privateKeys = new WeakMap<object, KeyObject>();
  private readonly persisted: JournaledState<Change>;
  /** Told of automatic rotations and expiries as they are applied (the engine records them in CloudTrail). */
  onServiceEvent?: (event: ServiceEvent) => void;

  constructor(
    readonly store: Store,
    readonly clock: Clock,
  ) {
    this.persisted = new JournaledState<Change>(store, STATE_FILE, JOURNAL_FILE);
    const { snapshot, batches } = this.persisted.load<Snapshot>();
    for (const key of snapshot?.keys ?? []) this.keys.set(keySlotOf(key), key);
    for (const alias of snapshot?.aliases ?? []) this.aliases.set(aliasSlotOf(alias), alias);
    for (const grant of snapshot?.grants ?? []) this.grants.set(grant.GrantId, grant);
    for (const change of batches.flat()) {
      if ('key' in change) this.keys.set(keySlotOf(change.key), change.key);
      else if ('deletedKey' in change) this.keys.delete(change.deletedKey);
      else if ('alias' in change) this.aliases.set(aliasSlotOf(change.alias), change.alias);
      else if ('grant' in change) this.grants.set(change.grant.GrantId, change.grant);
      else if ('deletedGrant' in change) this.grants.delete(change.deletedGrant);
      else this.aliases.delete(change.deletedAlias);
    }
    this.keys.takeChanges();
    this.aliases.takeChanges();
    this.grants.takeChanges();
  }

  /**
   * Writes what changed since the last save (all of it or none), durably; called after every
   * change, before the reply. Costs the size of the change, not of the state.
   */
  save(): void {
    const changes: Change[] = [];
    const changedKeys = this.keys.takeChanges();
    for (const slot of changedKeys) {
      const key = this.keys.get(slot);
      if (key?.MultiRegionKeyType === 'PRIMARY') this.shareWithReplicas(key);
    }
    for (const slot of new Set([...changedKeys, ...this.keys.takeChanges()])) {
      const key = this.keys.get(slot);
      changes.push(key ? { key } : { deletedKey: slot });
    }
    for (const slot of this.aliases.takeChanges()) {
      const alias = this.aliases.get(slot);
      changes.push(alias ? { alias } : { deletedAlias: slot });
    }
    for (const id of this.grants.takeChanges()) {
      const grant = this.grants.get(id);
      changes.push(grant ? { grant } : { deletedGrant: id });
    }
    if (changes.length > 0)
      this.persisted.record(
        changes,
        () => ({ keys: [...this.keys.untrackedValues()], aliases: [...this.aliases.untrackedValues()], grants: [...this.grants.untrackedValues()] }) satisfies Snapshot,
      );
  }

  // --- naming --------------------------------------------------------------

  keyArn(caller: Pick<Caller, 'accountId' | 'region'>, keyId: string) {
    return `arn:aws:kms:${caller.region}:${caller.accountId}:key/${keyId}`;
  }
  aliasArn(caller: Caller, aliasName: string) {
    return `arn:aws:kms:${caller.region}:${caller.accountId}:${aliasName}`;
  }

  /**
   * Finds a key by key id, key ARN, and where allowed alias name or alias ARN.
   * Keys whose deletion date has passed are deleted first, as AWS would have.
   * Another account's key is found by its ARN unless `ownAccount`: the operations AWS
   * allows on such a key only ('Allowing users in other accounts to use a KMS key').
   */
  resolve(ref: string, caller: Caller, opts: { allowAlias?: boolean; ownAccount?: boolean } = { allowAlias: true }): KeyRecord {
    this.sweepDeleted();
    const isAlias = ref.startsWith('alias/') || /^arn:aws[\w-]*:kms:[^:]*:[^:]*:alias\//.test(ref);
    if (isAlias) {
      if (!opts.allowAlias) throw kmsErrors.notFound(`Invalid keyId ${ref}`);
      const alias = this.findAlias(ref, caller);
      if (!alias) {
        const arn = ref.startsWith('arn:') ? ref : this.aliasArn(caller, ref);
        throw kmsErrors.notFound(`Alias ${arn} is not found.`);
      }
      return this.mustGet(alias.TargetKeyId, caller);
    }
    const arnMatch = /^arn:aws[\w-]*:kms:([^:]*):([^:]*):key\/(.+)$/.exec(ref);
    if (arnMatch) {
      const [, region, account, id] = arnMatch;
      // Another Region's key ARN: AWS answers "Invalid arn <its Region>" (as real replies quoted in public reports show).
      if (region !== caller.region) throw kmsErrors.notFound(`Invalid arn ${region}`);
      if (opts.ownAccount && account !== caller.accountId) throw kmsErrors.notFound(`Key '${ref}' does not exist`);
      // Another account's key is named by its ARN only; whether the caller may use it is the key policy's to say (authorization.ts).
      return this.mustGet(id!, { accountId: account!, region: region! });
    }
    if (ref.startsWith('arn:')) throw kmsErrors.notFound(`Invalid arn ${ref}`);
    // A key id is a UUID, or mrk- and 32 hex digits for a multi-Region key; AWS names anything else so.
    if (!UUID.test(ref) && !MULTI_REGION_KEY_ID.test(ref)) throw kmsErrors.notFound(`Invalid keyId '${ref}'`);
    return this.mustGet(ref, caller);
  }

  /** A key of the account and Region named: key ids are global, but a key is found only in its own account. */
  private mustGet(keyId: string, where: Pick<Caller, 'accountId' | 'region'>): KeyRecord {
    const key = this.keys.get(keySlot(keyId, where.region));
    if (!key || key.Region !== where.region || key.AWSAccountId !== where.accountId) throw kmsErrors.notFound(`Key '${this.keyArn(where, keyId)}' does not exist`);
    return key;
  }

  findAlias(ref: string, caller: Caller): AliasRecord | undefined {
    const m = /^arn:aws[\w-]*:kms:([^:]*):([^:]*):(alias\/.+)$/.exec(ref);
    if (m) {
      if (m[2] !== caller.accountId) return undefined;
      return this.aliases.get(aliasSlot(m[2], m[1]!, m[3]!));
    }
    return this.aliases.get(aliasSlot(caller.accountId, caller.region, ref));
  }

  /** The aliases of one account in one Region: alias names are per account and Region. */
  aliasesIn(region: string, accountId: string): AliasRecord[] {
    return [...this.aliases.values()].filter((a) => regionOfArn(a.AliasArn) === region && accountOfArn(a.AliasArn) === accountId);
  }

  putAlias(alias: AliasRecord) {
    this.aliases.set(aliasSlotOf(alias), alias);
  }
  deleteAlias(alias: AliasRecord) {
    this.aliases.delete(aliasSlotOf(alias));
  }

  // --- key states ----------------------------------------------------------

  /** A key that may be used in a cryptographic operation, or the AWS error for why not. */
  assertUsable(key: KeyRecord): void {
    switch (key.KeyState) {
      case 'Enabled':
        return;
      case 'Disabled':
        throw kmsErrors.disabled(`${key.Arn} is disabled.`);
      case 'PendingDeletion':
        throw kmsErrors.invalidState(`${key.Arn} is pending deletion.`);
      default:
        throw kmsErrors.invalidState(`${key.Arn} is ${key.KeyState.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()}.`);
    }
  }

  /** Keys may be changed (enabled, described anew, aliased) unless they are pending deletion (or, a primary, pending its replicas' deletion). */
  assertNotPendingDeletion(key: KeyRecord): void {
    if (key.KeyState === 'PendingDeletion') throw kmsErrors.invalidState(`${key.Arn} is pending deletion.`);
    if (key.KeyState === 'PendingReplicaDeletion') throw kmsErrors.invalidState(`${key.Arn} is pending replica deletion.`);
  }

  sweepDeleted(): void {
    this.runDue();
    const now = this.clock.now().getTime();
    const timeOf = this.clock.accountTimes?.(); // a class's learners each have their own clock (clock.ts)
    let changed = false;
    for (const key of this.keys.untrackedValues()) { // read on every request: skip the tracking views
      if (key.KeyState === 'PendingDeletion' && key.DeletionDate !== undefined && key.DeletionDate <= (timeOf ? timeOf(key.AWSAccountId) : now)) {
        this.keys.delete(keySlotOf(key));
        for (const m of key.Materials) this.materials.delete(m.handle);
        for (const [slot, alias] of this.aliases) if (alias.TargetKeyId === key.KeyId && regionOfArn(alias.AliasArn) === key.Region) this.aliases.delete(slot);
        for (const grant of [...this.grants.untrackedValues()]) if (grant.KeyArn === key.Arn) this.grants.delete(grant.GrantId); // a key's grants go with it
        if (key.MultiRegionKeyType === 'REPLICA') this.startPrimaryDeletion(key.KeyId, key.DeletionDate);
        changed = true;
      }
    }
    if (changed) this.save();
  }

  /**
   * A primary key scheduled for deletion waits (PendingReplicaDeletion) until the last of its
   * replicas is deleted; its waiting period starts then (the ScheduleKeyDeletion API reference).
   */
  private startPrimaryDeletion(keyId: string, replicaDeleted: number): void {
    const related = this.multiRegionKeys(keyId);
    const primary = related.find((k) => k.MultiRegionKeyType === 'PRIMARY');
    if (!primary || primary.KeyState !== 'PendingReplicaDeletion' || related.some((k) => k.MultiRegionKeyType === 'REPLICA')) return;
    primary.KeyState = 'PendingDeletion';
    primary.DeletionDate = replicaDeleted + (primary.PendingWindowInDays ?? 30) * DAY_MS;
  }

  // --- multi-Region keys -----------------------------------------------------

  /** Every key of a multi-Region key's set (the primary and its replicas, in all Regions), oldest first; changes made to them are saved. */
  multiRegionKeys(keyId: string): KeyRecord[] {
    if (!MULTI_REGION_KEY_ID.test(keyId)) return [];
    return [...this.keys.values()].filter((k) => k.KeyId === keyId).sort((a, b) => a.CreationDate - b.CreationDate);
  }

  /**
   * A replica of a multi-Region primary key in another Region: the same id, spec, usage, origin,
   * material and rotation; its own description, policy, tags and state. A replica of a key with
   * imported material has none until the same material is imported into it (PendingImport).
   */
  replicate(primary: KeyRecord, region: string, fields: Pick<KeyRecord, 'Description' | 'Policy' | 'Tags'>): KeyRecord {
    const replica: KeyRecord = {
      KeyId: primary.KeyId,
      Arn: `arn:aws:kms:${region}:${primary.AWSAccountId}:key/${primary.KeyId}`,
      AWSAccountId: primary.AWSAccountId,
      Region: region,
      CreationDate: this.clock.now().getTime(),
      KeyState: primary.Origin === 'EXTERNAL' ? 'PendingImport' : 'Enabled',
      KeyUsage: primary.KeyUsage,
      KeySpec: primary.KeySpec,
      Origin: primary.Origin,
      KeyManager: 'CUSTOMER',
      Materials: [],
      MultiRegionKeyType: 'REPLICA',
      ...fields,
    };
    this.keys.set(keySlotOf(replica), replica);
    const tracked = this.keys.get(keySlotOf(replica))!;
    this.shareWith(primary, tracked);
    return tracked;
  }

  /** KMS keeps the shared properties of related multi-Region keys in step: the primary's are copied to each replica. */
  private shareWithReplicas(primary: KeyRecord): void {
    for (const key of this.multiRegionKeys(primary.KeyId)) if (key.MultiRegionKeyType === 'REPLICA') this.shareWith(primary, key);
  }

  private shareWith(primary: KeyRecord, replica: KeyRecord): void {
    // Imported material is imported into each Region's key on its own: a replica keeps what it
    // has imported (found by material id) and lacks what it has not. Material KMS made is the same everywhere.
    const own = [...replica.Materials, ...(replica.PendingMaterial ? [replica.PendingMaterial] : [])];
    const share = (m: MaterialRecord): MaterialRecord => {
      if (primary.Origin !== 'EXTERNAL') return copyOf(m);
      const mine = own.find((r) => r.wrapped && materialId(r) === materialId(m));
      const { imported: _, ...copy } = copyOf(m);
      return mine ? { ...copy, wrapped: mine.wrapped, ...(mine.imported ? { imported: copyOf(mine.imported) } : {}) } : { ...copy, wrapped: '' };
    };
    replica.Materials = primary.Materials.map(share);
    if (primary.PendingMaterial) replica.PendingMaterial = share(primary.PendingMaterial);
    else delete replica.PendingMaterial;
    if (primary.Rotation) replica.Rotation = copyOf(primary.Rotation);
    else delete replica.Rotation;
  }

  // --- creating keys and their material -----------------------------------

  newKey(caller: Caller, fields: Partial<KeyRecord> & Pick<KeyRecord, 'Description' | 'Policy'>): KeyRecord {
    // A multi-Region key's id is mrk- and 32 hex digits (the AWS KMS Developer Guide's key identifiers).
    const keyId = fields.MultiRegionKeyType ? `mrk-${randomBytes(16).toString('hex')}` : randomUUID();
    const key: KeyRecord = {
      KeyId: keyId,
      Arn: this.keyArn(caller, keyId),
      AWSAccountId: caller.accountId,
      Region: caller.region,
      CreationDate: this.clock.now().getTime(),
      KeyState: 'Enabled',
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeySpec: 'SYMMETRIC_DEFAULT',
      Origin: 'AWS_KMS',
      KeyManager: 'CUSTOMER',
      Tags: [],
      Materials: [],
      ...fields,
    };
    if (key.Origin === 'AWS_KMS') this.addMaterial(key, newKeyMaterial(key.KeySpec));
    this.keys.set(keySlotOf(key), key);
    return this.keys.get(keySlotOf(key))!; // the tracked view: changes made through it are saved
  }

  /** Adds material that becomes the key's current one (the last encrypts). */
  addMaterial(key: KeyRecord, material: Buffer, fields: Partial<MaterialRecord> = {}): MaterialRecord {
    const record = this.newMaterial(key, material, fields);
    key.Materials.push(record);
    return key.Materials.at(-1)!;
  }

  /** Wraps material for a key, without making it one of the key's materials yet (imported material pending rotation). */
  newMaterial(key: KeyRecord, material: Buffer, fields: Partial<MaterialRecord> = {}): MaterialRecord {
    const handle = randomBytes(HANDLE_BYTES).toString('hex');
    this.materials.set(handle, { keyId: key.KeyId, material });
    return {
      handle,
      wrapped: this.store.wrap(material).toString('base64'),
      created: this.clock.now().getTime(),
      id: materialIdOf(key.KeyId, material),
      ...fields,
    };
  }

  /** Forgets imported material (deleted, or expired); its handle and id stay for a later import of the same material. */
  dropMaterial(record: MaterialRecord): void {
    record.wrapped = '';
    this.materials.delete(record.handle);
  }

  /** Puts back imported material that had been dropped. */
  restoreMaterial(key: KeyRecord, record: MaterialRecord, material: Buffer): void {
    record.wrapped = this.store.wrap(material).toString('base64');
    this.materials.set(record.handle, { keyId: key.KeyId, material });
  }

  private material(handle: string): MaterialEntry | undefined {
    const cached = this.materials.get(handle);
    if (cached) return cached;
    const owner = this.ownerOf(handle);
    if (!owner?.record.wrapped) return undefined;
    const entry = { keyId: owner.key.KeyId, material: this.store.unwrap(Buffer.from(owner.record.wrapped, 'base64')) };
    this.materials.set(handle, entry);
    return entry;
  }

  /** The key and record holding a material: one holding it wrapped, if any (multi-Region keys share handles, and a replica may not have imported it). */
  private ownerOf(handle: string): { key: KeyRecord; record: MaterialRecord } | undefined {
    let found: { key: KeyRecord; record: MaterialRecord } | undefined;
    for (const key of this.keys.untrackedValues()) {
      const record = key.Materials.find((x) => x.handle === handle);
      if (record?.wrapped) return { key, record };
      found ??= record && { key, record };
    }
    return found;
  }

  // --- what the engine clock brings due ------------------------------------

  /**
   * Applies the automatic rotations and expiries of imported material that fell due since the
   * last request, each as of its own date (several, if the clock was moved on by years), so a
   * lesson that moves the clock on sees them as if they had happened on time.
   */
  private runDue(): void {
    const sharedNow = this.clock.now().getTime();
    const timeOf = this.clock.accountTimes?.(); // a class's learners each have their own clock (clock.ts): a key is due on its account's
    let changed = false;
    for (const stored of this.keys.untrackedValues()) { // read on every request: skip the tracking views
      const now = timeOf ? timeOf(stored.AWSAccountId) : sharedNow;
      // A replica rotates with its primary (its material and schedule are the primary's): never on its own.
      const rotationDue = stored.Rotation !== undefined && stored.MultiRegionKeyType !== 'REPLICA' && (stored.Rotation.NextDate <= now || stored.Rotation.Missed === true);
      const awsManaged = stored.KeyManager === 'AWS' && stored.Rotation === undefined;
      const expiryDue = stored.Origin === 'EXTERNAL' && [...stored.Materials, stored.PendingMaterial].some((m) => m?.wrapped && m.imported?.ValidTo !== undefined && m.imported.ValidTo <= now);
      if (!rotationDue && !awsManaged && !expiryDue) continue;
      const key = this.keys.get(keySlotOf(stored))!;
      if (awsManaged) key.Rotation = awsManagedRotation(key.CreationDate); // AWS managed keys rotate yearly from their creation
      if (key.Rotation && key.MultiRegionKeyType !== 'REPLICA') this.rotateIfDue(key, key.Rotation, now);
      if (expiryDue) this.expireImported(key, now);
      changed = true;
    }
    if (changed) this.save();
  }

  private rotateIfDue(key: KeyRecord, rotation: AutomaticRotation, now: number): void {
    if (key.KeyState !== 'Enabled') {
      // A disabled key, or one pending deletion, is not rotated; once enabled again, it is at once.
      if (rotation.NextDate <= now) rotation.Missed = true;
      return;
    }
    const period = rotation.PeriodInDays * DAY_MS;
    if (rotation.Missed) {
      delete rotation.Missed;
      this.rotate(key, 'AUTOMATIC', now);
      rotation.NextDate = now + period;
    }
    while (rotation.NextDate <= now) {
      this.rotate(key, 'AUTOMATIC', rotation.NextDate);
      rotation.NextDate += period;
    }
  }

  /** New material, current from `time` on: new ciphertexts use it, old ones still decrypt. */
  rotate(key: KeyRecord, how: 'AUTOMATIC' | 'ON_DEMAND', time: number): void {
    this.addMaterial(key, randomBytes(32), { created: time, rotation: how });
    if (how === 'AUTOMATIC') this.onServiceEvent?.({ eventName: 'RotateKey', key, time });
  }

  private expireImported(key: KeyRecord, now: number): void {
    const expired = (m: MaterialRecord | undefined): m is MaterialRecord => !!m?.wrapped && m.imported?.ValidTo !== undefined && m.imported.ValidTo <= now;
    for (const record of key.Materials.filter(expired)) {
      this.dropMaterial(record);
      this.onServiceEvent?.({ eventName: 'DeleteExpiredKeyMaterial', key, time: record.imported!.ValidTo! });
    }
    if (expired(key.PendingMaterial)) {
      this.materials.delete(key.PendingMaterial.handle);
      delete key.PendingMaterial; // pending material was never the key's: it simply goes
    }
    if (key.KeyState !== 'PendingDeletion' && key.Materials.some((m) => !m.wrapped)) key.KeyState = 'PendingImport';
  }

  // --- asymmetric and HMAC material ----------------------------------------

  /** The current material of a key as it is used (an HMAC key's secret): KMSInvalidStateException if it has none. */
  currentMaterial(key: KeyRecord): Buffer {
    return this.currentEntry(key).material;
  }

  /** The private key of an RSA or ECC key (its material is PKCS#8 DER), parsed once and kept in memory only. */
  privateKey(key: KeyRecord): KeyObject {
    const entry = this.currentEntry(key);
    let parsed = this.privateKeys.get(entry);
    if (!parsed) {
      parsed = createPrivateKey({ key: entry.material, format: 'der', type: 'pkcs8' });
      this.privateKeys.set(entry, parsed);
    }
    return parsed;
  }

  private currentEntry(key: KeyRecord): { keyId: string; material: Buffer } {
    const current = key.Materials.at(-1);
    const entry = current && this.material(current.handle);
    if (!entry) throw kmsErrors.invalidState(`${key.Arn} has no key material.`);
    return entry;
  }

  // --- sealing -------------------------------------------------------------

  seal(key: KeyRecord, plaintext: Buffer, context?: Record<string, string>): Buffer {
    const current = key.Materials.at(-1);
    if (!current) throw kmsErrors.invalidState(`${key.Arn} has no key material.`);
    const entry = this.material(current.handle)!;
    // Made once per material, on its first use: a KeyObject and the handle's bytes (every GenerateDataKey and Encrypt seals).
    entry.sealing ??= { key: createSecretKey(entry.material), handle: Buffer.from(current.handle, 'hex') };
    return seal(entry.sealing.key, entry.sealing.handle, plaintext, context);
  }

  /**
   * The key a blob names, in the caller's Region, without opening it: InvalidCiphertextException if
   * none. A multi-Region key's blob names its id, so the related key of any Region opens it.
   */
  keyOfBlob(blob: Buffer, region: string): KeyRecord {
    this.sweepDeleted();
    const handle = handleOf(blob)?.toString('hex');
    // A key whose imported material is deleted is still named (its state then says why it cannot decrypt).
    const keyId = handle && (this.material(handle)?.keyId ?? this.ownerOf(handle)?.key.KeyId);
    const key = keyId && this.keys.get(keySlot(keyId, region));
    if (!key || key.Region !== region) throw kmsErrors.invalidCiphertext();
    return key;
  }

  /** Opens a blob sealed under this key: InvalidCiphertextException on any mismatch. */
  open(key: KeyRecord, blob: Buffer, context?: Record<string, string>): Buffer {
    const entry = this.material(handleOf(blob)!.toString('hex'));
    const plaintext = entry && entry.keyId === key.KeyId ? open(entry.material, blob, context) : undefined;
    if (!plaintext) throw kmsErrors.invalidCiphertext();
    return plaintext;
  }

  /** Test-only: the plaintext material of a key, to prove it is not on disk in clear. */
  materialForTest(keyId: string): Buffer[] {
    const key = [...this.keys.untrackedValues()].find((k) => k.KeyId === keyId);
    if (!key) throw new AwsError('NotFoundException', keyId);
    return key.Materials.filter((m) => m.wrapped).map((m) => this.material(m.handle)!.material);
  }
}

/**
 * KMS assigns a key material ID "based on the KMS key ID and the imported key material": the same
 * material imported again into the same key has the same ID, which is how a re-import is recognised.
 */
export function materialIdOf(keyId: string, material: Buffer): string {
  return createHash('sha256').update('kms-workshop key material id\0').update(keyId).update('\0').update(material).digest('hex');
}

/** The KeyMaterialId of a material (one made before ids were kept gets one from its handle). */
export function materialId(record: MaterialRecord): string {
  return record.id ?? createHash('sha256').update(record.handle).digest('hex');
}

function awsManagedRotation(created: number): AutomaticRotation {
  return { PeriodInDays: AWS_MANAGED_ROTATION_DAYS, NextDate: created + AWS_MANAGED_ROTATION_DAYS * DAY_MS };
}

/** A deep copy of a record's plain JSON (records may be tracking proxies, which structuredClone refuses). */
function copyOf<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const MULTI_REGION_KEY_ID = /^mrk-[0-9a-f]{32}$/i;

/** Where a key is kept: by its id, or, for a multi-Region key (one id, one key per Region), by Region and id. */
function keySlot(keyId: string, region: string): string {
  return MULTI_REGION_KEY_ID.test(keyId) ? `${region}/${keyId}` : keyId;
}

function keySlotOf(key: KeyRecord): string {
  return keySlot(key.KeyId, key.Region);
}

function aliasSlot(accountId: string, region: string, aliasName: string) {
  return `${accountId}/${region}/${aliasName}`;
}

function aliasSlotOf(alias: AliasRecord) {
  return aliasSlot(accountOfArn(alias.AliasArn), regionOfArn(alias.AliasArn), alias.AliasName);
}

function regionOfArn(arn: string): string {
  return arn.split(':')[3] ?? '';
}

function accountOfArn(arn: string): string {
  return arn.split(':')[4] ?? '';
}
