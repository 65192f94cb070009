// DSC set of LdapsAudit/Compliance: the plan of `ldaps-audit fix`, applied; what-if changes nothing. The library
// with the collector and the apply injected (what cannot run here: Windows stores; lib/fix/apply has its own
// tests under pwsh), and the command resource as dsc runs it (test/dsc/harness.ts invokeSet, dsc's invoke_set).
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { InputError, RuntimeFailure } from "../../lib/errors";
import { runDscSet, ApplyRequest, ApplyResult, DscSetOptions } from "../../lib/dsc/set";
import type { Snapshot } from "../../lib/snapshot";
import { invoke, invokeSet, MANIFEST, readManifest, REPO } from "./harness";

const EXAMPLES = join(REPO, "examples");
const ex = (name: string) => join(EXAMPLES, `${name}.snapshot.json`);
const load = (name: string): Snapshot => JSON.parse(readFileSync(ex(name), "utf8"));
const NOW = "2026-11-24T00:00:00Z";
const PICKED = "06EBDDBED90CF9FB43A018B5B8380D7432D8F026"; // two-qualifying: Windows' pick (later notAfter)
const OTHER = "6AB384440534A15782E9C1B2E288323D50DD3DD1";

/** A host whose collections return these snapshots in turn, and an apply that records what it was asked. */
function host(snapshots: string[], result: Partial<ApplyResult> = {}) {
  const collected: string[] = [];
  const applied: ApplyRequest[] = [];
  const options: DscSetOptions = {
    whatIf: false,
    isElevated: () => true,
    collect: async () => {
      const name = snapshots[Math.min(collected.length, snapshots.length - 1)];
      collected.push(name);
      return load(name);
    },
    apply: async (request) => {
      applied.push(request);
      return { status: "applied", exitCode: 0, reason: "applied", steps: request.plan.steps.map((s) => ({ id: s.id, action: s.action, outcome: "done", detail: "" })), ...result };
    },
  };
  return { options, collected, applied };
}

describe("set (library)", () => {
  test("a compliant host: nothing applied, the state is get's", async () => {
    const h = host(["healthy-dc"]);
    const out = await runDscSet({ now: NOW }, h.options);
    expect(h.applied).toEqual([]);
    expect(out.state.reasons).toEqual([]);
    expect(out.state._metadata).not.toHaveProperty("whatIf");
  });

  test("a named certificate Windows does not pick: the plan is applied, then the host judged again", async () => {
    const h = host(["two-qualifying", "healthy-dc"]);
    const out = await runDscSet({ now: NOW, certificateThumbprint: OTHER.toLowerCase() }, h.options);
    expect(h.applied).toHaveLength(1);
    expect(h.applied[0].plan.steps.map((s) => s.action)).toEqual(["place-certificate", "reload-certificate", "verify"]);
    expect(h.applied[0].plan.targets[0].intendedCertificate?.thumbprint).toBe(OTHER);
    expect(h.applied[0].profile).toBe("baseline");
    // collected before (to plan) and after (the state dsc records): never from the snapshot of before
    expect(h.collected).toEqual(["two-qualifying", "healthy-dc"]);
    expect(out.state._metadata.source).toBe("collected:dc1.corp.example.test");
  });

  test("the PFX password reaches apply and nothing else", async () => {
    const h = host(["event-1220-no-certificate"]);
    const traces: string[] = [];
    // The example's PFX does not exist: preflight refuses before apply, and the password is in no message.
    await expect(runDscSet({ now: NOW, pfxPath: "/nonexistent/dc1.pfx", pfxPassword: "s3cret-Pa55" }, { ...h.options, trace: (_l, m) => traces.push(m) })).rejects.toThrow(InputError);
    expect(h.applied).toEqual([]);
    expect(traces.join("\n")).not.toContain("s3cret-Pa55");
  });

  test.each([
    { what: "no certificate source when one is needed", desired: {}, error: /without a certificate source: give certificateThumbprint, pfxPath with pfxPassword, or enrollTemplate/ },
    { what: "snapshotPath (set judges the host as it is now)", desired: { snapshotPath: ex("two-qualifying") }, error: /snapshotPath: set changes this host/ },
    { what: "two certificate sources", desired: { certificateThumbprint: OTHER, enrollTemplate: "LDAPS" }, error: /certificateThumbprint and enrollTemplate: give one certificate source/ },
    { what: "pfxPassword alone", desired: { pfxPassword: "x" }, error: /pfxPassword is the password of pfxPath/ },
    { what: "a malformed thumbprint", desired: { certificateThumbprint: "6AB3" }, error: /certificateThumbprint: expected a SHA-1 thumbprint/ },
    { what: "a certificate that is not on the host", desired: { certificateThumbprint: "00".repeat(20) }, error: /is not in NTDS\\My or LocalMachine\\My/ },
  ])("refused, nothing applied: $what", async ({ desired, error }) => {
    const h = host(["event-1220-no-certificate"]);
    await expect(runDscSet({ now: NOW, ...desired }, h.options)).rejects.toThrow(error);
    expect(h.applied).toEqual([]);
  });

  test("not elevated: refused before collecting; what-if needs no elevation", async () => {
    const h = host(["two-qualifying"]);
    await expect(runDscSet({ now: NOW, certificateThumbprint: OTHER }, { ...h.options, isElevated: () => false })).rejects.toThrow(/run dsc elevated/);
    expect(h.collected).toEqual([]);
    const out = await runDscSet({ now: NOW, certificateThumbprint: OTHER }, { ...h.options, isElevated: () => false, whatIf: true });
    expect(h.applied).toEqual([]);
    expect((out.state._metadata as { whatIf?: string[] }).whatIf?.[0]).toMatch(/^place-certificate\/NTDS: copy 6AB3.* into NTDS\\My/);
  });

  test.each([
    { status: "rolled-back", exitCode: 4, error: RuntimeFailure, message: /did not reach the desired state on dc1\.corp\.example\.test \(rolled-back\): verify saw 06EB/ },
    { status: "failed", exitCode: 5, error: RuntimeFailure, message: /\(failed\)/ },
    { status: "refused", exitCode: 2, error: InputError, message: /set changed nothing on dc1\.corp\.example\.test: another run holds the lock/ },
  ])("apply $status: set fails with apply's reason", async ({ status, exitCode, error, message }) => {
    const reason = status === "refused" ? "another run holds the lock" : "verify saw 06EB..., not 6AB3...";
    const h = host(["two-qualifying"], { status, exitCode, reason });
    const p = runDscSet({ now: NOW, certificateThumbprint: OTHER }, h.options);
    await expect(p).rejects.toThrow(error);
    await expect(runDscSet({ now: NOW, certificateThumbprint: OTHER }, host(["two-qualifying"], { status, exitCode, reason }).options)).rejects.toThrow(message);
  });
});

describe("set as dsc runs it (command resource)", () => {
  const manifest = readManifest();
  const run = (desired: Record<string, unknown>, whatIf: boolean, env: Record<string, string> = {}) => invokeSet(manifest, JSON.stringify(desired), whatIf, undefined, env);

  test("what-if on a snapshot: get before, the whatIf method after; the same state, the steps in _metadata.whatIf", () => {
    const r = run({ snapshotPath: "../examples/two-qualifying.snapshot.json", now: NOW, certificateThumbprint: OTHER }, true);
    if ("error" in r) throw new Error(JSON.stringify(r.error.traces));
    expect(r.changedProperties).toEqual([]);
    expect(r.afterState.controls).toEqual(r.beforeState.controls);
    const whatIf = (r.afterState._metadata as { whatIf: string[] }).whatIf;
    expect(whatIf.map((l) => l.split(":")[0])).toEqual(["place-certificate/NTDS", "reload-certificate/NTDS", "verify/NTDS"]);
    expect(r.set.traces.filter((t) => t.level === "info" && t.message.startsWith("what-if: "))).toHaveLength(3);
    expect(r.set.strayStderr).toEqual([]);
  });

  test("what-if on a compliant snapshot: nothing to change", () => {
    const r = run({ snapshotPath: "../examples/healthy-dc.snapshot.json", now: NOW }, true);
    if ("error" in r) throw new Error(JSON.stringify(r.error.traces));
    expect(r.afterState._metadata).not.toHaveProperty("whatIf");
    expect(r.set.traces).toContainEqual({ level: "info", message: "dc1.corp.example.test: nothing to change (the plan is empty)" });
  });

  test("set on a snapshot is refused with exit 2 and one error trace (dsc reports it; nothing changed)", () => {
    const r = run({ snapshotPath: "../examples/two-qualifying.snapshot.json", certificateThumbprint: OTHER }, false);
    expect("error" in r && r.step).toBe("set");
    if (!("error" in r)) return;
    expect(r.error.code).toBe(2);
    expect(r.error.traces.filter((t) => t.level === "error").map((t) => t.message)).toEqual([expect.stringMatching(/^snapshotPath: set changes this host/)]);
    expect(r.error.rawStdout).toBe("");
  });

  test("the instance schema refuses two certificate sources and a password without its PFX (exit 2, before anything runs)", () => {
    for (const desired of [{ certificateThumbprint: OTHER, pfxPath: "a.pfx" }, { pfxPassword: "x" }, { extraNames: ["corp.example.test"] }]) {
      const r = invoke(manifest, "set", JSON.stringify(desired));
      expect(r.code).toBe(2);
      expect(r.traces.filter((t) => t.level === "error")).toHaveLength(1);
    }
  });

  test("the password is write-only: get never returns it", () => {
    const r = invoke(manifest, "get", JSON.stringify({ snapshotPath: "../examples/healthy-dc.snapshot.json", pfxPath: "x.pfx", pfxPassword: "s3cret-Pa55" }));
    expect(r.code).toBe(0);
    expect(r.rawStdout).not.toContain("s3cret-Pa55");
    expect(r.stdoutLines[0]).toMatchObject({ pfxPath: "x.pfx" });
  });

  test("test with certificateThumbprint: out of desired state until Windows picks it, and the diff says so", () => {
    const other = invoke(manifest, "test", JSON.stringify({ snapshotPath: "../examples/two-qualifying.snapshot.json", now: NOW, certificateThumbprint: OTHER }));
    expect(other.code).toBe(0);
    expect(other.stdoutLines[0]).toMatchObject({ _inDesiredState: false, certificateThumbprint: PICKED });
    expect(other.stdoutLines[1]).toContain("certificateThumbprint");
    const picked = invoke(manifest, "test", JSON.stringify({ snapshotPath: "../examples/two-qualifying.snapshot.json", now: NOW, certificateThumbprint: PICKED }));
    expect(picked.stdoutLines[1]).not.toContain("certificateThumbprint");
    expect(picked.stdoutLines[0]).toMatchObject({ certificateThumbprint: PICKED });
  });

  test("set without elevation is refused (exit 2) before collecting: run as nobody", () => {
    const r = invokeSetAsNobody(manifest, JSON.stringify({ certificateThumbprint: OTHER }));
    expect(r.code).toBe(2);
    expect(r.traces.map((t) => t.message).join("\n")).toMatch(/run dsc elevated/);
    expect(r.traces.map((t) => t.message).join("\n")).not.toMatch(/collecting/);
  });
});

/** The set command of the manifest, run as the unprivileged user nobody (setpriv), as dsc would run it. */
function invokeSetAsNobody(manifest: ReturnType<typeof readManifest>, input: string) {
  // A clone under a 0700 folder (mktemp -d) is out of nobody's reach: then the process stays root and is told it
  // is not elevated (LDAPS_AUDIT_ASSUME_NOT_ELEVATED can only refuse more); the library test covers the injected check.
  const reachable = spawnSync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "test", "-r", MANIFEST]).status === 0;
  if (process.getuid?.() === 0 && !reachable) return invoke(manifest, "set", input, MANIFEST, { LDAPS_AUDIT_ASSUME_NOT_ELEVATED: "1" });
  if (process.getuid?.() !== 0) {
    // Already unprivileged: the plain invocation is the test.
    return invoke(manifest, "set", input);
  }
  const wrapped = { ...manifest, set: { ...manifest.set!, executable: "setpriv", args: ["--reuid=65534", "--regid=65534", "--clear-groups", manifest.set!.executable, ...(manifest.set!.args ?? [])] } };
  return invoke(wrapped, "set", input);
}
