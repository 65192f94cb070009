// The client half of the trust kit: for a bundle written by `probe --export-trust`, the exact configuration
// each kind of LDAP client needs to trust it. Every value that lands in a config line or a command is quoted
// for that language; a value no quoting can carry (a line break in a path for a one-line config file) is
// refused instead of escaped, because an escaped path would name a different file.
import { InputError } from "../errors";
import { shortText } from "../terminal";
import type { CertificateInfo } from "../x509/certificate";
import { selfSigned } from "./bundle";

export const TRUST_CLIENTS = ["openldap", "sssd", "java", "python", "dotnet", "windows"] as const;
export type TrustClient = (typeof TRUST_CLIENTS)[number];

export interface ClientKitOptions {
  /** The bundle's path on the client machine (absolute). */
  bundlePath: string;
  /** The certificates in the bundle, in file order. */
  certificates: CertificateInfo[];
  /** LDAPS URL host and port for the examples (default: a placeholder the reader replaces). */
  host?: string;
  port?: number;
  /** Java: where the truststore goes (default: next to the bundle, .p12). */
  truststore?: string;
}

export interface ClientKit {
  client: TrustClient;
  /** The configuration and commands, as lines (comments start with "#"). */
  lines: string[];
  /** One line each, for stderr. */
  warnings: string[];
}

/** POSIX shell: single quotes, a quote inside as '\''. */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** PowerShell: single-quoted string, a quote inside doubled (5.1 also ends strings at the typographic quotes). */
export function psQuote(s: string): string {
  return `'${s.replace(/['\u2018\u2019\u201a\u201b]/g, "$&$&")}'`;
}

/** Python 3 string literal, ASCII only (every other character as an escape). */
export function pyQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (cp >= 0x20 && cp < 0x7f) out += ch;
    else if (cp <= 0xff) out += `\\x${cp.toString(16).padStart(2, "0")}`;
    else if (cp <= 0xffff) out += `\\u${cp.toString(16).padStart(4, "0")}`;
    else out += `\\U${cp.toString(16).padStart(8, "0")}`;
  }
  return out + '"';
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/;

/**
 * A path that every client format below can carry: ldap.conf and sssd.conf take the rest of the line as the
 * value (no quoting, no escapes), so a control character or an edge space cannot be written there at all,
 * and in a command it would be invisible on the screen.
 */
export function checkedPath(path: string, option: string): string {
  if (!path || CONTROL.test(path) || path !== path.trim()) {
    throw new InputError(`${option} ${JSON.stringify(shortText(path, 120))}: a path with control characters or leading/trailing spaces cannot be written into ldap.conf or sssd.conf (they take the rest of the line, unquoted); move or rename the file`);
  }
  return path;
}

function url(o: ClientKitOptions): string {
  const host = o.host ? (o.host.includes(":") ? `[${o.host}]` : o.host) : "dc1.example.test";
  return `ldaps://${host}:${o.port ?? 636}`;
}

function pinWarnings(o: ClientKitOptions): string[] {
  const w: string[] = [];
  o.certificates.forEach((c, i) => {
    const isCa = c.basicConstraints.isCA;
    if (!isCa || (selfSigned(c) && (c.eku.serverAuth || c.san.dns.length > 0 || c.san.ip.length > 0) && !c.keyUsage.usages.includes("keyCertSign"))) {
      w.push(
        `certificate ${i + 1} of the bundle (${c.subject}, SHA-256 ${c.sha256}) is a server certificate, not a CA: a client trusting it pins that one certificate and will fail at the next renewal`,
      );
    }
  });
  if (o.certificates.length === 0) w.push("the bundle holds no certificate: a client given it trusts nothing");
  return w;
}

const openldapLines = (o: ClientKitOptions, who: string): string[] => [
  `# ${who}: OpenLDAP's libldap reads these (ldap.conf takes the rest of the line as the value: no quotes).`,
  "# System-wide: /etc/ldap/ldap.conf (Debian, Ubuntu) or /etc/openldap/ldap.conf (RHEL, SUSE); per user: ~/.ldaprc.",
  `TLS_CACERT ${o.bundlePath}`,
  "TLS_REQCERT demand",
  "# Or for one process, in its environment (check it with an anonymous rootDSE read):",
  `LDAPTLS_CACERT=${shQuote(o.bundlePath)} LDAPTLS_REQCERT=demand ldapsearch -H ${shQuote(url(o))} -x -b '' -s base`,
];

function javaLines(o: ClientKitOptions): string[] {
  const store = o.truststore ?? o.bundlePath.replace(/(\.[A-Za-z0-9]+)?$/, ".p12");
  // A truststore holds public certificates only, so it needs no secret to be read: keytool is told to store
  // them unencrypted and without a MAC, and the JVM then loads the store with no password at all. Without
  // these two properties keytool encrypts the certificates with the store password, and a JVM started without
  // -Djavax.net.ssl.trustStorePassword silently loads an EMPTY store (checked with OpenJDK 17 and 25), which
  // would push users to put the password on the command line, visible in every process list.
  const unprotected = "-J-Dkeystore.pkcs12.certProtectionAlgorithm=NONE -J-Dkeystore.pkcs12.macAlgorithm=NONE";
  const lines = [
    "# Java (JNDI, Spring LDAP, UnboundID, Keycloak): keytool imports ONE certificate per call, so each certificate",
    "# of the bundle is cut out and imported under its own alias into a PKCS#12 truststore. The certificates are",
    "# public, so the store is written unencrypted (certProtectionAlgorithm/macAlgorithm NONE, Java 11.0.12+ and 17+)",
    "# and the JVM reads it with no password: none is ever on a command line. keytool still asks for one when it",
    "# writes the store; it is read from the environment variable TRUSTSTORE_PASSWORD (set it first). With no MAC,",
    "# the file's permissions are what protect it: writable by its owner (root) only. POSIX shell (awk); on Windows",
    "# run them in WSL or Git Bash, or import each certificate with keytool -importcert -file.",
  ];
  o.certificates.forEach((c, i) => {
    const alias = `ldaps-ca-${i + 1}-${c.sha256.slice(0, 12).toLowerCase()}`;
    lines.push(
      `awk -v n=${i + 1} '/-----BEGIN CERTIFICATE-----/ { k++ } k == n' ${shQuote(o.bundlePath)} | keytool -importcert ${unprotected} -noprompt -alias ${shQuote(alias)} -keystore ${shQuote(store)} -storetype PKCS12 -storepass:env TRUSTSTORE_PASSWORD`,
    );
  });
  lines.push(
    "# Then start the JVM with the truststore and NO trustStorePassword (or set the same two properties in the",
    "# application's configuration):",
    `java -Djavax.net.ssl.trustStore=${shQuote(store)} -Djavax.net.ssl.trustStoreType=PKCS12 ...`,
    "# Check the truststore as the JVM reads it, with no password (press Enter at the prompt): it must list every",
    "# certificate; \"contains 0 entries\" means the store was written without the two properties above.",
    "# keytool -list -keystore " + shQuote(store),
  );
  return lines;
}

const pythonLines = (o: ClientKitOptions): string[] => [
  "# python-ldap: the TLS options apply to a connection only once OPT_X_TLS_NEWCTX is set, after the others.",
  "import ldap",
  `conn = ldap.initialize(${pyQuote(url(o))})`,
  `conn.set_option(ldap.OPT_X_TLS_CACERTFILE, ${pyQuote(o.bundlePath)})`,
  "conn.set_option(ldap.OPT_X_TLS_REQUIRE_CERT, ldap.OPT_X_TLS_DEMAND)",
  "conn.set_option(ldap.OPT_X_TLS_NEWCTX, 0)",
  'print(conn.search_s("", ldap.SCOPE_BASE, "(objectClass=*)", ["dnsHostName", "namingContexts"]))',
];

/**
 * Windows: roots into LocalMachine\Root, intermediates into LocalMachine\CA. Written for Windows PowerShell 5.1
 * (no PEM import in its .NET): each PEM block is decoded and added through X509Store. Run elevated.
 */
function windowsLines(o: ClientKitOptions, who: string): string[] {
  const lines = [
    `# ${who}: Windows (Schannel) trusts what is in the machine's stores. In an elevated Windows PowerShell 5.1 or 7,`,
    "# with the bundle copied to the path below: self-signed certificates go to Root, the others to CA (intermediates).",
    `$bundle = ${psQuote(o.bundlePath)}`,
    "$pem = [System.IO.File]::ReadAllText($bundle)",
    "foreach ($m in [regex]::Matches($pem, '-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\\s]+)-----END CERTIFICATE-----')) {",
    "    $der = [Convert]::FromBase64String(($m.Groups[1].Value -replace '\\s', ''))",
    "    $cert = New-Object System.Security.Cryptography.X509Certificates.X509Certificate2 -ArgumentList (,$der)",
    "    $name = 'CA'",
    "    if ($cert.Subject -eq $cert.Issuer) { $name = 'Root' }",
    "    $store = New-Object System.Security.Cryptography.X509Certificates.X509Store -ArgumentList $name, 'LocalMachine'",
    "    $store.Open('ReadWrite')",
    "    $store.Add($cert)",
    "    $store.Close()",
    "    Write-Output ('{0} -> LocalMachine\\{1} ({2})' -f $cert.Thumbprint, $name, $cert.Subject)",
    "}",
  ];
  if (o.certificates.length === 1) {
    const name = selfSigned(o.certificates[0]) ? "Root" : "CA";
    lines.push(
      "# The bundle holds one certificate, so certutil or Import-Certificate can take the file as it is:",
      `certutil -addstore -f ${name} ${psQuote(o.bundlePath)}`,
      `Import-Certificate -FilePath ${psQuote(o.bundlePath)} -CertStoreLocation Cert:\\LocalMachine\\${name}`,
    );
  }
  lines.push("# Domain-joined clients: distribute the root through Group Policy (Public Key Policies > Trusted Root Certification Authorities) instead.");
  return lines;
}

export function clientKit(client: TrustClient, o: ClientKitOptions): ClientKit {
  checkedPath(o.bundlePath, "the bundle path");
  if (o.truststore !== undefined) checkedPath(o.truststore, "--truststore");
  let lines: string[];
  switch (client) {
    case "openldap":
      lines = openldapLines(o, "ldapsearch and every libldap client");
      break;
    case "sssd":
      lines = [
        "# SSSD: in /etc/sssd/sssd.conf, section [domain/<your domain>] (value = rest of the line, no quotes); then",
        "# restart sssd and clear its cache (sss_cache -E).",
        `ldap_uri = ${url(o)}`,
        `ldap_tls_cacert = ${o.bundlePath}`,
        "ldap_tls_reqcert = demand",
        "# (id_provider = ad reads the same ldap_tls_cacert; with StartTLS on 389 also set ldap_id_use_start_tls = true.)",
      ];
      break;
    case "java":
      lines = javaLines(o);
      break;
    case "python":
      lines = pythonLines(o);
      break;
    case "dotnet":
      lines = [
        "# .NET System.DirectoryServices.Protocols (LdapConnection): on Windows it verifies through Schannel and the",
        "# machine's stores, so install the bundle as for Windows; on Linux and macOS it goes through OpenLDAP's libldap,",
        "# so it reads ldap.conf / LDAPTLS_CACERT as below. Do not set VerifyServerCertificate to accept everything.",
        "#",
        ...windowsLines(o, ".NET on Windows"),
        "#",
        ...openldapLines(o, ".NET on Linux/macOS"),
      ];
      break;
    case "windows":
      lines = windowsLines(o, "ldp.exe, AD tools and every Schannel client");
      break;
  }
  return { client, lines, warnings: pinWarnings(o) };
}
