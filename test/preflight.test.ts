// preflight: PEM, DER and PFX inputs made by openssl, with and without keys, chains and roots.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Pki, Issued } from "./helpers/openssl";
import { expectCleanError, runCli } from "./helpers/cli";

const NOW = "2026-11-24T12:00:00Z";
const FQDN = "dc1.example.test";

function statuses(stdout: string): Record<string, string> {
  const report = JSON.parse(stdout);
  return Object.fromEntries(report.targets[0].controls.map((c: { id: string; status: string }) => [c.id, c.status]));
}

describe("preflight", () => {
  let pki: Pki;
  let root: Issued;
  let intermediate: Issued;
  let good: Issued;
  beforeAll(() => {
    pki = new Pki();
    ({ root, intermediate } = pki.hierarchy());
    good = pki.issue("good", { cn: FQDN, san: `DNS:${FQDN}`, eku: "serverAuth", keyUsage: "critical,digitalSignature,keyEncipherment" }, intermediate);
  });
  afterAll(() => pki.cleanup());

  test("PEM certificate + key + chain + root: compliant, exit 0", () => {
    const bundle = pki.write("bundle.pem", good.pem + intermediate.pem);
    const r = runCli(["preflight", bundle, "--key", good.keyPath, "--roots", root.certPath, "--fqdn", FQDN, "--now", NOW, "--format", "json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const s = statuses(r.stdout);
    expect(s).toMatchObject({ "LDAPS-S01": "pass", "LDAPS-C01": "pass", "LDAPS-C02": "pass", "LDAPS-C03": "pass", "LDAPS-C08": "pass" });
    const report = JSON.parse(r.stdout);
    expect(report.inputs.map((i: { kind: string }) => i.kind)).toEqual(["certificate", "key", "roots", "profile"]);
    expect(report.targets[0].certificates).toHaveLength(1); // the intermediate is chain material, not a candidate
  });

  test("without a key the key controls are skip, and without roots the chain is skip", () => {
    const r = runCli(["preflight", good.certPath, "--fqdn", FQDN, "--now", NOW, "--format", "json"]);
    expect(r.code).toBe(0);
    expect(statuses(r.stdout)).toMatchObject({ "LDAPS-C03": "skip", "LDAPS-C04": "skip", "LDAPS-C05": "skip", "LDAPS-C08": "skip", "LDAPS-S01": "pass" });
  });

  test("DER certificate is read", () => {
    const der = pki.write("good.der", good.der);
    const r = runCli(["preflight", der, "--fqdn", FQDN, "--now", NOW, "--format", "json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).targets[0].certificates[0].thumbprint).toBe(pki.fingerprint(good));
  });

  test("PFX with key and chain (AES, openssl 3 default) and the legacy RC2/3DES form", () => {
    for (const legacy of [false, true]) {
      const pfx = pki.pfx(`good-${legacy}`, good, { password: "s3cret!", chain: [intermediate], legacy });
      const r = runCli(["preflight", pfx, "--password-env", "PFX_PASS", "--roots", root.certPath, "--fqdn", FQDN, "--now", NOW, "--format", "json"], { PFX_PASS: "s3cret!" });
      expect(r.stderr).toBe("");
      expect(statuses(r.stdout)).toMatchObject({ "LDAPS-C03": "pass", "LDAPS-C08": "pass", "LDAPS-S01": "pass" });
      expect(JSON.parse(r.stdout).targets[0].certificates[0].thumbprint).toBe(pki.fingerprint(good));
    }
  });

  test("PFX without its key: the key is unknown, so the key controls skip", () => {
    const pfx = pki.pfx("nokey", good, { password: "pw", withKey: false });
    const r = runCli(["preflight", pfx, "--password-env", "P", "--fqdn", FQDN, "--now", NOW, "--format", "json"], { P: "pw" });
    // A PFX without a key says nothing about a key: the key is unknown, not absent.
    expect(statuses(r.stdout)["LDAPS-C03"]).toBe("skip");
  });

  test("a key that belongs to another certificate fails C03", () => {
    const other = pki.issue("other", { cn: "x" }, intermediate);
    const r = runCli(["preflight", good.certPath, "--key", other.keyPath, "--fqdn", FQDN, "--now", NOW, "--format", "json"]);
    expect(r.code).toBe(1);
    expect(statuses(r.stdout)["LDAPS-C03"]).toBe("fail");
    expect(JSON.parse(r.stdout).targets[0].rootCause).toMatch(/none has a private key/);
  });

  test("EC certificate in a PFX (forge cannot decode non-RSA keys itself)", () => {
    const ec = pki.issue("ec", { cn: FQDN, san: `DNS:${FQDN}`, eku: "serverAuth", key: "ec:P-256" }, intermediate);
    const pfx = pki.pfx("ec", ec, { password: "pw" });
    const r = runCli(["preflight", pfx, "--password-env", "P", "--fqdn", FQDN, "--now", NOW, "--format", "json", "--profile", "hardened"], { P: "pw" });
    expect(r.stderr).toBe("");
    expect(statuses(r.stdout)).toMatchObject({ "LDAPS-C03": "pass", "LDAPS-C09": "pass" });
  });

  test("missing intermediate: the chain stops, and the message names the missing issuer", () => {
    const r = runCli(["preflight", good.certPath, "--roots", root.certPath, "--fqdn", FQDN, "--now", NOW, "--format", "json"]);
    expect(r.code).toBe(1);
    const c08 = JSON.parse(r.stdout).targets[0].controls.find((c: { id: string }) => c.id === "LDAPS-C08");
    expect(c08.status).toBe("fail");
    expect(c08.message).toMatch(/issuer "CN=Test Issuing CA" was not supplied/);
  });

  test("wrong PFX password, missing password variable, garbage PEM: one clear line, exit 2", () => {
    const pfx = pki.pfx("pw", good, { password: "right" });
    expectCleanError(runCli(["preflight", pfx, "--password-env", "P", "--fqdn", FQDN], { P: "wrong" }), 2, /the PFX password is wrong/);
    expectCleanError(runCli(["preflight", pfx, "--password-env", "NOPE_NOT_SET", "--fqdn", FQDN]), 2, /NOPE_NOT_SET: that environment variable is not set/);
    const garbage = pki.write("garbage.pem", "-----BEGIN CERTIFICATE-----\nnot*base64!\n-----END CERTIFICATE-----\n");
    expectCleanError(runCli(["preflight", garbage, "--fqdn", FQDN]), 2, /garbage\.pem: PEM block "CERTIFICATE" is not valid base64/);
    const truncated = pki.write("trunc.der", good.der.subarray(0, 200));
    expectCleanError(runCli(["preflight", truncated, "--fqdn", FQDN]), 2, /trunc\.der: not a certificate, key or PFX file|trunc\.der: not a readable PFX/);
    const pemTrunc = pki.write("trunc.pem", good.pem.slice(0, 300));
    expectCleanError(runCli(["preflight", pemTrunc, "--fqdn", FQDN]), 2, /no complete PEM block/);
    expectCleanError(runCli(["preflight", good.certPath, "--fqdn", "not a name"]), 2, /expected the DC's fully qualified DNS name/);
    const empty = pki.write("empty.pem", "");
    expectCleanError(runCli(["preflight", empty, "--fqdn", FQDN]), 2, /empty\.pem: file is empty/);
    writeFileSync(join(pki.dir, "x.txt"), "hello");
    expectCleanError(runCli(["preflight", join(pki.dir, "x.txt"), "--fqdn", FQDN]), 2, /not a certificate, key or PFX/);
  });
});
