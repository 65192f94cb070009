// decodeBase64 (lib/x509/encoding.ts) takes a fast path for canonical base64 (issue 17: the regex was
// ~8 us per certificate of a fleet). It must accept and refuse exactly what the regex-only reader did,
// with the same bytes: the earlier reader is kept here as the reference, and fast-check compares them.
import fc from "fast-check";
import { decodeBase64, EncodingError } from "../lib/x509/encoding";

/** The reader before the fast path, verbatim. */
function referenceDecodeBase64(text: string, what: string): Buffer {
  const compact = text.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) {
    throw new EncodingError(`${what} is not valid base64`);
  }
  return Buffer.from(compact, "base64");
}

function outcome(read: (t: string, w: string) => Buffer, text: string): string {
  try {
    return `ok ${read(text, "x").toString("hex")}`;
  } catch (e) {
    return `${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
}

const same = (text: string) => expect(outcome(decodeBase64, text)).toBe(outcome(referenceDecodeBase64, text));

test("canonical base64 of any bytes, and its near misses, read as the reference reads them", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(), fc.constantFrom("", "=", "==", "===", " ", "\n", "\r\n", "A", "-", "_", "*", "\u00e9", "\u0000"), (bytes, at, extra) => {
      const canonical = Buffer.from(bytes).toString("base64");
      same(canonical);
      const i = canonical.length ? at % (canonical.length + 1) : 0;
      same(canonical.slice(0, i) + extra + canonical.slice(i)); // an insertion anywhere
      same(canonical.slice(0, i) + canonical.slice(i + 1)); // a deletion
      same(canonical.replace(/=+$/, "")); // padding left out
    }),
    { numRuns: 2000 },
  );
});

test("arbitrary text over the base64 alphabet, whitespace and a few strangers reads as the reference reads it", () => {
  const chars = fc.constantFrom(..."ABCXYZabcxyz0189+/=", " ", "\n", "\t", "-", "_", ".", "\u00e9");
  fc.assert(fc.property(fc.array(chars, { maxLength: 40 }).map((a) => a.join("")), same), { numRuns: 5000 });
});

test("non-canonical forms the strict reader accepts are still accepted (trailing bits, missing padding, whitespace)", () => {
  for (const t of ["QR==", "QQ", "QUI", "QUJD\nREVG", " QUJD ", "", "=="]) same(t);
  expect(decodeBase64("QR==", "x")).toEqual(Buffer.from([0x41]));
  expect(() => decodeBase64("Q", "x")).toThrow(EncodingError);
});
