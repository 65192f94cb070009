// The one parser for dates and instants, for options (--now, the DSC `now`) and for evidence fields.
// Date.parse is not used anywhere on input: it rolls 2026-02-30 over to 2026-03-02, reads a zone-less
// date-time in the machine's local zone, and refuses RFC 3339 forms ajv's "date-time" format accepts
// (offset "+01", leap second 23:59:60), so the same text could pass the schema and become NaN later.
import { InputError } from "./errors";

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME_RE = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)$/;

function daysInMonth(year: number, month: number): number {
  return month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function dayExists(y: number, m: number, d: number): boolean {
  return m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

/** Milliseconds of a calendar date (YYYY-MM-DD, UTC midnight), or null when it is not one or does not exist. */
export function parseDate(text: string): number | null {
  const m = DATE_RE.exec(text);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return dayExists(y, mo, d) ? Date.UTC(y, mo - 1, d) : null;
}

/**
 * Milliseconds of an instant: a date (UTC midnight) or an RFC 3339 date-time with a zone (Z or an
 * offset; seconds and fractions optional, 23:59:60 read as the next second). Null when the text is not
 * one, names a day or time that does not exist, or has no zone (local time would make a run depend on
 * the machine it ran on).
 */
export function parseInstant(text: string): number | null {
  const date = parseDate(text);
  if (date !== null) return date;
  const m = DATE_TIME_RE.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi] = [1, 2, 3, 4, 5].map((i) => Number(m[i]));
  const s = m[6] === undefined ? 0 : Number(m[6]);
  if (!dayExists(y, mo, d) || h > 23 || mi > 59 || s > 60) return null;
  const fraction = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  const offsetMin = m[8] ? 0 : (m[9] === "-" ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11] ?? 0));
  if (!m[8] && (Number(m[10]) > 23 || Number(m[11] ?? 0) > 59)) return null;
  return Date.UTC(y, mo - 1, d, h, mi, s, fraction) - offsetMin * 60_000;
}

/** For evidence that already passed the schema's date-time format: its milliseconds, NaN if somehow not an instant. */
export function instantMs(text: string): number {
  return parseInstant(text) ?? NaN;
}

/** An option or property that names an instant (--now, the DSC `now`): a Date, or an input error naming it. */
export function instantOption(value: string | undefined, name: string): Date | undefined {
  if (value === undefined) return undefined;
  const ms = parseInstant(value);
  if (ms === null) {
    throw new InputError(`${name} ${JSON.stringify(value)}: expected an ISO 8601 date or date-time with a zone that exists, e.g. 2026-11-24 or 2026-11-24T12:00:00Z`);
  }
  return new Date(ms);
}
