// Objects built from keys that come from content (a --data file's keys, a directory's name, an
// input's keys): `into[key] = value` with the key `__proto__` replaces the object's prototype
// instead of setting a key (the key is lost), and a merge that then walks into `into[key]` writes
// into Object.prototype, which every object of the process inherits. Such keys are set as own
// properties, and only own properties are read back.

/** Sets `key` on `into` as its own enumerable property, whatever the key (`__proto__` too). */
export function setOwn<T extends Record<string, unknown>>(into: T, key: string, value: unknown): T {
  Object.defineProperty(into, key, { value, enumerable: true, writable: true, configurable: true });
  return into;
}
