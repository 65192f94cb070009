// Plans for certificate stores the examples do not show, with certificates made by openssl: competing and
// stale certificates in the service store (removed only there, exported first), and a PFX as the source
// (preflight must pass for the host's FQDN and service).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InputError } from "../../lib/errors";
import { planFix, PLAN_SCHEMA_ID } from "../../lib/fix/plan";
import type { Plan } from "../../lib/fix/types";
import { describeErrors, validatorFor } from "../../lib/schemas";
import { Issued, Pki } from "../helpers/openssl";
import { dcSnapshot, FQDN, storeCert } from "../helpers/snapshot";

const NOW = new Date("2026-11-24T00:00:00Z");

describe("service-store plans", () => {
  let pki: Pki;
  let root: Issued;
  let intermediate: Issued;
  let older: Issued;
  let newer: Issued;
  let expired: Issued;
  let dir: string;
  const spec = { cn: FQDN, san: `DNS:${FQDN}`, eku: "serverAuth", keyUsage: "critical,digitalSignature,keyEncipherment" };

  beforeAll(() => {
    pki = new Pki();
    ({ root, intermediate } = pki.hierarchy());
    older = pki.issue("older", { ...spec, end: "20300101000000Z" }, intermediate);
    newer = pki.issue("newer", { ...spec, end: "20320101000000Z" }, intermediate);
    expired = pki.issue("expired", { ...spec, start: "20200101000000Z", end: "20250101000000Z" }, intermediate);
    dir = mkdtempSync(join(tmpdir(), "ldaps-audit-fix-"));
  });
  afterAll(() => {
    pki.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  function write(name: string, doc: unknown): string {
    const p = join(dir, name);
    writeFileSync(p, JSON.stringify(doc));
    return p;
  }

  function valid(p: Plan): void {
    const v = validatorFor(PLAN_SCHEMA_ID);
    expect(v(p) ? "valid" : describeErrors(v.errors)).toBe("valid");
  }

  test("two qualifying certificates in NTDS\\My: the one Windows is not predicted to pick is removed (optional), after export", () => {
    const snap = write("ntds2.json", dcSnapshot({ ntds: [storeCert(older), storeCert(newer)], roots: [root], intermediates: [intermediate] }));
    const { plan } = planFix({ snapshot: snap, now: NOW });
    valid(plan);
    expect(plan.steps.map((s) => `${s.action}${s.optional ? "?" : ""}[${s.controls.join(",")}]`)).toEqual(["remove-competing-certificate?[LDAPS-S02]", "reload-certificate?[]", "verify?[LDAPS-N03]"]);
    const remove = plan.steps[0];
    const olderTp = pki.fingerprint(older);
    expect(remove.id).toBe(`remove-competing-certificate/NTDS/${olderTp}`);
    // Done once the certificate no longer qualifies (a pointer by value, not by index: other removals do not shift it).
    expect(remove.precondition).toMatchObject({ pointer: "/selection/qualifying", doneWhen: { excludes: olderTp } });
    expect(plan.steps[2].precondition).toMatchObject({ pointer: "/network/store/presented", observed: null, doneWhen: { equalsIntended: true } });
    expect(remove.changes.map((c) => [c.operation, c.store, c.thumbprint])).toEqual([
      ["export", "NTDS\\My", olderTp],
      ["delete", "NTDS\\My", olderTp],
    ]);
    expect(plan.targets[0].intendedCertificate).toMatchObject({ thumbprint: pki.fingerprint(newer), store: "NTDS\\My" });
  });

  test("competing certificates in LocalMachine\\My are never deleted: the intended one is placed in NTDS\\My", () => {
    const snap = write("my2.json", dcSnapshot({ machine: [storeCert(older), storeCert(newer)], roots: [root], intermediates: [intermediate] }));
    const { plan } = planFix({ snapshot: snap, now: NOW });
    expect(plan.steps.map((s) => s.action)).toEqual(["place-certificate", "reload-certificate", "verify"]);
    expect(plan.steps.flatMap((s) => s.changes).filter((c) => c.operation === "delete")).toEqual([]);
    expect(plan.steps[0].changes[0]).toMatchObject({ operation: "copy", store: "NTDS\\My", thumbprint: pki.fingerprint(newer) });
  });

  test("a stale certificate in NTDS\\My is removed only when the profile flags it (S03), as an optional step", () => {
    const snap = write("stale.json", dcSnapshot({ ntds: [storeCert(expired)], machine: [storeCert(newer)], roots: [root], intermediates: [intermediate] }));
    expect(planFix({ snapshot: snap, now: NOW }).plan.steps).toEqual([]); // baseline has no S03: nothing to do
    const profile = write("s03.profile.json", {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      $id: "https://example.test/s03.profile.json",
      title: "baseline plus S03",
      ldapsProfile: { id: "baseline-s03", title: "baseline plus stale-certificate hygiene", version: "1" },
      allOf: [{ $ref: "https://ldaps-audit.dev/schemas/profiles/baseline.profile.json" }, { $ref: "https://ldaps-audit.dev/schemas/controls/LDAPS-S03.json" }],
    });
    const { plan } = planFix({ snapshot: snap, now: NOW, profile });
    valid(plan);
    expect(plan.steps.map((s) => `${s.action}${s.optional ? "?" : ""}[${s.controls.join(",")}]`)).toEqual(["remove-competing-certificate?[LDAPS-S03]", "reload-certificate?[]", "verify?[LDAPS-N03]"]);
    expect(plan.steps[0].changes.map((c) => c.thumbprint)).toEqual([pki.fingerprint(expired), pki.fingerprint(expired)]);
    expect(plan.targets[0].intendedCertificate).toMatchObject({ thumbprint: pki.fingerprint(newer), store: "LocalMachine\\My" });
  });

  test("--pfx: preflight passes for the host's FQDN: obtain, place (LocalMachine\\My, NTDS\\My being empty), reload, verify", () => {
    const snap = write("empty.json", dcSnapshot({ roots: [root], intermediates: [intermediate] }));
    const pfx = pki.pfx("good", newer, { password: "s3cret", chain: [intermediate] });
    const { plan } = planFix({ snapshot: snap, now: NOW, source: { kind: "pfx", file: pfx, password: "s3cret", passwordEnv: "PFX_PASS", roots: [root.certPath] } });
    valid(plan);
    expect(plan.steps.map((s) => s.action)).toEqual(["obtain-certificate", "place-certificate", "reload-certificate", "verify"]);
    expect(plan.targets[0].intendedCertificate).toMatchObject({ thumbprint: pki.fingerprint(newer), source: "pfx", store: "LocalMachine\\My" });
    expect(plan.steps[1].changes[0]).toMatchObject({ operation: "import", store: "LocalMachine\\My", path: pfx });
    expect(JSON.stringify(plan)).not.toContain("s3cret");
  });

  test("--pfx: refused (InputError) when preflight fails for the host", () => {
    const snap = write("empty2.json", dcSnapshot({ roots: [root], intermediates: [intermediate] }));
    const other = pki.issue("other", { ...spec, cn: "web.example.test", san: "DNS:web.example.test" }, intermediate);
    const pfx = pki.pfx("other", other, { password: "pw" });
    expect(() => planFix({ snapshot: snap, now: NOW, source: { kind: "pfx", file: pfx, password: "pw" } })).toThrow(InputError);
    expect(() => planFix({ snapshot: snap, now: NOW, source: { kind: "pfx", file: pfx, password: "pw" } })).toThrow(/--pfx .*other\.pfx: preflight for dc1\.example\.test \(NTDS, LocalMachine\\My\) does not pass: LDAPS-S01/);
  });
});
