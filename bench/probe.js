#!/usr/bin/env node
// Probe throughput: the ldaps-audit CLI (`probe`, with its defaults and with --no-versions) against 200
// LDAPS endpoints on loopback (one real slapd with 200 ldaps:// listeners, certificates made by the openssl
// CLI), compared in the same run, interleaved, with one `nmap --script ssl-cert` over all the ports; plus
// `testssl -p -S` and nmap one endpoint at a time on a small sample. Run after `npm run build`:
//   node bench/probe.js [--endpoints 200] [--sample 3] [--rounds 3] [--quick]
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
const ROUNDS = opt("rounds", argv.includes("--quick") ? 1 : 3);
const goals = require("./goals");
const ENV = goals.cleanEnv();
const BIN = join(__dirname, "..", "bin", "ldaps-audit.js");

if (!existsSync(join(__dirname, "..", "dist", "lib", "cli", "main.js"))) {
  console.error("bench/probe.js: build first (npm run build)");
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
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 28, timeout: 300000, env: ENV });
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, status: r.status, out: r.stdout, err: r.stderr, error: r.error };
}

function table(rows) {
  const header = ["tool", "what", "endpoints", "seconds", "endpoints/s", "ratio"];
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
    const rows = [];
    // The CLI as a user runs it (its start-up included, as nmap's is): --concurrency and --timeout at
    // their defaults, by address with the certificate's name as --servername; JSON on stdout.
    const cli = (extra) => {
      const r = timeRun(process.execPath, [BIN, "probe", ...ports.map((p) => `127.0.0.1:${p}`), "--ca", join(dir, "ca.pem"), "--servername", "dc1.example.test", "--format", "json", ...extra]);
      if (r.error) throw r.error;
      let healthy = 0;
      try {
        for (const snap of JSON.parse(r.out)) for (const e of snap.network.endpoints) if (!e.failure && e.tls && e.tls.authorized && e.ldap && e.ldap.rootDse) healthy++;
      } catch (e) {
        throw new Error(`probe ${extra.join(" ")} exited ${r.status}: ${(r.err || e.message).trim().split("\n").pop()}`);
      }
      if (healthy !== ENDPOINTS) console.error(`warning: probe ${extra.join(" ")}: ${ENDPOINTS - healthy} endpoint(s) did not verify or read the rootDSE`);
      return r.ms;
    };
    const nmap = which("nmap");
    cli(["--no-versions"]); // warm-up (page cache, slapd threads)
    const cases = { defaults: () => cli([]), noVersions: () => cli(["--no-versions"]) };
    if (nmap) cases.nmap = () => {
      const r = timeRun(nmap, ["-Pn", "-n", "-p", ports.join(","), "--script", "ssl-cert", "127.0.0.1"]);
      if (r.error) throw r.error;
      const seen = (r.out.match(/Subject: commonName=dc1\.example\.test/g) || []).length;
      if (seen !== ENDPOINTS) console.error(`warning: nmap printed ${seen} of ${ENDPOINTS} certificates`);
      return r.ms;
    };
    const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
    const keys = Object.keys(cases);
    for (let r = 0; r < ROUNDS; r++) for (let i = 0; i < keys.length; i++) times[keys[(i + r) % keys.length]].push(cases[keys[(i + r) % keys.length]]());
    const med = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
    const rate = (ms) => ENDPOINTS / (ms / 1000);
    const ref = nmap ? rate(med(times.nmap)) : undefined;
    const vs = (r) => (ref ? `${(r / ref).toFixed(2)}x nmap` : "-");
    const dflt = rate(med(times.defaults));
    const nov = rate(med(times.noVersions));
    rows.push(["ldaps-audit probe (CLI defaults)", "TLS+chain+verify+rootDSE, TLS 1.0-1.3 versions, concurrency 32", ENDPOINTS, (med(times.defaults) / 1000).toFixed(2), dflt.toFixed(1), vs(dflt)]);
    rows.push(["ldaps-audit probe --no-versions", "TLS+chain+verify+rootDSE, concurrency 32", ENDPOINTS, (med(times.noVersions) / 1000).toFixed(2), nov.toFixed(1), vs(nov)]);
    if (nmap) {
      rows.push(["nmap --script ssl-cert", `all ${ENDPOINTS} ports in one run (nmap parallelises; one handshake, no verification, no LDAP)`, ENDPOINTS, (med(times.nmap) / 1000).toFixed(2), ref.toFixed(1), "1.00x nmap"]);
      goals.goal(`probe --no-versions vs nmap, ${ENDPOINTS} endpoints`, nov / ref, ">=", 2, `${nov.toFixed(0)} vs ${ref.toFixed(0)} endpoints/s`);
      goals.goal(`probe (CLI defaults) vs nmap, ${ENDPOINTS} endpoints`, dflt / ref, ">=", 0.6, `${dflt.toFixed(0)} vs ${ref.toFixed(0)} endpoints/s`);
    }
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
      rows.push(["testssl -p -S", "protocols + server defaults, sequential", sample.length, (total / 1000).toFixed(2), rate.toFixed(2), `${(rate / ref || 0).toFixed(3)}x nmap`]);
    } else rows.push(["testssl", "not installed (apt-get install testssl.sh)", 0, "-", "-", "-"]);
    if (nmap) {
      let total = 0;
      for (const p of sample) {
        const r = timeRun(nmap, ["-Pn", "-n", "-p", String(p), "--script", "ssl-cert", "127.0.0.1"]);
        if (r.error) throw r.error;
        total += r.ms;
      }
      const rate = sample.length / (total / 1000);
      rows.push(["nmap --script ssl-cert", "one run per endpoint, sequential", sample.length, (total / 1000).toFixed(2), rate.toFixed(2), `${(rate / ref || 0).toFixed(3)}x nmap`]);
    } else rows.push(["nmap", "not installed (apt-get install nmap)", 0, "-", "-", "-"]);
    console.log(`\nProbe benchmark: ${ENDPOINTS} LDAPS endpoints (one slapd, ${ENDPOINTS} ldaps:// listeners on 127.0.0.1), node ${process.versions.node}, OpenSSL ${process.versions.openssl}; median of ${ROUNDS} interleaved rounds; load average ${require("node:os").loadavg().map((x) => x.toFixed(2)).join(" ")}`);
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
