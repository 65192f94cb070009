// What JSON.parse lets through and the rest of the tool cannot take: duplicate keys (JSON.parse keeps the
// last one silently; YAML refuses them) and nesting deep enough to overflow a recursive consumer (the
// schema compiler, the validator). One single pass over text JSON.parse has already accepted.

export type StructureProblem =
  | { kind: "depth"; offset: number; pointer: string }
  | { kind: "duplicate"; offset: number; pointer: string; key: string };

/** RFC 6901 pointer of a path. */
export function jsonPointer(path: Array<string | number>): string {
  return path.map((p) => "/" + String(p).replace(/~/g, "~0").replace(/\//g, "~1")).join("");
}

/** Index of the quote that closes the string opening at `start` (text is valid JSON). */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  for (;;) {
    const q = text.indexOf('"', i);
    if (q < 0) return text.length; // unreachable for valid JSON
    let backslashes = 0;
    for (let b = q - 1; text.charCodeAt(b) === 0x5c; b--) backslashes++;
    if (backslashes % 2 === 0) return q;
    i = q + 1;
  }
}

/**
 * The first duplicate key or too-deep container in a JSON text, or null. Each character is visited once
 * (strings are skipped with indexOf), so the cost is linear in the text; `work`, when given, counts the
 * characters visited so tests can check that without a clock.
 */
export function jsonStructureProblem(text: string, maxDepth: number, work?: { visited: number }): StructureProblem | null {
  const keys: Array<Set<string> | null> = []; // per open container: keys seen (object) or null (array)
  const path: Array<string | number> = [];
  let expectKey = false;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      const end = stringEnd(text, i);
      if (expectKey) {
        const raw = text.slice(i + 1, end);
        const key = raw.includes("\\") ? (JSON.parse(text.slice(i, end + 1)) as string) : raw;
        const seen = keys[keys.length - 1]!;
        if (seen.has(key)) return { kind: "duplicate", offset: i, pointer: jsonPointer([...path.slice(0, -1), key]), key };
        seen.add(key);
        path[path.length - 1] = key;
        expectKey = false;
      }
      if (work) work.visited += end + 1 - i;
      i = end + 1;
      continue;
    }
    if (c === 0x7b || c === 0x5b) {
      if (keys.length >= maxDepth) return { kind: "depth", offset: i, pointer: jsonPointer(path) };
      const isObject = c === 0x7b;
      keys.push(isObject ? new Set() : null);
      path.push(isObject ? "" : 0);
      expectKey = isObject;
    } else if (c === 0x7d || c === 0x5d) {
      keys.pop();
      path.pop();
      expectKey = false;
    } else if (c === 0x2c) {
      if (keys[keys.length - 1]) expectKey = true;
      else path[path.length - 1] = (path[path.length - 1] as number) + 1;
    }
    if (work) work.visited++;
    i++;
  }
  return null;
}

/** Depth of a parsed value (objects and arrays), checked without recursion; the pointer of the first container past `maxDepth`. */
export function valueDepthProblem(value: unknown, maxDepth: number): string | null {
  const stack: Array<{ v: unknown; depth: number; path: Array<string | number> }> = [{ v: value, depth: 0, path: [] }];
  while (stack.length) {
    const { v, depth, path } = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (depth >= maxDepth) return jsonPointer(path);
    const entries: Array<[string | number, unknown]> = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
    for (const [k, x] of entries) if (x !== null && typeof x === "object") stack.push({ v: x, depth: depth + 1, path: [...path, k] });
  }
  return null;
}
