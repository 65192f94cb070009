// The trust kit end to end against a real slapd: `probe --export-trust` writes the bundle, `trust --for ...`
// prints the configuration, and real clients (ldapsearch, python3-ldap) configured from it connect over LDAPS
// first time, while the same clients without it fail with certificates demanded.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Pki, Issued } from "../helpers/openssl";
import { hasCommand, requirePeer } from "../helpers/peers";
import { slapdPath, startSlapd, Slapd } from "../probe/helpers/slapd";
import { cleanEnv, haveLdapsearch, havePythonLdap, ldapsearch, python, run } from "./helpers";

const ok =
  requirePeer("openssl", hasCommand("openssl", ["version"]), "apt-get install openssl") &&
  requirePeer("slapd", Boolean(slapdPath()), "apt-get install slapd") &&
  requirePeer("ldapsearch", haveLdapsearch(), "apt-get install ldap-utils") &&
  requirePeer("python3-ldap", havePythonLdap(), "apt-get install python3-ldap (Debian's package, for /usr/bin/python3)");
const d = ok ? describe : describe.skip;

const pemCount = (text: string) => (text.match(/-----BEGIN CERTIFICATE-----/g) ?? []).length;
const fingerprints = (text: string) => (text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((p) => new (require("node:crypto").X509Certificate)(p).fingerprint256.replace(/:/g, ""));
const fp = (c: Issued) => new (require("node:crypto").X509Certificate)(c.pem).fingerprint256.replace(/:/g, "");

d("trust kit against slapd with real clients", () => {
  let pki: Pki;
  let root: Issued;
  let intermediate: Issued;
  let leaf: Issued;
  let selfLeaf: Issued;
  let withChain: Slapd; // presents leaf + intermediate
  let leafOnly: Slapd; // presents only the leaf
  let selfSigned: Slapd;
  let dir: string;

  beforeAll(async () => {
    pki = new Pki();
    ({ root, intermediate } = pki.hierarchy());
    const spec = { cn: "dc1.example.test", san: "DNS:dc1.example.test,IP:127.0.0.1", eku: "serverAuth", keyUsage: "critical,digitalSignature,keyEncipherment" };
    leaf = pki.issue("leaf", spec, intermediate);
    selfLeaf = pki.issue("self", spec);
    const chainFile = pki.write("leaf-chain.pem", leaf.pem + intermediate.pem);
    withChain = await startSlapd({ certFile: chainFile, keyFile: leaf.keyPath });
    leafOnly = await startSlapd({ certFile: leaf.certPath, keyFile: leaf.keyPath });
    selfSigned = await startSlapd({ certFile: selfLeaf.certPath, keyFile: selfLeaf.keyPath });
    dir = mkdtempSync(join(tmpdir(), "ldaps-audit-trust-"));
  });
  afterAll(async () => {
    await Promise.all([withChain?.stop(), leafOnly?.stop(), selfSigned?.stop()]);
    pki?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const url = (s: Slapd) => `ldaps://127.0.0.1:${s.ldapsPort}`;
  const probe = (s: Slapd, bundle: string, ca: string[]) =>
    run(["probe", `127.0.0.1:${s.ldapsPort}`, ...ca.flatMap((c) => ["--ca", c]), "--no-versions", "--timeout", "20000", "-o", join(dir, "probe.json"), "--export-trust", bundle]);

  test("--export-trust writes the intermediate and the --ca root, never the leaf; ldapsearch and python-ldap connect with it and fail without it", async () => {
    const bundle = join(dir, "chain-bundle.pem");
    const r = await probe(withChain, bundle, [root.certPath]);
    expect(r.stderr).toMatch(/--export-trust: wrote 2 certificate\(s\) \(intermediate, root\)/);
    expect(r.code).toBe(0);
    const text = readFileSync(bundle, "utf8");
    expect(fingerprints(text)).toEqual([fp(intermediate), fp(root)]);
    expect(text).not.toContain(leaf.pem.split("\n")[1]);

    const home = mkdtempSync(join(dir, "home-"));
    const without = ldapsearch(url(withChain), cleanEnv(home));
    expect(without.ok).toBe(false);
    expect(without.output).toMatch(/Can't contact LDAP server|certificate/i);
    const withKit = ldapsearch(url(withChain), cleanEnv(home, { LDAPTLS_CACERT: bundle }));
    expect(withKit).toMatchObject({ ok: true });
    expect(withKit.output).toContain("dc=example,dc=test");

    // python-ldap: exactly the lines `trust --for python` prints.
    const kit = await run(["trust", bundle, "--for", "python", "--host", `127.0.0.1:${withChain.ldapsPort}`]);
    expect(kit.code).toBe(0);
    expect(kit.stderr).toBe("");
    const program = kit.stdout;
    expect(program).toContain("ldap.OPT_X_TLS_CACERTFILE");
    expect(program).toContain("ldap.OPT_X_TLS_NEWCTX");
    const py = python(program, cleanEnv(home));
    expect(py).toMatchObject({ ok: true });
    expect(py.output).toContain("dc=example,dc=test");
    // The same program without the CA file line is refused: the trust comes from the bundle, not from the machine.
    const stripped = program.split("\n").filter((l) => !l.includes("OPT_X_TLS_CACERTFILE")).join("\n");
    const pyWithout = python(stripped, cleanEnv(home));
    expect(pyWithout.ok).toBe(false);
    expect(pyWithout.output).toMatch(/SERVER_DOWN|Can't contact LDAP server|certificate/i);
  });

  test("`trust --for openldap` prints ldap.conf lines that work as ~/.ldaprc and a command line that works as printed", async () => {
    const bundle = join(dir, "chain-bundle.pem");
    const kit = await run(["trust", bundle, "--for", "openldap", "--host", `127.0.0.1:${withChain.ldapsPort}`]);
    expect(kit.code).toBe(0);
    const lines = kit.stdout.split("\n");
    const conf = lines.filter((l) => /^TLS_/.test(l));
    expect(conf).toEqual([`TLS_CACERT ${bundle}`, "TLS_REQCERT demand"]);
    const home = mkdtempSync(join(dir, "home-"));
    writeFileSync(join(home, ".ldaprc"), conf.join("\n") + "\n");
    const env = cleanEnv(home);
    delete env.LDAPRC; // the default name, .ldaprc in HOME
    expect(ldapsearch(url(withChain), env)).toMatchObject({ ok: true });
    const command = lines.find((l) => l.startsWith("LDAPTLS_CACERT="))!;
    const sh = spawnSync("sh", ["-c", command], { env: cleanEnv(mkdtempSync(join(dir, "home-"))), encoding: "utf8", timeout: 60000 });
    expect({ code: sh.status, out: sh.stdout }).toEqual({ code: 0, out: expect.stringContaining("dn:") });
  });

  test("a server that sends only its leaf: the intermediate given with --ca goes into the bundle, and clients connect", async () => {
    const bundle = join(dir, "leaf-only-bundle.pem");
    const r = await probe(leafOnly, bundle, [root.certPath, intermediate.certPath]);
    expect(r.stderr).toMatch(/wrote 2 certificate\(s\) \(intermediate, root\)/);
    expect(fingerprints(readFileSync(bundle, "utf8"))).toEqual([fp(intermediate), fp(root)]);
    const home = mkdtempSync(join(dir, "home-"));
    expect(ldapsearch(url(leafOnly), cleanEnv(home))).toMatchObject({ ok: false });
    expect(ldapsearch(url(leafOnly), cleanEnv(home, { LDAPTLS_CACERT: bundle }))).toMatchObject({ ok: true });
  });

  test("a self-signed leaf is exported with a pinning warning, and `trust` warns again", async () => {
    const bundle = join(dir, "self-bundle.pem");
    const r = await probe(selfSigned, bundle, [root.certPath]);
    expect(r.stderr).toMatch(/warning: 127\.0\.0\.1:\d+ presents a self-signed certificate .* will fail when it is renewed/);
    expect(r.stderr).toMatch(/wrote 1 certificate\(s\) \(pinned leaf\)/);
    expect(r.code).toBe(1); // the probe itself: the chain did not verify against --ca
    const text = readFileSync(bundle, "utf8");
    expect(fingerprints(text)).toEqual([fp(selfLeaf)]);
    expect(text).toContain("PINNED LEAF");
    const home = mkdtempSync(join(dir, "home-"));
    expect(ldapsearch(url(selfSigned), cleanEnv(home, { LDAPTLS_CACERT: bundle }))).toMatchObject({ ok: true });
    const kit = await run(["trust", bundle, "--for", "sssd"]);
    expect(kit.code).toBe(0);
    expect(kit.stderr).toMatch(/^ldaps-audit: warning: certificate 1 of the bundle \(.*dc1\.example\.test.*\) is a server certificate, not a CA: .* fail at the next renewal\n$/);
    expect(kit.stdout).toContain(`ldap_tls_cacert = ${bundle}\n`);
  });

  test("a chain that does not verify against --ca: nothing is written, exit 1, one line saying why", async () => {
    const other = pki.issue("other-root", { cn: "Unrelated Root", ca: true });
    const bundle = join(dir, "never.pem");
    const r = await probe(withChain, bundle, [other.certPath]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--export-trust .*never\.pem: not written: no presented chain verified against --ca/);
    expect(r.stderr).toMatch(/is not covered by the bundle/);
    expect(() => readFileSync(bundle)).toThrow();
  });
});
