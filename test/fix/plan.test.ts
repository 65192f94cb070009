// fix --plan as a library: every shipped example -> the plan an administrator would follow, each plan valid
// against schemas/plan.schema.json, each precondition a real pointer into the facts, and the rules that hold
// for every plan (order, never a delete from LocalMachine\My, an export before every delete).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mergeNetworkEvidence } from "../../lib/probe";
import { readSnapshot } from "../../lib/audit";
import { deriveFacts } from "../../lib/facts";
import { planFix, planExitCode, PLAN_SCHEMA_ID, PlanOptions } from "../../lib/fix/plan";
import type { Plan } from "../../lib/fix/types";
import type { Snapshot } from "../../lib/snapshot";
import { PLAN_ACTIONS } from "../../lib/fix/types";
import { describeErrors, validatorFor } from "../../lib/schemas";

const dir = join(__dirname, "..", "..", "examples");
const NOW = new Date("2026-11-24T00:00:00Z");
const ex = (name: string) => join(dir, `${name}.snapshot.json`);

/** "action[controls]" per step; "?" marks an optional step. */
function shape(plan: Plan): string[] {
  return plan.steps.map((s) => `${s.action}${s.optional ? "?" : ""}[${s.controls.join(",")}]`);
}

const RELOAD_VERIFY = ["reload-certificate[LDAPS-E01,LDAPS-E02]", "verify[LDAPS-N03]"];

// Without a certificate source the plan stops at obtain-certificate (and says which flags give one);
// with --enroll it goes on. Steps follow from the facts and verdicts, whatever the example is called.
const expected: Record<string, { plain: string[]; enroll: string[]; stopped: boolean; exit: number; intended?: string }> = {
  "healthy-dc": { plain: [], enroll: [], stopped: false, exit: 0, intended: "LocalMachine\\My" },
  "adlds-instance": { plain: [], enroll: [], stopped: false, exit: 0, intended: "ADAM_AppDir\\My" },
  // LDAPS works; the clients that would break under enforced signing / channel binding are advice (LDAPS-G04/G05,
  // hardened), not something fix changes.
  "enforcement-readiness": { plain: [], enroll: [], stopped: false, exit: 0, intended: "LocalMachine\\My" },
  "event-1220-no-certificate": { plain: ["obtain-certificate[LDAPS-S01]"], enroll: ["obtain-certificate[LDAPS-S01]", ...RELOAD_VERIFY], stopped: true, exit: 1 },
  "clients-1220": { plain: ["obtain-certificate[LDAPS-S01,LDAPS-E06]"], enroll: ["obtain-certificate[LDAPS-S01,LDAPS-E06]", ...RELOAD_VERIFY], stopped: true, exit: 1 },
  "wrong-name": { plain: ["obtain-certificate[LDAPS-S01,LDAPS-C02]"], enroll: ["obtain-certificate[LDAPS-S01,LDAPS-C02]", ...RELOAD_VERIFY], stopped: true, exit: 1 },
  "no-server-auth-eku": { plain: ["obtain-certificate[LDAPS-S01,LDAPS-C01]"], enroll: ["obtain-certificate[LDAPS-S01,LDAPS-C01]", ...RELOAD_VERIFY], stopped: true, exit: 1 },
  expired: { plain: ["obtain-certificate[LDAPS-S01,LDAPS-C06,LDAPS-C08]"], enroll: ["obtain-certificate[LDAPS-S01,LDAPS-C06,LDAPS-C08]", ...RELOAD_VERIFY], stopped: true, exit: 1 },
  // The key is the only obstacle: a grant repairs the certificate, no new one is needed (source or not).
  "key-not-readable": {
    plain: ["grant-key-read[LDAPS-S01,LDAPS-C04,LDAPS-E03]", ...RELOAD_VERIFY],
    enroll: ["grant-key-read[LDAPS-S01,LDAPS-C04,LDAPS-E03]", ...RELOAD_VERIFY],
    stopped: false,
    exit: 1,
    intended: "LocalMachine\\My",
  },
  // S02 is a warning with a remedy: optional steps; nothing is deleted from LocalMachine\My, the intended
  // certificate is placed in NTDS\My, which Windows searches first.
  "two-qualifying": {
    plain: ["place-certificate?[LDAPS-S02]", "reload-certificate?[]", "verify?[LDAPS-N03]"],
    enroll: ["place-certificate?[LDAPS-S02]", "reload-certificate?[]", "verify?[LDAPS-N03]"],
    stopped: false,
    exit: 1,
    intended: "NTDS\\My",
  },
};

const files = readdirSync(dir).filter((f) => f.endsWith(".snapshot.json"));

function plan(name: string, options: Partial<PlanOptions> = {}): Plan {
  return planFix({ snapshot: ex(name), now: NOW, ...options }).plan;
}

/** The rules every plan keeps, whatever it holds. */
function expectWellFormed(p: Plan, snapshotPath: string): void {
  const validate = validatorFor(PLAN_SCHEMA_ID);
  expect(validate(p) ? "valid" : describeErrors(validate.errors)).toBe("valid");
  const order = p.steps.map((s) => PLAN_ACTIONS.indexOf(s.action));
  expect(order).toEqual([...order].sort((a, b) => a - b));
  expect(new Set(p.steps.map((s) => s.id)).size).toBe(p.steps.length);
  const facts = deriveFacts(readSnapshot(snapshotPath).snapshot, { now: NOW });
  for (const s of p.steps) {
    // The precondition is data apply can re-check: the pointer resolves in the facts to the value observed.
    const f = facts.find((x) => x.target.service === s.service)!;
    // (A pointer below a null part, e.g. /network/... without probe evidence, observes null.)
    let cur: unknown = f;
    for (const part of s.precondition.pointer.split("/").slice(1)) cur = cur === null || cur === undefined ? null : (cur as Record<string, unknown>)[part];
    expect(cur === undefined ? null : cur).toEqual(s.precondition.observed);
    const d = s.precondition.doneWhen;
    // An "excludes" precondition holds now: the array lists what the step removes.
    if (d && "excludes" in d) expect(cur).toContain(d.excludes);
    if (d && "equals" in d) expect(cur).not.toEqual(d.equals);
    for (const c of s.changes) if (c.operation === "delete") expect(c.store).not.toBe("LocalMachine\\My");
    const deletes = s.changes.map((c, i) => ({ c, i })).filter(({ c }) => c.operation === "delete");
    for (const { c, i } of deletes) expect(s.changes.slice(0, i).some((e) => e.operation === "export" && e.thumbprint === c.thumbprint)).toBe(true);
  }
}

test("every example has an expected plan", () => {
  expect(files.map((f) => f.replace(".snapshot.json", "")).sort()).toEqual(Object.keys(expected).sort());
});

describe.each(files.map((f) => f.replace(".snapshot.json", "")))("%s", (name) => {
  const want = expected[name];

  test("without a source: the expected steps, exit code and stop", () => {
    const p = plan(name);
    expect(shape(p)).toEqual(want.plain);
    expect(planExitCode(p)).toBe(want.exit);
    expect(p.stopped !== null).toBe(want.stopped);
    if (want.stopped) expect(p.steps[0].reason).toMatch(/--pfx FILE --password-env VAR.*--enroll TEMPLATE.*--request DIR/);
    if (want.intended) expect(p.targets[0].intendedCertificate?.store).toBe(want.intended);
    expect(p.snapshot.sha256).toBe(readSnapshot(ex(name)).sha256);
    expect(p.profile.id).toBe("baseline");
    expectWellFormed(p, ex(name));
  });

  test("with --enroll: the expected steps", () => {
    const p = plan(name, { source: { kind: "enroll", template: "LDAPS" } });
    expect(shape(p)).toEqual(want.enroll);
    expect(p.stopped).toBeNull();
    expectWellFormed(p, ex(name));
    // Every failing control is answered by some step once a source is given.
    expect(p.targets.flatMap((t) => t.unaddressed)).toEqual([]);
  });
});

test("a healthy host: empty plan, exit 0, the certificate in use is the one it ends with", () => {
  const p = plan("healthy-dc");
  expect(p.steps).toEqual([]);
  expect(planExitCode(p)).toBe(0);
  expect(p.targets[0].intendedCertificate).toMatchObject({ thumbprint: "6AB384440534A15782E9C1B2E288323D50DD3DD1", source: "existing" });
});

test("enrolment with an empty NTDS\\My leaves the certificate in LocalMachine\\My and says why", () => {
  const p = plan("wrong-name", { source: { kind: "enroll", template: "LDAPS", extraNames: ["corp.example.test"] } });
  expect(p.steps.map((s) => s.action)).not.toContain("place-certificate");
  expect(p.targets[0].intendedCertificate).toMatchObject({ source: "enroll", store: "LocalMachine\\My" });
  expect(p.targets[0].intendedCertificate?.storeReason).toMatch(/NTDS\\My is empty: Windows searches the service store first/);
  expect(p.steps[0].changes[0]).toMatchObject({ operation: "enrol", template: "LDAPS", names: ["dc1.corp.example.test", "corp.example.test"] });
});

test("grant-key-read names the account and the key file, for SYSTEM on AD DS", () => {
  const p = plan("key-not-readable");
  const grant = p.steps.find((s) => s.action === "grant-key-read")!;
  expect(grant.precondition).toMatchObject({ pointer: "/certificates/0/privateKey/readable", observed: false });
  expect(grant.changes[0]).toMatchObject({ operation: "grant-read", account: "NT AUTHORITY\\SYSTEM", thumbprint: "6AB384440534A15782E9C1B2E288323D50DD3DD1", path: expect.stringMatching(/Crypto\\Keys\\2c9e4f73/) });
  expect(p.targets[0].intendedCertificate?.thumbprint).toBe("6AB384440534A15782E9C1B2E288323D50DD3DD1");
});

test("reload is the rootDSE modify; a service restart only with --restart-service", () => {
  const plain = plan("key-not-readable").steps.find((s) => s.action === "reload-certificate")!;
  expect(plain.changes.map((c) => c.operation)).toEqual(["ldap-modify"]);
  expect(plain.changes[0].attribute).toBe("renewServerCertificate");
  const restart = plan("key-not-readable", { restartService: true }).steps.find((s) => s.action === "reload-certificate")!;
  expect(restart.changes.map((c) => c.operation)).toEqual(["ldap-modify", "restart-service"]);
  expect(restart.changes[1].service).toBe("NTDS");
});

test("verify probes 636 and, on a global catalog, 3269", () => {
  const verify = plan("key-not-readable", { verifyDeadlineSeconds: 120 }).steps.find((s) => s.action === "verify")!;
  expect(verify.changes.map((c) => c.port)).toEqual([636, 3269]);
  expect(verify.changes[0].description).toMatch(/at most 120 s/);
});

test("hardened: a new certificate for AD LDS goes to its service store, NetworkService gets key read, the old one is removed after export", () => {
  const p = plan("adlds-instance", { profile: "hardened", source: { kind: "enroll", template: "LDAPS" }, backupDir: "D:\\bak" });
  expect(shape(p)).toEqual([
    "obtain-certificate[LDAPS-C09]",
    "place-certificate[]",
    "grant-key-read[]",
    "remove-competing-certificate[LDAPS-C09]",
    "reload-certificate[]",
    "verify[LDAPS-N03]",
  ]);
  const place = p.steps[1];
  expect(place.changes[0]).toMatchObject({ operation: "copy", store: "ADAM_AppDir\\My" });
  expect(p.steps[2].changes[0].account).toBe("NT AUTHORITY\\NetworkService");
  const remove = p.steps[3];
  expect(remove.changes.map((c) => [c.operation, c.store])).toEqual([["export", "ADAM_AppDir\\My"], ["delete", "ADAM_AppDir\\My"]]);
  expect(remove.changes[0].path).toBe("D:\\bak\\lds1.corp.example.test\\423682B7FB38D23237EBF43154EE8393004F9F7C.cer");
  expect(p.steps[5].changes.map((c) => c.port)).toEqual([50636]);
  expectWellFormed(p, ex("adlds-instance"));
});

test("hardened: a renewal that must not join another qualifying certificate in LocalMachine\\My goes to NTDS\\My", () => {
  const p = plan("healthy-dc", { profile: "hardened", source: { kind: "enroll", template: "LDAPS" } });
  expect(p.steps.map((s) => s.action)).toEqual(["obtain-certificate", "place-certificate", "reload-certificate", "verify"]);
  expect(p.targets[0].intendedCertificate?.store).toBe("NTDS\\My");
  expect(p.targets[0].intendedCertificate?.storeReason).toMatch(/LocalMachine\\My holds another qualifying certificate/);
  // Policy the plan cannot answer is listed, not hidden.
  expect(p.targets[0].unaddressed.map((u) => u.control)).toEqual(expect.arrayContaining(["LDAPS-G02"]));
});

test("the wire shows another certificate than the stores predict (renewed, not reloaded): reload and verify only", () => {
  const der = (name: string) => readFileSync(join(dir, "certs", `${name}.pem`), "utf8").replace(/-----[^-]+-----|\s/g, "");
  const fqdn = "dc1.corp.example.test";
  const probe = {
    schemaVersion: 1,
    collector: { name: "ldaps-audit-probe" },
    host: { fqdn },
    network: {
      probedAt: "2026-11-24T00:00:00.000Z",
      endpoints: [
        {
          host: fqdn, port: 636, mode: "ldaps", purpose: "ldap", servername: fqdn, failure: null,
          tls: { protocol: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384", chain: [der("dc1-renewed"), der("issuing")], authorized: true, authorizationError: null, hostnameMatches: true },
          ldap: { rootDse: { dnsHostName: fqdn, isGlobalCatalogReady: true, supportedLDAPVersion: ["3"], defaultNamingContext: "DC=corp,DC=example,DC=test" } },
        },
      ],
    },
  };
  const tmp = mkdtempSync(join(tmpdir(), "ldaps-audit-fixwire-"));
  try {
    const merged = mergeNetworkEvidence(readSnapshot(ex("healthy-dc")).snapshot, probe as Snapshot);
    const path = join(tmp, "wire.snapshot.json");
    writeFileSync(path, JSON.stringify(merged));
    const p = planFix({ snapshot: path, now: NOW }).plan;
    expect(shape(p)).toEqual(["reload-certificate[LDAPS-N03]", "verify[LDAPS-N03]"]);
    expect(p.steps[0].precondition).toMatchObject({ pointer: "/network/store/matches", observed: false, doneWhen: { equals: true } });
    expect(p.targets[0].intendedCertificate?.thumbprint).toBe("6AB384440534A15782E9C1B2E288323D50DD3DD1");
    expectWellFormed(p, path);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

// A certificate already on the host, named by thumbprint (fix --thumbprint, DSC certificateThumbprint): it becomes
// the intended one, placed where Windows looks first when Windows would pick another; refused when it cannot serve.
describe("a named certificate (source: thumbprint)", () => {
  const PICKED = "06EBDDBED90CF9FB43A018B5B8380D7432D8F026"; // two-qualifying: the later notAfter, Windows' pick
  const OTHER = "6AB384440534A15782E9C1B2E288323D50DD3DD1";
  const named = (name: string, thumbprint: string) => plan(name, { source: { kind: "thumbprint", thumbprint } });
  const table: Array<{ example: string; thumbprint: string; steps: string[]; store?: string }> = [
    // Windows would pick another: the named one goes to NTDS\My, and that is not optional.
    { example: "two-qualifying", thumbprint: OTHER, steps: ["place-certificate[LDAPS-S02]", "reload-certificate[]", "verify[LDAPS-N03]"], store: "NTDS\\My" },
    // Naming Windows' own pick changes nothing against the plain plan.
    { example: "two-qualifying", thumbprint: PICKED, steps: ["place-certificate?[LDAPS-S02]", "reload-certificate?[]", "verify?[LDAPS-N03]"], store: "NTDS\\My" },
    { example: "healthy-dc", thumbprint: OTHER, steps: [], store: "LocalMachine\\My" },
    // Nothing qualifies yet; the grant makes the named one qualify and it is then Windows' only choice: no placement.
    { example: "key-not-readable", thumbprint: OTHER, steps: ["grant-key-read[LDAPS-S01,LDAPS-C04,LDAPS-E03]", ...RELOAD_VERIFY], store: "LocalMachine\\My" },
  ];
  test.each(table)("$example, $thumbprint -> $steps", ({ example, thumbprint, steps, store }) => {
    const p = named(example, thumbprint);
    expect(shape(p)).toEqual(steps);
    expect(p.targets[0].intendedCertificate).toMatchObject({ thumbprint, source: "existing", store });
    expect(p.stopped).toBeNull();
    const place = p.steps.find((s) => s.action === "place-certificate");
    if (place && !place.optional) expect(place.precondition).toMatchObject({ pointer: "/selection/predicted", observed: PICKED, doneWhen: { equalsIntended: true } });
  });
  test.each([
    { example: "healthy-dc", thumbprint: "00".repeat(20), error: /is not in NTDS\\My or LocalMachine\\My on dc1\.corp\.example\.test/ },
    { example: "expired", thumbprint: "C0E333364D083B221901CF1CF93799069C1C8166", error: /cannot serve LDAPS on dc1\.corp\.example\.test: expired on 2025-06-30/ },
    { example: "wrong-name", thumbprint: "62B3D47C98C68FF45F67CE2D88E102711F1E43AB", error: /cannot serve LDAPS on dc1\.corp\.example\.test: .*dc1\.corp\.example\.test/ },
  ])("refused: $example, $thumbprint", ({ example, thumbprint, error }) => {
    expect(() => named(example, thumbprint)).toThrow(error);
  });
});
