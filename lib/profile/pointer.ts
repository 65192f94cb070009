// JSON Pointer (RFC 6901) lookups and $ref resolution, shared by the profile loader, the control lint
// and evidence extraction.

export function unescapePointerPart(s: string): string {
  return s.replace(/~1/g, "/").replace(/~0/g, "~");
}

export function escapePointerPart(s: string): string {
  return s.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** The value at `pointer` ("" is the whole document), or undefined. */
export function pointerGet(doc: unknown, pointer: string): unknown {
  let node = doc;
  for (const part of pointer.split("/").slice(1)) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[unescapePointerPart(part)];
  }
  return node;
}

/** Resolve "$ref" against the id of the document it appears in: [document id, JSON pointer]. */
export function resolveRef(base: string, ref: string): [string, string] {
  const abs = new URL(ref, base).href;
  const hash = abs.indexOf("#");
  return hash < 0 ? [abs, ""] : [abs.slice(0, hash), decodeURIComponent(abs.slice(hash + 1))];
}
