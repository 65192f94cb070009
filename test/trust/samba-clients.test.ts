// The trust kit against a real Samba AD DC: the bundle exported from a probe of 636/3269 lets ldapsearch and
// python3-ldap (configured exactly as `trust` prints) read the AD rootDSE over LDAPS and the GC port, and the
// same clients without it fail with certificates demanded.
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Pki, Issued } from "../helpers/openssl";
import { hasCommand, requirePeer } from "../helpers/peers";
import { sambaPaths, startSambaDc, SambaDc, SAMBA_FQDN } from "../probe/helpers/samba";
import { cleanEnv, haveLdapsearch, havePythonLdap, ldapsearch, python, run } from "./helpers";

const paths = sambaPaths();
const ok =
  requirePeer("openssl", hasCommand("openssl", ["version"]), "apt-get install openssl") &&
  requirePeer("samba AD DC", Boolean(paths.samba && paths.tool) && process.getuid?.() === 0, "apt-get install samba samba-ad-dc samba-ad-provision samba-dsdb-modules samba-vfs-modules winbind (and run as root)") &&
  requirePeer("ldapsearch", haveLdapsearch(), "apt-get install ldap-utils") &&
  requirePeer("python3-ldap", havePythonLdap(), "apt-get install python3-ldap (Debian's package, for /usr/bin/python3)");
const d = ok ? describe : describe.skip;
const fp = (pem: string) => new X509Certificate(pem).fingerprint256.replace(/:/g, "");

d("trust kit against a Samba AD DC with real clients", () => {
  let pki: Pki;
  let root: Issued;
  let intermediate: Issued;
  let dc: SambaDc | undefined;
  let dir: string;

  beforeAll(async () => {
    pki = new Pki();
    ({ root, intermediate } = pki.hierarchy());
    const leaf = pki.issue("dc1", { cn: SAMBA_FQDN, san: `DNS:${SAMBA_FQDN},IP:127.0.0.1`, eku: "serverAuth", keyUsage: "critical,digitalSignature,keyEncipherment" }, intermediate);
    dc = await startSambaDc(pki.write("dc1-chain.pem", leaf.pem + intermediate.pem), leaf.keyPath);
    dir = mkdtempSync(join(tmpdir(), "ldaps-audit-trust-samba-"));
  });
  afterAll(async () => {
    await dc?.stop();
    pki?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("bundle from a probe of 636 and 3269: ldapsearch and python-ldap read the AD rootDSE with it, and fail without it", async () => {
    const bundle = join(dir, "samba-ca.pem");
    const r = await run(["probe", "127.0.0.1", "--ports", "636,3269", "--servername", SAMBA_FQDN, "--ca", root.certPath, "--no-versions", "--timeout", "20000", "-o", join(dir, "p.json"), "--export-trust", bundle]);
    expect(r.stderr).toMatch(/wrote 2 certificate\(s\) \(intermediate, root\)/);
    expect(r.code).toBe(0);
    const text = readFileSync(bundle, "utf8");
    expect((text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map(fp)).toEqual([fp(intermediate.pem), fp(root.pem)]);
    expect(text).toMatch(/# needed by: 127\.0\.0\.1:636, 127\.0\.0\.1:3269/);

    for (const port of [636, 3269]) {
      const home = mkdtempSync(join(dir, "home-"));
      const url = `ldaps://127.0.0.1:${port}`;
      const without = ldapsearch(url, cleanEnv(home));
      expect(without.ok).toBe(false);
      const withKit = ldapsearch(url, cleanEnv(home, { LDAPTLS_CACERT: bundle }));
      expect(withKit).toMatchObject({ ok: true });
      expect(withKit.output).toMatch(/namingContexts: DC=example,DC=test/i);

      const kit = await run(["trust", bundle, "--for", "python", "--host", `127.0.0.1:${port}`]);
      expect(kit.code).toBe(0);
      const py = python(kit.stdout, cleanEnv(home));
      expect(py).toMatchObject({ ok: true });
      expect(py.output).toContain(SAMBA_FQDN);
      const stripped = kit.stdout.split("\n").filter((l) => !l.includes("OPT_X_TLS_CACERTFILE")).join("\n");
      expect(python(stripped, cleanEnv(home)).ok).toBe(false);
    }
  });
});
