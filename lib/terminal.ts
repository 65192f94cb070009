// Terminal-bound text: the one place where strings become what a terminal or a log shows. Every text
// renderer (report, probe, roll-up, diff, verify) hands its lines here, and every message for stderr goes
// through stderrLine. Host names, certificate subjects, rootDSE values, event data, waiver text, file names
// and server error messages are untrusted: a newline in one would forge a line ("FAKE: COMPLIANT"), an
// escape sequence would clear the screen, retitle the window or hide text. Here they become visible \xNN.
// JSON, HTML and JUnit have their own escaping (lib/report/html.ts esc, lib/report/junit.ts xmlText).

/** Style of a segment: a control status (coloured like it) or bold. */
export type Style = "pass" | "fail" | "warn" | "skip" | "error" | "waived" | "bold";

export interface Styled {
  readonly style: Style;
  readonly text: string;
}

/** A line is plain text, or segments some of which carry a style. It never contains a line break of its own. */
export type TermLine = string | ReadonlyArray<string | Styled>;

const SGR: Record<Style, string> = { pass: "32", fail: "31;1", warn: "33", skip: "2", error: "35;1", waived: "36", bold: "1" };

export const styled = (style: Style, text: string): Styled => ({ style, text });

/**
 * Everything a terminal would act on or that would break a line, made visible: C0 controls (tab, CR and
 * LF included), DEL and C1 controls as \xNN; the line and paragraph separators U+2028/U+2029, the bidi
 * marks, embeddings, overrides and isolates (U+061C, U+200E/F, U+202A-E, U+2066-9), and lone surrogates
 * as \uNNNN. Printable text, including other non-ASCII, is left alone.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function termSafe(text: string): string {
  return String(text).replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/**
 * A piece of untrusted text cut to `max` characters for a message, saying how long it was: a profile's
 * 200 KB property name or $ref stays one short line.
 */
export function shortText(text: string, max = 80): string {
  return text.length <= max ? text : `${text.slice(0, max)}... (${text.length} characters)`;
}

/** Lines as terminal text: each segment made safe, styled when colour is on, one "\n" after each line. */
export function terminalText(lines: readonly TermLine[], options: { colour?: boolean } = {}): string {
  const segment = (s: string | Styled) => {
    if (typeof s === "string") return termSafe(s);
    const safe = termSafe(s.text);
    return options.colour ? `\x1b[${SGR[s.style]}m${safe}\x1b[0m` : safe;
  };
  return lines.map((l) => (typeof l === "string" ? termSafe(l) : l.map(segment).join("")) + "\n").join("");
}

/** Write one message line to stderr, "ldaps-audit: <message>"; a line break inside the message shows as \x0a. */
export function stderrLine(message: string, prefix = "ldaps-audit: "): void {
  process.stderr.write(`${prefix}${termSafe(message)}\n`);
}

/** Several lines for stderr (LDAPS_AUDIT_DEBUG stack traces), each made safe. */
export function stderrBlock(lines: readonly string[]): void {
  process.stderr.write(terminalText(lines));
}

/**
 * A progress line a terminal rewrites in place ("\r", the text, then erase to the end of the line); only
 * for a TTY. `done` ends the line.
 */
export function stderrProgress(message: string, done = false): void {
  process.stderr.write(`\r${termSafe(message)}\x1b[K${done ? "\n" : ""}`);
}

/** Erase a progress line. */
export function stderrProgressClear(): void {
  process.stderr.write("\r\x1b[K");
}
