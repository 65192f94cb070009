// Nothing lost through --output and its kin: an output that is an input, two outputs that are one
// file, a directory, a symlink, a FIFO, a device, /dev/stdout; atomic replacement on kill -9.
import { chmodSync, createReadStream, existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { execFileSync, spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN, expectCleanError, runCli } from "../helpers/cli";
import { PEER_DEADLINE_MS } from "../helpers/peers";
import { freePort } from "../probe/helpers/net";

const root = join(__dirname, "..", "..");
const example = (name: string) => join(root, "examples", `${name}.snapshot.json`);
const cert = (name: string) => join(root, "examples", "certs", name);
const NOW = ["--now", "2026-11-24T00:00:00Z"];
let base: string;
let closedPort: number;

let reports: { bad: string; good: string };

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), "ldaps-audit-outputs-"));
  closedPort = await freePort();
  reports = { bad: join(base, "bad.report.json"), good: join(base, "good.report.json") };
  expect(runCli(["evaluate", example("wrong-name"), ...NOW, "-o", reports.bad]).code).toBe(1);
  expect(runCli(["evaluate", example("healthy-dc"), ...NOW, "-o", reports.good]).code).toBe(0);
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** A fresh folder with copies of every kind of input, so a test can see whether any was touched. */
function workspace(): { dir: string; p: (name: string) => string; snapshot(): Buffer } {
  const dir = mkdtempSync(join(base, "ws-"));
  const p = (name: string) => join(dir, name);
  writeFileSync(p("s.json"), readFileSync(example("wrong-name")));
  writeFileSync(p("profile.json"), readFileSync(join(root, "examples", "profiles", "contoso.profile.json")));
  writeFileSync(p("waivers.yaml"), readFileSync(join(root, "examples", "waivers.yaml")));
  for (const f of ["dc1.pem", "dc1.key", "root.pem", "issuing.pem"]) writeFileSync(p(f), readFileSync(cert(f)));
  // r.json lists this folder's s.json as its snapshot (for report --verify).
  const bad = JSON.parse(readFileSync(reports.bad, "utf8"));
  bad.inputs = bad.inputs.map((i: { kind: string; path: string }) => (i.kind === "snapshot" ? { ...i, path: p("s.json") } : i));
  writeFileSync(p("r.json"), JSON.stringify(bad, null, 2));
  writeFileSync(p("r2.json"), readFileSync(reports.good));
  symlinkSync("s.json", p("link.json"));
  linkSync(p("s.json"), p("hard.json"));
  mkdirSync(p("sub"));
  symlinkSync(dir, p("dirlink"));
  const snapshot = () => Buffer.concat(readdirSync(dir).sort().filter((f) => statSync(p(f)).isFile()).map((f) => Buffer.concat([Buffer.from(`${f}\0`), readFileSync(p(f))])));
  return { dir, p, snapshot };
}

const noTempFiles = (dir: string) => expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);

describe("an output that is an input is refused (exit 2), and the input is untouched", () => {
  // [case, arguments given the workspace path function]
  const CASES: Array<[string, (p: (n: string) => string) => string[]]> = [
    ["evaluate -o the snapshot (streamed json)", (p) => ["evaluate", p("s.json"), ...NOW, "-o", p("s.json")]],
    ["evaluate -o the snapshot (html, whole report)", (p) => ["evaluate", p("s.json"), ...NOW, "--format", "html", "-o", p("s.json")]],
    ["evaluate --output-html the snapshot", (p) => ["evaluate", p("s.json"), ...NOW, "--output-html", p("s.json")]],
    ["evaluate -o a symlink to the snapshot", (p) => ["evaluate", p("s.json"), ...NOW, "-o", p("link.json")]],
    ["evaluate -o a hard link to the snapshot", (p) => ["evaluate", p("s.json"), ...NOW, "-o", p("hard.json")]],
    ["evaluate -o the snapshot through sub/..", (p) => ["evaluate", p("s.json"), ...NOW, "-o", `${p("sub")}/../s.json`]],
    ["evaluate -o the snapshot through a symlinked folder", (p) => ["evaluate", p("s.json"), ...NOW, "-o", join(p("dirlink"), "s.json")]],
    ["evaluate -o the profile", (p) => ["evaluate", p("s.json"), ...NOW, "--profile", p("profile.json"), "-o", p("profile.json")]],
    ["evaluate --output-junit the waivers", (p) => ["evaluate", p("s.json"), ...NOW, "--waivers", p("waivers.yaml"), "--output-junit", p("waivers.yaml")]],
    ["evaluate -o the --probe file", (p) => ["evaluate", p("s.json"), ...NOW, "--probe", p("r.json"), "-o", p("r.json")]],
    ["preflight -o the certificate", (p) => ["preflight", p("dc1.pem"), "--fqdn", "dc1.corp.example.test", ...NOW, "-o", p("dc1.pem")]],
    ["preflight -o the key", (p) => ["preflight", p("dc1.pem"), "--key", p("dc1.key"), "--fqdn", "dc1.corp.example.test", ...NOW, "-o", p("dc1.key")]],
    ["preflight --output-html a root", (p) => ["preflight", p("dc1.pem"), "--roots", p("root.pem"), p("issuing.pem"), "--fqdn", "dc1.corp.example.test", ...NOW, "--output-html", p("issuing.pem")]],
    ["report -o the report", (p) => ["report", p("r.json"), "--format", "html", "-o", p("r.json")]],
    ["report --rollup --output-json a report", (p) => ["report", p("r.json"), p("r2.json"), "--rollup", "--output-json", p("r2.json")]],
    ["report --verify -o a file the report lists", (p) => ["report", "--verify", p("r.json"), "-o", p("s.json")]],
    ["diff -o the new report", (p) => ["diff", p("r2.json"), p("r.json"), "-o", p("r.json")]],
    ["probe -o the --ca file", (p) => ["probe", `127.0.0.1:${closedPort}`, "--ca", p("root.pem"), "--no-versions", "--timeout", String(PEER_DEADLINE_MS), "-o", p("root.pem")]],
    ["check -o the profile", (p) => ["check", "--profile", p("profile.json"), "-o", p("profile.json")]],
    ["check --save-snapshot the waivers", (p) => ["check", "--waivers", p("waivers.yaml"), "--save-snapshot", p("waivers.yaml")]],
  ];
  test.each(CASES)("%s", (_name, args) => {
    const ws = workspace();
    const before = ws.snapshot();
    expectCleanError(runCli(args(ws.p)), 2, /: is also an input \(.+\); refusing to overwrite it/);
    expect(ws.snapshot().equals(before)).toBe(true);
    noTempFiles(ws.dir);
  });
});

describe("two outputs that are one file are refused (exit 2), nothing written", () => {
  const CASES: Array<[string, (p: (n: string) => string) => string[]]> = [
    ["--output r.html --output-json sub/../r.html (missing)", (p) => ["evaluate", p("s.json"), ...NOW, "-o", p("out.html"), "--output-json", `${p("sub")}/../out.html`]],
    ["--output and --output-html through a symlink", (p) => ["evaluate", p("s.json"), ...NOW, "-o", p("r2.json"), "--output-html", p("r2link.json")]],
    ["--output - and --output-json /dev/stdout", (p) => ["evaluate", p("s.json"), ...NOW, "-o", "-", "--output-json", "/dev/stdout"]],
    ["check -o and --save-snapshot", (p) => ["check", "-o", p("out.json"), "--save-snapshot", join(p("dirlink"), "out.json")]],
  ];
  test.each(CASES)("%s", (_name, args) => {
    const ws = workspace();
    symlinkSync("r2.json", ws.p("r2link.json"));
    const before = ws.snapshot();
    const r = runCli(args(ws.p));
    expectCleanError(r, 2, /named by more than one output option/);
    expect(r.stdout).toBe("");
    expect(ws.snapshot().equals(before)).toBe(true);
    expect(existsSync(ws.p("out.html")) || existsSync(ws.p("out.json"))).toBe(false);
    noTempFiles(ws.dir);
  });
});

describe("an output that is a directory: exit 2 with one clear line, the directory untouched", () => {
  const CASES: Array<[string, (d: string, p: (n: string) => string) => string[]]> = [
    ["evaluate (streamed json)", (d, p) => ["evaluate", p("s.json"), ...NOW, "-o", d]],
    ["evaluate --format text", (d, p) => ["evaluate", p("s.json"), ...NOW, "--format", "text", "-o", d]],
    ["evaluate --format html", (d, p) => ["evaluate", p("s.json"), ...NOW, "--format", "html", "-o", d]],
    ["evaluate --output-html", (d, p) => ["evaluate", p("s.json"), ...NOW, "--output-html", d]],
    ["preflight", (d, p) => ["preflight", p("dc1.pem"), "--fqdn", "dc1.corp.example.test", ...NOW, "-o", d]],
    ["report --format junit", (d, p) => ["report", p("r.json"), "--format", "junit", "-o", d]],
    ["diff", (d, p) => ["diff", p("r.json"), p("r2.json"), "-o", `${d}/`]],
    ["collect", (d) => ["collect", "-o", d]],
    ["check --save-snapshot", (d) => ["check", "--save-snapshot", d]],
  ];
  test.each(CASES)("%s", (_name, args) => {
    const ws = workspace();
    const before = ws.snapshot();
    expectCleanError(runCli(args(ws.p("sub"), ws.p)), 2, /--(output|output-html|save-snapshot) .*sub\/?: is a directory; give a file name/);
    expect(readdirSync(ws.p("sub"))).toEqual([]);
    expect(ws.snapshot().equals(before)).toBe(true);
  });
});

describe("special files and symlinks are written through, never replaced", () => {
  /** Run the CLI with `-o fifo` while this process reads the FIFO; resolves with what came through. */
  async function throughFifo(args: string[]): Promise<{ code: number | null; stderr: string; data: string }> {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
    const fifo = args[args.indexOf("-o") + 1];
    const data = await new Promise<string>((resolve, reject) => {
      let text = "";
      createReadStream(fifo, "utf8").on("data", (s) => (text += s)).on("end", () => resolve(text)).on("error", reject);
    });
    const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
    return { code, stderr, data };
  }

  test.each([
    ["streamed json", ["--format", "json"], (d: string) => expect(JSON.parse(d).summary.noncompliant).toBe(1)],
    ["html, whole report", ["--format", "html"], (d: string) => expect(d).toMatch(/^<!DOCTYPE html>[\s\S]*<\/html>\n$/)],
  ] as const)("a FIFO (%s): the reader gets the whole report, the FIFO stays a FIFO", async (_name, format, check) => {
    const ws = workspace();
    execFileSync("mkfifo", [ws.p("fifo")]);
    const r = await throughFifo(["evaluate", ws.p("s.json"), ...NOW, ...format, "-o", ws.p("fifo")]);
    expect(r.code).toBe(1);
    check(r.data);
    expect(lstatSync(ws.p("fifo")).isFIFO()).toBe(true);
    noTempFiles(ws.dir);
  });

  test.each([
    ["streamed json", ["--format", "json"]],
    ["html, whole report", ["--format", "html"]],
  ])("a symlink (%s): the target is replaced, keeps its mode, the link stays a link", (_name, format) => {
    const ws = workspace();
    writeFileSync(ws.p("old-report"), "old\n");
    chmodSync(ws.p("old-report"), 0o640);
    symlinkSync("old-report", ws.p("report-link"));
    expect(runCli(["evaluate", ws.p("s.json"), ...NOW, ...format, "-o", ws.p("report-link")]).code).toBe(1);
    expect(lstatSync(ws.p("report-link")).isSymbolicLink()).toBe(true);
    expect(readlinkSync(ws.p("report-link"))).toBe("old-report");
    expect(readFileSync(ws.p("old-report"), "utf8")).toMatch(format[1] === "html" ? /^<!DOCTYPE html>/ : /"summary"/);
    expect(statSync(ws.p("old-report")).mode & 0o777).toBe(0o640);
    noTempFiles(ws.dir);
  });

  test("a dangling symlink: its target is created, the link kept", () => {
    const ws = workspace();
    symlinkSync(join("sub", "new.json"), ws.p("dangling"));
    expect(runCli(["evaluate", ws.p("s.json"), ...NOW, "-o", ws.p("dangling")]).code).toBe(1);
    expect(lstatSync(ws.p("dangling")).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(ws.p("sub/new.json"), "utf8")).summary.targets).toBe(1);
    noTempFiles(ws.p("sub"));
  });

  // /dev/null, and a character device node of our own (same major/minor as /dev/null) where mknod is allowed.
  const devices: string[] = ["/dev/null"];
  const ownDeviceDir = mkdtempSync(join(tmpdir(), "ldaps-audit-device-"));
  const ownDevice = join(ownDeviceDir, "null");
  try {
    execFileSync("mknod", [ownDevice, "c", "1", "3"], { stdio: "ignore" });
    devices.push(ownDevice);
  } catch {
    process.stderr.write("output-paths: mknod not permitted here; testing /dev/null only\n");
  }
  afterAll(() => rmSync(ownDeviceDir, { recursive: true, force: true }));
  test.each(devices.flatMap((d) => [[d, "json"], [d, "html"]]))("a character device (%s, %s): written through, still a device, the verdict's exit code", (device, format) => {
    const before = statSync(device);
    // A private temp folder: the streamed report's spool file goes there and must be gone afterwards
    // (the shared /tmp has other runs' files in it).
    const spool = mkdtempSync(join(base, "spool-"));
    const r = runCli(["evaluate", example("wrong-name"), ...NOW, "--format", format, "-o", device], { TMPDIR: spool });
    expect(r.code).toBe(1);
    const after = lstatSync(device);
    expect(after.isCharacterDevice()).toBe(true);
    expect([after.ino, after.rdev]).toEqual([before.ino, before.rdev]);
    expect(readdirSync(spool)).toEqual([]);
    if (device === ownDevice) expect(readdirSync(ownDeviceDir)).toEqual(["null"]);
    else expect(readdirSync(join(device, "..")).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  test.each(["json", "html"])("-o /dev/stdout (%s) prints to stdout", (format) => {
    const r = runCli(["evaluate", example("wrong-name"), ...NOW, "--format", format, "-o", "/dev/stdout"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(format === "json" ? /"noncompliant": 1/ : /^<!DOCTYPE html>/);
  });

  test("a block device is refused", () => {
    const block = readdirSync("/dev").map((f) => join("/dev", f)).find((f) => {
      try {
        return statSync(f).isBlockDevice();
      } catch {
        return false;
      }
    });
    if (!block) return void process.stderr.write("output-paths: no block device in /dev; skipped\n");
    const before = statSync(block);
    expectCleanError(runCli(["evaluate", example("wrong-name"), ...NOW, "-o", block]), 2, /is a block device; refusing to write a report onto a disk/);
    expect(statSync(block).ino).toBe(before.ino);
  });
});

test("kill -9 in the middle of a streamed report leaves the old file whole; the temp file is private (0600)", async () => {
  const ws = workspace();
  writeFileSync(ws.p("out.json"), "the previous report\n");
  // The second snapshot is a FIFO nobody writes to: the run blocks reading it after the first target
  // has gone to the temp file, which makes "the middle" deterministic.
  execFileSync("mkfifo", [ws.p("never.json")]);
  const child = spawn(process.execPath, [BIN, "evaluate", ws.p("s.json"), ws.p("never.json"), ...NOW, "-o", ws.p("out.json")], { stdio: "ignore" });
  const tempFile = () => readdirSync(ws.dir).find((f) => f.startsWith(".out.json.") && f.endsWith(".tmp"));
  try {
    for (let i = 0; i < 600; i++) {
      const t = tempFile();
      if (t && readFileSync(ws.p(t), "utf8").includes('"status"')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const t = tempFile();
    expect(t).toBeDefined();
    expect(statSync(ws.p(t!)).mode & 0o777).toBe(0o600);
  } finally {
    child.kill("SIGKILL");
    await new Promise((r) => child.once("close", r));
  }
  expect(readFileSync(ws.p("out.json"), "utf8")).toBe("the previous report\n");
});

test("a bad input in the middle of a streamed run removes the temp file", () => {
  const ws = workspace();
  writeFileSync(ws.p("bad.json"), "{}");
  expectCleanError(runCli(["evaluate", ws.p("s.json"), ws.p("bad.json"), ...NOW, "-o", ws.p("out.json")]), 2, /bad\.json: not a valid snapshot/);
  expect(existsSync(ws.p("out.json"))).toBe(false);
  noTempFiles(ws.dir);
});
