// One date parser (lib/dates.ts) for every date option and field: days that do not exist are refused,
// never rolled over; the RFC 3339 forms the schemas accept are all read.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDate, parseInstant } from "../lib/dates";
import { expectCleanError, runCli } from "./helpers/cli";

const tmp = mkdtempSync(join(tmpdir(), "ldaps-audit-dates-"));
const snapshot = join(__dirname, "..", "examples", "healthy-dc.snapshot.json");

test.each([
  ["2026-11-24", Date.UTC(2026, 10, 24)],
  ["2024-02-29", Date.UTC(2024, 1, 29)],
  ["2026-11-24T12:00:00Z", Date.UTC(2026, 10, 24, 12)],
  ["2026-11-24t12:00:00z", Date.UTC(2026, 10, 24, 12)],
  ["2026-11-24T12:00Z", Date.UTC(2026, 10, 24, 12)],
  ["2026-11-24T12:00:00.5Z", Date.UTC(2026, 10, 24, 12, 0, 0, 500)],
  ["2026-11-24T12:00:00+01:00", Date.UTC(2026, 10, 24, 11)],
  ["2026-11-24T12:00:00+01", Date.UTC(2026, 10, 24, 11)],
  ["2026-11-24T12:00:00-0530", Date.UTC(2026, 10, 24, 17, 30)],
  ["2026-12-31T23:59:60Z", Date.UTC(2027, 0, 1)],
])("accepted: %s", (text, ms) => {
  expect(parseInstant(text)).toBe(ms);
});

test.each([
  "2026-02-30", "2026-02-29", "1900-02-29", "2026-04-31", "2026-13-01", "2026-00-10", "2026-01-00", "2026-01-32",
  "2026-02-30T00:00:00Z", "2026-11-24T24:00:00Z", "2026-11-24T12:60:00Z", "2026-11-24T12:00:61Z", "2026-11-24T12:00:00+24:00",
  "2026-11-24T12:00:00", "yesterday", "", "2026-11-24Z", "20261124", "2026-11-24T12:00:00Z trailing",
])("refused: %j", (text) => {
  expect(parseInstant(text)).toBeNull();
});

test("parseDate takes calendar dates only", () => {
  expect(parseDate("2026-11-24")).toBe(Date.UTC(2026, 10, 24));
  expect(parseDate("2026-11-24T00:00:00Z")).toBeNull();
  expect(parseDate("2026-02-30")).toBeNull();
});

test.each([
  ["evaluate --now", ["evaluate", snapshot, "--now", "2026-02-30"], /--now "2026-02-30": expected an ISO 8601 date or date-time with a zone that exists/],
  ["check --now (before collecting)", ["check", "--now", "2026-04-31T00:00:00Z"], /--now "2026-04-31T00:00:00Z": expected/],
  ["evaluate --now without a zone", ["evaluate", snapshot, "--now", "2026-11-24T12:00:00"], /--now "2026-11-24T12:00:00": expected an ISO 8601/],
  ["preflight --now", ["preflight", join(__dirname, "..", "examples", "certs", "dc1.pem"), "--fqdn", "dc1.example.test", "--now", "2026-04-31T00:00:00Z"], /--now "2026-04-31T00:00:00Z": expected/],
])("%s: a day that does not exist is refused (exit 2)", (_name, args, pattern) => {
  expectCleanError(runCli(args), 2, pattern);
});

test("a waiver that expires on a day that does not exist is refused", () => {
  const p = join(tmp, "w.json");
  writeFileSync(p, JSON.stringify({ waivers: [{ control: "LDAPS-C01", justification: "j", approver: "a", expires: "2026-02-30" }] }));
  expectCleanError(runCli(["evaluate", snapshot, "--waivers", p]), 2, /w\.json: not a valid waivers file: at \/waivers\/0\/expires: must match format "date"/);
});
// The DSC resource's `now` goes through the same parser: see test/dsc/resource.test.ts ("a now that does not exist").
