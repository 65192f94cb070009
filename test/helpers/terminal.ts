// What terminal-bound output must hold, for the forged-output tests: written out here, independently of
// lib/terminal.ts, so that a change there cannot weaken the check.
import fc from "fast-check";

/** What a terminal must never receive raw from evidence. */
// eslint-disable-next-line no-control-regex
export const RAW_UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** Everything a terminal or a viewer may treat as the end of a line. */
export const LINE_BREAKS = /\r\n|[\n\r\u000b\u000c\u0085\u2028\u2029]/;
/** The forged line hostile strings try to start. */
export const MARK = "FORGED: COMPLIANT";

/** Hostile text: escapes, controls, bidi, lone surrogates, printable noise; always a line break, then a forged line. */
const DANGER = ["\n", "\r", "\r\n", "\u2028", "\u2029", "\u0085", "\t", "\x00", "\x07", "\x08", "\x7f", "\x1b[2J", "\x1b]0;pwned\x07", "\x1b[31m", "\x9b31m", "\u202e", "\u2066", "\u200f", "\u061c", "\ud800", "\udfff", "\\x0a", "<b>", "&amp;", "é", "東"];
const BREAKS = ["\n", "\r", "\r\n", "\u2028", "\u2029", "\u0085", "\x0b", "\x0c"];
export const hostile = fc
  .tuple(fc.array(fc.oneof(fc.constantFrom(...DANGER), fc.string({ maxLength: 3 })), { maxLength: 5 }), fc.constantFrom(...BREAKS))
  .map(([parts, br]) => `${parts.join("")}${br}${MARK}`);

/**
 * The property every terminal-bound text must hold: no raw control, bidi or separator character (colour
 * allows exactly SGR codes), no line that a hostile string started, and the hostile text did arrive
 * (escaped), so that the check is not vacuous.
 */
export function expectTerminalSafe(out: string, options: { colour?: boolean; mark?: string } = {}): void {
  const mark = options.mark ?? MARK;
  const text = options.colour ? out.replace(/\x1b\[[0-9;]*m/g, "") : out;
  const bad = RAW_UNSAFE.exec(text.replace(/\n/g, ""));
  if (bad) throw new Error(`raw U+${bad[0].charCodeAt(0).toString(16).padStart(4, "0")} near ${JSON.stringify(text.replace(/\n/g, "").slice(Math.max(0, bad.index - 40), bad.index + 10))}`);
  const forged = text.split(LINE_BREAKS).find((l) => l.trimStart().startsWith(mark));
  if (forged !== undefined) throw new Error(`forged line: ${JSON.stringify(forged)}`);
  expect(text).toContain(mark);
}
