// rand.intn as topdown computes it (v1/topdown/numbers.go): a random integer in [0, |n|), 0 for
// n = 0, the same one for the same string and n within an evaluation (topdown's per-query cache).

import { randomInt } from "node:crypto";
import { intOperand, stringOperand } from "./errors.js";

export function randomBuiltins(evaluation: () => number) {
  const cache = new Map<string, number>();
  let cachedFor = -1;
  return {
    "rand.intn": (text: unknown, limit: unknown): number => {
      const key = stringOperand(text, 1);
      let n = intOperand(limit, 2);
      if (n === 0) return 0;
      if (n < 0) n = -n;
      const now = evaluation();
      if (now !== cachedFor) {
        cache.clear();
        cachedFor = now;
      }
      const id = `${key}-${n}`;
      let value = cache.get(id);
      if (value === undefined) {
        value = n <= 2 ** 48 - 1 ? randomInt(n) : Math.floor(Math.random() * n);
        cache.set(id, value);
      }
      return value;
    },
  } satisfies Record<string, (...args: never[]) => unknown>;
}
