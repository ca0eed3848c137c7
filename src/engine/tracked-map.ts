// A Map that remembers which entries changed since it was last asked: set, delete, and any
// change made through a value it holds (a field set, a nested array pushed to), so that
// persistence writes only those entries, and no operation has to say what it changed for
// the change to be saved.
export class TrackedMap<K, V extends object> extends Map<K, V> {
  private readonly changed = new Set<K>();
  /** The values themselves, behind the views the map hands out: read at full speed to write them. */
  private readonly targets = new Map<K, V>();

  /** Stores a tracking view of `value`: get() returns that view, and changes made through it count. */
  override set(key: K, value: V): this {
    super.set(key, tracking(value, () => this.changed.add(key), new WeakMap()));
    this.targets.set(key, value);
    this.changed.add(key);
    return this;
  }

  override delete(key: K): boolean {
    const had = super.delete(key);
    this.targets.delete(key);
    if (had) this.changed.add(key);
    return had;
  }

  override clear(): void {
    for (const key of this.keys()) this.changed.add(key);
    super.clear();
    this.targets.clear();
  }

  /** The values as stored, without tracking: for serializing, never for changing. */
  untrackedValues(): IterableIterator<V> {
    return this.targets.values();
  }

  /** The keys set, deleted or changed through since the last call (in no particular order). */
  takeChanges(): K[] {
    const out = [...this.changed];
    this.changed.clear();
    return out;
  }
}

function tracking<T extends object>(target: T, onChange: () => void, views: WeakMap<object, object>): T {
  const known = views.get(target);
  if (known) return known as T;
  const view = new Proxy(target, {
    get(t, p) {
      const v = Reflect.get(t, p) as unknown;
      return isPlain(v) ? tracking(v, onChange, views) : v;
    },
    set(t, p, v) {
      onChange();
      return Reflect.set(t, p, v);
    },
    deleteProperty(t, p) {
      onChange();
      return Reflect.deleteProperty(t, p);
    },
    defineProperty(t, p, d) {
      onChange();
      return Reflect.defineProperty(t, p, d);
    },
  });
  views.set(target, view);
  return view;
}

/** Records are JSON-like: plain objects and arrays are tracked; anything else (a Buffer, a Date) is left alone. */
function isPlain(v: unknown): v is object {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return Array.isArray(v) || proto === Object.prototype || proto === null;
}
