interface Deep {
  depth: number;
}

interface Mid {
  deep: Deep;
}

export function walk(m: Mid): number {
  return m.deep.depth;
}
