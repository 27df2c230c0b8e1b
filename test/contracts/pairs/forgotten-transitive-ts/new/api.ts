interface Deep {
  depth: string;
}

interface Mid {
  deep: Deep;
}

export function walk(m: Mid): number {
  return m.deep.depth.length;
}
