// Builds a synthetic fleet for benchmarks: 20 certificates made by the openssl CLI (one wildcard
// certificate that qualifies for every host, 19 others that do not), reused across N host snapshots.
"use strict";
const { execFileSync } = require("node:child_process");
const { mkdirSync, mkdtempSync, readFileSync, writeFileSync } = require("node:fs");
const { tmpdir } = require("node:os");
const { join } = require("node:path");

function openssl(dir, args) {
  execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
}

/** 20 DER certificates: index 0 qualifies for *.fleet.example.test, the rest miss one requirement each. */
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
  return { ders, files, root: readFileSync(join(dir, "ca.pem"), "utf8"), dir };
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

module.exports = { makeCertificates, hostSnapshot, writeFleet, tmp: () => mkdtempSync(join(tmpdir(), "ldaps-audit-bench-")) };
