/**
 * Values derived the same way for thousands of pods (scripts, volume names, parsed quantities, image
 * checks), made once per distinct input and shared. The cache is emptied when full, so an app with many
 * distinct inputs costs a derivation per input, never unbounded memory.
 */
export class Interned<T> {
  private readonly cache = new Map<string, T>();

  constructor(private readonly limit = 256) {}

  /** The value for `key`, derived by `derive(key)` the first time (a function of the key alone needs no closure per call). */
  public of(key: string, derive: (key: string) => T): T {
    const cached = this.cache.get(key);
    if (cached !== undefined || this.cache.has(key)) return cached as T;
    if (this.cache.size >= this.limit) this.cache.clear();
    const value = derive(key);
    this.cache.set(key, value);
    return value;
  }
}
