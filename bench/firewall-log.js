#!/usr/bin/env node
// node bench/firewall-log.js [--quick] [--sizes 1,50,200]
// The collector's Windows Firewall log parser (ps/functions/Clients.ps1, Read-LdapsAuditFirewallLog) under real pwsh
// on generated pfirewall.log files (never committed): file size, lines/s and peak RSS against the file size, next to
// a baseline measured in the same run that loads the whole file ([System.IO.File]::ReadAllLines) and does nothing else.
// Also exports generateFirewallLog() for test/clients (the same real-format file, any size).
"use strict";
const { spawnSync } = require("node:child_process");
const { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } = require("node:fs");
const { tmpdir } = require("node:os");
const { join } = require("node:path");

const HEADER = [
  "#Version: 1.5",
  "#Software: Microsoft Windows Firewall",
  "#Time Format: Local",
  "#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path",
  "",
].join("\r\n");

const pad = (n) => String(n).padStart(2, "0");
/** "yyyy-MM-dd HH:mm:ss" of a Date in UTC (the generated log is read with TZ=UTC, so Local = UTC). */
function stamp(d) {
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/**
 * Writes a real-format pfirewall.log of about `bytes` bytes: rows spread evenly over `days` days before `now`
 * (oldest first, as Windows appends), a `ldapsEvery`-th row to 636/3269 from one of `sources` clients, the rest
 * to other ports. Returns what a parser with a window of `windowDays` must find.
 */
function generateFirewallLog(path, bytes, opts = {}) {
  const now = opts.now ?? new Date("2026-03-10T12:00:00Z");
  const days = opts.days ?? 14;
  const windowDays = opts.windowDays ?? 7;
  const ldapsEvery = opts.ldapsEvery ?? 50;
  const sources = opts.sources ?? 200;
  const avgLine = 100;
  const total = Math.max(1, Math.floor(bytes / avgLine));
  const start = now.getTime() - days * 86400000;
  const windowStart = stamp(new Date(now.getTime() - windowDays * 86400000));
  const step = (days * 86400000) / total;
  const other = [445, 53, 88, 389, 135, 5985, 3389];
  const fd = openSync(path, "w");
  let written = 0;
  let matched = 0;
  let outside = 0;
  const bySource = new Map();
  try {
    writeSync(fd, HEADER);
    written += HEADER.length;
    let chunk = [];
    let i = 0;
    while (written < bytes && i < total * 2) {
      const ts = stamp(new Date(start + Math.floor(i * step)));
      let line;
      if (i % ldapsEvery === 0) {
        const s = (i / ldapsEvery) % sources;
        const ip = s % 10 === 9 ? `fd00::${s.toString(16)}` : `10.${(s >> 8) & 255}.${s & 255}.${(s % 250) + 1}`;
        const port = s % 3 === 0 ? 3269 : 636;
        const action = s % 7 === 0 ? "DROP" : "ALLOW";
        line = `${ts} ${action} TCP ${ip} 10.0.0.1 ${49152 + (i % 16000)} ${port} 52 S 1234567 0 64240 - - - RECEIVE`;
        if (ts >= windowStart) {
          matched++;
          bySource.set(ip, (bySource.get(ip) ?? 0) + 1);
        } else outside++;
      } else {
        const port = other[i % other.length];
        line = `${ts} ALLOW ${port === 53 ? "UDP" : "TCP"} 10.20.${i % 200}.${(i % 250) + 1} 10.0.0.1 ${49152 + (i % 16000)} ${port} 0 - 0 0 0 - - - RECEIVE`;
      }
      chunk.push(line);
      written += line.length + 2;
      i++;
      if (chunk.length === 20000) {
        writeSync(fd, chunk.join("\r\n") + "\r\n");
        chunk = [];
      }
    }
    if (chunk.length) writeSync(fd, chunk.join("\r\n") + "\r\n");
    return { path, bytes: written, lines: i + 5, matched, outsideWindow: outside, sources: bySource.size, bySource, windowStart };
  } finally {
    closeSync(fd);
  }
}

const REPO = join(__dirname, "..");

function findPwsh() {
  for (const d of [join(REPO, ".tools", "pwsh"), ...(process.env.PATH ?? "").split(":")]) {
    if (d && existsSync(join(d, "pwsh"))) return join(d, "pwsh");
  }
  return null;
}

/** The driver: dot-source the collector's parser, stream one file, print the statistics as JSON. */
function driver(dir) {
  const p = join(dir, "drive.ps1");
  writeFileSync(
    p,
    [
      "param([string]$Path, [string]$Mode, [string]$Start)",
      "Set-StrictMode -Version Latest",
      "$ErrorActionPreference = 'Stop'",
      `. '${join(REPO, "ps", "functions", "Common.ps1")}'`,
      `. '${join(REPO, "ps", "functions", "Clients.ps1")}'`,
      "$sw = [System.Diagnostics.Stopwatch]::StartNew()",
      "if ($Mode -eq 'whole') { $n = [System.IO.File]::ReadAllLines($Path).Length; $r = [ordered]@{ lines = $n; matched = 0; sources = 0 } }",
      "else { $src = @{}; $s = Read-LdapsAuditFirewallLog -Path $Path -Ports @(636, 3269) -Start ([datetime]::Parse($Start, [Globalization.CultureInfo]::InvariantCulture, [Globalization.DateTimeStyles]::AdjustToUniversal)) -Sources $src",
      "  $r = [ordered]@{ lines = $s.lines; matched = $s.matched; sources = $src.Count } }",
      "$r.ms = $sw.ElapsedMilliseconds",
      "$r | ConvertTo-Json -Compress",
    ].join("\n"),
  );
  return p;
}

function run(pwsh, script, path, mode, start) {
  const r = spawnSync("/usr/bin/time", ["-f", "%M", pwsh, "-NoProfile", "-NonInteractive", "-File", script, "-Path", path, "-Mode", mode, "-Start", start], {
    encoding: "utf8",
    env: { ...process.env, TZ: "UTC" },
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) throw new Error(`pwsh failed (${r.status}): ${r.stderr}`);
  const err = r.stderr.trim().split("\n");
  const out = JSON.parse(r.stdout.trim().split("\n").pop());
  return { ...out, rssMb: Number(err[err.length - 1]) / 1024 };
}

function table(title, header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join("  ");
  console.log(`\n${title}\n${line(header)}\n${widths.map((w) => "-".repeat(w)).join("  ")}\n${rows.map(line).join("\n")}`);
}

function main() {
  const argv = process.argv.slice(2);
  const quick = argv.includes("--quick");
  const sizesArg = argv.find((a, i) => argv[i - 1] === "--sizes");
  const sizes = (sizesArg ?? (quick ? "1,20" : "1,50,100,200")).split(",").map(Number);
  const pwsh = findPwsh();
  if (!pwsh) {
    console.error("pwsh not found (install with: dotnet tool install --tool-path .tools/pwsh PowerShell --version 7.6.9, or run .ci/run)");
    process.exit(3);
  }
  const dir = mkdtempSync(join(tmpdir(), "ldaps-audit-fwbench-"));
  const script = driver(dir);
  const rows = [];
  try {
    for (const mb of sizes) {
      const path = join(dir, `pfirewall-${mb}mb.log`);
      const g = generateFirewallLog(path, mb * 1024 * 1024);
      const s = run(pwsh, script, path, "stream", g.windowStart.replace(" ", "T") + "Z");
      if (s.matched !== g.matched || s.sources !== g.sources) throw new Error(`parser found ${s.matched} rows / ${s.sources} sources, expected ${g.matched} / ${g.sources}`);
      const w = mb <= 200 ? run(pwsh, script, path, "whole", "") : null;
      const fileMb = g.bytes / 1048576;
      rows.push([
        fileMb.toFixed(1),
        g.lines.toLocaleString("en"),
        (s.ms / 1000).toFixed(2),
        Math.round(g.lines / (s.ms / 1000)).toLocaleString("en"),
        (fileMb / (s.ms / 1000)).toFixed(1),
        s.rssMb.toFixed(0),
        (s.rssMb / fileMb).toFixed(2),
        w ? w.rssMb.toFixed(0) : "-",
        `${s.matched} rows, ${s.sources} sources`,
      ]);
      rmSync(path, { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  table(
    `Windows Firewall log parser (Read-LdapsAuditFirewallLog) under ${pwsh}, TZ=UTC; 1 row in 50 to 636/3269, half the rows inside the 7-day window`,
    ["file MB", "lines", "seconds", "lines/s", "MB/s", "peak RSS MB (stream)", "RSS / file", "peak RSS MB (ReadAllLines baseline)", "found"],
    rows,
  );
}

module.exports = { generateFirewallLog, HEADER, stamp };

if (require.main === module) main();
