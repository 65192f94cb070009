// --format prometheus: a windows_exporter/node_exporter textfile, checked by the real `promtool check
// metrics` (Debian package prometheus): lint-clean exposition, label values escaped (host names come
// from snapshots, i.e. untrusted), series only where there is evidence, written atomically in place.
import { spawnSync } from "node:child_process";
import { renameSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { evaluateFiles } from "../../lib/audit";
import { deliver } from "../../lib/cli/common";
import { labelValue, renderPrometheus } from "../../lib/report/prometheus";
import type { Report } from "../../lib/report/types";
import { expectCleanError, runCli } from "../helpers/cli";
import { Pki } from "../helpers/openssl";
import { findExecutable, hasCommand, PEER_DEADLINE_MS, requirePeer } from "../helpers/peers";
import { freePort } from "../probe/helpers/net";
import { slapdPath, startSlapd } from "../probe/helpers/slapd";
import { evaluateExample, example, loadExampleSnapshot, NOW, NOW_ARGS } from "./fleet";

// Every rename the writer makes, recorded (node:fs exports cannot be spied on; they can be wrapped).
jest.mock("node:fs", () => {
  const real = jest.requireActual("node:fs");
  return { ...real, renameSync: jest.fn((from: string, to: string) => real.renameSync(from, to)) };
});

const tmp = mkdtempSync(join(tmpdir(), "ldaps-audit-prom-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const promtool = findExecutable("promtool");
const havePromtool = requirePeer("promtool", promtool !== null, "apt-get install prometheus (Debian package; provides promtool)");
const withPromtool = havePromtool ? describe : describe.skip;

/** promtool's verdict on an exposition: exit code and what it said (lint problems included). */
function promtoolCheck(text: string): { code: number | null; output: string } {
  const r = spawnSync(promtool!, ["check", "metrics"], { input: text, encoding: "utf8", timeout: PEER_DEADLINE_MS });
  return { code: r.status, output: `${r.stdout}${r.stderr}`.trim() };
}

/** Samples as [name, labels, value], parsed from the exposition (the tests' own reader). */
function samples(text: string): Array<{ name: string; labels: Record<string, string>; value: string }> {
  const out: Array<{ name: string; labels: Record<string, string>; value: string }> = [];
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const m = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unparsable sample line: ${line}`);
    const labels: Record<string, string> = {};
    const re = /([a-z_]+)="((?:[^"\\]|\\.)*)",?/g;
    let l: RegExpExecArray | null;
    while ((l = re.exec(m[2] ?? ""))) labels[l[1]] = l[2].replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
    out.push({ name: m[1], labels, value: m[3] });
  }
  return out;
}

/** Evaluate a snapshot object (written to a file, as a collector would leave it). */
function evaluateSnapshotObject(name: string, snapshot: unknown): Report {
  const path = join(tmp, `${name}.snapshot.json`);
  writeFileSync(path, JSON.stringify(snapshot));
  return evaluateFiles([path], { now: NOW });
}

const HOSTILE_HOSTS = [
  ["double quote and brace", 'dc1"} evil_metric{a="1'],
  ["backslash", "dc1\\\\corp\\n.example.test"],
  ["line feed", "dc1.example.test\nldaps_audit_fake 1"],
  ["non-ASCII", "dc1.exämple.test\u202e"],
] as const;

test.each(HOSTILE_HOSTS)("label values escape %s per the exposition format", (_name, host) => {
  const snapshot = loadExampleSnapshot("healthy-dc");
  snapshot.host.fqdn = host;
  const text = renderPrometheus(evaluateSnapshotObject("hostile", snapshot));
  const hosts = new Set(samples(text).filter((s) => "host" in s.labels).map((s) => s.labels.host));
  expect([...hosts]).toEqual([host]);
  // Nothing but our metrics: the host name did not start a line or a series of its own.
  expect(samples(text).every((s) => s.name.startsWith("ldaps_audit_"))).toBe(true);
});

test("labelValue: backslash, double quote and line feed, in that order", () => {
  expect(labelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
});

test("per target: compliance, expiry, one status series set to 1 per control; no network series without probe evidence", () => {
  const report = evaluateExample("healthy-dc");
  const s = samples(renderPrometheus(report));
  const t = report.targets[0];
  const of = (name: string) => s.filter((x) => x.name === `ldaps_audit_${name}`);
  expect(of("target_compliant").map((x) => x.value)).toEqual(["1"]);
  expect(of("predicted_certificate").map((x) => x.value)).toEqual(["1"]);
  const cert = t.certificates.find((c) => c.predicted)!;
  expect(Number(of("certificate_expiry_remaining_seconds")[0].value)).toBe((Date.parse(cert.notAfter) - NOW.getTime()) / 1000);
  expect(Math.floor(Number(of("certificate_expiry_remaining_seconds")[0].value) / 86400)).toBe(cert.daysToExpiry);
  expect(Number(of("certificate_not_after_timestamp_seconds")[0].value)).toBe(Date.parse(cert.notAfter) / 1000);
  expect(Number(of("last_run_timestamp_seconds")[0].value)).toBe(Date.parse(report.generatedAt) / 1000);
  for (const c of t.controls) {
    const series = of("control_status").filter((x) => x.labels.control === c.id);
    expect(series).toHaveLength(6);
    expect(series.filter((x) => x.value === "1").map((x) => x.labels.status)).toEqual([c.status]);
  }
  expect(of("endpoint_tls_handshake_ok")).toEqual([]);
  expect(of("endpoint_ldap_ok")).toEqual([]);
});

test("no predicted certificate: no expiry series (never a made-up number), predicted_certificate 0", () => {
  const s = samples(renderPrometheus(evaluateExample("expired")));
  expect(s.filter((x) => x.name.startsWith("ldaps_audit_certificate_"))).toEqual([]);
  expect(s.find((x) => x.name === "ldaps_audit_predicted_certificate")?.value).toBe("0");
  expect(s.find((x) => x.name === "ldaps_audit_target_compliant")?.value).toBe("0");
});

test("two targets with the same identity: refused in one line (the collector would reject duplicate series)", () => {
  const r = runCli(["evaluate", example("healthy-dc"), example("expired"), ...NOW_ARGS, "--format", "prometheus", "-o", join(tmp, "dup.prom")]);
  expectCleanError(r, 2, /two targets for dc1\.corp\.example\.test \(NTDS\).*one series per target/);
  expect(readdirSync(tmp).filter((n) => n.startsWith("dup") || n.startsWith(".dup"))).toEqual([]);
});

test("written atomically: a temp file in the same folder, not named *.prom, renamed into place", () => {
  const dir = mkdtempSync(join(tmp, "textfile-"));
  const target = join(dir, "ldaps-audit.prom");
  const rename = renameSync as unknown as jest.Mock;
  const err = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
  try {
    deliver(evaluateExample("healthy-dc"), { profile: "baseline", verbose: false, format: "prometheus" as never, output: target });
  } finally {
    err.mockRestore();
  }
  const call = rename.mock.calls.find(([, to]) => to === target);
  expect(call).toBeDefined();
  const from = String(call![0]);
  expect(dirname(from)).toBe(dir);
  expect(basename(from)).not.toMatch(/\.prom$/);
  expect(readdirSync(dir)).toEqual(["ldaps-audit.prom"]);
  expect(readFileSync(target, "utf8").endsWith("\n")).toBe(true);
});

test("check --report-dir with --format prometheus is refused (the collector would read every old file)", () => {
  const r = runCli(["check", "--report-dir", tmp, "--format", "prometheus"]);
  expectCleanError(r, 2, /--format prometheus with --report-dir/);
});

withPromtool("promtool check metrics", () => {
  const CASES = ["healthy-dc", "expired", "wrong-name", "adlds-instance", "clients-1220", "two-qualifying", "key-not-readable", "event-1220-no-certificate", "no-server-auth-eku"];

  test.each(CASES)("%s: the CLI's textfile passes promtool (lint included); exit code stays the pipeline's", (name) => {
    const out = join(tmp, `${name}.prom`);
    const r = runCli(["evaluate", example(name), ...NOW_ARGS, "--format", "prometheus", "-o", out]);
    const report = evaluateExample(name);
    expect(r.code).toBe(report.summary.noncompliant > 0 ? 1 : 0);
    expect(promtoolCheck(readFileSync(out, "utf8"))).toEqual({ code: 0, output: "" });
  });

  test.each(HOSTILE_HOSTS)("hostile host name (%s) still passes promtool", (_name, host) => {
    const snapshot = loadExampleSnapshot("healthy-dc");
    snapshot.host.fqdn = host;
    expect(promtoolCheck(renderPrometheus(evaluateSnapshotObject("hostile-promtool", snapshot)))).toEqual({ code: 0, output: "" });
  });

  test("promtool does catch what we guard against (the check is live)", () => {
    expect(promtoolCheck('ldaps_audit_x{host="a"b"} 1\n').code).not.toBe(0);
    expect(promtoolCheck("# TYPE ldaps_audit_days gauge\nldaps_audit_days 1\n").output).toMatch(/base unit/);
  });

  const haveSlapd = requirePeer("slapd", slapdPath() !== null, "apt-get install slapd ldap-utils");
  const haveOpenssl = requirePeer("openssl", hasCommand("openssl", ["version"]), "apt-get install openssl");
  (haveSlapd && haveOpenssl ? test : test.skip)(
    "probe evidence from a real slapd: handshake and LDAP series for the probed endpoint, handshake 0 on a closed port, no LDAP series where none was tried",
    async () => {
      const pki = new Pki();
      const { root, intermediate } = pki.hierarchy();
      const leaf = pki.issue("slapd", { cn: "dc1.example.test", san: "DNS:dc1.example.test,IP:127.0.0.1", eku: "serverAuth", keyUsage: "critical,digitalSignature,keyEncipherment" }, intermediate);
      const slapd = await startSlapd({ certFile: pki.write("served.pem", leaf.pem + intermediate.pem), keyFile: leaf.keyPath });
      try {
        const closed = await freePort();
        const probe = join(tmp, "slapd.probe.json");
        const ca = pki.write("root.pem", root.pem);
        const p = runCli(["probe", "127.0.0.1", "--ports", `${slapd.ldapsPort},${closed}`, "--servername", "dc1.example.test", "--ca", ca, "--no-versions", "-o", probe]);
        expect(p.stderr).not.toMatch(/internal error/);
        const out = join(tmp, "slapd.prom");
        runCli(["evaluate", probe, ...NOW_ARGS, "--format", "prometheus", "-o", out]);
        const text = readFileSync(out, "utf8");
        expect(promtoolCheck(text)).toEqual({ code: 0, output: "" });
        const s = samples(text);
        const hs = Object.fromEntries(s.filter((x) => x.name === "ldaps_audit_endpoint_tls_handshake_ok").map((x) => [x.labels.port, x.value]));
        expect(hs).toEqual({ [slapd.ldapsPort]: "1", [closed]: "0" });
        const ldap = Object.fromEntries(s.filter((x) => x.name === "ldaps_audit_endpoint_ldap_ok").map((x) => [x.labels.port, x.value]));
        expect(ldap).toEqual({ [slapd.ldapsPort]: "1" });
      } finally {
        await slapd.stop();
        pki.cleanup();
      }
    },
  );
});
