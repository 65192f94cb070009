// fix --apply end to end under pwsh: the REAL collector and the REAL step functions (ps/functions/Fix.ps1) through
// node-powershell, with the Windows-only seams shimmed (test/fixtures/ps/fix-shim.ps1 changes the collector's
// fixture as Windows would change the host: service store Blobs, LocalMachine\My, key ACLs; the event log by
// eventlog-shim.ps1), real X509Certificate2 objects from openssl-made PFX files, and a real slapd:
// - the renewServerCertificate modify reaches slapd (its stats log shows it), which refuses it: a clear step failure,
//   and the placed certificate is rolled back;
// - verify against slapd restarted with the new certificate passes; with the old one it rolls back;
// - what-if changes nothing; a host changed since the plan is refused.
// Everything a test writes is in its own temp dir (fixture, PFX copies, backups, lock, event log).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { collectLocal } from "../../lib/collect";
import { applyFix, APPLY_EXIT, APPLY_SCHEMA_ID, ApplyOptions } from "../../lib/fix/apply";
import { applyWithFix, runDscSet } from "../../lib/dsc/set";
import { describeErrors, validatorFor } from "../../lib/schemas";
import { planFix } from "../../lib/fix/plan";
import type { Plan } from "../../lib/fix/types";
import { serializeKeyProvInfo, serializeRegistryBlob } from "../../lib/x509/blob";
import { runCliAsync } from "../helpers/cli";
import { requirePeer } from "../helpers/peers";
import { freePort } from "../probe/helpers/net";
import { Slapd, slapdPath, startSlapd } from "../probe/helpers/slapd";
import { dcFixture, NTDS_CERTS } from "../ps/fixture";
import { findPwsh, hasOpenssl, makePki, repoRoot, shimPath, TestPki, writeFixture } from "../ps/helpers";

const pwsh = findPwsh();
const ready =
  requirePeer("pwsh", pwsh !== null, "install with: dotnet tool install --tool-path .tools/pwsh PowerShell --version 7.6.9 (or run .ci/run)") &&
  requirePeer("openssl", hasOpenssl(), "apt-get install openssl") &&
  requirePeer("slapd", slapdPath() !== null, "apt-get install slapd ldap-utils");

const shims = (...extra: string[]) => [shimPath, join(repoRoot, "test", "fixtures", "ps", "fix-shim.ps1"), join(repoRoot, "test", "fixtures", "ps", "eventlog-shim.ps1"), ...extra];
const reloadShim = join(repoRoot, "test", "fixtures", "ps", "reload-accepted-shim.ps1");

interface Host {
  dir: string;
  fixture: string;
  eventlog: string;
  env: NodeJS.ProcessEnv;
  plan: Plan;
}

/** A DC whose NTDS\My holds only an old self-signed certificate nothing trusts; the plan imports the CA-issued PFX. */
async function newHost(pki: TestPki): Promise<Host> {
  const dir = mkdtempSync(join(tmpdir(), "ldaps-audit-apply-"));
  const oldBlob = serializeRegistryBlob([
    { id: 2, value: serializeKeyProvInfo({ containerName: "old-container", providerName: "Microsoft RSA SChannel Cryptographic Provider", providerType: 12, keySpec: 1 }) },
    { id: 32, value: pki.oldDer },
  ]);
  const base = dcFixture(pki, new Date());
  const fixture = writeFixture(dir, {
    ...base,
    services: [{ name: "NTDS", state: "Running", startName: "LocalSystem" }],
    registry: {
      "HKLM:\\SYSTEM\\CurrentControlSet\\Services\\NTDS\\Parameters": { LDAPServerIntegrity: 2, LdapEnforceChannelBinding: 2 },
      [`${NTDS_CERTS}\\${pki.oldThumbprint}`]: { Blob: { base64: oldBlob.toString("base64") } },
    },
    registryDenied: [],
    machineStore: [],
    keys: { "container:old-container": { providerName: "Microsoft RSA SChannel Cryptographic Provider", providerType: 12, providerKind: "csp", containerName: "old-container", uniqueName: "old_machineguid", keySpec: 1, strongProtection: false, exportable: false } },
    acls: { old_machineguid: [{ identity: "NT AUTHORITY\\SYSTEM", rights: "FullControl", type: "Allow", inherited: false }] },
    events: [],
    missingLogs: [],
  });
  const eventlog = join(dir, "eventlog.json");
  // SSL_CERT_FILE: the chain .NET builds on Linux trusts the test CA, as the DC trusts its enterprise CA.
  const env = { LDAPS_AUDIT_TEST_FIXTURE: fixture, LDAPS_AUDIT_TEST_FIX_DIR: dir, LDAPS_AUDIT_TEST_EVENTLOG: eventlog, ProgramData: "C:\\ProgramData", PFXPW: pki.password, LDAPS_AUDIT_TEST_ENROLL_PFX: pki.leafPfx, SSL_CERT_FILE: join(pki.dir, "ca.pem") };
  const snapshot = await collectLocal({ executable: pwsh!, shimScripts: shims(), env, timeoutMs: 120000 });
  const snapshotPath = join(dir, "dc1.snapshot.json");
  writeFileSync(snapshotPath, JSON.stringify(snapshot));
  const { plan } = planFix({
    snapshot: snapshotPath,
    source: { kind: "pfx", file: pki.leafPfx, passwordEnv: "PFXPW", password: pki.password, roots: [join(pki.dir, "ca.pem")] },
    backupDir: join(dir, "backup"),
  });
  return { dir, fixture, eventlog, env, plan };
}

/** A DC whose NTDS\My holds the CA-issued certificate, but its key file is readable by one user only: the plan grants SYSTEM read. */
async function keyHost(pki: TestPki): Promise<Host> {
  const dir = mkdtempSync(join(tmpdir(), "ldaps-audit-apply-key-"));
  const blob = serializeRegistryBlob([
    { id: 2, value: serializeKeyProvInfo({ containerName: "leaf-container", providerName: "Microsoft Software Key Storage Provider", providerType: 0, keySpec: 0 }) },
    { id: 32, value: pki.leafDer },
  ]);
  const fixture = writeFixture(dir, {
    ...dcFixture(pki, new Date()),
    services: [{ name: "NTDS", state: "Running", startName: "LocalSystem" }],
    registry: {
      "HKLM:\\SYSTEM\\CurrentControlSet\\Services\\NTDS\\Parameters": { LDAPServerIntegrity: 2, LdapEnforceChannelBinding: 2 },
      [`${NTDS_CERTS}\\${pki.leafThumbprint}`]: { Blob: { base64: blob.toString("base64") } },
    },
    registryDenied: [],
    machineStore: [],
    keys: { "container:leaf-container": { providerName: "Microsoft Software Key Storage Provider", providerType: 0, providerKind: "ksp", containerName: "leaf-container", uniqueName: "leaf_machineguid", keySpec: null, strongProtection: false, exportable: false } },
    acls: { leaf_machineguid: [{ identity: "S-1-5-21-1-2-3-1104", rights: "FullControl", type: "Allow", inherited: false }] },
    events: [],
    missingLogs: [],
  });
  const eventlog = join(dir, "eventlog.json");
  const env = { LDAPS_AUDIT_TEST_FIXTURE: fixture, LDAPS_AUDIT_TEST_FIX_DIR: dir, LDAPS_AUDIT_TEST_EVENTLOG: eventlog, ProgramData: "C:\\ProgramData", SSL_CERT_FILE: join(pki.dir, "ca.pem") };
  const snapshot = await collectLocal({ executable: pwsh!, shimScripts: shims(), env, timeoutMs: 120000 });
  const snapshotPath = join(dir, "dc1.snapshot.json");
  writeFileSync(snapshotPath, JSON.stringify(snapshot));
  return { dir, fixture, eventlog, env, plan: planFix({ snapshot: snapshotPath }).plan };
}

/** A clock that only moves when apply sleeps: no real waiting, and a deadline that passes at once when nothing changes. */
function fakeClock(onSleep: () => Promise<void> = async () => undefined) {
  // Starts at the real time only so the certificates made by openssl a moment ago are already valid.
  let t = Date.now();
  const sleeps: number[] = [];
  return {
    now: () => new Date(t),
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
      await onSleep();
    },
    sleeps,
  };
}

/** Every record apply produces validates against schemas/apply.schema.json. */
function expectValidRecord(record: unknown): void {
  const v = validatorFor(APPLY_SCHEMA_ID);
  expect(v(JSON.parse(JSON.stringify(record))) ? "valid" : describeErrors(v.errors)).toBe("valid");
}

const inNtds = (h: Host, thumbprint: string) => Object.keys(JSON.parse(readFileSync(h.fixture, "utf8")).registry).some((k) => k.endsWith(`\\${thumbprint}`));

(ready ? describe : describe.skip)("fix --apply under pwsh with the Windows seams shimmed", () => {
  let pki: TestPki;
  const certs: Record<"old" | "leaf", { certFile: string; keyFile: string }> = {} as never;
  const hosts: Host[] = [];
  const peers: Slapd[] = [];

  beforeAll(() => {
    pki = makePki();
    certs.old = { certFile: join(pki.dir, "old.pem"), keyFile: join(pki.dir, "old.key") };
    certs.leaf = { certFile: join(pki.dir, "leaf.pem"), keyFile: join(pki.dir, "leaf.key") };
  });
  afterAll(async () => {
    for (const p of peers) await p.stop();
    for (const h of hosts) rmSync(h.dir, { recursive: true, force: true });
    if (pki) rmSync(pki.dir, { recursive: true, force: true });
  });

  async function host(): Promise<Host> {
    const h = await newHost(pki);
    hosts.push(h);
    return h;
  }

  function options(h: Host, extra: Partial<ApplyOptions>): ApplyOptions {
    return {
      plan: h.plan,
      whatIf: false,
      lockFile: join(h.dir, "apply.lock"),
      shimScripts: shims(),
      powershell: { executable: pwsh!, env: h.env, timeoutMs: 120000 },
      pfxPasswordEnv: "PFXPW",
      backupDir: join(h.dir, "backup"),
      ...extra,
    };
  }

  test("the plan: obtain from the PFX, place it in NTDS\\My, reload, verify", async () => {
    const h = await host();
    expect(h.plan.steps.map((s) => s.id)).toEqual(["obtain-certificate/NTDS", "place-certificate/NTDS", "reload-certificate/NTDS", "verify/NTDS"]);
    expect(h.plan.targets[0].intendedCertificate?.thumbprint).toBe(pki.leafThumbprint);
  });

  test("the renewServerCertificate modify reaches a real slapd, which refuses it: a clear step failure, the import rolled back (exit 4)", async () => {
    const h = await host();
    const slapd = await startSlapd(certs.old, { stats: true });
    peers.push(slapd);
    const clock = fakeClock();
    const o = await applyFix(options(h, { reload: { server: "127.0.0.1", port: slapd.ldapPort, authType: "Anonymous" }, now: clock.now, sleep: clock.sleep }));
    expect(o.status).toBe("rolled-back");
    expect(o.exitCode).toBe(APPLY_EXIT["rolled-back"]);
    expectValidRecord(o.record);
    expect(o.steps.map((s) => [s.id, s.outcome])).toEqual([
      ["obtain-certificate/NTDS", "done"],
      ["place-certificate/NTDS", "done"],
      ["reload-certificate/NTDS", "failed"],
      ["verify/NTDS", "not-run"],
    ]);
    expect(o.steps[2].detail).toMatch(new RegExp(`^127\\.0\\.0\\.1:${slapd.ldapPort} refused the renewServerCertificate modify: UndefinedAttributeType \\(renewServerCertificate: attribute type undefined\\)$`));
    // Sent: slapd logged a modify of the rootDSE naming the attribute.
    expect(slapd.log()).toMatch(/conn=\d+ op=\d+ MOD dn=""/);
    expect(slapd.log()).toMatch(/MOD attr=renewServerCertificate/);
    expect(o.record.rollback.map((r) => [r.id, r.outcome])).toEqual([["place-certificate/NTDS", "undone"]]);
    expect(o.reason).toMatch(/^reload-certificate\/NTDS failed: .*; rolled back: place-certificate\/NTDS$/);
    expect(inNtds(h, pki.leafThumbprint)).toBe(false);
    expect(inNtds(h, pki.oldThumbprint)).toBe(true);
    // The event: rolled back (1014, Error) in the Application log under the ldaps-audit source.
    const ev = JSON.parse(readFileSync(h.eventlog, "utf8"));
    expect(ev.entries.map((e: { EventId: number; EntryType: string; Source: string }) => [e.EventId, e.EntryType, e.Source])).toEqual([[1014, "Error", "ldaps-audit"]]);
    expect(o.record.diff).not.toBeNull();
  });

  test("verify against slapd restarted with the new certificate passes: applied, the certificate stays, the diff shows the fix", async () => {
    const h = await host();
    const ports = { ldaps: await freePort(), ldap: await freePort() };
    let slapd = await startSlapd(certs.old, { ports });
    let restarts = 0;
    // The DC picks the new certificate some time after the reload: the first wait restarts slapd with it.
    const clock = fakeClock(async () => {
      if (restarts++ > 0) return;
      await slapd.stop();
      slapd = await startSlapd(certs.leaf, { ports });
    });
    // The same placement twice: once the first has run, the second's precondition (the intended certificate is the
    // one Windows picks) no longer holds on the facts collected right before it, so it is skipped.
    const place = h.plan.steps[1];
    const plan: Plan = { ...h.plan, steps: [h.plan.steps[0], place, { ...place, id: `${place.id}/again` }, ...h.plan.steps.slice(2)] };
    try {
      const o = await applyFix(options(h, {
        plan,
        shimScripts: shims(reloadShim),
        verify: { host: "127.0.0.1", ports: [ports.ldaps], deadlineMs: 60_000, intervalMs: 5000 },
        now: clock.now,
        sleep: clock.sleep,
      }));
      expect(o.steps.map((s) => [s.id, s.outcome])).toEqual([
        ["obtain-certificate/NTDS", "done"],
        ["place-certificate/NTDS", "done"],
        ["place-certificate/NTDS/again", "skipped"],
        ["reload-certificate/NTDS", "done"],
        ["verify/NTDS", "checked"],
      ]);
      expect(o.steps[2].detail).toBe(`precondition no longer holds: /selection/predicted is the intended ${pki.leafThumbprint}`);
      expect([o.status, o.exitCode]).toEqual(["applied", 0]);
      expectValidRecord(o.record);
      expect(o.steps[4].detail).toBe(`127.0.0.1 presents ${pki.leafThumbprint} on ${ports.ldaps}`);
      expect(clock.sleeps).toEqual([5000]);
      expect(inNtds(h, pki.leafThumbprint)).toBe(true);
      expect(JSON.parse(readFileSync(h.fixture, "utf8")).reloads).toEqual(["localhost:389"]);
      expect(o.record.rollback).toEqual([]);
      // Before/after: the new certificate is now the one Windows picks, and the controls that failed for want of one pass.
      expect(o.record.diff!.summary.improvements).toBeGreaterThan(0);
      expect(o.record.diff!.summary.regressions).toBe(0);
      expect(o.record.diff!.targets[0].changes).toContainEqual(expect.objectContaining({ kind: "certificate-gained", to: pki.leafThumbprint }));
      expect(JSON.parse(readFileSync(h.eventlog, "utf8")).entries.map((e: { EventId: number }) => e.EventId)).toEqual([1010]);
      // The import went into the service store with a key link the collector follows.
      expect(o.record.steps[1].result).toMatchObject({ action: "import", store: "NTDS\\My", thumbprint: pki.leafThumbprint, undo: { function: "Undo-LdapsAuditCertificateAdd" } });
    } finally {
      await slapd.stop();
    }
  });

  test("verify against slapd still on the old certificate fails at the deadline (injected clock): rolled back, exit 4", async () => {
    const h = await host();
    const slapd = await startSlapd(certs.old, {});
    peers.push(slapd);
    const clock = fakeClock();
    const o = await applyFix(options(h, {
      shimScripts: shims(reloadShim),
      verify: { host: "127.0.0.1", ports: [slapd.ldapsPort], deadlineMs: 20_000, intervalMs: 5000 },
      now: clock.now,
      sleep: clock.sleep,
    }));
    expect([o.status, o.exitCode]).toEqual(["rolled-back", 4]);
    expect(o.steps[3]).toMatchObject({ id: "verify/NTDS", outcome: "failed" });
    expect(o.steps[3].detail).toBe(`127.0.0.1 still presents ${slapd.ldapsPort}: ${pki.oldThumbprint} instead of ${pki.leafThumbprint} at the deadline`);
    expect(clock.sleeps).toEqual([5000, 5000, 5000, 5000]);
    // Undone in reverse, then reloaded again so the service picks the old certificate back.
    expect(o.record.rollback.map((r) => [r.id, r.outcome])).toEqual([
      ["reload-certificate/NTDS", "nothing-to-undo"],
      ["place-certificate/NTDS", "undone"],
      ["reload-certificate/NTDS", "undone"],
    ]);
    expect(inNtds(h, pki.leafThumbprint)).toBe(false);
    expect(JSON.parse(readFileSync(h.fixture, "utf8")).reloads).toEqual(["localhost:389", "localhost:389"]);
  });

  test("verify with no port to probe fails (never a silent pass): rolled back, exit 4", async () => {
    const h = await host();
    const clock = fakeClock();
    const o = await applyFix(options(h, { shimScripts: shims(reloadShim), verify: { host: "127.0.0.1", ports: [] }, now: clock.now, sleep: clock.sleep }));
    expect([o.status, o.exitCode]).toEqual(["rolled-back", 4]);
    expect(o.steps[3]).toMatchObject({ id: "verify/NTDS", outcome: "failed", detail: "no port to verify (give --verify-port or plan again)" });
    expect(inNtds(h, pki.leafThumbprint)).toBe(false);
  });

  test("SIGTERM mid-apply (the CLI, a real process): stops before the next step, rolls back, writes the record and the event, exits 143; a second signal exits at once, the lock released", async () => {
    const { spawn } = await import("node:child_process");
    const blockShim = join(repoRoot, "test", "fixtures", "ps", "reload-blocking-shim.ps1");
    const bin = join(repoRoot, "bin", "ldaps-audit.js");
    for (const signals of [1, 2]) {
      const h = await host();
      const planFile = join(h.dir, "dc1.plan.json");
      writeFileSync(planFile, JSON.stringify(h.plan));
      const out = join(h.dir, "apply.json");
      const lock = join(h.dir, "apply.lock");
      const args = ["fix", "--apply", "--plan", planFile, "--lock-file", lock, "--password-env", "PFXPW", "--backup-dir", join(h.dir, "backup"), "--verify-host", "127.0.0.1", "--verify-port", String(await freePort()), "-o", out, "--ps-shim", ...shims(blockShim)];
      const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...h.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (d) => (stderr += d));
      let gone = false;
      const exited = new Promise<number | null>((resolve) => child.once("close", (c) => ((gone = true), resolve(c))));
      // The reload step has started (the shim wrote the file) and waits for reload-go: the signal lands mid-run.
      while (!gone && !existsSync(join(h.dir, "reload-started"))) await new Promise((r) => setTimeout(r, 50));
      child.kill("SIGTERM");
      if (signals === 2) {
        // The first signal is acknowledged on stderr before the second is sent.
        while (!gone && !stderr.includes("SIGTERM: stopping")) await new Promise((r) => setTimeout(r, 50));
        child.kill("SIGTERM");
        expect(await exited).toBe(143);
        expect(existsSync(lock)).toBe(false);
        expect(existsSync(out)).toBe(false);
        writeFileSync(join(h.dir, "reload-go"), "go");
        continue;
      }
      while (!gone && !stderr.includes("SIGTERM: stopping")) await new Promise((r) => setTimeout(r, 50));
      writeFileSync(join(h.dir, "reload-go"), "go");
      expect(await exited).toBe(143);
      const record = JSON.parse(readFileSync(out, "utf8"));
      expectValidRecord(record);
      expect(record.status).toBe("rolled-back");
      expect(record.steps.map((x: { id: string; outcome: string }) => [x.id, x.outcome])).toEqual([
        ["obtain-certificate/NTDS", "done"],
        ["place-certificate/NTDS", "done"],
        ["reload-certificate/NTDS", "done"],
        ["verify/NTDS", "not-run"],
      ]);
      expect(record.steps[3].detail).toBe("not run: interrupted by SIGTERM");
      expect(record.rollback.map((r: { id: string; outcome: string }) => [r.id, r.outcome])).toEqual([
        ["reload-certificate/NTDS", "nothing-to-undo"],
        ["place-certificate/NTDS", "undone"],
        ["reload-certificate/NTDS", "undone"],
      ]);
      expect(inNtds(h, pki.leafThumbprint)).toBe(false);
      expect(record.event?.written).toBe(true);
      expect(existsSync(lock)).toBe(false);
      expect(stderr).toMatch(/fix --apply rolled-back: interrupted by SIGTERM; rolled back/);
    }
  });

  test("an unexpected throw inside verify (the injected sleep) is verify's failure: rolled back, exit 4, not an escaped exception", async () => {
    const h = await host();
    const o = await applyFix(options(h, {
      shimScripts: shims(reloadShim),
      verify: { host: "127.0.0.1", ports: [await freePort()], deadlineMs: 60_000, intervalMs: 5000 },
      sleep: async () => {
        throw new Error("the clock broke (test)");
      },
    }));
    expect([o.status, o.exitCode]).toEqual(["rolled-back", 4]);
    expect(o.steps[3]).toMatchObject({ id: "verify/NTDS", outcome: "failed", detail: "unexpected error: the clock broke (test)" });
    expect(o.record.rollback.map((r) => [r.id, r.outcome])).toEqual([
      ["reload-certificate/NTDS", "nothing-to-undo"],
      ["place-certificate/NTDS", "undone"],
      ["reload-certificate/NTDS", "undone"],
    ]);
    expect(inNtds(h, pki.leafThumbprint)).toBe(false);
  });

  test("a reload that reached the service and then failed is reloaded again on rollback", async () => {
    const h = await host();
    const o = await applyFix(options(h, { shimScripts: shims(join(repoRoot, "test", "fixtures", "ps", "reload-fails-once-shim.ps1")), verify: { host: "127.0.0.1", ports: [await freePort()] } }));
    expect([o.status, o.exitCode]).toEqual(["rolled-back", 4]);
    expect(o.steps.map((s) => [s.id, s.outcome])).toEqual([
      ["obtain-certificate/NTDS", "done"],
      ["place-certificate/NTDS", "done"],
      ["reload-certificate/NTDS", "failed"],
      ["verify/NTDS", "not-run"],
    ]);
    expect(o.record.rollback.map((r) => [r.id, r.outcome])).toEqual([
      ["place-certificate/NTDS", "undone"],
      ["reload-certificate/NTDS", "undone"],
    ]);
    expect(JSON.parse(readFileSync(h.fixture, "utf8")).reloads).toEqual(["localhost:389", "localhost:389"]);
    expect(inNtds(h, pki.leafThumbprint)).toBe(false);
  });

  test("what-if runs every step with -WhatIf and changes nothing (fixture byte-identical, nothing sent to slapd)", async () => {
    const h = await host();
    const slapd = await startSlapd(certs.old, { stats: true });
    peers.push(slapd);
    const before = readFileSync(h.fixture);
    const o = await applyFix(options(h, { whatIf: true, reload: { server: "127.0.0.1", port: slapd.ldapPort, authType: "Anonymous" } }));
    expect([o.status, o.exitCode]).toEqual(["what-if", 0]);
    expect(o.steps.map((s) => [s.id, s.outcome])).toEqual([
      ["obtain-certificate/NTDS", "done"],
      ["place-certificate/NTDS", "what-if"],
      ["reload-certificate/NTDS", "what-if"],
      ["verify/NTDS", "what-if"],
    ]);
    expect(o.steps[1].detail).toBe(`would import ${pki.leafThumbprint} into NTDS\\My`);
    expect(readFileSync(h.fixture).equals(before)).toBe(true);
    expect(slapd.log()).not.toMatch(/MOD /);
  });

  test("grant-key-read through apply: SYSTEM gets read on the key file; when verify fails the ACL is put back as it was", async () => {
    const h = await keyHost(pki);
    hosts.push(h);
    expect(h.plan.steps.map((s) => s.id)).toEqual(["grant-key-read/NTDS", "reload-certificate/NTDS", "verify/NTDS"]);
    const acl = () => JSON.parse(readFileSync(h.fixture, "utf8")).acls.leaf_machineguid;
    const user = { identity: "S-1-5-21-1-2-3-1104", rights: "FullControl", type: "Allow", inherited: false };
    const slapd = await startSlapd(certs.old, {});
    peers.push(slapd);
    const clock = fakeClock();
    const o = await applyFix(options(h, { pfxPasswordEnv: undefined, shimScripts: shims(reloadShim), verify: { host: "127.0.0.1", ports: [slapd.ldapsPort], deadlineMs: 5000, intervalMs: 5000 }, now: clock.now, sleep: clock.sleep }));
    expect(o.steps.map((s) => [s.id, s.outcome])).toEqual([["grant-key-read/NTDS", "done"], ["reload-certificate/NTDS", "done"], ["verify/NTDS", "failed"]]);
    expect(o.record.steps[0].result).toMatchObject({ account: "NT AUTHORITY\\SYSTEM", sid: "S-1-5-18", previousSddl: "O:SYG:SYD:P(A;;FA;;;S-1-5-21-1-2-3-1104)", sddl: "O:SYG:SYD:P(A;;FA;;;S-1-5-21-1-2-3-1104)(A;;GR;;;S-1-5-18)" });
    expect(o.record.rollback.map((r) => [r.id, r.outcome])).toEqual([["reload-certificate/NTDS", "nothing-to-undo"], ["grant-key-read/NTDS", "undone"], ["reload-certificate/NTDS", "undone"]]);
    expect([o.status, o.exitCode]).toEqual(["rolled-back", 4]);
    expect(acl()).toEqual([user]);

    // The same plan against a slapd that presents the certificate: applied, and the grant stays.
    const good = await startSlapd(certs.leaf, {});
    peers.push(good);
    const again = await applyFix(options(h, { pfxPasswordEnv: undefined, shimScripts: shims(reloadShim), verify: { host: "127.0.0.1", ports: [good.ldapsPort], deadlineMs: 5000 }, now: clock.now, sleep: clock.sleep }));
    expect([again.status, again.exitCode]).toEqual(["applied", 0]);
    expect(acl()).toEqual([user, { identity: "S-1-5-18", rights: "-2147483648", type: "Allow", inherited: false }]);
    expect(again.record.diff!.targets[0].changes).toContainEqual(expect.objectContaining({ kind: "certificate-gained", to: pki.leafThumbprint }));
  });

  test("the CLI: fix --apply --plan FILE --what-if writes the apply record (-o), no event (a source registration would be a change), exit 0", async () => {
    const h = await host();
    const planFile = join(h.dir, "dc1.plan.json");
    writeFileSync(planFile, JSON.stringify(h.plan));
    const record = join(h.dir, "dc1.apply.json");
    const before = readFileSync(h.fixture);
    const env = { ...(h.env as Record<string, string>), LDAPS_AUDIT_POWERSHELL: pwsh! };
    const r = await runCliAsync(["fix", "--apply", "--plan", planFile, "--what-if", "--password-env", "PFXPW", "--lock-file", join(h.dir, "apply.lock"), "-o", record, ...shims().flatMap((f) => ["--ps-shim", f])], env);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`wrote ${record}: what-if`);
    const rec = JSON.parse(readFileSync(record, "utf8"));
    expectValidRecord(rec);
    expect(rec).toMatchObject({ mode: "apply", whatIf: true, status: "what-if", exitCode: 0, host: "dc1.example.test", plan: { stateDigest: h.plan.stateDigest.sha256 } });
    expect(rec.steps.map((s: { outcome: string }) => s.outcome)).toEqual(["done", "what-if", "what-if", "what-if"]);
    expect(readFileSync(h.fixture).equals(before)).toBe(true);
    expect(existsSync(h.eventlog)).toBe(false);
    expect(rec.event).toBeNull();
  });

  test("the CLI without a snapshot collects on the host first: fix plans as from a snapshot; fix --apply --what-if plans and checks, changing nothing", async () => {
    const h = await host();
    const env = { ...(h.env as Record<string, string>), LDAPS_AUDIT_POWERSHELL: pwsh! };
    const shimArgs = shims().flatMap((f) => ["--ps-shim", f]);
    const source = ["--pfx", pki.leafPfx, "--password-env", "PFXPW", "--roots", join(pki.dir, "ca.pem"), "--backup-dir", join(h.dir, "backup")];
    const planned = await runCliAsync(["fix", ...source, ...shimArgs, "--format", "json"], env);
    expect(planned.code).toBe(1);
    expect(planned.stderr).toMatch(/^ldaps-audit: no snapshot given: collecting LDAPS evidence on this host first/);
    const plan = JSON.parse(planned.stdout) as Plan;
    expect(plan.snapshot.path).toBe("collected:dc1.example.test");
    expect(plan.steps.map((st) => st.id)).toEqual(h.plan.steps.map((st) => st.id));
    expect(plan.stateDigest).toEqual(h.plan.stateDigest);
    const before = readFileSync(h.fixture);
    const r = await runCliAsync(["fix", "--apply", "--what-if", ...source, "--lock-file", join(h.dir, "apply.lock"), ...shimArgs, "--format", "json"], env);
    expect(r.code).toBe(0);
    const rec = JSON.parse(r.stdout);
    expectValidRecord(rec);
    expect(rec).toMatchObject({ whatIf: true, status: "what-if", plan: { snapshot: { path: "collected:dc1.example.test" } } });
    expect(readFileSync(h.fixture).equals(before)).toBe(true);
  });

  test("a host changed since the plan (a key ACL) is refused with one line, and nothing runs", async () => {
    const h = await host();
    const f = JSON.parse(readFileSync(h.fixture, "utf8"));
    f.acls.old_machineguid.push({ identity: "Everyone", rights: "Read", type: "Allow", inherited: false });
    writeFileSync(h.fixture, JSON.stringify(f));
    const before = readFileSync(h.fixture);
    const o = await applyFix(options(h, {}));
    expect([o.status, o.exitCode, o.steps]).toEqual(["refused", 2, []]);
    expectValidRecord(o.record);
    expect(o.reason).toBe("the host changed since the plan was made (the certificate stores (certificates, key links or key ACLs) differ from the plan's state digest); plan again from a fresh snapshot");
    expect(readFileSync(h.fixture).equals(before)).toBe(true);
  });

  test("step functions by hand: grant read records the SDDL and its undo restores it; removal refuses LocalMachine\\My, exports first, and re-adds with the key link", async () => {
    const h = await host();
    const { withPowerShell } = await import("../../lib/collect/powershell");
    const script = join(repoRoot, "ps", "Invoke-LdapsAuditFixStep.ps1");
    const call = (ps: import("../../lib/collect/powershell").PowerShellSession, fn: string, parameters: Record<string, unknown>) =>
      ps.runScript(script, { InputBase64: Buffer.from(JSON.stringify({ function: fn, parameters, whatIf: false })).toString("base64"), ShimScript: shims() }, fn) as Promise<{ ok: boolean; error?: string; result?: Record<string, unknown> & { undo: { function: string; parameters: Record<string, unknown> } } }>;
    const acl = () => JSON.parse(readFileSync(h.fixture, "utf8")).acls.old_machineguid;
    const blob = () => JSON.parse(readFileSync(h.fixture, "utf8")).registry[`${NTDS_CERTS}\\${pki.oldThumbprint}`];
    await withPowerShell({ executable: pwsh!, env: h.env, timeoutMs: 120000 }, async (ps) => {
      const aclBefore = acl();
      const g = await call(ps, "Grant-LdapsAuditKeyRead", { Store: "NTDS\\My", Thumbprint: pki.oldThumbprint, Account: "NT AUTHORITY\\NetworkService" });
      expect(g.error ?? "ok").toBe("ok");
      expect(g.result).toMatchObject({ changed: true, sid: "S-1-5-20", path: "C:\\ProgramData\\Microsoft\\Crypto\\RSA\\MachineKeys\\old_machineguid", previousSddl: "O:SYG:SYD:P(A;;FA;;;S-1-5-18)", sddl: "O:SYG:SYD:P(A;;FA;;;S-1-5-18)(A;;GR;;;S-1-5-20)" });
      // One ACE added after the explicit ones (the shim writes the SDDL's SIDs back as identities).
      expect(aclBefore).toEqual([{ identity: "NT AUTHORITY\\SYSTEM", rights: "FullControl", type: "Allow", inherited: false }]);
      expect(acl()).toEqual([{ identity: "S-1-5-18", rights: "FullControl", type: "Allow", inherited: false }, { identity: "S-1-5-20", rights: "-2147483648", type: "Allow", inherited: false }]);
      // Idempotent: a second grant changes nothing.
      expect((await call(ps, "Grant-LdapsAuditKeyRead", { Store: "NTDS\\My", Thumbprint: pki.oldThumbprint, Account: "NT AUTHORITY\\NetworkService" })).result).toMatchObject({ changed: false, undo: null });
      const u = await call(ps, g.result!.undo.function, g.result!.undo.parameters);
      expect(u.ok).toBe(true);
      // Back to the SDDL before the grant (the shim writes the SDDL's SIDs back as identities).
      expect(acl()).toEqual([{ identity: "S-1-5-18", rights: "FullControl", type: "Allow", inherited: false }]);

      const refused = await call(ps, "Remove-LdapsAuditCompetingCertificate", { Store: "LocalMachine\\My", Thumbprint: pki.oldThumbprint, BackupDirectory: join(h.dir, "backup") });
      expect(refused).toEqual({ ok: false, error: expect.stringMatching(/^refused: certificates are never removed from LocalMachine\\My/), exceptionType: "System.InvalidOperationException" });
      const blobBefore = blob();
      const r = await call(ps, "Remove-LdapsAuditCompetingCertificate", { Store: "NTDS\\My", Thumbprint: pki.oldThumbprint, BackupDirectory: join(h.dir, "backup") });
      expect(r.ok).toBe(true);
      expect(blob()).toBeUndefined();
      expect(readFileSync(join(h.dir, "backup", `${pki.oldThumbprint}.cer`)).equals(pki.oldDer)).toBe(true);
      // The undo re-adds only the file exported: a file swapped into the backup folder is refused, by its SHA-256 and
      // (without the recorded hash) by its thumbprint; the store is left as it was.
      const sst = String(r.result!.undo.parameters.Path);
      const exported = readFileSync(sst);
      expect(r.result!.undo.parameters.Sha256).toBe(require("node:crypto").createHash("sha256").update(exported).digest("hex").toUpperCase());
      writeFileSync(sst, serializeRegistryBlob([{ id: 32, value: pki.leafDer }]));
      expect(await call(ps, r.result!.undo.function, r.result!.undo.parameters)).toMatchObject({ ok: false, error: expect.stringMatching(/^refused: .* is not the file exported \(SHA-256 /) });
      const { Sha256: _recorded, ...withoutHash } = r.result!.undo.parameters;
      expect(await call(ps, r.result!.undo.function, withoutHash)).toMatchObject({ ok: false, error: `refused: ${sst} holds ${pki.leafThumbprint}, not ${pki.oldThumbprint}` });
      expect(blob()).toBeUndefined();
      writeFileSync(sst, exported);
      const back = await call(ps, r.result!.undo.function, r.result!.undo.parameters);
      expect(back.ok).toBe(true);
      expect(blob()).toEqual(blobBefore);

      // Enrolment lands in LocalMachine\My (Get-Certificate, shimmed); the copy into NTDS\My carries the new key's link.
      const machine = () => JSON.parse(readFileSync(h.fixture, "utf8")).machineStore.length;
      const e = await call(ps, "Request-LdapsAuditCertificate", { Template: "LDAPS", DnsName: ["dc1.example.test", "example.test"] });
      expect(e.result).toMatchObject({ changed: true, thumbprint: pki.leafThumbprint, store: "LocalMachine\\My", undo: { function: "Undo-LdapsAuditCertificateAdd" } });
      expect(machine()).toBe(1);
      const c = await call(ps, "Copy-LdapsAuditCertificate", { Thumbprint: pki.leafThumbprint, Store: "NTDS\\My" });
      expect(c.result).toMatchObject({ changed: true, fromStore: "LocalMachine\\My", store: "NTDS\\My" });
      const copied = JSON.parse(readFileSync(h.fixture, "utf8")).registry[`${NTDS_CERTS}\\${pki.leafThumbprint}`];
      const { parseRegistryBlob } = await import("../../lib/x509/blob");
      const parsed = parseRegistryBlob(Buffer.from(copied.Blob.base64, "base64"));
      expect(parsed.certificate!.equals(pki.leafDer)).toBe(true);
      expect(parsed.keyProvInfo).toMatchObject({ containerName: `le-${pki.leafThumbprint}`, providerKind: "ksp" });
      // Copying again changes nothing; the undos remove only what was added.
      expect((await call(ps, "Copy-LdapsAuditCertificate", { Thumbprint: pki.leafThumbprint, Store: "NTDS\\My" })).result).toMatchObject({ changed: false, undo: null });
      expect((await call(ps, c.result!.undo.function, c.result!.undo.parameters)).result).toMatchObject({ changed: true });
      expect((await call(ps, e.result!.undo.function, e.result!.undo.parameters)).result).toMatchObject({ changed: true });
      expect(machine()).toBe(0);
      expect(inNtds(h, pki.leafThumbprint)).toBe(false);
    });
  });

  // DSC set (lib/dsc/set.ts) is this same apply: planned from a fresh collection, applied through applyWithFix, then
  // the host collected and judged again for the state dsc records. The PFX password arrives as the write-only
  // pfxPassword property and reaches the PowerShell session's environment only.
  test("DSC set with pfxPath + pfxPassword: planned, applied and verified; the state after is the host judged again", async () => {
    const h = await host();
    const ports = { ldaps: await freePort(), ldap: await freePort() };
    let slapd = await startSlapd(certs.old, { ports });
    let restarts = 0;
    const clock = fakeClock(async () => {
      if (restarts++ > 0) return;
      await slapd.stop();
      slapd = await startSlapd(certs.leaf, { ports });
    });
    const env = { ...h.env };
    delete env.PFXPW; // no other way to the password than set's own
    const traces: string[] = [];
    const trace = (level: string, message: string) => traces.push(`${level}: ${message}`);
    let collections = 0;
    try {
      const out = await runDscSet(
        { pfxPath: pki.leafPfx, pfxPassword: pki.password, backupDir: join(h.dir, "backup") },
        {
          whatIf: false,
          isElevated: () => true,
          trace,
          collect: async () => {
            collections++;
            return collectLocal({ executable: pwsh!, shimScripts: shims(), env, timeoutMs: 120000 });
          },
          apply: applyWithFix(trace, {
            lockFile: join(h.dir, "apply.lock"),
            shimScripts: shims(reloadShim),
            powershell: { executable: pwsh!, env, timeoutMs: 120000 },
            backupDir: join(h.dir, "backup"),
            verify: { host: "127.0.0.1", ports: [ports.ldaps], deadlineMs: 60_000, intervalMs: 5000 },
            now: clock.now,
            sleep: clock.sleep,
          }),
        },
      );
      expect(inNtds(h, pki.leafThumbprint)).toBe(true);
      expect(collections).toBe(2);
      expect(traces).toContainEqual("info: verify/NTDS: checked: 127.0.0.1 presents " + pki.leafThumbprint + " on " + ports.ldaps);
      expect(out.state.controls.find((c) => c.id === "LDAPS-S01")?.status).toBe("pass");
      expect(JSON.stringify(out.state)).not.toContain(pki.password);
      expect(traces.join("\n")).not.toContain(pki.password);
      expect(out.state).not.toHaveProperty("pfxPassword");
    } finally {
      await slapd.stop();
    }
  });
});
