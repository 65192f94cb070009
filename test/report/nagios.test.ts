// --format nagios: a Nagios/Icinga check (monitoring-plugins guidelines): one status line
// "LDAPS <STATE> - text | perfdata", long output after it, exit 0 OK / 1 WARNING / 2 CRITICAL / 3 UNKNOWN
// (UNKNOWN also for bad arguments and unreadable input), thresholds from the profile's LDAPS-C07.
// Only this format exits with plugin states; the others keep the pipeline's codes.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadProfile } from "../../lib/profile/load";
import { expiryRunway } from "../../lib/profile/runway";
import { nagiosText, renderNagios } from "../../lib/report/nagios";
import { runCli } from "../helpers/cli";
import { Pki } from "../helpers/openssl";
import { hasCommand, requirePeer } from "../helpers/peers";
import { dcSnapshot, storeCert } from "../helpers/snapshot";
import { evaluateExample, example, NOW_ARGS, opensslDate } from "./fleet";

const tmp = mkdtempSync(join(tmpdir(), "ldaps-audit-nagios-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The plugin output split the way Nagios reads it. */
function parse(stdout: string) {
  const [first, ...long] = stdout.replace(/\n$/, "").split("\n");
  const bar = first.indexOf("|");
  return { status: bar < 0 ? first : first.slice(0, bar).trim(), perf: bar < 0 ? "" : first.slice(bar + 1).trim(), long, bars: first.split("|").length - 1 };
}

describe("thresholds come from the profile's LDAPS-C07, read from its compiled schema", () => {
  test.each([
    ["baseline", { failBelowDays: 7, warnBelowDays: 30 }],
    ["hardened", { failBelowDays: 14, warnBelowDays: 60 }],
  ])("%s", (name, expected) => {
    expect(expiryRunway(loadProfile(name))).toEqual(expected);
  });

  test.each([
    ["exclusiveMinimum 10 / minimum 45", { then: { exclusiveMinimum: 10 }, warn: { minimum: 45 } }, { failBelowDays: 11, warnBelowDays: 45 }],
    // Restating only `then` keeps baseline's warning part (30 days).
    ["only the fail line", { then: { minimum: 21 } }, { failBelowDays: 21, warnBelowDays: 30 }],
    ["a window, not a threshold", { then: { minimum: 5, maximum: 400 } }, { failBelowDays: null, warnBelowDays: 30 }],
  ] as const)("user profile restating C07: %s", (name, c07, expected) => {
    const days = (s: object) => ({ properties: { validity: { properties: { daysToExpiry: s }, required: ["daysToExpiry"] } }, required: ["validity"] });
    const path = join(tmp, `${name.replace(/\W+/g, "-")}.profile.json`);
    writeFileSync(
      path,
      JSON.stringify({
        $schema: "https://json-schema.org/draft/2020-12/schema",
        $id: `https://example.test/profiles/${name.replace(/\W+/g, "-")}.json`,
        ldapsProfile: { id: `runway-${name.replace(/\W+/g, "-").toLowerCase()}`, title: name, version: "1" },
        allOf: [
          { $ref: "https://ldaps-audit.dev/schemas/profiles/baseline.profile.json" },
          { ldapsControl: { id: "LDAPS-C07" }, if: { properties: { validity: { properties: { validNow: { const: true } } } } }, then: days(c07.then), ...("warn" in c07 ? { ldapsWarning: days(c07.warn) } : {}) },
        ],
      }),
    );
    expect(expiryRunway(loadProfile(path))).toEqual(expected);
  });
});

const haveOpenssl = requirePeer("openssl", hasCommand("openssl", ["version"]), "apt-get install openssl");
(haveOpenssl ? describe : describe.skip)("one state per exit code (openssl-made certificates with chosen runways)", () => {
  let pki: Pki;
  const snapshotWithRunway = (days: number) => {
    const { root, intermediate } = pki.hierarchy();
    const leaf = pki.issue(`runway-${days}`, { cn: "dc1.example.test", san: "DNS:dc1.example.test", eku: "serverAuth", start: "20260101000000Z", end: opensslDate(days) }, intermediate);
    const path = join(tmp, `runway-${days}.snapshot.json`);
    writeFileSync(path, JSON.stringify(dcSnapshot({ machine: [storeCert(leaf)], roots: [root], intermediates: [intermediate] })));
    return path;
  };
  beforeAll(() => {
    pki = new Pki();
  });
  afterAll(() => pki?.cleanup());

  test.each([
    // [case, runway days, profile, exit, state, perfdata]
    ["OK: 400 days left", 400, "baseline", 0, "OK", "days_to_expiry=400;30:;7: noncompliant_targets=0;;;0;1"],
    ["WARNING: 20 days left (C07 warns below 30)", 20, "baseline", 1, "WARNING", "days_to_expiry=20;30:;7: noncompliant_targets=0;;;0;1"],
    ["CRITICAL: 5 days left (C07 fails below 7)", 5, "baseline", 2, "CRITICAL", "days_to_expiry=5;30:;7: noncompliant_targets=1;;;0;1"],
  ] as const)("%s", (_case, days, profile, exit, state, perf) => {
    const r = runCli(["evaluate", snapshotWithRunway(days), ...NOW_ARGS, "--profile", profile, "--format", "nagios"]);
    const out = parse(r.stdout);
    expect({ code: r.code, state: out.status.split(" ")[1], bars: out.bars }).toEqual({ code: exit, state, bars: 1 });
    expect(out.status).toMatch(new RegExp(`^LDAPS ${state} - `));
    expect(out.perf.startsWith(perf)).toBe(true);
    if (exit > 0) expect(out.long.join("\n")).toMatch(/LDAPS-C07/);
  });

  test("hardened profile: its own thresholds in the perfdata, and 45 days is a C07 warning there", () => {
    // (The test certificate fails other hardened controls too, so the state itself is CRITICAL.)
    const r = runCli(["evaluate", snapshotWithRunway(45), ...NOW_ARGS, "--profile", "hardened", "--format", "nagios"]);
    const out = parse(r.stdout);
    expect(out.perf).toMatch(/^days_to_expiry=45;60:;14: /);
    expect(out.long).toContainEqual(expect.stringMatching(/: WARN LDAPS-C07 /));
    expect(r.code).toBe({ OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 }[out.status.split(" ")[1] as "OK"]);
  });
});

describe("UNKNOWN (3) when the check cannot judge: bad arguments and unreadable input", () => {
  const bad = join(tmp, "bad.json");
  writeFileSync(bad, "{ not json");
  test.each([
    ["no such snapshot", ["evaluate", join(tmp, "missing.json")], /no such file/],
    ["not JSON", ["evaluate", bad], /not valid JSON/],
    ["no snapshot named", ["evaluate"], /Not enough non-option arguments/],
    ["unknown option", ["evaluate", example("healthy-dc"), "--bogus"], /Unknown argument/],
    ["bad --now", ["evaluate", example("healthy-dc"), "--now", "yesterday"], /--now/],
    ["unknown profile", ["evaluate", example("healthy-dc"), "--profile", "nope"], /--profile nope/],
  ])("%s", (_case, args, why) => {
    for (const format of [["--format", "nagios"], ["--format=nagios"]]) {
      const r = runCli([...args, ...format]);
      expect(r.code).toBe(3);
      expect(r.stdout).toMatch(/^LDAPS UNKNOWN - /);
      expect(r.stdout).toMatch(why);
      expect(r.stdout.split("\n")).toHaveLength(2); // one line and its newline
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    // The same mistake in any other format keeps the pipeline's code: 2, bad input.
    expect(runCli([...args, "--format", "json"]).code).toBe(2);
  });

  test("a report with no targets is UNKNOWN", () => {
    const empty = { ...evaluateExample("healthy-dc"), targets: [] };
    expect(renderNagios(empty, null)).toMatchObject({ state: "unknown", exitCode: 3 });
  });
});

describe("other formats keep the pipeline's exit codes", () => {
  test.each([
    ["healthy-dc", 0, 0],
    ["expired", 1, 2],
    ["wrong-name", 1, 2],
  ])("%s: json/text/junit exit %i, nagios %i", (name, pipeline, plugin) => {
    for (const f of ["json", "text", "junit", "prometheus"]) expect(runCli(["evaluate", example(name), ...NOW_ARGS, "--format", f]).code).toBe(pipeline);
    expect(runCli(["evaluate", example(name), ...NOW_ARGS, "--format", "nagios"]).code).toBe(plugin);
  });

  test("report <json> --format nagios: the same check from a saved report, thresholds from the same profile", () => {
    const json = join(tmp, "expired.report.json");
    runCli(["evaluate", example("healthy-dc"), ...NOW_ARGS, "--format", "json", "-o", json]);
    const r = runCli(["report", json, "--format", "nagios"]);
    expect(r.code).toBe(0);
    expect(parse(r.stdout).perf).toMatch(/^days_to_expiry=\d+;30:;7: /);
  });
});

describe("untrusted text cannot break the plugin output", () => {
  test.each([
    ["pipe (would start perfdata)", "dc1|x=1;2;3"],
    ["line feed (would end the status line)", "dc1\nLDAPS OK - forged"],
    ["terminal escape", "dc1\u001b]0;owned\u0007"],
  ])("%s", (_case, host) => {
    const report = evaluateExample("expired");
    report.targets[0].host = host;
    const out = renderNagios(report, { failBelowDays: 7, warnBelowDays: 30 }).output;
    const first = out.split("\n")[0];
    expect(first.split("|")).toHaveLength(2);
    expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
    expect(out.split("\n").filter((l) => l.startsWith("LDAPS "))).toHaveLength(1);
    expect(first).toContain(nagiosText(host));
  });

  test("perfdata labels from host names keep to [A-Za-z0-9._-] and stay unique", () => {
    const a = evaluateExample("healthy-dc");
    const b = evaluateExample("healthy-dc");
    a.targets[0].host = "dc 1'=";
    b.targets[0].host = "dc_1__";
    const report = { ...a, targets: [a.targets[0], { ...b.targets[0], service: a.targets[0].service }, a.targets[0]], summary: { ...a.summary, targets: 3 } };
    const perf = parse(renderNagios(report, null).output).perf.split(" ");
    const labels = perf.map((p) => p.split("=")[0]);
    expect(new Set(labels).size).toBe(labels.length);
    for (const l of labels) expect(l).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(perf[0]).toMatch(/=\d+;;$/); // no thresholds known: empty fields, never invented ones
  });
});
