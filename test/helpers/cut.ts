// Splitting a byte string into chunks, as a network peer may deliver it: the readers of server answers
// (lib/probe/hello.ts, lib/probe/rootdse.ts) must give the same verdict whole or in pieces.

/** Split `data` at the given cut points (fractions of its length, in any order; duplicates ignored). */
export function cut(data: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => Math.floor(c * data.length)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of [...points, data.length]) {
    out.push(data.subarray(prev, p));
    prev = p;
  }
  return out;
}
