// The trust kit without a network peer: which certificates the bundle holds for a presented chain (a table),
// quoting checked by the real interpreters (sh, python3, pwsh), paths no config format can carry refused,
// hostile certificate names kept off the terminal, and the Windows snippet run by real PowerShell.
import { execFileSync, spawnSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import type { Snapshot } from "../../lib/snapshot";
import { renderBundle, trustBundle } from "../../lib/trust/bundle";
import { defaultAnchors } from "../../lib/trust/export";
import { checkedPath, clientKit, psQuote, pyQuote, shQuote, TRUST_CLIENTS } from "../../lib/trust/clients";
import { parseCertificate } from "../../lib/x509/certificate";
import { Pki, Issued } from "../helpers/openssl";
import { hasCommand, requirePeer } from "../helpers/peers";
import { expectTerminalSafe, MARK } from "../helpers/terminal";
import { findPwsh, repoRoot } from "../ps/helpers";
import { PYTHON, run } from "./helpers";

const haveOpenssl = requirePeer("openssl", hasCommand("openssl", ["version"]), "apt-get install openssl");
const d = haveOpenssl ? describe : describe.skip;
const NOW = new Date("2030-06-01T00:00:00Z");

function probeSnapshot(chains: Issued[][]): Snapshot {
  return {
    schemaVersion: 1,
    collector: { name: "ldaps-audit-probe" },
    host: { fqdn: "dc1.example.test" },
    network: {
      endpoints: chains.map((chain, i) => ({
        host: "dc1.example.test",
        address: "127.0.0.1",
        port: [636, 3269, 389][i],
        mode: i === 2 ? ("starttls" as const) : ("ldaps" as const),
        purpose: i === 1 ? ("gc" as const) : ("ldap" as const),
        servername: "dc1.example.test",
        failure: null,
        tls: { protocol: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384", chain: chain.map((c) => c.der.toString("base64")), authorized: true, authorizationError: null, hostnameMatches: true },
        versions: null,
        ldap: null,
      })),
    },
  };
}

d("trust kit", () => {
  let pki: Pki;
  let root: Issued;
  let intermediate: Issued;
  let leaf: Issued;
  let selfLeaf: Issued;
  let directLeaf: Issued;
  let otherRoot: Issued;
  let hostile: Issued;
  let dir: string;

  beforeAll(() => {
    pki = new Pki();
    ({ root, intermediate } = pki.hierarchy());
    const spec = { cn: "dc1.example.test", san: "DNS:dc1.example.test", eku: "serverAuth" };
    leaf = pki.issue("leaf", spec, intermediate);
    directLeaf = pki.issue("direct", spec, root);
    selfLeaf = pki.issue("self", spec);
    otherRoot = pki.issue("other", { cn: "Other Root", ca: true });
    hostile = pki.issue("hostile", { cn: `evil\n${MARK}\x1b[2J\u202e`, san: "DNS:dc1.example.test", eku: "serverAuth" });
    dir = mkdtempSync(join(tmpdir(), "ldaps-audit-kit-"));
  });
  afterAll(() => {
    pki?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const names = (certs: Array<{ subject: string; role: string }>) => certs.map((c) => `${c.role}:${/CN=([^,]+)/.exec(c.subject)?.[1]}`);

  // presented chain (leaf first), --ca anchors -> the bundle's certificates, endpoints not covered, a warning pattern
  const table: Array<[string, () => Issued[], () => Issued[], string[], number, RegExp | null]> = [
    ["leaf + intermediate presented, root from --ca", () => [leaf, intermediate], () => [root], ["intermediate:Test Issuing CA", "root:Test Root CA"], 0, null],
    ["leaf only presented, root and intermediate from --ca", () => [leaf], () => [root, intermediate], ["intermediate:Test Issuing CA", "root:Test Root CA"], 0, null],
    ["leaf only presented, --ca holds only the intermediate: the intermediate is the anchor", () => [leaf], () => [intermediate], ["intermediate:Test Issuing CA"], 0, null],
    ["leaf signed by the root directly", () => [directLeaf], () => [root], ["root:Test Root CA"], 0, null],
    ["the server also sends its root: the root still comes from --ca, once", () => [leaf, intermediate, root], () => [root], ["intermediate:Test Issuing CA", "root:Test Root CA"], 0, null],
    ["self-signed leaf: exported, pinned, warned", () => [selfLeaf], () => [root], ["pinned-leaf:dc1.example.test"], 0, /self-signed certificate .* will fail when it is renewed/],
    ["the leaf given as its own anchor: pinned, warned", () => [leaf, intermediate], () => [leaf], ["pinned-leaf:dc1.example.test"], 0, /only trust anchor .* is that leaf itself/],
    ["an unrelated root: nothing, endpoint not covered", () => [leaf, intermediate], () => [otherRoot], [], 1, /not covered by the bundle: its chain does not end at a certificate from --ca/],
    ["no anchors at all: nothing", () => [leaf, intermediate], () => [], [], 1, /not covered/],
    ["the presented root is not an anchor the user gave: nothing (no trust on first use)", () => [leaf, intermediate, root], () => [otherRoot], [], 1, /not covered/],
  ];

  test.each(table)("%s", (_name, chain, anchors, expected, uncovered, warning) => {
    const b = trustBundle([probeSnapshot([chain()])], { certificates: anchors().map((a) => a.pem), source: "--ca" }, NOW);
    expect(names(b.certificates)).toEqual(expected);
    expect(b.uncovered).toHaveLength(uncovered);
    if (warning) expect(b.warnings.join("\n")).toMatch(warning);
    else expect(b.warnings).toEqual([]);
    expect(b.certificates.some((c) => c.role !== "pinned-leaf" && c.sha256 === parseCertificate(chain()[0].der).sha256)).toBe(false);
  });

  test("several endpoints with the same chain: each certificate once, naming every endpoint that needs it", () => {
    const b = trustBundle([probeSnapshot([[leaf, intermediate], [leaf, intermediate], [leaf]])], { certificates: [root.pem, intermediate.pem], source: "--ca" }, NOW);
    expect(names(b.certificates)).toEqual(["intermediate:Test Issuing CA", "root:Test Root CA"]);
    expect(b.certificates[0].endpoints).toEqual(["dc1.example.test:636", "dc1.example.test:3269", "dc1.example.test:389"]);
    const pem = renderBundle(b, "test");
    const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)!;
    expect(blocks.map((p) => new X509Certificate(p).subject)).toEqual(["CN=Test Issuing CA", "CN=Test Root CA"]);
    // openssl reads the bundle as a CA file and verifies the leaf with it (its comments are skipped).
    const file = join(dir, "several.pem");
    writeFileSync(file, pem);
    expect(execFileSync("openssl", ["verify", "-CAfile", file, leaf.certPath], { encoding: "utf8" })).toMatch(/: OK/);
  });

  test("without --ca: Node's root store (which holds no test root) covers nothing; NODE_EXTRA_CA_CERTS, as Node reads it, does", () => {
    const saved = process.env.NODE_EXTRA_CA_CERTS;
    try {
      delete process.env.NODE_EXTRA_CA_CERTS;
      const plain = defaultAnchors();
      expect(plain.source).toBe("Node's root store");
      expect(plain.certificates.length).toBeGreaterThan(50);
      expect(trustBundle([probeSnapshot([[leaf, intermediate]])], plain, NOW).certificates).toEqual([]);
      process.env.NODE_EXTRA_CA_CERTS = root.certPath;
      const extra = defaultAnchors();
      expect(extra.source).toBe("Node's root store and NODE_EXTRA_CA_CERTS");
      const b = trustBundle([probeSnapshot([[leaf, intermediate]])], extra, NOW);
      expect(names(b.certificates)).toEqual(["intermediate:Test Issuing CA", "root:Test Root CA"]);
      expect(b.certificates[1].source).toBe("Node's root store and NODE_EXTRA_CA_CERTS");
    } finally {
      if (saved === undefined) delete process.env.NODE_EXTRA_CA_CERTS;
      else process.env.NODE_EXTRA_CA_CERTS = saved;
    }
  });

  test("a hostile subject never starts a line of the bundle, of the warnings or of `trust` output", async () => {
    const b = trustBundle([probeSnapshot([[hostile]])], { certificates: [root.pem], source: "--ca" }, NOW);
    const pem = renderBundle(b, "test");
    expect(pem.split("\n").some((l) => l.startsWith(MARK))).toBe(false);
    expect(pem).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f]|\u202e/);
    const file = join(dir, "hostile.pem");
    writeFileSync(file, pem);
    for (const client of TRUST_CLIENTS) {
      const r = await run(["trust", file, "--for", client]);
      expect(r.code).toBe(0);
      expectTerminalSafe(r.stderr);
      expect(r.stdout).not.toContain(MARK);
    }
  });

  test("quoting: sh, python3 and pwsh read back exactly the path that was quoted", () => {
    const samples = fc.sample(fc.string({ unit: "grapheme", maxLength: 12 }).map((s) => `/tmp/${s}`), 40);
    const paths = ["/tmp/a b", "/tmp/it's", "/tmp/$(touch /tmp/pwned)", "/tmp/`id`", '/tmp/"q"\\x', "/tmp/é東𝄞", "/tmp/\u2019smart\u2018", ...samples];
    const sh = spawnSync("sh", ["-c", paths.map((p) => `printf '%s\\0' ${shQuote(p)}`).join("; ")], { encoding: "utf8" });
    expect(sh.stdout.split("\0").slice(0, -1)).toEqual(paths);
    const py = spawnSync(PYTHON, ["-c", `import sys\nfor p in [${paths.map(pyQuote).join(", ")}]: sys.stdout.buffer.write(p.encode("utf-8", "surrogatepass") + b"\\0")`], { encoding: "utf8" });
    expect(py.stdout.split("\0").slice(0, -1)).toEqual(paths);
    expect(paths.map(pyQuote).join("")).toMatch(/^[\x20-\x7e]*$/);
    const pwsh = findPwsh();
    if (requirePeer("pwsh", pwsh !== null, "dotnet tool install --tool-path .tools/pwsh PowerShell --version 7.6.9")) {
      const script = join(dir, "quote.ps1");
      writeFileSync(script, `$OutputEncoding = [Text.Encoding]::UTF8\n[Console]::OutputEncoding = [Text.Encoding]::UTF8\n@(${paths.map(psQuote).join(", ")}) | ForEach-Object { [Console]::Out.Write($_ + [char]0) }\n`, "utf8");
      const out = execFileSync(pwsh!, ["-NoProfile", "-NonInteractive", "-File", script], { encoding: "utf8" });
      expect(out.split("\0").slice(0, -1)).toEqual(paths);
    }
  });

  test("a path with a line break or edge spaces is refused, not escaped (ldap.conf and sssd.conf take the rest of the line)", async () => {
    for (const p of ["/tmp/a\nTLS_REQCERT never", "/tmp/a\r", " /tmp/a", "/tmp/a\u2028b", "/tmp/\x1b[2Ja"]) expect(() => checkedPath(p, "--install-path")).toThrow(/cannot be written into ldap.conf/);
    const file = join(dir, "ok.pem");
    writeFileSync(file, root.pem);
    const r = await run(["trust", file, "--for", "openldap", "--install-path", "/etc/ssl/a\nTLS_REQCERT never"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/--install-path .* cannot be written into ldap.conf/);
  });

  test("a bundle with a private key, or with no certificate, is refused", async () => {
    const withKey = join(dir, "with-key.pem");
    writeFileSync(withKey, root.pem + readFileSync(root.keyPath, "utf8"));
    const r = await run(["trust", withKey, "--for", "python"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/holds a private key; a trust bundle must hold certificates only/);
    expect(r.stdout).toBe("");
  });

  test("every client's text names the bundle path; a root-only bundle gives no pinning warning", () => {
    const certs = [parseCertificate(intermediate.der), parseCertificate(root.der)];
    for (const client of TRUST_CLIENTS) {
      const kit = clientKit(client, { bundlePath: "/etc/ssl/ldaps ca.pem", certificates: certs, host: "dc1.example.test" });
      expect(kit.warnings).toEqual([]);
      expect(kit.lines.join("\n")).toMatch(/\/etc\/ssl\/ldaps ca\.pem/);
    }
    const java = clientKit("java", { bundlePath: "/etc/ssl/ca.pem", certificates: certs }).lines.filter((l) => !l.startsWith("#") && l.includes("keytool -importcert"));
    expect(java).toHaveLength(2); // keytool imports one certificate per call
    expect(java.join("\n")).not.toMatch(/-storepass [^:]/); // the password comes from the environment
  });

  test("the Java recipe, run for real (keytool, then the JVM line), gives a truststore the JVM reads with every certificate and no password on any command line", () => {
    const have = hasCommand("keytool", ["-help"]) && hasCommand("java", ["-version"]);
    if (!requirePeer("java", have, "apt-get install openjdk-17-jdk-headless")) return;
    const bundle = join(dir, "java bundle.pem");
    writeFileSync(bundle, intermediate.pem + root.pem);
    const store = join(dir, "java truststore.p12");
    const certs = [parseCertificate(intermediate.der), parseCertificate(root.der)];
    const code = clientKit("java", { bundlePath: bundle, certificates: certs, truststore: store }).lines.filter((l) => !l.startsWith("#"));
    const password = "kit-store-secret";
    // No password, nor the variable that holds it, on any command line (the process list shows them).
    for (const line of code) expect(line).not.toMatch(/trustStorePassword|-storepass(?!:env)|kit-store-secret|\$TRUSTSTORE_PASSWORD/);
    const env = { ...process.env, TRUSTSTORE_PASSWORD: password };
    for (const line of code.filter((l) => l.includes("keytool -"))) execFileSync("sh", ["-c", line], { env, stdio: "pipe" });
    // The JVM line as printed, its "..." a program printing how many issuers the default trust manager accepts.
    const count = join(dir, "Count.java");
    writeFileSync(count, [
      "import javax.net.ssl.*; import java.security.KeyStore;",
      "public class Count { public static void main(String[] a) throws Exception {",
      "  TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm()); f.init((KeyStore) null);",
      "  for (java.security.cert.X509Certificate c : ((X509TrustManager) f.getTrustManagers()[0]).getAcceptedIssuers()) System.out.println(c.getSubjectX500Principal().getName()); } }",
    ].join("\n"));
    const jvm = code.find((l) => l.startsWith("java "))!;
    expect(jvm).toMatch(/ \.\.\.$/);
    const { TRUSTSTORE_PASSWORD: _, ...noPassword } = env;
    const accepted = execFileSync("sh", ["-c", jvm.replace(/\.\.\.$/, shQuote(count))], { env: noPassword, encoding: "utf8" }).trim().split("\n").sort();
    expect(accepted).toEqual([intermediate, root].map((c) => new X509Certificate(c.pem).subject.split("\n").reverse().join(",")).sort());
  });

  test("the Windows snippet is Windows PowerShell 5.1 syntax and, run by real pwsh, puts the root in Root and the intermediate in CA", () => {
    const pwsh = findPwsh();
    if (!requirePeer("pwsh", pwsh !== null, "dotnet tool install --tool-path .tools/pwsh PowerShell --version 7.6.9")) return;
    const bundle = join(dir, "win bundle's.pem");
    writeFileSync(bundle, renderBundle(trustBundle([probeSnapshot([[leaf, intermediate]])], { certificates: [root.pem], source: "--ca" }, NOW), "test"));
    const kit = clientKit("windows", { bundlePath: bundle, certificates: [parseCertificate(intermediate.der), parseCertificate(root.der)] });
    const code = kit.lines.filter((l) => !l.startsWith("#")).join("\n");
    const script = join(dir, "install.ps1");
    writeFileSync(script, code + "\n");
    const compat = JSON.parse(execFileSync(pwsh!, ["-NoProfile", "-NonInteractive", "-File", join(repoRoot, "test", "fixtures", "ps", "Test-LdapsAuditCompat.ps1"), "-Path", script], { encoding: "utf8" }).replace(/^[^[{]*/, ""));
    const report = Array.isArray(compat) ? compat[0] : compat;
    expect({ parseErrors: report.parseErrors, violations: report.violations }).toEqual({ parseErrors: [], violations: [] });
    // Linux has no writable LocalMachine stores: the same code against CurrentUser (a temp HOME) shows where each certificate goes.
    const home = join(dir, "pwsh-home");
    mkdirSync(home, { recursive: true });
    const local = join(dir, "install-currentuser.ps1");
    writeFileSync(local, code.replace(/'LocalMachine'/g, "'CurrentUser'") + "\n");
    const out = execFileSync(pwsh!, ["-NoProfile", "-NonInteractive", "-File", local], { encoding: "utf8", env: { ...process.env, HOME: home } });
    const thumb = (c: Issued) => new X509Certificate(c.der).fingerprint.replace(/:/g, "");
    expect(out).toContain(`${thumb(intermediate)} -> LocalMachine\\CA`);
    expect(out).toContain(`${thumb(root)} -> LocalMachine\\Root`);
    const list = execFileSync(
      pwsh!,
      ["-NoProfile", "-NonInteractive", "-Command", "foreach ($n in 'Root','CA') { $s = New-Object System.Security.Cryptography.X509Certificates.X509Store -ArgumentList $n, 'CurrentUser'; $s.Open('ReadOnly'); foreach ($c in $s.Certificates) { $n + ' ' + $c.Thumbprint }; $s.Close() }"],
      { encoding: "utf8", env: { ...process.env, HOME: home } },
    );
    expect(list.trim().split(/\r?\n/).sort()).toEqual([`CA ${thumb(intermediate)}`, `Root ${thumb(root)}`].sort());
  });
});
