// JSON Pointer (RFC 6901) lookups and $ref resolution, shared by the profile loader, the control lint
// and evidence extraction.
import { InputError } from "../errors";
import { shortText } from "../terminal";

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
  try {
    const abs = new URL(ref, base).href;
    const hash = abs.indexOf("#");
    return hash < 0 ? [abs, ""] : [abs.slice(0, hash), decodeURIComponent(abs.slice(hash + 1))];
  } catch (e) {
    // new URL (TypeError) and decodeURIComponent (URIError) on a malformed reference: bad input, not a crash.
    throw new InputError(`$ref ${JSON.stringify(shortText(ref))} is not a valid URI reference (${(e as Error).message})`);
  }
}

/** A JSON pointer as a URI fragment ("#/$defs/a%20b"), the inverse of resolveRef's decoding. */
export function pointerFragment(pointer: string): string {
  return "#" + pointer.split("/").map((p) => encodeURIComponent(p).replace(/%24/g, "$")).join("/");
}
