// One engine per home: a lock file in <home>/engine names the process that holds it.
//
// Taking the lock never leaves a moment where a half-written or missing lock is seen:
// the owner's record (pid, and on Linux its start time and boot id) is written to a
// temporary file first, then link()ed into place, and link() fails with EEXIST if the
// name is taken. A lock whose owner died is not removed and re-created (two processes
// could each remove the other's fresh lock); the next lock is taken under the next
// generation's name instead: engine.lock (generation 0, also the name older versions
// used), engine.lock.1, engine.lock.2, ... Each name is linked once, so of the processes
// that judge generation g stale, exactly one gets g+1.
//
// A process that linked generation g holds the home only if, looking again, no higher
// generation exists and every lower one is stale; otherwise it lets go and tries again.
// This is what keeps two holders apart even when a slow process acts on an old view
// (for example it links a generation whose name a newer holder freed): of any two
// processes that linked, the later one to look sees the other (see the test that races
// pairs of processes).
//
// Stale means the pid is gone, or, on Linux, that the pid now belongs to another program
// (its start time differs from the one recorded): pids are reused. Where a live pid
// cannot be checked (no /proc, another host, a lock from an older version), the lock is
// respected and the error says what is known.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import * as fs from 'node:fs';
import * as path from 'node:path';

const LOCK_NAME = 'engine.lock';
const GENERATION = /^engine\.lock(?:\.(\d+))?$/;
const ATTEMPTS = 50;

export class EngineHomeLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number,
    /** Set when the holder could not be confirmed to be kms-workshop: what is known of it instead. */
    readonly unconfirmed?: string,
  ) {
    const elsewhere = 'give this one another home with --home DIR (or KMS_WORKSHOP_HOME)';
    super(
      unconfirmed === undefined
        ? `The engine state in ${dir} is in use by another kms-workshop process (pid ${pid}). Stop that process, or ${elsewhere}.`
        : `The engine state in ${dir} is locked by process ${pid}, ${unconfirmed}. If that is not a kms-workshop ` +
            `(another program may have been given the pid of one that was killed), delete ${path.join(dir, LOCK_NAME)}*; otherwise stop it, or ${elsewhere}.`,
    );
    this.name = 'EngineHomeLockedError';
  }
}

/** What a lock file says about its owner. `start` identifies the process beyond its pid. */
interface Owner {
  pid: number;
  start?: string;
  host?: string;
  /** Tells this take of the lock from any other by the same process. */
  take?: string;
}

export interface HomeLock {
  readonly file: string;
  release(): void;
}

/** Homes locked by this process (by real path): a second engine here is refused too. */
const heldHere = new Set<string>();

export function lockHome(dir: string): HomeLock {
  const real = fs.realpathSync(dir);
  if (heldHere.has(real)) throw new EngineHomeLockedError(dir, process.pid);
  const me: Owner = { pid: process.pid, start: startOf(process.pid), host: hostname() };
  let tmpCounter = 0;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const take = randomUUID();
    const generations = listGenerations(dir);
    for (const g of generations) {
      const verdict = judge(readOwner(dir, g), me);
      if (verdict.alive) throw new EngineHomeLockedError(dir, verdict.pid, verdict.unconfirmed);
    }
    const next = (generations.at(-1) ?? -1) + 1;
    const file = path.join(dir, nameOf(next));
    const tmp = path.join(dir, `${LOCK_NAME}.tmp-${process.pid}-${++tmpCounter}`);
    fs.writeFileSync(tmp, JSON.stringify({ ...me, take }), { mode: 0o600 });
    try {
      fs.linkSync(tmp, file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // EEXIST: another process took this generation first. ENOENT: our temporary file was
      // swept by the holder's start-up clean-up. Either way, look again.
      if (code === 'EEXIST' || code === 'ENOENT') continue;
      throw e;
    } finally {
      fs.rmSync(tmp, { force: true });
    }
    if (holdsAfterLink(dir, next, me)) {
      for (const g of listGenerations(dir)) if (g < next) fs.rmSync(path.join(dir, nameOf(g)), { force: true });
      heldHere.add(real);
      return {
        file,
        release() {
          heldHere.delete(real);
          removeIfTake(dir, next, take);
        },
      };
    }
    removeIfTake(dir, next, take); // another process holds the home, or is about to: let go
    sleep(1 + Math.random() * 10 * Math.min(attempt + 1, 5));
  }
  const top = listGenerations(dir).at(-1);
  const owner = top === undefined ? undefined : readOwner(dir, top);
  throw new EngineHomeLockedError(dir, owner?.pid ?? 0, 'one of the processes that kept taking and letting go of the lock while this one tried');
}

/** Removes a generation only if it is still the one this take linked. */
function removeIfTake(dir: string, generation: number, take: string) {
  try {
    if (readOwner(dir, generation)?.take === take) fs.rmSync(path.join(dir, nameOf(generation)), { force: true });
  } catch {
    /* the home was removed meanwhile */
  }
}

/** After linking generation `mine`: no higher generation, and every lower one stale. */
function holdsAfterLink(dir: string, mine: number, me: Owner): boolean {
  for (const g of listGenerations(dir)) {
    if (g > mine) return false;
    if (g < mine && judge(readOwner(dir, g), me).alive) return false;
  }
  return true;
}

interface Verdict {
  alive: boolean;
  pid: number;
  unconfirmed?: string;
}

function judge(owner: Owner | undefined, me: Owner): Verdict {
  if (!owner) return { alive: false, pid: 0 }; // removed meanwhile, or never completed by an older version
  const { pid } = owner;
  if (owner.host !== undefined && owner.host !== me.host)
    return { alive: true, pid, unconfirmed: `on another host (${owner.host}), which this one cannot check` };
  // This very process, from an engine that was not closed: not a second process.
  if (pid === me.pid && (owner.start === undefined || owner.start === me.start)) return { alive: false, pid };
  if (!isRunning(pid)) return { alive: false, pid };
  if (owner.start === undefined) return { alive: true, pid, unconfirmed: 'which is running, but its lock (from an older version) does not say which program it is' };
  const now = startOf(pid);
  if (now === undefined) return { alive: true, pid, unconfirmed: 'which is running, but this system does not tell whether it is the program that took the lock' };
  return now === owner.start ? { alive: true, pid } : { alive: false, pid }; // the pid now belongs to another program
}

function nameOf(generation: number) {
  return generation === 0 ? LOCK_NAME : `${LOCK_NAME}.${generation}`;
}

function listGenerations(dir: string): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync(dir)) {
    const m = GENERATION.exec(name);
    if (m) out.push(m[1] === undefined ? 0 : Number(m[1]));
  }
  return out.sort((a, b) => a - b);
}

/** The owner a lock file names: JSON, or a bare pid as older versions wrote; undefined if gone or empty. */
function readOwner(dir: string, generation: number): Owner | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, nameOf(generation)), 'utf8').trim();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  if (/^\d+$/.test(text)) return { pid: Number(text) };
  try {
    const o = JSON.parse(text) as Owner;
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
    if (Number.isSafeInteger(o.pid) && o.pid > 0) return { pid: o.pid, start: str(o.start), host: str(o.host), take: str(o.take) };
  } catch {
    /* not a lock this program wrote */
  }
  return undefined;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let bootId: string | undefined | null = null;

/**
 * When a process started, as Linux counts it (clock ticks since boot, with the boot id):
 * equal for the same process, different for a later one with the same pid. Undefined where
 * /proc is not there.
 */
export function startOf(pid: number): string | undefined {
  try {
    if (bootId === null) bootId = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces and parentheses): state is the
    // 3rd field of the line, starttime the 22nd.
    const ticks = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    return ticks ? `${bootId}/${ticks}` : undefined;
  } catch {
    if (bootId === null) bootId = undefined;
    return undefined;
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleep(ms: number) {
  Atomics.wait(sleeper, 0, 0, ms);
}
