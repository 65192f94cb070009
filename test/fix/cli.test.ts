// `ldaps-audit fix` as a pipeline and an administrator see it: json and text, --output, exit codes, one-line
// errors, --apply's refusals before anything runs, --pfx refused by preflight, --request writing a certreq .inf, hostile evidence escaped.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeErrors, validatorFor } from "../../lib/schemas";
import { PLAN_SCHEMA_ID } from "../../lib/fix/plan";
import { expectCleanError, runCli } from "../helpers/cli";
import { Pki } from "../helpers/openssl";
import { dcSnapshot } from "../helpers/snapshot";
import { expectTerminalSafe, MARK } from "../helpers/terminal";

const ex = (name: string) => join(__dirname, "..", "..", "examples", `${name}.snapshot.json`);
const NOW = ["--now", "2026-11-24T00:00:00Z"];
let tmp: string;
beforeAll(() => (tmp = mkdtempSync(join(tmpdir(), "ldaps-audit-fixcli-"))));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function validPlan(text: string) {
  const plan = JSON.parse(text);
  const v = validatorFor(PLAN_SCHEMA_ID);
  expect(v(plan) ? "valid" : describeErrors(v.errors)).toBe("valid");
  return plan;
}

test("json (the default when piped): a valid plan; exit 1 with steps, 0 for a healthy host", () => {
  const r = runCli(["fix", ex("key-not-readable"), ...NOW]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(1);
  const plan = validPlan(r.stdout);
  expect(plan.steps.map((s: { action: string }) => s.action)).toEqual(["grant-key-read", "reload-certificate", "verify"]);
  const healthy = runCli(["fix", ex("healthy-dc"), ...NOW, "--plan"]);
  expect(healthy.code).toBe(0);
  expect(validPlan(healthy.stdout).steps).toEqual([]);
});

test("text: the steps in order with their controls, reasons, changes and undo; nothing changed", () => {
  const r = runCli(["fix", ex("key-not-readable"), ...NOW, "--format", "text"]);
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(/^ldaps-audit fix --plan: dc1\.corp\.example\.test \(profile baseline/);
  expect(r.stdout).toMatch(/1\. grant-key-read \[NTDS\] addresses LDAPS-S01, LDAPS-C04, LDAPS-E03\n/);
  expect(r.stdout).toMatch(/2\. reload-certificate \[NTDS\] addresses LDAPS-E01, LDAPS-E02\n/);
  expect(r.stdout).toMatch(/3\. verify \[NTDS\] addresses LDAPS-N03\n/);
  expect(r.stdout).toMatch(/needed because: .* \(\/certificates\/0\/privateKey\/readable = false\)/);
  expect(r.stdout).toMatch(/undo: Remove the Read entry for NT AUTHORITY\\SYSTEM/);
  expect(r.stdout).toMatch(/Plan only: nothing was changed\. Carry it out on the host with fix --apply \(--what-if first\)\.\n$/);
  const healthy = runCli(["fix", ex("healthy-dc"), ...NOW, "--format", "text"]);
  expect(healthy.code).toBe(0);
  expect(healthy.stdout).toMatch(/Nothing to do/);
  const none = runCli(["fix", ex("wrong-name"), ...NOW, "--format", "text"]);
  expect(none.stdout).toMatch(/The plan stops after obtain-certificate: Give a certificate source \(--pfx FILE --password-env VAR, --enroll TEMPLATE or --request DIR\)/);
  expect(none.stdout).toMatch(/not addressed by this plan: FAIL LDAPS-E01/);
});

test("--output writes the plan atomically and says so on stderr", () => {
  const out = join(tmp, "plan.json");
  const r = runCli(["fix", ex("two-qualifying"), ...NOW, "-o", out]);
  expect(r.code).toBe(1);
  expect(r.stdout).toBe("");
  expect(r.stderr).toMatch(/wrote .*plan\.json: 3 step\(s\)/);
  expect(validPlan(readFileSync(out, "utf8")).steps.every((s: { optional: boolean }) => s.optional)).toBe(true);
  expect(readdirSync(tmp).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  // The snapshot is an input: the plan never replaces it.
  const snap = join(tmp, "snap.json");
  writeFileSync(snap, readFileSync(ex("healthy-dc")));
  expectCleanError(runCli(["fix", snap, "-o", snap]), 2, /--output .*snap\.json: is also an input \(snapshot/);
});

test("bad input: one line, exit 2, never a stack trace", () => {
  // Without a snapshot fix collects on this host first: without PowerShell that is a runtime failure (exit 3), said once.
  const none = runCli(["fix"], { LDAPS_AUDIT_POWERSHELL: join(tmp, "no-such-powershell") });
  expect(none.code).toBe(3);
  expect(none.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^ldaps-audit: no snapshot given: collecting LDAPS evidence on this host first/), expect.stringMatching(/^ldaps-audit: PowerShell was not found/)]);
  expect(none.stdout).toBe("");
  expectCleanError(runCli(["fix", join(tmp, "missing.json")]), 2, /missing\.json: no such file/);
  const bad = join(tmp, "bad.json");
  writeFileSync(bad, "{}");
  expectCleanError(runCli(["fix", bad]), 2, /bad\.json: not a valid snapshot/);
  expectCleanError(runCli(["fix", ex("healthy-dc"), "--now", "yesterday"]), 2, /--now "yesterday"/);
  expectCleanError(runCli(["fix", ex("healthy-dc"), "--format", "html"]), 2, /Invalid values/);
  expectCleanError(runCli(["fix", ex("healthy-dc"), "--enroll", "LDAPS", "--request", tmp]), 2, /mutually exclusive/);
  expectCleanError(runCli(["fix", ex("wrong-name"), "--pfx", ex("healthy-dc"), "--password-env", "NO_SUCH_VAR_LDAPS"]), 2, /--password-env NO_SUCH_VAR_LDAPS: that environment variable is not set/);
  expectCleanError(runCli(["fix", ex("wrong-name"), "--enroll", "LDAPS\nX=1"]), 2, /--enroll "LDAPS\\nX=1": expected a certificate template name/);
  expectCleanError(runCli(["fix", ex("wrong-name"), "--request", tmp, "--extra-name", "a b"]), 2, /--extra-name "a b": expected a DNS name/);
  expectCleanError(runCli(["fix", ex("two-qualifying"), "--thumbprint", "6AB3"]), 2, /--thumbprint: expected a SHA-1 thumbprint/);
  expectCleanError(runCli(["fix", ex("two-qualifying"), "--thumbprint", "6AB384440534A15782E9C1B2E288323D50DD3DD1", "--enroll", "LDAPS"]), 2, /mutually exclusive/);
  expectCleanError(runCli(["fix", ex("expired"), ...NOW, "--thumbprint", "C0E333364D083B221901CF1CF93799069C1C8166"]), 2, /certificate C0E333364D083B221901CF1CF93799069C1C8166 cannot serve LDAPS on dc1\.corp\.example\.test: expired on 2025-06-30/);
  // A probe-only snapshot says nothing about the stores: no plan is guessed.
  const probe = join(tmp, "probe.json");
  writeFileSync(probe, JSON.stringify({ schemaVersion: 1, collector: { name: "ldaps-audit-probe" }, host: { fqdn: "dc1.example.test" } }));
  expectCleanError(runCli(["fix", probe]), 2, /neither a domain controller nor an AD LDS server/);
  // Stores the collector could not read: no plan is guessed either.
  const denied = JSON.parse(readFileSync(ex("healthy-dc"), "utf8"));
  denied.stores[0] = { name: "NTDS\\My", certificates: [], error: { part: "stores/NTDS\\My", message: "Access is denied", code: "AccessDenied" } };
  const deniedPath = join(tmp, "denied.json");
  writeFileSync(deniedPath, JSON.stringify(denied));
  expectCleanError(runCli(["fix", deniedPath]), 2, /NTDS\\My not read for NTDS \(AccessDenied\); collect again as a local administrator/);
});

test("--apply refuses with one line and exit 2 before anything runs, and writes nothing", () => {
  const out = join(tmp, "apply.json");
  const planFile = join(tmp, "dc1.plan.json");
  expect(runCli(["fix", ex("key-not-readable"), ...NOW, "--format", "json", "-o", planFile]).code).toBe(1);
  // A live holder of the lock (this test process).
  const lock = join(tmp, "apply.lock");
  writeFileSync(lock, JSON.stringify({ pid: process.pid, host: require("node:os").hostname(), started: "2026-11-24T00:00:00Z" }));
  expectCleanError(runCli(["fix", "--apply", "--plan", planFile, "--lock-file", lock, "-o", out]), 2, new RegExp(`^ldaps-audit: fix --apply refused: another fix --apply holds the lock .* \\(pid ${process.pid} on `));
  expect(readFileSync(lock, "utf8")).toContain(String(process.pid));
  // Not a plan; a plan and a snapshot; neither (collects first, see above); options of --apply without it; a PFX password variable that is not set.
  expectCleanError(runCli(["fix", "--apply", "--plan", ex("key-not-readable"), "-o", out]), 2, /^ldaps-audit: .*key-not-readable\.snapshot\.json: not a valid plan: /);
  expectCleanError(runCli(["fix", ex("key-not-readable"), "--apply", "--plan", planFile]), 2, /^ldaps-audit: fix --apply: give either --plan FILE or a snapshot to plan from, not both\n$/);
  const applyNone = runCli(["fix", "--apply", "--enroll", "LDAPS", "--what-if", "--lock-file", join(tmp, "none.lock")], { LDAPS_AUDIT_POWERSHELL: join(tmp, "no-such-powershell") });
  expect([applyNone.code, applyNone.stdout]).toEqual([3, ""]);
  expect(applyNone.stderr).toMatch(/collecting LDAPS evidence on this host first[\s\S]*PowerShell was not found/);
  expectCleanError(runCli(["fix", ex("key-not-readable"), "--what-if"]), 2, /^ldaps-audit: --what-if is an option of fix --apply\n$/);
  // A bare --verify-port (yargs: []) would verify nothing: refused, not a silent pass.
  expectCleanError(runCli(["fix", "--apply", "--plan", planFile, "--lock-file", join(tmp, "vp.lock"), "--verify-port"]), 2, /^ldaps-audit: --verify-port: give at least one port \(1-65535\)\n$/);
  delete process.env.LDAPS_AUDIT_TEST_UNSET_VARIABLE;
  expectCleanError(runCli(["fix", "--apply", "--plan", planFile, "--password-env", "LDAPS_AUDIT_TEST_UNSET_VARIABLE"]), 2, /^ldaps-audit: --password-env LDAPS_AUDIT_TEST_UNSET_VARIABLE: that environment variable is not set\n$/);
  expect(existsSync(out)).toBe(false);
});

test("--thumbprint: a certificate on the host that Windows would not pick is placed in NTDS\\My (not optional)", () => {
  const r = runCli(["fix", ex("two-qualifying"), ...NOW, "--thumbprint", "6a b3 84 44 05 34 a1 57 82 e9 c1 b2 e2 88 32 3d 50 dd 3d d1"]);
  expect(r.code).toBe(1);
  const plan = validPlan(r.stdout);
  expect(plan.steps.map((s: { action: string; optional: boolean }) => `${s.action}${s.optional ? "?" : ""}`)).toEqual(["place-certificate", "reload-certificate", "verify"]);
  expect(plan.targets[0].intendedCertificate).toMatchObject({ thumbprint: "6AB384440534A15782E9C1B2E288323D50DD3DD1", source: "existing", store: "NTDS\\My" });
});

test("--help teaches: every source with an example, the actions, the exit codes", () => {
  const h = runCli(["fix", "--help"]);
  expect(h.code).toBe(0);
  for (const s of ["--pfx dc1.pfx --password-env PFX_PASS", "--enroll LDAPS", "--request", "--thumbprint", "6AB384440534A15782E9C1B2E288323D50DD3DD1", "--restart-service", "--profile", "--now"]) expect(h.stdout).toContain(s);
  for (const a of ["obtain-certificate", "place-certificate", "grant-key-read", "remove-competing-certificate", "reload-certificate", "verify"]) expect(h.stdout).toContain(a);
  const flat = h.stdout.replace(/\s+/g, " ");
  expect(flat).toMatch(/--apply \(on the DC, elevated\) carries a plan out through PowerShell/);
  expect(flat).toMatch(/Exit codes of --apply: 0 applied, nothing to do or what-if; 2 refused \(nothing changed, also when a what-if finds a step would fail\); 4 failed and rolled back; 5 failed and the rollback is incomplete/);
  for (const s of ["fix --apply --plan dc1.plan.json", "--what-if", "--lock-file", "--ldap-auth"]) expect(h.stdout).toContain(s);
  expect(h.stdout).toMatch(/Exit codes: 0 nothing to do, 1 the plan has steps/);
  expect(runCli(["--help"]).stdout).toMatch(/fix \[snapshot\]/);
});

describe("certificate sources", () => {
  let pki: Pki;
  beforeAll(() => (pki = new Pki()));
  afterAll(() => pki.cleanup());

  test("--pfx that fails preflight for the host's FQDN is refused: one line, exit 2", () => {
    const { intermediate } = pki.hierarchy();
    const web = pki.issue("web", { cn: "web.corp.example.test", san: "DNS:web.corp.example.test", eku: "serverAuth" }, intermediate);
    const pfx = pki.pfx("web", web, { password: "pw" });
    const r = runCli(["fix", ex("event-1220-no-certificate"), ...NOW, "--pfx", pfx, "--password-env", "FIX_PFX_PASS"], { FIX_PFX_PASS: "pw" });
    expectCleanError(r, 2, /--pfx .*web\.pfx: preflight for dc1\.corp\.example\.test \(NTDS, LocalMachine\\My\) does not pass: .*LDAPS-C02/);
    expect(r.stdout).toBe("");
  });

  test("--pfx that passes: obtain and place with its thumbprint; the password never appears", () => {
    const { root, intermediate } = pki.hierarchy();
    const dc = pki.issue("dc", { cn: "dc1.example.test", san: "DNS:dc1.example.test", eku: "serverAuth", keyUsage: "critical,digitalSignature,keyEncipherment" }, intermediate);
    const pfx = pki.pfx("dc", dc, { password: "hunter2", chain: [intermediate] });
    const snap = pki.write("empty.snapshot.json", JSON.stringify(dcSnapshot({})));
    const r = runCli(["fix", snap, ...NOW, "--pfx", pfx, "--password-env", "FIX_PFX_PASS", "--roots", root.certPath], { FIX_PFX_PASS: "hunter2" });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(1);
    const plan = validPlan(r.stdout);
    expect(plan.steps.map((s: { action: string }) => s.action)).toEqual(["obtain-certificate", "place-certificate", "reload-certificate", "verify"]);
    expect(plan.targets[0].intendedCertificate.thumbprint).toBe(pki.fingerprint(dc));
    expect(r.stdout).not.toContain("hunter2");
  });

  test("--request DIR writes a certreq .inf for the host (SAN = FQDN + --extra-name) and the plan stops there", () => {
    const dir = join(tmp, "csr");
    const r = runCli(["fix", ex("wrong-name"), ...NOW, "--request", dir, "--extra-name", "corp.example.test", "--format", "json"]);
    expect(r.code).toBe(1);
    const inf = join(dir, "dc1.corp.example.test.ldaps.inf");
    expect(r.stderr).toContain(`wrote ${inf}`);
    const plan = validPlan(r.stdout);
    expect(plan.steps.map((s: { action: string }) => s.action)).toEqual(["obtain-certificate"]);
    expect(plan.stopped.next).toMatch(/certreq -new .*certreq -accept -machine/);
    expect(plan.steps[0].commands).toEqual(["certreq -new -machine dc1.corp.example.test.ldaps.inf dc1.corp.example.test.csr"]);
    const text = readFileSync(inf, "utf8");
    const lines = text.split("\r\n");
    expect(lines).toEqual(
      expect.arrayContaining([
        "[Version]",
        'Signature="$Windows NT$"',
        "[NewRequest]",
        'Subject = "CN=dc1.corp.example.test"',
        "MachineKeySet = TRUE",
        "Exportable = FALSE",
        "KeyLength = 2048",
        "RequestType = PKCS10",
        "[EnhancedKeyUsageExtension]",
        "OID = 1.3.6.1.5.5.7.3.1 ; Server Authentication",
        "[Extensions]",
        '2.5.29.17 = "{text}"',
        '_continue_ = "dns=dc1.corp.example.test&"',
        '_continue_ = "dns=corp.example.test&"',
      ]),
    );
    // The FQDN comes first in the SAN, and every section appears once.
    expect(lines.indexOf('_continue_ = "dns=dc1.corp.example.test&"')).toBeLessThan(lines.indexOf('_continue_ = "dns=corp.example.test&"'));
    for (const section of ["[Version]", "[NewRequest]", "[Extensions]"]) expect(lines.filter((l) => l === section)).toHaveLength(1);
  });

  test("--output naming the .inf that --request writes is refused before anything is written", () => {
    const dir = join(tmp, "csr-clash");
    mkdirSync(dir);
    const inf = join(dir, "dc1.corp.example.test.ldaps.inf");
    expectCleanError(runCli(["fix", ex("wrong-name"), ...NOW, "--request", dir, "-o", inf, "--format", "json"]), 2, /--request|--output/);
    expect(existsSync(inf)).toBe(false);
  });

  test("a host name that is not a DNS name never reaches a .inf file", () => {
    const snap = JSON.parse(readFileSync(ex("event-1220-no-certificate"), "utf8"));
    snap.host.fqdn = 'dc1.corp.example.test"\r\n[Extensions]';
    const p = join(tmp, "badname.json");
    writeFileSync(p, JSON.stringify(snap));
    const dir = join(tmp, "csr-bad");
    expectCleanError(runCli(["fix", p, ...NOW, "--request", dir]), 2, /host\.fqdn .*(not a DNS name|not a value a command may carry)/);
    expect(existsSync(dir)).toBe(false);
  });
});

// Every evidence string a step's commands quote is checked before planning: a value that could end a quoted
// argument or start another command is refused (exit 2, one escaped line), never planned or merely escaped.
test.each([
  ["a host name with terminal escapes", (snap: any) => (snap.host.fqdn = `lds1.corp.example.test\x1b[2J\n${MARK}`), /host\.fqdn .* is not a value a command may carry/],
  ["a service account with a line break and a bidi override", (snap: any) => (snap.host.adldsInstances[0].serviceAccount = `CORP\\svc\u202e\r\n${MARK}`), /the service account .* is not a value a command may carry/],
  ["a service account that closes the quote and runs another command", (snap: any) => (snap.host.adldsInstances[0].serviceAccount = `CORP\\svc" & net user x /add & "${MARK}`), /the service account .* is not a value a command may carry/],
])("hostile evidence that commands would quote is refused: %s", (_what, mutate, message) => {
  const snap = JSON.parse(readFileSync(ex("adlds-instance"), "utf8"));
  mutate(snap);
  const p = join(tmp, "hostile.json");
  writeFileSync(p, JSON.stringify(snap));
  for (const format of ["text", "json"]) {
    const r = runCli(["fix", p, ...NOW, "--format", format]);
    expectCleanError(r, 2, message);
    expectTerminalSafe(r.stderr);
    expect(r.stdout).toBe("");
  }
});

test("a private key path that would break out of icacls' quotes is refused, not planned", () => {
  const snap = JSON.parse(readFileSync(ex("key-not-readable"), "utf8"));
  const text = JSON.stringify(snap).replace(/"keyFilePath":"[^"]*"/, `"keyFilePath":${JSON.stringify('C:\\k" /grant Everyone:F & "x')}`);
  expect(text).toContain("Everyone:F");
  const p = join(tmp, "hostile-key.json");
  writeFileSync(p, text);
  expectCleanError(runCli(["fix", p, ...NOW, "--format", "json"]), 2, /a private key file path .* is not a value a command may carry/);
});
