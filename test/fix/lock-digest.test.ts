// The guards of fix --apply that need no PowerShell: the lock file (live holder refused, a dead holder's stale lock
// taken over, only our own lock released), the state digest (what counts as the host changing, and the one line
// that says which part did), and applyFix refusing before any session starts.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { readSnapshot } from "../../lib/audit";
import { applyFix, APPLY_EXIT, APPLY_SCHEMA_ID, isLoopbackName } from "../../lib/fix/apply";
import { describeErrors, validatorFor } from "../../lib/schemas";
import { digestDifference, STATE_DIGEST_FORM, stateDigest } from "../../lib/fix/digest";
import { acquireLock } from "../../lib/fix/lock";
import { planFix } from "../../lib/fix/plan";
import type { Snapshot } from "../../lib/snapshot";

const ex = (name: string) => join(__dirname, "..", "..", "examples", `${name}.snapshot.json`);
let tmp: string;
beforeEach(() => (tmp = mkdtempSync(join(tmpdir(), "ldaps-audit-apply-guards-"))));
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

/** A pid that belonged to a process on this host and is gone now. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(r.stdout);
}

describe("lock", () => {
  test("exclusive: a live holder on this host is refused with one line naming it; released, the lock is free again", () => {
    const path = join(tmp, "sub", "apply.lock");
    const a = acquireLock(path, () => new Date("2026-01-02T03:04:05Z"));
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual({ pid: process.pid, host: hostname(), started: "2026-01-02T03:04:05.000Z" });
    expect(() => acquireLock(path)).toThrow(new RegExp(`^another fix --apply holds the lock .*apply\\.lock \\(pid ${process.pid} on `));
    a.release();
    expect(existsSync(path)).toBe(false);
    const b = acquireLock(path);
    expect(b.tookOverFrom).toBeNull();
    b.release();
  });

  test("a holder on another host is refused (its pid cannot be checked from here)", () => {
    const path = join(tmp, "apply.lock");
    writeFileSync(path, JSON.stringify({ pid: deadPid(), host: "other-host.example.test", started: "2026-01-01T00:00:00Z" }));
    expect(() => acquireLock(path)).toThrow(/pid \d+ on other-host\.example\.test/);
  });

  test("a dead holder on this host left a stale lock: taken over, and the caller is told from whom", () => {
    const path = join(tmp, "apply.lock");
    const pid = deadPid();
    writeFileSync(path, JSON.stringify({ pid, host: hostname(), started: "2026-01-01T00:00:00Z" }));
    const l = acquireLock(path);
    expect(l.tookOverFrom).toEqual({ pid, host: hostname(), started: "2026-01-01T00:00:00Z" });
    expect(JSON.parse(readFileSync(path, "utf8")).pid).toBe(process.pid);
    l.release();
    expect(existsSync(path)).toBe(false);
  });

  test("two runs taking over the same stale lock, interleaved (the second takes over between the first's read and its takeover): exactly one wins", () => {
    const path = join(tmp, "apply.lock");
    writeFileSync(path, JSON.stringify({ pid: deadPid(), host: hostname(), started: "2026-01-01T00:00:00Z" }));
    let second: ReturnType<typeof acquireLock> | null = null;
    expect(() =>
      acquireLock(path, () => new Date("2026-02-02T00:00:00Z"), {
        afterStaleRead: () => {
          second = acquireLock(path, () => new Date("2026-03-03T00:00:00Z"));
        },
      }),
    ).toThrow(/^another fix --apply took the stale lock .*apply\.lock first$/);
    expect(second!.tookOverFrom?.started).toBe("2026-01-01T00:00:00Z");
    // The winner's lock is in place, untouched; nothing left aside.
    expect(JSON.parse(readFileSync(path, "utf8")).started).toBe("2026-03-03T00:00:00.000Z");
    expect(require("node:fs").readdirSync(tmp)).toEqual(["apply.lock"]);
    second!.release();
    expect(existsSync(path)).toBe(false);
  });

  test("SIGTERM and SIGINT release the lock of a run that is waiting (the compiled module, as the CLI runs it)", async () => {
    const { spawn } = await import("node:child_process");
    const mod = join(__dirname, "..", "..", "dist", "lib", "fix", "lock.js");
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      const path = join(tmp, `${signal}.lock`);
      const child = spawn(process.execPath, ["-e", `require(${JSON.stringify(mod)}).withLock(${JSON.stringify(path)}, undefined, () => {}, () => { process.stdout.write("held\\n"); return new Promise(() => setInterval(() => {}, 1000)); })`], { stdio: ["ignore", "pipe", "inherit"] });
      await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
      expect(JSON.parse(readFileSync(path, "utf8")).pid).toBe(child.pid);
      const code = await new Promise<number | null>((resolve) => {
        child.once("exit", (c) => resolve(c));
        child.kill(signal);
      });
      expect(code).toBe(signal === "SIGINT" ? 130 : 143);
      expect(existsSync(path)).toBe(false);
    }
  });

  test("release never removes a lock that is no longer ours; an unreadable lock is refused, not taken", () => {
    const path = join(tmp, "apply.lock");
    const l = acquireLock(path);
    writeFileSync(path, JSON.stringify({ pid: 1, host: "someone-else", started: "x" }));
    l.release();
    expect(existsSync(path)).toBe(true);
    writeFileSync(path, "garbage");
    expect(() => acquireLock(path)).toThrow(/exists but does not say who holds it/);
  });
});

describe("state digest", () => {
  const base = () => JSON.parse(readFileSync(ex("key-not-readable"), "utf8")) as Snapshot;

  test("ignores what changes without the host changing: events, collection time, chain results, probes, errors, order", () => {
    const a = base();
    const b = base();
    b.collectedAt = "2031-01-01T00:00:00Z";
    b.events = undefined;
    b.network = undefined;
    b.errors = [{ part: "events", message: "timeout" }];
    b.stores = [...(b.stores ?? [])].reverse();
    for (const s of b.stores) for (const c of s.certificates) { c.chain = undefined; if (c.privateKey?.acl) c.privateKey.acl = [...c.privateKey.acl].reverse(); }
    expect(stateDigest(b)).toEqual(stateDigest(a));
    expect(digestDifference(stateDigest(a), stateDigest(b))).toBeNull();
  });

  test("a key ACL, a certificate, the registry or the host's identity changing is named in one line", () => {
    const a = base();
    const acl = base();
    const cert = acl.stores!.flatMap((s) => s.certificates).find((c) => c.privateKey?.acl)!;
    cert.privateKey!.acl!.push({ identity: "NT AUTHORITY\\SYSTEM", sid: "S-1-5-18", rights: "Read", type: "Allow", inherited: false });
    expect(digestDifference(stateDigest(a), stateDigest(acl))).toBe("the certificate stores (certificates, key links or key ACLs)");
    const gone = base();
    gone.stores!.find((s) => s.certificates.length)!.certificates = [];
    expect(digestDifference(stateDigest(a), stateDigest(gone))).toMatch(/^the certificate stores/);
    const reg = base();
    reg.registry = { ...(reg.registry ?? {}), ntds: { LDAPServerIntegrity: 1 } };
    reg.host = { ...reg.host, fqdn: "dc2.corp.example.test" };
    expect(digestDifference(stateDigest(a), stateDigest(reg))).toBe("the host's identity or AD LDS instances and the LDAP policy registry values");
  });

  test("the canonical form is pinned: this example's digest in form 2 (a change here needs a new STATE_DIGEST_FORM)", () => {
    // Plans made by one version are applied by another: the same host must digest the same way in every
    // version of a form. Form 2 sorts by code unit; form 1 sorted with the locale's collation.
    expect(stateDigest(base())).toEqual({
      form: STATE_DIGEST_FORM,
      sha256: "3d27e46c5ec1b2d36653eb576256c358b94f1e46d8688f80443aae307e0dc702",
      parts: {
        host: "6fa879c1418c73a0b4c8bb936924365a39264ce5b562893ce669f5063fc2dd09",
        stores: "9a27aab806d4a3e8aa87306248321884a4673e3d7a3b1483527ecfa33e33eb0c",
        registry: "a8a6b060466d5902506f98f38dcf84fbbbc5cea6c52ef57643714d0c62e4cb3c",
      },
    });
    expect(STATE_DIGEST_FORM).toBe(2);
  });

  test("the plan carries the digest of its snapshot", () => {
    const { plan } = planFix({ snapshot: ex("key-not-readable"), now: new Date("2026-06-01T00:00:00Z") });
    expect(plan.stateDigest).toEqual(stateDigest(readSnapshot(ex("key-not-readable")).snapshot));
  });
});

describe("applyFix refuses before anything runs", () => {
  const plan = () => planFix({ snapshot: ex("key-not-readable"), now: new Date("2026-06-01T00:00:00Z") }).plan;

  test.each([
    ["a plan from before the form existed (form 1: locale order)", undefined, 1],
    ["a plan of a later form", 3, 3],
  ])("%s: refused (exit 2) with one line naming both forms, nothing run", async (_name, form, named) => {
    const p = plan();
    expect(p.steps.length).toBeGreaterThan(0);
    if (form === undefined) delete p.stateDigest.form;
    else p.stateDigest.form = form;
    const out = await applyFix({ plan: p, whatIf: true });
    expect(out.status).toBe("refused");
    expect(out.exitCode).toBe(APPLY_EXIT.refused);
    expect(out.reason).toBe(`the plan's state digest is in form ${named} and this ldaps-audit takes form ${STATE_DIGEST_FORM} (the plan was made by another version); plan again with this version`);
    expect(out.steps).toEqual([]);
  });

  test("lock held by a live run: refused (exit 2), no PowerShell started, the lock left to its holder", async () => {
    const lockFile = join(tmp, "apply.lock");
    const held = acquireLock(lockFile);
    const o = await applyFix({ plan: plan(), whatIf: false, lockFile, powershell: { executable: join(tmp, "no-such-pwsh") } });
    expect(o.status).toBe("refused");
    expect(o.exitCode).toBe(APPLY_EXIT.refused);
    expect(o.reason).toMatch(/^another fix --apply holds the lock/);
    const v = validatorFor(APPLY_SCHEMA_ID);
    expect(v(JSON.parse(JSON.stringify(o.record))) ? "valid" : describeErrors(v.errors)).toBe("valid");
    expect(existsSync(lockFile)).toBe(true);
    held.release();
  });

  test("a PFX import without the password's variable is refused up front, before the lock or a session", async () => {
    const p = plan();
    p.steps = [{ ...p.steps[0], id: "place-certificate/NTDS", action: "place-certificate", changes: [{ operation: "import", store: "NTDS\\My", path: "dc1.pfx", thumbprint: null, description: "import" }] }];
    const lockFile = join(tmp, "l");
    const o = await applyFix({ plan: p, whatIf: false, lockFile, powershell: { executable: join(tmp, "no-such-pwsh") } });
    expect([o.status, o.exitCode, o.reason]).toEqual(["refused", 2, "place-certificate/NTDS imports dc1.pfx: give the PFX password's environment variable with --password-env"]);
    expect(existsSync(lockFile)).toBe(false);
  });

  test("a plan that stops early (no certificate source) is refused; an empty plan is nothing to do", async () => {
    const stopped = planFix({ snapshot: ex("expired"), now: new Date("2026-06-01T00:00:00Z") }).plan;
    expect(stopped.stopped).not.toBeNull();
    const o = await applyFix({ plan: stopped, whatIf: false, lockFile: join(tmp, "l") });
    expect([o.status, o.exitCode]).toEqual(["refused", 2]);
    expect(o.reason).toMatch(/^the plan stops after obtain-certificate/);
    const healthy = planFix({ snapshot: ex("healthy-dc"), now: new Date("2026-06-01T00:00:00Z") }).plan;
    const n = await applyFix({ plan: healthy, whatIf: false, lockFile: join(tmp, "l") });
    expect([n.status, n.exitCode, n.steps]).toEqual(["nothing-to-do", 0, []]);
    expect(existsSync(join(tmp, "l"))).toBe(false);
  });
});

// The reload's rootDSE modify goes over plain LDAP: a Basic bind's password would cross the network in clear.
describe("reload bind", () => {
  test.each([
    ["localhost", true], ["LOCALHOST", true], ["127.0.0.1", true], ["127.1.2.3", true], ["::1", true], ["[::1]", true],
    ["dc1.corp.example.test", false], ["10.0.0.1", false], ["localhost.example.test", false], ["127.0.0.1.nip.io", false], ["::2", false], ["", false],
  ])("%s is loopback: %s", (name, loopback) => {
    expect(isLoopbackName(name)).toBe(loopback);
  });

  test("Basic to another host is refused before anything runs (no lock, no PowerShell)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ldaps-audit-basic-"));
    try {
      const { plan } = planFix({ snapshot: ex("key-not-readable"), now: new Date("2026-11-24T00:00:00Z") });
      const lockFile = join(dir, "apply.lock");
      const o = await applyFix({ plan, whatIf: true, lockFile, reload: { server: "dc1.corp.example.test", authType: "Basic", credential: { user: "cn=admin", passwordEnv: "X" } } });
      expect([o.status, o.exitCode]).toEqual(["refused", APPLY_EXIT.refused]);
      expect(o.reason).toMatch(/^--ldap-auth Basic sends the password in clear over plain LDAP: allowed only to this host .* not dc1\.corp\.example\.test/);
      expect(existsSync(lockFile)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
