// Turning the many ways a certificate arrives (base64 in JSON, PEM, DER) into DER bytes.

export class EncodingError extends Error {}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Strict base64: whitespace allowed, anything else that is not base64 is an error. */
export function decodeBase64(text: string, what: string): Buffer {
  // Canonical base64 (what collectors write: padded, no whitespace) is the one text that re-encodes to
  // itself, and node's encoder writes only the strict form below (the alphabet, at most two "=" at the
  // end, a multiple of 4 characters): such text is accepted without the regex, which cost ~8 us per
  // certificate of a fleet (issue 17). Anything else is judged as before.
  const der = Buffer.from(text, "base64");
  if (der.toString("base64") === text) return der;
  const plain = BASE64.test(text);
  const compact = plain ? text : text.replace(/\s+/g, "");
  if ((!plain && !BASE64.test(compact)) || compact.length % 4 === 1) {
    throw new EncodingError(`${what} is not valid base64`);
  }
  return plain ? der : Buffer.from(compact, "base64");
}

export interface PemBlock {
  label: string;
  der: Buffer;
  /** The block as it stood in the file, BEGIN and END lines included. */
  text: string;
  /** 1-based line of the BEGIN marker, for messages. */
  line: number;
}

const MAX_LABEL = 64;
const DASHES = "-----";

function isLabelChar(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x20;
}

/**
 * "BEGIN X-----" or "END X-----" at `at` (just after five dashes), or null. Looks at no more than
 * MAX_LABEL + 11 characters, all counted in `work`.
 */
function markerAt(text: string, at: number, work: { scanned: number }): { kind: "BEGIN" | "END"; label: string; length: number } | null {
  const kind = text.startsWith("BEGIN ", at) ? "BEGIN" : text.startsWith("END ", at) ? "END" : null;
  work.scanned += 6;
  if (!kind) return null;
  const start = at + kind.length + 1;
  let j = start;
  while (j < text.length && j - start < MAX_LABEL && isLabelChar(text.charCodeAt(j))) j++;
  work.scanned += j - start + DASHES.length;
  const label = text.slice(start, j);
  if (label.trim() === "" || !text.startsWith(DASHES, j)) return null;
  return { kind, label, length: j + DASHES.length - at };
}

/** Line numbers for increasing offsets, counting each newline once (a per-block count from the start would be quadratic). */
function lineCounter(text: string): (offset: number) => number {
  let line = 1;
  let nextNewline = text.indexOf("\n");
  return (offset) => {
    while (nextNewline >= 0 && nextNewline < offset) {
      line++;
      nextNewline = text.indexOf("\n", nextNewline + 1);
    }
    return line;
  };
}

/**
 * Every PEM block in a text, in order; the one PEM reader of the project. Text outside blocks is
 * ignored (openssl writes "Bag Attributes" there), but a block without its END line (a truncated file),
 * an END that does not match its BEGIN, or a body that is not base64 is an error.
 *
 * One pass: the cursor only moves forward, each marker is recognised by a bounded look at one place,
 * so the work is linear in the text whatever it holds (1 MB of unterminated BEGIN lines included).
 * `work`, when given, counts the characters examined, so tests can check that without a clock.
 */
export function parsePem(text: string, what: string, work: { scanned: number } = { scanned: 0 }): PemBlock[] {
  const blocks: PemBlock[] = [];
  const lineOf = lineCounter(text);
  let open: { label: string; start: number; bodyStart: number; line: number } | null = null;
  let pos = 0;
  for (;;) {
    const i = text.indexOf(DASHES, pos);
    work.scanned += (i < 0 ? text.length : i + DASHES.length) - pos;
    if (i < 0) break;
    const m = markerAt(text, i + DASHES.length, work);
    if (!m) {
      pos = i + 1; // a longer run of dashes: the marker may start one further on
      continue;
    }
    const { kind, label } = m;
    const end = i + DASHES.length + m.length;
    if (kind === "BEGIN") {
      if (open) throw new EncodingError(`${what}: no complete PEM block: "${open.label}" at line ${open.line} has no END line (truncated?)`);
      open = { label, start: i, bodyStart: end, line: lineOf(i) };
    } else {
      if (!open) throw new EncodingError(`${what}: "END ${label}" at line ${lineOf(i)} without a BEGIN line`);
      if (label !== open.label) throw new EncodingError(`${what}: PEM block "${open.label}" at line ${open.line} ends with "END ${label}"`);
      const line = open.line;
      const body = text.slice(open.bodyStart, i).replace(/^[A-Za-z-]+:.*$/gm, ""); // drop RFC 1421 headers such as Proc-Type
      work.scanned += 2 * (i - open.bodyStart); // the header strip and the base64 check each read the body once
      let der: Buffer;
      try {
        der = decodeBase64(body, `${what}: PEM block "${label}"`);
      } catch (e) {
        throw new EncodingError(`${(e as Error).message} (the block at line ${line})`);
      }
      blocks.push({ label, der, text: text.slice(open.start, end), line });
      open = null;
    }
    pos = end;
  }
  if (open) throw new EncodingError(`${what}: no complete PEM block: "${open.label}" at line ${open.line} has no END line (truncated?)`);
  return blocks;
}

export function looksLikePem(data: Buffer): boolean {
  return data.subarray(0, 4096).toString("latin1").includes("-----BEGIN ");
}
