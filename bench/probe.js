#!/usr/bin/env node
// Probe throughput: ldaps-audit probe against 200 LDAPS endpoints on loopback (one real slapd with 200
// ldaps:// listeners, certificates made by the openssl CLI), compared in the same run with
// `testssl -p -S` and `nmap --script ssl-cert` on a small sample. Run after `npm run build`:
//   node bench/probe.js [--endpoints 200] [--sample 3] [--concurrency 32]
"use strict";
const { execFileSync, spawn, spawnSync } = require("node:child_process");
const { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } = require("node:fs");
const { createServer, connect } = require("node:net");
const { tmpdir } = require("node:os");
const { join } = require("node:path");

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const ENDPOINTS = opt("endpoints", 200);
const SAMPLE = opt("sample", 3);
const CONCURRENCY = opt("concurrency", 32);

let probeLib;
try {
  probeLib = require("../dist/lib/probe");
} catch (e) {
  console.error("bench/probe.js: build first (npm run build):", e.message);
  process.exit(3);
}

const which = (cmd) => ["/usr/sbin", "/usr/bin", "/usr/local/bin", "/usr/local/sbin", ...(process.env.PATH || "").split(":")].map((d) => join(d, cmd)).find((p) => existsSync(p)) || null;

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

function waitPort(port, ms) {
  const end = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tryOnce = () => {
      const s = connect({ host: "127.0.0.1", port });
      s.once("connect", () => (s.destroy(), resolve()));
      s.once("error", () => (Date.now() > end ? reject(new Error(`port ${port} not up`)) : setTimeout(tryOnce, 100)));
    };
    tryOnce();
  });
}

function pki(dir) {
  const o = (args) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  o(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-subj", "/CN=Bench Root", "-days", "30",
    "-addext", "basicConstraints=critical,CA:true", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
  o(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=dc1.example.test"]);
  writeFileSync(join(dir, "ext.cnf"), "subjectAltName=DNS:dc1.example.test,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n");
  o(["x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "30", "-extfile", "ext.cnf", "-out", "leaf.pem"]);
}

async function startSlapd(dir, ports) {
  const bin = which("slapd");
  if (!bin) throw new Error("slapd not installed (apt-get install slapd)");
  mkdirSync(join(dir, "db"));
  writeFileSync(join(dir, "slapd.conf"), [
    "include /etc/ldap/schema/core.schema", `pidfile ${dir}/slapd.pid`, "modulepath /usr/lib/ldap", "moduleload back_mdb",
    `TLSCertificateFile ${dir}/leaf.pem`, `TLSCertificateKeyFile ${dir}/leaf.key`, "threads 16",
    "database mdb", 'suffix "dc=example,dc=test"', `directory ${dir}/db`, "maxsize 10485760", "",
  ].join("\n"));
  const urls = ports.map((p) => `ldaps://127.0.0.1:${p}/`).join(" ");
  const child = spawn(bin, ["-f", join(dir, "slapd.conf"), "-h", urls, "-d", "0"], { detached: true, stdio: "ignore" });
  for (const p of ports) await waitPort(p, 15000);
  return child;
}

function timeRun(cmd, args) {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 28, timeout: 300000 });
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, status: r.status, out: r.stdout, err: r.stderr, error: r.error };
}

function table(rows) {
  const header = ["tool", "what", "endpoints", "seconds", "endpoints/s", "vs probe"];
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (c) => c.map((x, i) => String(x).padEnd(w[i])).join("  ");
  console.log(`\n${line(header)}\n${w.map((n) => "-".repeat(n)).join("  ")}\n${rows.map(line).join("\n")}`);
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "ldaps-audit-bench-probe-"));
  let slapd;
  try {
    pki(dir);
    const ports = [];
    while (ports.length < ENDPOINTS) {
      const p = await freePort();
      if (!ports.includes(p)) ports.push(p);
    }
    slapd = await startSlapd(dir, ports);
    const ca = [readFileSync(join(dir, "ca.pem"), "utf8")];
    const targets = ports.map((port) => ({ host: "127.0.0.1", port }));
    const rows = [];
    const runProbe = async (versions) => {
      const t = process.hrtime.bigint();
      const res = await probeLib.probeHosts(targets, { ca, servername: "dc1.example.test", concurrency: CONCURRENCY, timeoutMs: 10000, versions });
      const s = Number(process.hrtime.bigint() - t) / 1e9;
      const ok = res.filter((r) => r.snapshot.network.endpoints.every((e) => !e.failure && e.tls && e.tls.authorized && e.ldap && e.ldap.rootDse)).length;
      if (ok !== targets.length) console.error(`warning: ${targets.length - ok} endpoint(s) did not verify or read the rootDSE`);
      return s;
    };
    await runProbe(false); // warm-up (JIT, slapd threads)
    const base = await runProbe(false);
    const probeRate = ENDPOINTS / base;
    rows.push(["ldaps-audit probe", `TLS+chain+verify+rootDSE, concurrency ${CONCURRENCY}`, ENDPOINTS, base.toFixed(2), probeRate.toFixed(1), "1.0x"]);
    const withVersions = await runProbe(true);
    rows.push(["ldaps-audit probe", "same + TLS 1.0-1.3 one by one", ENDPOINTS, withVersions.toFixed(2), (ENDPOINTS / withVersions).toFixed(1), `${(probeRate / (ENDPOINTS / withVersions)).toFixed(1)}x slower`]);

    const sample = ports.slice(0, SAMPLE);
    const testssl = which("testssl") || which("testssl.sh");
    if (testssl) {
      let total = 0;
      for (const p of sample) {
        const r = timeRun(testssl, ["--quiet", "--color", "0", "--warnings", "off", "-p", "-S", "--add-ca", join(dir, "ca.pem"), `127.0.0.1:${p}`]);
        if (r.error) throw r.error;
        total += r.ms;
      }
      const rate = sample.length / (total / 1000);
      rows.push(["testssl -p -S", "protocols + server defaults, sequential", sample.length, (total / 1000).toFixed(2), rate.toFixed(2), `${(probeRate / rate).toFixed(0)}x slower`]);
    } else rows.push(["testssl", "not installed (apt-get install testssl.sh)", 0, "-", "-", "-"]);
    const nmap = which("nmap");
    if (nmap) {
      let total = 0;
      for (const p of sample) {
        const r = timeRun(nmap, ["-Pn", "-n", "-p", String(p), "--script", "ssl-cert", "127.0.0.1"]);
        if (r.error) throw r.error;
        total += r.ms;
      }
      const rate = sample.length / (total / 1000);
      rows.push(["nmap --script ssl-cert", "one run per endpoint, sequential", sample.length, (total / 1000).toFixed(2), rate.toFixed(2), `${(probeRate / rate).toFixed(0)}x slower`]);
      const all = timeRun(nmap, ["-Pn", "-n", "-p", ports.join(","), "--script", "ssl-cert", "127.0.0.1"]);
      const rateAll = ENDPOINTS / (all.ms / 1000);
      rows.push(["nmap --script ssl-cert", `all ${ENDPOINTS} ports in one run (parallel)`, ENDPOINTS, (all.ms / 1000).toFixed(2), rateAll.toFixed(1), `${(probeRate / rateAll).toFixed(1)}x slower`]);
    } else rows.push(["nmap", "not installed (apt-get install nmap)", 0, "-", "-", "-"]);
    console.log(`Probe benchmark: ${ENDPOINTS} LDAPS endpoints (one slapd, ${ENDPOINTS} ldaps:// listeners on 127.0.0.1), node ${process.versions.node}, OpenSSL ${process.versions.openssl}`);
    table(rows);
  } finally {
    if (slapd && slapd.pid) {
      try {
        process.kill(-slapd.pid, "SIGTERM");
      } catch {
        /* gone */
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`bench/probe.js: ${e.message}`);
  process.exitCode = 3;
});
