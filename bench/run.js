#!/usr/bin/env node
// npm run bench: CLI cold start, evaluation throughput against the openssl-per-certificate baseline,
// and scaling in hosts. Prints tables; every comparison is measured in the same run.
"use strict";
const { execFileSync, spawnSync } = require("node:child_process");
const { rmSync, writeFileSync } = require("node:fs");
const { join } = require("node:path");
const fleet = require("./fleet");

const BIN = join(__dirname, "..", "bin", "ldaps-audit.js");
const EXAMPLE = join(__dirname, "..", "examples", "healthy-dc.snapshot.json");
const args = new Set(process.argv.slice(2));
const quick = args.has("--quick");

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Wall time (ms) and peak RSS (MB) of a child process, measured by GNU time when present. */
function measure(cmd, argv, opts = {}) {
  const start = process.hrtime.bigint();
  const r = spawnSync("/usr/bin/time", ["-f", "%M", cmd, ...argv], { encoding: "utf8", maxBuffer: 1 << 30, ...opts });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.error) throw r.error;
  const lines = r.stderr.trim().split("\n");
  return { ms, rssMb: Number(lines[lines.length - 1]) / 1024, status: r.status, stderr: r.stderr };
}

function table(title, header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join("  ");
  console.log(`\n${title}\n${line(header)}\n${widths.map((w) => "-".repeat(w)).join("  ")}\n${rows.map(line).join("\n")}`);
}

function coldStart() {
  const runs = quick ? 5 : 15;
  const sample = (argv) => median(Array.from({ length: runs }, () => measure(process.execPath, argv).ms));
  const floor = sample(["-e", "0"]);
  const version = sample([BIN, "--version"]);
  const evaluate = sample([BIN, "evaluate", EXAMPLE, "--now", "2026-11-24T00:00:00Z"]);
  table(`1. CLI cold start (median of ${runs} runs)`, ["command", "ms", "x floor"], [
    ["node -e 0 (floor)", floor.toFixed(0), "1.00"],
    ["ldaps-audit --version", version.toFixed(0), (version / floor).toFixed(2)],
    ["ldaps-audit evaluate healthy-dc", evaluate.toFixed(0), (evaluate / floor).toFixed(2)],
  ]);
}

function throughput(certs, dir) {
  const hosts = quick ? 200 : 1000;
  const paths = fleet.writeFleet(hosts, certs.ders, dir);
  const out = join(dir, "report.json");
  const ours = measure(process.execPath, [BIN, "evaluate", ...paths, "--now", "2026-11-24T00:00:00Z", "-o", out]);
  if (ours.status !== 0 && ours.status !== 1) throw new Error(`evaluate failed: ${ours.stderr}`);
  // Baseline: what an admin's script does, `openssl x509 -noout -text` per certificate (sampled, then per host).
  const sampleHosts = quick ? 5 : 20;
  const start = process.hrtime.bigint();
  for (let h = 0; h < sampleHosts; h++) {
    for (let c = 0; c < certs.ders.length; c++) {
      execFileSync("openssl", ["x509", "-inform", "DER", "-in", certs.files[c], "-noout", "-text"], { stdio: ["ignore", "pipe", "ignore"] });
    }
  }
  const baselinePerHostMs = Number(process.hrtime.bigint() - start) / 1e6 / sampleHosts;
  const oursPerHostMs = ours.ms / hosts;
  table(`2. Evaluation throughput: ${hosts} hosts x ${certs.ders.length} certificates, baseline profile`, ["method", "hosts/s", "peak RSS MB", "ratio"], [
    ["ldaps-audit evaluate (one process)", (1000 / oursPerHostMs).toFixed(1), ours.rssMb.toFixed(0), `${(baselinePerHostMs / oursPerHostMs).toFixed(1)}x faster`],
    [`openssl x509 -noout -text per cert (${sampleHosts} hosts sampled)`, (1000 / baselinePerHostMs).toFixed(1), "-", "1.0x"],
  ]);
  rmSync(join(dir, `fleet-${hosts}`), { recursive: true, force: true });
}

function scaling(certs, dir) {
  const sizes = quick ? [10, 100, 500] : [10, 100, 1000, 5000];
  const rows = [];
  let first;
  for (const n of sizes) {
    const paths = fleet.writeFleet(n, certs.ders, dir);
    const list = join(dir, `list-${n}.txt`);
    writeFileSync(list, paths.join("\n"));
    const r = measure(process.execPath, [BIN, "evaluate", ...paths, "--now", "2026-11-24T00:00:00Z", "-o", join(dir, `r-${n}.json`)]);
    first ??= { n, ms: r.ms };
    rows.push([n, r.ms.toFixed(0), (r.ms / n).toFixed(2), r.rssMb.toFixed(0), ((r.ms / n) / (first.ms / first.n)).toFixed(2)]);
    rmSync(join(dir, `fleet-${n}`), { recursive: true, force: true });
    rmSync(join(dir, `r-${n}.json`), { force: true });
  }
  table("3. Scaling in hosts (20 certificates each)", ["hosts", "total ms", "ms/host", "peak RSS MB", "ms/host vs smallest"], rows);
}

const dir = fleet.tmp();
try {
  coldStart();
  const certs = fleet.makeCertificates(dir);
  throughput(certs, dir);
  scaling(certs, dir);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
// The collector and probe benchmarks are scripts of their own (they need pwsh, or network peers).
for (const extra of ["collector.js", "firewall-log.js", "probe.js"]) {
  const path = join(__dirname, extra);
  if (require("node:fs").existsSync(path)) spawnSync(process.execPath, [path, ...(quick ? ["--quick"] : [])], { stdio: "inherit" });
}
