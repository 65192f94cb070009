// The collector's Windows Firewall log parser (ps/functions/Clients.ps1, Read-LdapsAuditFirewallLog) under real pwsh:
// real-format pfirewall.log files (#Version / #Software / #Time Format / #Fields, space-separated rows), IPv6, a
// truncated last line, an empty log, headers only, rows outside the window, other ports and outbound rows, a custom
// #Fields order, UTC and local time formats, the source cap, and a large generated file read with bounded memory
// (speed is measured in bench/firewall-log.js, not here).
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requirePeer } from "../helpers/peers";
import { findPwsh, repoRoot } from "../ps/helpers";

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { generateFirewallLog } = require("../../bench/firewall-log.js") as {
  generateFirewallLog: (path: string, bytes: number, opts?: Record<string, unknown>) => { bytes: number; lines: number; matched: number; outsideWindow: number; sources: number; windowStart: string; bySource: Map<string, number> };
};

const pwsh = findPwsh();
const ready = requirePeer("pwsh", pwsh !== null, "install with: dotnet tool install --tool-path .tools/pwsh PowerShell --version 7.6.9 (or run .ci/run)");

interface Stats { lines: number; matched: number; outsideWindow: number; outbound: number; malformed: number; untracked: number; timeFormat: string; headerFound: boolean; bytes: number }
interface Source { ip: string; count: number; allow: number; drop: number; ports: Record<string, number>; first: string; last: string }
interface Result { stats?: Stats; sources?: Source[]; error?: string; errorType?: string }

const DRIVER = [
  "param([string]$CasesPath)",
  "Set-StrictMode -Version Latest",
  "$ErrorActionPreference = 'Stop'",
  `. '${join(repoRoot, "ps", "functions", "Common.ps1")}'`,
  `. '${join(repoRoot, "ps", "functions", "Clients.ps1")}'`,
  "$out = New-Object System.Collections.Generic.List[object]",
  "foreach ($c in @([System.IO.File]::ReadAllText($CasesPath) | ConvertFrom-Json)) {",
  "  $start = [datetime]::Parse([string]$c.start, [Globalization.CultureInfo]::InvariantCulture, [Globalization.DateTimeStyles]::AdjustToUniversal)",
  "  $src = @{}",
  "  try {",
  "    $stats = Read-LdapsAuditFirewallLog -Path ([string]$c.path) -Ports ([int[]]@($c.ports)) -Start $start -Sources $src -MaxSources ([int]$c.maxSources)",
  "    $list = @(foreach ($s in @($src.Values | Sort-Object -Property ip)) { [ordered]@{ ip = $s.ip; count = $s.count; allow = $s.allow; drop = $s.drop; ports = $s.ports; first = (ConvertFrom-LdapsAuditFirewallStamp -Stamp $s.first -Utc $s.utc); last = (ConvertFrom-LdapsAuditFirewallStamp -Stamp $s.last -Utc $s.utc) } })",
  "    $out.Add([ordered]@{ stats = $stats; sources = $list })",
  "  } catch { $out.Add([ordered]@{ error = [string]$_.Exception.Message; errorType = $_.Exception.GetType().FullName }) }",
  "}",
  "[ordered]@{ results = $out.ToArray() } | ConvertTo-Json -Depth 8 -Compress",
].join("\n");

interface Case { path: string; ports?: number[]; start: string; maxSources?: number }

function parse(dir: string, cases: Case[], tz = "UTC"): { results: Result[] } {
  const driver = join(dir, "drive.ps1");
  writeFileSync(driver, DRIVER);
  const casesPath = join(dir, `cases-${Math.random().toString(16).slice(2)}.json`);
  writeFileSync(casesPath, JSON.stringify(cases.map((c) => ({ ports: [636, 3269], maxSources: 10000, ...c }))));
  const out = execFileSync(pwsh!, ["-NoProfile", "-NonInteractive", "-File", driver, "-CasesPath", casesPath], { encoding: "utf8", env: { ...process.env, TZ: tz }, timeout: 120000 });
  const doc = JSON.parse(out.trim().split("\n").pop()!) as { results: Result[] | Result };
  return { results: Array.isArray(doc.results) ? doc.results : [doc.results] };
}

const HEAD = ["#Version: 1.5", "#Software: Microsoft Windows Firewall", "#Time Format: Local", "#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path", ""];
const START = "2026-03-03T12:00:00Z";

(ready ? describe : describe.skip)("Windows Firewall log parser under pwsh", () => {
  let dir: string;
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  let results: Result[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "ldaps-audit-fwlog-"));
    const real = file(
      "pfirewall.log",
      [
        ...HEAD,
        "2026-03-01 09:00:00 ALLOW TCP 10.0.0.7 10.0.0.1 50100 636 52 S 1 0 64240 - - - RECEIVE", // before the window
        "2026-03-04 08:00:00 ALLOW TCP 10.0.0.7 10.0.0.1 50101 636 52 S 1 0 64240 - - - RECEIVE",
        "2026-03-04 08:00:01 ALLOW TCP 10.0.0.7 10.0.0.1 50102 445 52 S 1 0 64240 - - - RECEIVE", // other port
        "2026-03-05 10:00:00 DROP TCP 10.0.0.7 10.0.0.1 50103 3269 52 S 1 0 64240 - - - RECEIVE",
        "2026-03-06 11:00:00 ALLOW TCP fe80::1c2d:3e4f:5a6b:7c8d fe80::1 50104 636 72 S 1 0 64800 - - - RECEIVE",
        "2026-03-06 11:00:01 ALLOW TCP 10.0.0.1 10.0.0.2 636 50105 52 SA 1 1 64240 - - - RECEIVE", // src-port 636: not a destination
        "2026-03-06 11:00:02 ALLOW TCP 10.0.0.1 10.0.0.9 50106 636 52 S 1 0 64240 - - - SEND", // this host was the client
        "2026-03-07 12:00:00 ALLOW UDP 10.0.0.8 10.0.0.1 50107 636 0 - - - - - - - RECEIVE", // UDP to 636 still counts as an attempt
        "2026-03-08 13:00:00 ALLOW TCP 10.0.0.5 10.0.0.1 50108 6360 52 S 1 0 64240 - - - RECEIVE", // 6360 is not 636
        "2026-03-08 14:00 ALLOW TCP 10.0.0.6 10.0.0.1 50109 636 ", // bad time: malformed
        "2026-03-09 15:00:00 ALLOW 636 ", // too few columns: malformed
        "2026-03-09 16:00:00 ALLOW TCP 10.0.0.9 10.0.0.1 5", // truncated mid-row, no port: ignored
        "2026-03-09 17:30:00 ALLOW TCP 10.0.0.7 10.0.0.1 50110 636 52 S 1 0 642", // truncated last line (no newline), columns up to dst-port present
      ].join("\r\n"),
    );
    const lf = file("lf.log", [...HEAD, "2026-03-09 10:00:00 ALLOW TCP 192.0.2.10 10.0.0.1 50000 3269 52 S 1 0 64240 - - - RECEIVE", ""].join("\n"));
    const empty = file("empty.log", "");
    const headers = file("headers.log", HEAD.join("\r\n"));
    const custom = file(
      "custom.log",
      ["#Version: 1.5", "#Time Format: UTC", "#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path pid", "",
        "2026-03-09 10:00:00 ALLOW TCP 10.1.1.1 10.0.0.1 50000 636 52 S 1 0 64240 - - - RECEIVE 712", ""].join("\r\n"),
    );
    const reordered = file("reordered.log", ["#Fields: time date src-ip dst-port action", "10:00:00 2026-03-09 10.2.2.2 636 DROP", "10:00:00 2026-03-09 10.2.2.3 389 ALLOW", ""].join("\r\n"));
    const noHeader = file("noheader.log", ["2026-03-09 10:00:00 ALLOW TCP 10.3.3.3 10.0.0.1 50000 636 52 S 1 0 64240 - - - RECEIVE", ""].join("\r\n"));
    const badHeader = file("badheader.log", ["#Fields: date time action", "2026-03-09 10:00:00 ALLOW 636 x", ""].join("\r\n"));
    const many = file("many.log", [...HEAD, ...[1, 2, 3, 4].map((n) => `2026-03-09 10:00:0${n} ALLOW TCP 10.4.4.${n} 10.0.0.1 50000 636 52 S 1 0 64240 - - - RECEIVE`), "2026-03-09 10:00:09 ALLOW TCP 10.4.4.1 10.0.0.1 50000 636 52 S 1 0 64240 - - - RECEIVE", ""].join("\r\n"));
    results = parse(dir, [
      { path: real, start: START },
      { path: lf, start: START },
      { path: empty, start: START },
      { path: headers, start: START },
      { path: custom, start: START },
      { path: reordered, start: START },
      { path: noHeader, start: START },
      { path: badHeader, start: START },
      { path: many, start: START, maxSources: 2 },
      { path: join(dir, "missing.log"), start: START },
      { path: real, start: START, ports: [50636] },
    ]).results;
  });

  test("real-format log: per source IP, ALLOW/DROP, per port, first/last; window, other ports, outbound, malformed and truncated rows", () => {
    const { stats, sources } = results[0];
    expect(stats).toMatchObject({ lines: 18, matched: 5, outsideWindow: 1, outbound: 1, malformed: 2, untracked: 0, timeFormat: "Local", headerFound: true });
    expect(sources).toEqual([
      { ip: "10.0.0.7", count: 3, allow: 2, drop: 1, ports: { "636": 2, "3269": 1 }, first: "2026-03-04T08:00:00.000Z", last: "2026-03-09T17:30:00.000Z" },
      { ip: "10.0.0.8", count: 1, allow: 1, drop: 0, ports: { "636": 1 }, first: "2026-03-07T12:00:00.000Z", last: "2026-03-07T12:00:00.000Z" },
      { ip: "fe80::1c2d:3e4f:5a6b:7c8d", count: 1, allow: 1, drop: 0, ports: { "636": 1 }, first: "2026-03-06T11:00:00.000Z", last: "2026-03-06T11:00:00.000Z" },
    ]);
  });

  test("LF line endings read the same as CRLF", () => {
    expect(results[1].sources).toEqual([expect.objectContaining({ ip: "192.0.2.10", count: 1, ports: { "3269": 1 } })]);
  });

  test("an empty log and a log with only headers give no sources and no error", () => {
    expect(results[2]).toMatchObject({ stats: { lines: 0, matched: 0, bytes: 0, headerFound: false }, sources: [] });
    expect(results[3]).toMatchObject({ stats: { lines: 4, matched: 0, headerFound: true }, sources: [] });
  });

  test("#Fields decides the columns (extra pid column, reordered columns); #Time Format: UTC is honoured; no header uses Windows' order", () => {
    expect(results[4].stats!.timeFormat).toBe("UTC");
    expect(results[4].sources).toEqual([expect.objectContaining({ ip: "10.1.1.1", first: "2026-03-09T10:00:00.000Z" })]);
    expect(results[5].sources).toEqual([expect.objectContaining({ ip: "10.2.2.2", count: 1, drop: 1, allow: 0 })]);
    expect(results[6].sources).toEqual([expect.objectContaining({ ip: "10.3.3.3", count: 1 })]);
  });

  test("a #Fields header without the needed columns is an error, not silence", () => {
    expect(results[7].error).toMatch(/lacks date, time, src-ip or dst-port/);
  });

  test("the source cap bounds memory: later sources are only counted", () => {
    expect(results[8].stats).toMatchObject({ matched: 5, untracked: 2 });
    expect(results[8].sources!.map((s) => [s.ip, s.count])).toEqual([["10.4.4.1", 2], ["10.4.4.2", 1]]);
  });

  test("a missing file throws (the collector records it as a structured error)", () => {
    expect(results[9].errorType).toMatch(/FileNotFound|MethodInvocation/);
  });

  test("the port set decides: an AD LDS SSL port finds nothing in an AD DS log", () => {
    expect(results[10]).toMatchObject({ stats: { matched: 0 }, sources: [] });
  });

  test("#Time Format: Local is converted with the host's time zone", () => {
    const tokyo = parse(dir, [{ path: join(dir, "lf.log"), start: START }], "Asia/Tokyo").results[0];
    expect(tokyo.sources![0].first).toBe("2026-03-09T01:00:00.000Z"); // 10:00 JST = 01:00 UTC
  });

  // Memory is the machine's, not the code's, to a test: the flat working set of streaming is measured in
  // bench/firewall-log.js (peak RSS against file size, next to a load-it-whole baseline). Here: exact counts.
  test("a large generated log is read to the end with exact counts", () => {
    const small = generateFirewallLog(join(dir, "small.log"), 256 * 1024);
    const big = generateFirewallLog(join(dir, "big.log"), 16 * 1024 * 1024);
    const start = big.windowStart.replace(" ", "T") + "Z";
    const a = parse(dir, [{ path: join(dir, "small.log"), start }]);
    const b = parse(dir, [{ path: join(dir, "big.log"), start }]);
    expect(a.results[0].stats!.matched).toBe(small.matched);
    expect(b.results[0].stats!.matched).toBe(big.matched);
    expect(b.results[0].sources!.length).toBe(big.sources);
  });
});
