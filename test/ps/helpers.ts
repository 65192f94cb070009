// Helpers for the pwsh tests: locate pwsh, make certificates with the openssl CLI (never with code under test),
// and write the JSON fixture the PowerShell shim (test/fixtures/ps/shim.ps1) answers from.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findExecutable, hasCommand } from "../helpers/peers";

export const repoRoot = join(__dirname, "..", "..");
export const shimPath = join(repoRoot, "test", "fixtures", "ps", "shim.ps1");

export function findPwsh(): string | null {
  return findExecutable("pwsh", [join(repoRoot, ".tools", "pwsh")]);
}

export function hasOpenssl(): boolean {
  return hasCommand("openssl", ["version"]);
}

export interface TestPki {
  dir: string;
  caDer: Buffer;
  leafDer: Buffer;
  leafThumbprint: string;
  leafPfx: string;
  oldDer: Buffer;
  oldThumbprint: string;
  oldPfx: string;
  password: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync("openssl", args, { cwd, stdio: "pipe" });
}

function derOf(pemFile: string, cwd: string): Buffer {
  return execFileSync("openssl", ["x509", "-in", pemFile, "-outform", "DER"], { cwd });
}

export function sha1Hex(der: Buffer): string {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  return (require("node:crypto") as typeof import("node:crypto")).createHash("sha1").update(der).digest("hex").toUpperCase();
}

/** A CA, a DC leaf for dc1.example.test (Server Authentication) and an older self-signed certificate, as PEM/DER/PFX. */
export function makePki(fqdn = "dc1.example.test"): TestPki {
  const dir = mkdtempSync(join(tmpdir(), "ldaps-audit-ps-"));
  const password = "pfx-pass";
  openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "3650", "-subj", "/CN=Example Test Root CA",
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"], dir);
  writeFileSync(join(dir, "leaf.ext"), `subjectAltName=DNS:${fqdn},DNS:example.test\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n`);
  openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", `/CN=${fqdn}`], dir);
  openssl(["x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "leaf.pem", "-days", "365", "-sha256", "-extfile", "leaf.ext"], dir);
  openssl(["pkcs12", "-export", "-in", "leaf.pem", "-inkey", "leaf.key", "-out", "leaf.pfx", "-passout", `pass:${password}`], dir);
  openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "old.key", "-out", "old.pem", "-days", "30", "-subj", `/CN=${fqdn}`,
    "-addext", "extendedKeyUsage=serverAuth"], dir);
  openssl(["pkcs12", "-export", "-in", "old.pem", "-inkey", "old.key", "-out", "old.pfx", "-passout", `pass:${password}`], dir);
  const leafDer = derOf("leaf.pem", dir);
  const oldDer = derOf("old.pem", dir);
  return {
    dir, password,
    caDer: derOf("ca.pem", dir),
    leafDer, leafThumbprint: sha1Hex(leafDer), leafPfx: join(dir, "leaf.pfx"),
    oldDer, oldThumbprint: sha1Hex(oldDer), oldPfx: join(dir, "old.pfx"),
  };
}

export function writeFixture(dir: string, fixture: unknown): string {
  const path = join(dir, `fixture-${Date.now()}-${Math.random().toString(16).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(fixture, null, 1));
  return path;
}

export function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, "utf8"));
}

/** CommandLineToArgvW's rules, to prove the task's argument line reads back as the intended vector. */
export function parseWindowsCommandLine(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === " " || line[i] === "\t") i++;
    if (i >= line.length) break;
    let arg = "";
    let quoted = false;
    for (; i < line.length; i++) {
      const ch = line[i];
      if (ch === "\\") {
        let n = 0;
        while (line[i] === "\\") { n++; i++; }
        if (line[i] === '"') { arg += "\\".repeat(Math.floor(n / 2)); if (n % 2) { arg += '"'; continue; } i--; continue; }
        arg += "\\".repeat(n); i--; continue;
      }
      if (ch === '"') { quoted = !quoted; continue; }
      if (!quoted && (ch === " " || ch === "\t")) break;
      arg += ch;
    }
    out.push(arg);
  }
  return out;
}
