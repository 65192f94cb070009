#!/usr/bin/env node
// Collector cost: one persistent PowerShell session for all queries (what lib/collect does) versus one
// pwsh process per query (the pattern many compliance tools use). Needs pwsh; prints a table.
"use strict";
const { execFileSync, spawnSync } = require("node:child_process");
const { existsSync, mkdtempSync, rmSync } = require("node:fs");
const { tmpdir } = require("node:os");
const { join } = require("node:path");

const QUERIES = Number(process.env.BENCH_QUERIES ?? 20);
const script = join(__dirname, "ps", "Read-BenchQuery.ps1");

function findPwsh() {
  for (const p of [join(__dirname, "..", ".tools", "pwsh", "pwsh"), ...(process.env.PATH ?? "").split(":").map((d) => join(d, "pwsh"))]) {
    if (existsSync(p)) return p;
  }
  return null;
}

async function main() {
  const pwsh = findPwsh();
  if (!pwsh) {
    console.log("collector bench skipped: pwsh not found (install: dotnet tool install --tool-path .tools/pwsh PowerShell --version 7.6.9, or run .ci/run)");
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), "ldaps-audit-bench-ps-"));
  try {
    const cert = join(dir, "c.pem");
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "k.pem"), "-out", cert, "-subj", "/CN=bench", "-days", "30"], { stdio: "ignore" });
    const { withPowerShell } = require("../dist/lib/collect");

    const t0 = Date.now();
    let sessionResults = 0;
    await withPowerShell({ executable: pwsh }, async (ps) => {
      for (let i = 0; i < QUERIES; i++) if ((await ps.runScript(script, { CertificatePath: cert, Index: i }, "bench")).thumbprint) sessionResults++;
    });
    const sessionMs = Date.now() - t0;

    const t1 = Date.now();
    let processResults = 0;
    for (let i = 0; i < QUERIES; i++) {
      const r = spawnSync(pwsh, ["-NoProfile", "-NonInteractive", "-File", script, "-CertificatePath", cert, "-Index", String(i)], { encoding: "utf8" });
      if (r.stdout.includes("LDAPS-AUDIT-RESULT:")) processResults++;
    }
    const processMs = Date.now() - t1;
    if (sessionResults !== QUERIES || processResults !== QUERIES) throw new Error(`answers: session ${sessionResults}, per-process ${processResults} of ${QUERIES}`);

    const rows = [
      ["one persistent session (lib/collect)", sessionMs, (sessionMs / QUERIES).toFixed(0), "1.0x"],
      ["one pwsh process per query", processMs, (processMs / QUERIES).toFixed(0), `${(processMs / sessionMs).toFixed(1)}x slower`],
    ];
    const w = [38, 9, 10, 14];
    console.log(`\n4. Collector cost: ${QUERIES} queries under ${pwsh.replace(/.*\.tools/, ".tools")}`);
    console.log(["method", "total ms", "ms/query", "ratio"].map((h, i) => h.padEnd(w[i])).join("  "));
    for (const r of rows) console.log(r.map((c, i) => String(c).padEnd(w[i])).join("  "));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`collector bench failed: ${e.message}`);
  process.exitCode = 1;
});
