// A real OpenLDAP slapd (Debian: GnuTLS build) on loopback with its own config, mdb database and
// certificates, for probe tests. Started in its own process group and killed with it.
import { ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findExecutable } from "../../helpers/peers";
import { freePort, killGroup, trackPeer, waitForPort } from "./net";

export const SLAPD_SEARCH_DIRS = ["/usr/sbin", "/usr/local/sbin"];
export const slapdPath = (): string | null => findExecutable("slapd", SLAPD_SEARCH_DIRS);

export interface SlapdTls {
  certFile: string;
  keyFile: string;
  caFile?: string;
  /** GnuTLS priority string, e.g. "NORMAL:-VERS-TLS1.0:-VERS-TLS1.1". */
  cipherSuite?: string;
}

export interface Slapd {
  ldapsPort: number;
  ldapPort: number;
  dir: string;
  /** What slapd wrote on stderr (its log with `stats`). */
  log(): string;
  stop(): Promise<void>;
}

export const SLAPD_SUFFIX = "dc=example,dc=test";
export const SLAPD_ROOTDN = "cn=admin,dc=example,dc=test";
export const SLAPD_ROOTPW = "slapd-test-secret";

/** Active Directory rootDSE attributes slapd can publish (its core schema has none of them). */
const AD_ROOTDSE_TYPES: Record<string, string> = {
  dnsHostName: "( 1.2.840.113556.1.4.619 NAME 'dnsHostName' SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )",
  defaultNamingContext: "( 1.2.840.113556.1.4.99999.1 NAME 'defaultNamingContext' SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )",
};

export interface SlapdOptions {
  /** Extra rootDSE values, as an AD DC publishes them (slapd's `rootDSE` LDIF file); any bytes, base64 in the LDIF. */
  rootDse?: Partial<Record<keyof typeof AD_ROOTDSE_TYPES, string>>;
  /** Log every operation (-d stats) so a test can see what reached the server (log()). */
  stats?: boolean;
  /** Listen on these ports (a restart with another certificate keeps its address) instead of free ones. */
  ports?: { ldaps: number; ldap: number };
}

export async function startSlapd(tls: SlapdTls, options: SlapdOptions = {}): Promise<Slapd> {
  const bin = slapdPath();
  if (!bin) throw new Error("slapd not installed");
  const dir = mkdtempSync(join(tmpdir(), "ldaps-audit-slapd-"));
  mkdirSync(join(dir, "db"));
  const modulepath = ["/usr/lib/ldap", "/usr/lib/x86_64-linux-gnu/ldap", "/usr/lib/aarch64-linux-gnu/ldap"].find((d) => existsSync(join(d, "back_mdb.la")) || existsSync(join(d, "back_mdb.so")));
  const rootDse = Object.entries(options.rootDse ?? {});
  if (rootDse.length) {
    writeFileSync(join(dir, "rootdse.ldif"), `dn:\n${rootDse.map(([k, v]) => `${k}:: ${Buffer.from(v!, "utf8").toString("base64")}`).join("\n")}\n`);
  }
  const conf = [
    "include /etc/ldap/schema/core.schema",
    ...rootDse.map(([k]) => `attributetype ${AD_ROOTDSE_TYPES[k]}`),
    ...(rootDse.length ? [`rootDSE ${join(dir, "rootdse.ldif")}`] : []),
    `pidfile ${join(dir, "slapd.pid")}`,
    ...(options.stats ? ["loglevel stats"] : []),
    `argsfile ${join(dir, "slapd.args")}`,
    ...(modulepath ? [`modulepath ${modulepath}`, "moduleload back_mdb"] : []),
    `TLSCertificateFile ${tls.certFile}`,
    `TLSCertificateKeyFile ${tls.keyFile}`,
    ...(tls.caFile ? [`TLSCACertificateFile ${tls.caFile}`] : []),
    ...(tls.cipherSuite ? [`TLSCipherSuite ${tls.cipherSuite}`] : []),
    "database mdb",
    `suffix "${SLAPD_SUFFIX}"`,
    `rootdn "${SLAPD_ROOTDN}"`,
    `rootpw ${SLAPD_ROOTPW}`,
    `directory ${join(dir, "db")}`,
    "maxsize 10485760",
    "",
  ].join("\n");
  const confPath = join(dir, "slapd.conf");
  writeFileSync(confPath, conf);
  const ldapsPort = options.ports?.ldaps ?? (await freePort());
  const ldapPort = options.ports?.ldap ?? (await freePort());
  const child: ChildProcess = spawn(bin, ["-f", confPath, "-h", `ldaps://127.0.0.1:${ldapsPort}/ ldap://127.0.0.1:${ldapPort}/`, "-d", options.stats ? "stats" : "0"], {
    detached: true,
    stdio: ["ignore", "ignore", "pipe"],
  });
  trackPeer(child);
  let stderr = "";
  child.stderr?.on("data", (d) => (stderr += d.toString()));
  let exited: number | null = null;
  child.once("exit", (c) => (exited = c ?? -1));
  try {
    await waitForPort(ldapsPort, 300_000, () => exited !== null);
    await waitForPort(ldapPort, 300_000, () => exited !== null);
  } catch (e) {
    await killGroup(child);
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`slapd did not start (${(e as Error).message}): ${stderr.slice(-2000)}`);
  }
  return {
    ldapsPort,
    ldapPort,
    dir,
    log: () => stderr,
    stop: async () => {
      await killGroup(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
