/**
 * Strings derived the same way for thousands of pods (scripts, volume names) are made once and
 * shared. Each derivation keeps a small cache, emptied when full, so an app with many distinct
 * values costs a derivation per value, never unbounded memory.
 */
export function interned(derive: (key: string) => string, limit = 256): (key: string) => string {
  const cache = new Map<string, string>();
  return (key) => {
    let value = cache.get(key);
    if (value === undefined) {
      if (cache.size >= limit) cache.clear();
      value = derive(key);
      cache.set(key, value);
    }
    return value;
  };
}
