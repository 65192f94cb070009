// Certificates for tests, made by the openssl CLI (never by the code under test).
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Issued {
  name: string;
  certPath: string;
  keyPath: string;
  pem: string;
  der: Buffer;
}

export interface LeafSpec {
  cn?: string;
  san?: string; // e.g. "DNS:dc1.example.test,IP:127.0.0.1"; omitted = no SAN extension
  eku?: string; // e.g. "serverAuth"; omitted = no EKU extension
  keyUsage?: string;
  key?: string; // openssl -newkey argument, default rsa:2048
  /** Certify this existing private key instead of generating one (a CA certified twice). */
  reuseKey?: string;
  md?: string; // digest, default sha256
  start?: string; // YYYYMMDDHHMMSSZ
  end?: string;
  ca?: boolean;
  pathlen?: number;
  /**
   * More lines for the [ ext ] section, e.g. "nameConstraints = critical,permitted;IP:10.0.0.0/255.0.0.0"
   * or a malformed "subjectAltName = DER:05:00"; a line for an extension the spec already sets replaces it.
   */
  extra?: string[];
  /** Whole sections after [ ext ] (for dirName:, otherName sequences, @alt name lists and the like). */
  sections?: string[];
}

export interface CrlSpec {
  /** Certificates the CRL lists as revoked (openssl lists whatever it is told, whoever issued it). */
  revoke?: Issued[];
  /** reason for every entry, e.g. "keyCompromise"; omitted = no reasonCode. */
  reason?: string;
  lastUpdate?: string; // YYYYMMDDHHMMSSZ
  nextUpdate?: string;
  /** false = no CRL Number extension (openssl only adds one when the config names a crlnumber file). */
  crlNumber?: boolean;
  /** More [ crl_ext ] lines, e.g. "issuingDistributionPoint = critical, @idp"; and whole sections they name. */
  extensions?: string[];
  sections?: string[];
  /** openssl -sigopt values for the CRL's signature, e.g. ["rsa_padding_mode:pss"]. */
  sigopts?: string[];
}

export class Pki {
  readonly dir: string;
  private serial = 4096;

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), "ldaps-audit-pki-"));
    writeFileSync(join(this.dir, "index.txt"), "");
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  openssl(args: string[], input?: string): string {
    return execFileSync("openssl", args, { cwd: this.dir, input, stdio: ["pipe", "pipe", "pipe"] }).toString();
  }

  private config(name: string, spec: LeafSpec): string {
    const ext: string[] = [];
    if (spec.ca) ext.push(`basicConstraints = critical,CA:true${spec.pathlen !== undefined ? `,pathlen:${spec.pathlen}` : ""}`, "keyUsage = critical,keyCertSign,cRLSign");
    else ext.push("basicConstraints = CA:false");
    if (spec.keyUsage) ext.push(`keyUsage = ${spec.keyUsage}`);
    if (spec.eku) ext.push(`extendedKeyUsage = ${spec.eku}`);
    if (spec.san) ext.push(`subjectAltName = ${spec.san}`);
    ext.push("subjectKeyIdentifier = hash");
    const key = (line: string) => line.split("=")[0].trim();
    const extra = spec.extra ?? [];
    const lines = [...ext.filter((l) => !extra.some((r) => key(r) === key(l))), ...extra];
    const path = join(this.dir, `${name}.cnf`);
    writeFileSync(
      path,
      [
        "[ ca ]", "default_ca = d", "[ d ]", `database = ${join(this.dir, "index.txt")}`, `new_certs_dir = ${this.dir}`,
        `serial = ${join(this.dir, `${name}.srl`)}`, `default_md = ${spec.md ?? "sha256"}`, "policy = p", "unique_subject = no",
        "[ p ]", "commonName = optional", "[ ext ]", ...lines, ...(spec.sections ?? []), "",
      ].join("\n"),
    );
    writeFileSync(join(this.dir, `${name}.srl`), (this.serial++).toString(16).padStart(4, "0") + "\n");
    return path;
  }

  /** Issue a certificate; `issuer` undefined = self-signed. */
  issue(name: string, spec: LeafSpec, issuer?: Issued): Issued {
    const keyPath = join(this.dir, `${name}.key`);
    const csr = join(this.dir, `${name}.csr`);
    const certPath = join(this.dir, `${name}.pem`);
    const subj = spec.cn === undefined ? "/O=Test" : `/O=Test/CN=${spec.cn}`;
    const key = spec.key ?? "rsa:2048";
    const newkey = key.startsWith("ec:") ? ["-newkey", "ec", "-pkeyopt", `ec_paramgen_curve:${key.slice(3)}`] : ["-newkey", key];
    if (spec.reuseKey) copyFileSync(spec.reuseKey, keyPath);
    this.openssl(["req", "-new", ...(spec.reuseKey ? ["-key", keyPath] : [...newkey, "-nodes", "-keyout", keyPath]), "-subj", subj, "-out", csr]);
    const cnf = this.config(name, spec);
    const start = spec.start ?? "20250101000000Z";
    const end = spec.end ?? "20450101000000Z";
    const signer = issuer ? ["-cert", issuer.certPath, "-keyfile", issuer.keyPath] : ["-selfsign", "-keyfile", keyPath];
    this.openssl(["ca", "-batch", "-notext", "-config", cnf, "-extensions", "ext", ...signer, "-startdate", start, "-enddate", end, "-md", spec.md ?? "sha256", "-in", csr, "-out", `${certPath}.full`]);
    this.openssl(["x509", "-in", `${certPath}.full`, "-out", certPath]);
    const pem = readFileSync(certPath, "utf8");
    const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ""), "base64");
    return { name, certPath, keyPath, pem, der };
  }

  /** A root and an intermediate, ready to sign leaves. */
  hierarchy(): { root: Issued; intermediate: Issued } {
    const root = this.issue("root", { cn: "Test Root CA", ca: true, key: "rsa:3072", start: "20200101000000Z", end: "20500101000000Z" });
    const intermediate = this.issue("intermediate", { cn: "Test Issuing CA", ca: true, pathlen: 0, start: "20200101000000Z", end: "20490101000000Z" }, root);
    return { root, intermediate };
  }

  /**
   * A CRL signed by `issuer` (openssl ca -revoke, then -gencrl), from a database of its own so it lists
   * only `spec.revoke`. Returns the DER.
   */
  crl(name: string, issuer: Issued, spec: CrlSpec = {}): Buffer {
    const db = join(this.dir, `${name}.crl-index.txt`);
    writeFileSync(db, "");
    const lines = ["[ ca ]", "default_ca = d", "[ d ]", `database = ${db}`, "default_md = sha256", "unique_subject = no", "crl_extensions = crl_ext", "[ crl_ext ]", "authorityKeyIdentifier = keyid:always"];
    if (spec.crlNumber !== false) {
      lines.splice(5, 0, `crlnumber = ${join(this.dir, `${name}.crlnumber`)}`);
      writeFileSync(join(this.dir, `${name}.crlnumber`), "1000\n");
    }
    const cnf = join(this.dir, `${name}.crl.cnf`);
    writeFileSync(cnf, [...lines, ...(spec.extensions ?? []), ...(spec.sections ?? []), ""].join("\n"));
    const signer = ["-config", cnf, "-cert", issuer.certPath, "-keyfile", issuer.keyPath];
    for (const c of spec.revoke ?? []) this.openssl(["ca", ...signer, "-revoke", c.certPath, ...(spec.reason ? ["-crl_reason", spec.reason] : [])]);
    const out = join(this.dir, `${name}.crl.der`);
    this.openssl(["ca", ...signer, "-gencrl", ...(spec.sigopts ?? []).flatMap((o) => ["-sigopt", o]), "-crl_lastupdate", spec.lastUpdate ?? "20300101000000Z", "-crl_nextupdate", spec.nextUpdate ?? "20310101000000Z", "-out", `${out}.pem`]);
    this.openssl(["crl", "-in", `${out}.pem`, "-outform", "DER", "-out", out]);
    return readFileSync(out);
  }

  pfx(name: string, cert: Issued, options: { password: string; withKey?: boolean; chain?: Issued[]; legacy?: boolean }): string {
    const out = join(this.dir, `${name}.pfx`);
    const args = ["pkcs12", "-export", "-in", cert.certPath, "-out", out, "-passout", `pass:${options.password}`];
    if (options.withKey === false) args.push("-nokeys");
    else args.push("-inkey", cert.keyPath);
    if (options.chain?.length) {
      const chainPath = join(this.dir, `${name}.chain.pem`);
      writeFileSync(chainPath, options.chain.map((c) => c.pem).join(""));
      args.push("-certfile", chainPath);
    }
    if (options.legacy) args.push("-legacy");
    this.openssl(args);
    return out;
  }

  /** SHA-1 fingerprint as openssl prints it, for cross-checking thumbprints. */
  fingerprint(cert: Issued): string {
    return this.openssl(["x509", "-in", cert.certPath, "-noout", "-fingerprint", "-sha1"]).split("=")[1].trim().replace(/:/g, "");
  }

  write(name: string, content: string | Buffer): string {
    const p = join(this.dir, name);
    writeFileSync(p, content);
    return p;
  }
}
