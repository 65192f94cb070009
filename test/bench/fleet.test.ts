// The fleet benchmark's own logic (bench/fleet.js), checked without timing anything: the certificates it
// makes are valid at the instant it evaluates them at, and every synthetic host then complies, so the
// bench measures the evaluation it describes (issue 17: a fixed --now before the certificates' notBefore
// made all 1,000 hosts fail, and the throughput row timed a different path).
import { X509Certificate } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { runCli } from "../helpers/cli";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const fleet = require("../../bench/fleet") as {
  tmp(): string;
  makeCertificates(dir: string): { ders: Buffer[]; files: string[]; bundle: string; now: string };
  writeFleet(n: number, ders: Buffer[], parent: string): string[];
};

describe("bench/fleet.js", () => {
  let dir: string;
  let certs: ReturnType<typeof fleet.makeCertificates>;
  beforeAll(() => {
    dir = fleet.tmp();
    certs = fleet.makeCertificates(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("makes 20 certificates that are all valid at the bench's --now", () => {
    const now = Date.parse(certs.now);
    expect(certs.now).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(certs.ders).toHaveLength(20);
    const outside = certs.ders
      .map((d) => new X509Certificate(d))
      .filter((c) => !(Date.parse(c.validFrom) <= now && now <= Date.parse(c.validTo)))
      .map((c) => `${c.subject} ${c.validFrom} - ${c.validTo}`);
    expect(outside).toEqual([]);
  });

  it("writes the same 20 certificates as the PEM bundle openssl storeutl reads per host", () => {
    const pems = readFileSync(certs.bundle, "utf8").match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
    expect(pems.map((p) => new X509Certificate(p).fingerprint256)).toEqual(certs.ders.map((d) => new X509Certificate(d).fingerprint256));
  });

  it("yields hosts that all comply at --now (0 of them did at the old fixed date)", () => {
    const paths = fleet.writeFleet(3, certs.ders, dir);
    const r = runCli(["evaluate", ...paths, "--now", certs.now, "--format", "json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { targets: Array<{ host: string; status: string; selection: unknown }> };
    expect(report.targets.map((t) => [t.host, t.status])).toEqual([0, 1, 2].map((i) => [`dc${i}.fleet.example.test`, "compliant"]));
  });
});
