/**
 * Strings derived the same way for thousands of pods (scripts, volume names), made once per distinct
 * input and shared. The cache is emptied when full, so an app with many distinct inputs costs a
 * derivation per input, never unbounded memory.
 */
export class InternedStrings {
  private readonly cache = new Map<string, string>();

  constructor(private readonly limit = 256) {}

  /** The string for `key`, derived by `derive` the first time. */
  public of(key: string, derive: () => string): string {
    let value = this.cache.get(key);
    if (value === undefined) {
      if (this.cache.size >= this.limit) this.cache.clear();
      value = derive();
      this.cache.set(key, value);
    }
    return value;
  }
}
