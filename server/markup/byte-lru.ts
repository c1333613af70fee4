// A least-recently-used map bounded by the bytes its values hold, for rendered HTML: a few huge
// documents must not push out thousands of small READMEs, nor grow the heap without bound.

export class ByteLru<V> {
  private readonly map = new Map<string, { value: V; bytes: number }>();
  private total = 0;

  /** Entries bigger than `maxEntryBytes` are not kept at all. */
  constructor(
    readonly maxBytes: number,
    private readonly maxEntryBytes = Math.floor(maxBytes / 8),
  ) {}

  get size(): number {
    return this.map.size;
  }

  get bytes(): number {
    return this.total;
  }

  get(key: string): V | undefined {
    const hit = this.map.get(key);
    if (!hit) return undefined;
    this.map.delete(key);
    this.map.set(key, hit);
    return hit.value;
  }

  /** Keeps `value`, counted as `bytes` (plus the key), evicting the least recently used. */
  set(key: string, value: V, bytes: number): void {
    this.delete(key);
    const cost = bytes + key.length * 2 + 64;
    if (cost > this.maxEntryBytes) return;
    this.map.set(key, { value, bytes: cost });
    this.total += cost;
    for (const [k, v] of this.map) {
      if (this.total <= this.maxBytes) break;
      this.map.delete(k);
      this.total -= v.bytes;
    }
  }

  delete(key: string): void {
    const old = this.map.get(key);
    if (!old) return;
    this.map.delete(key);
    this.total -= old.bytes;
  }
}
