// Builds a synthetic fleet for benchmarks: 20 certificates made by the openssl CLI, reused across N host
// snapshots. At benchNow() all 20 are valid; the 3650-day wildcard "ok" qualifies for every host, and so do
// the four 1-day wildcards "shortN" (they fail LDAPS-C07, expiry runway, which does not take a certificate
// out of the service's choice: the host gets LDAPS-S02's ambiguity warning and still complies); the other
// 15 miss a selection requirement each (EKU or name).
"use strict";
const { execFileSync } = require("node:child_process");
const { X509Certificate } = require("node:crypto");
const { mkdirSync, mkdtempSync, readFileSync, writeFileSync } = require("node:fs");
const { tmpdir } = require("node:os");
const { join } = require("node:path");

function openssl(dir, args) {
  execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
}

/** 20 DER certificates: index 0 qualifies for *.fleet.example.test, the rest miss one requirement each (see above). */
function makeCertificates(dir) {
  const specs = [];
  specs.push(["ok", "DNS:*.fleet.example.test", "serverAuth", 3650]);
  for (let i = 1; i < 20; i++) {
    const kind = i % 4;
    if (kind === 0) specs.push([`client${i}`, `DNS:app${i}.example.test`, "clientAuth", 3650]);
    else if (kind === 1) specs.push([`other${i}`, `DNS:web${i}.example.test`, "serverAuth", 3650]);
    else if (kind === 2) specs.push([`noeku${i}`, `DNS:svc${i}.fleet.example.test`, null, 3650]);
    else specs.push([`short${i}`, `DNS:*.fleet.example.test`, "serverAuth", 1]);
  }
  openssl(dir, ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-subj", "/CN=Bench Root", "-days", "3650",
    "-addext", "basicConstraints=critical,CA:true", "-addext", "keyUsage=critical,keyCertSign"]);
  const ders = [];
  const files = [];
  for (const [name, san, eku, days] of specs) {
    openssl(dir, ["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${name}`]);
    const ext = [`subjectAltName=${san}`, ...(eku ? [`extendedKeyUsage=${eku}`] : [])].join("\n");
    writeFileSync(join(dir, `${name}.ext`), ext + "\n");
    openssl(dir, ["x509", "-req", "-in", `${name}.csr`, "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", String(days), "-extfile", `${name}.ext`, "-out", `${name}.pem`, "-outform", "PEM"]);
    openssl(dir, ["x509", "-in", `${name}.pem`, "-outform", "DER", "-out", `${name}.der`]);
    files.push(join(dir, `${name}.der`));
    ders.push(readFileSync(join(dir, `${name}.der`)));
  }
  // The 20 certificates as one PEM bundle: what `openssl storeutl` reads for one host.
  const bundle = join(dir, "bundle.pem");
  writeFileSync(bundle, ders.map((d) => new X509Certificate(d).toString()).join(""));
  return { ders, files, bundle, root: readFileSync(join(dir, "ca.pem"), "utf8"), dir, now: benchNow(ders) };
}

/**
 * The instant the fleet is judged at (--now): one hour after the newest notBefore. The certificates are
 * made at run time, so a fixed date would fall before them (and no host would comply); one hour later
 * every certificate is valid, the 3650-day ones for years and the 1-day ones for under a day (they miss
 * the remaining-validity requirement, which is their point).
 */
function benchNow(ders) {
  const newest = Math.max(...ders.map((d) => Date.parse(new X509Certificate(d).validFrom)));
  return new Date(newest + 3600 * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

const ACL = [{ identity: "NT AUTHORITY\\SYSTEM", sid: "S-1-5-18", rights: "FullControl", type: "Allow" }];

function hostSnapshot(i, ders) {
  return {
    schemaVersion: 1,
    collector: { name: "bench", synthetic: true },
    host: { fqdn: `dc${i}.fleet.example.test`, isDomainController: true, isGlobalCatalog: i % 3 === 0 },
    stores: [
      { name: "NTDS\\My", certificates: [] },
      {
        name: "LocalMachine\\My",
        certificates: ders.map((d) => ({
          der: d.toString("base64"),
          privateKey: { present: true, providerName: "Microsoft Software Key Storage Provider", providerType: 0, acl: ACL, strongProtection: false },
          chain: { built: true, status: [] },
        })),
      },
    ],
  };
}

/** Write N snapshot files into a fresh folder; returns their paths. */
function writeFleet(n, ders, parent) {
  const dir = join(parent, `fleet-${n}`);
  mkdirSync(dir, { recursive: true });
  const paths = [];
  for (let i = 0; i < n; i++) {
    const p = join(dir, `dc${i}.json`);
    writeFileSync(p, JSON.stringify(hostSnapshot(i, ders)));
    paths.push(p);
  }
  return paths;
}

module.exports = { makeCertificates, benchNow, hostSnapshot, writeFleet, tmp: () => mkdtempSync(join(tmpdir(), "ldaps-audit-bench-")) };
