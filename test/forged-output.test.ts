// Forged output through the real CLI: a hostile string at each untrusted source (snapshot host name, event
// data, waiver text, certificate subject and SAN, file names, a real slapd's rootDSE, the collector) never
// reaches stdout or stderr unescaped, in every text command; JSON keeps the exact value.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CliResult, runCli } from "./helpers/cli";
import { Pki } from "./helpers/openssl";
import { hasCommand, requirePeer } from "./helpers/peers";
import { expectTerminalSafe, MARK } from "./helpers/terminal";
import { startSlapd, slapdPath } from "./probe/helpers/slapd";

const EXAMPLES = join(__dirname, "..", "examples");
const ex = (name: string) => join(EXAMPLES, `${name}.snapshot.json`);
const NOW = ["--now", "2026-11-24T00:00:00Z"];
const tmp = mkdtempSync(join(tmpdir(), "ldaps-audit-forged-"));
/** C0 and C1 escapes, bidi override, and line breaks of every kind, each followed by a forged verdict. */
const BAD = `\x1b[2J\x1b]0;pwned\x07\u202e\n${MARK}\r${MARK}\u2028${MARK}\u0085${MARK}`;

const both = (r: CliResult) => `${r.stdout}${r.stderr}`;
const writeJson = (name: string, value: unknown) => {
  const p = join(tmp, name);
  writeFileSync(p, JSON.stringify(value));
  return p;
};
const snapshotWith = (name: string, edit: (s: Record<string, any>) => void) => {
  const s = JSON.parse(readFileSync(ex(name), "utf8"));
  edit(s);
  return s;
};

describe("hostile snapshot host name", () => {
  const snap = writeJson("host.json", snapshotWith("wrong-name", (s) => (s.host.fqdn = `dc1.corp.example.test${BAD}`)));
  const reportPath = join(tmp, "host.report.json");
  const oldReport = join(tmp, "healthy.report.json");

  beforeAll(() => {
    expect(runCli(["evaluate", snap, ...NOW, "-o", reportPath]).code).toBe(1);
    expect(runCli(["evaluate", ex("healthy-dc"), ...NOW, "-o", oldReport]).code).toBe(0);
  });

  test.each([
    ["evaluate --format text", () => runCli(["evaluate", snap, ...NOW, "--format", "text"]), 1],
    ["evaluate --format text --verbose", () => runCli(["evaluate", snap, ...NOW, "--format", "text", "--verbose"]), 1],
    ["evaluate (whole report) --format text --output-json", () => runCli(["evaluate", snap, ...NOW, "--format", "text", "--output-json", join(tmp, "x.json")]), 1],
    ["report --format text", () => runCli(["report", reportPath, "--format", "text"]), 1],
    ["report --rollup --format text", () => runCli(["report", "--rollup", reportPath, oldReport, "--format", "text"]), 1],
    ["diff --format text", () => runCli(["diff", oldReport, reportPath, "--format", "text"]), 1],
    ["diff --format text --verbose", () => runCli(["diff", oldReport, reportPath, "--format", "text", "--verbose"]), 1],
  ])("%s", (_n, run, code) => {
    const r = run();
    expect(r.code).toBe(code);
    expectTerminalSafe(r.stdout);
    expect(r.stderr).not.toContain(MARK);
  });

  test("JSON carries the exact value (its own escaping, not the terminal's)", () => {
    const r = runCli(["evaluate", snap, ...NOW, "--format", "json"]);
    expect(JSON.parse(r.stdout).targets[0].host).toBe(`dc1.corp.example.test${BAD}`);
    // eslint-disable-next-line no-control-regex
    expect(r.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
  });
});

test("hostile event data: 2889 client identity and address, error codes", () => {
  const snap = writeJson("events.json", snapshotWith("clients-1220", (s) => {
    for (const c of s.events.insecureBindClients ?? []) c.identity = `EXAMPLE\\svc${BAD}`;
    for (const e of s.events.summary) if (e.errorCodes) e.errorCodes = { [`8009030e${BAD}`]: 3 };
  }));
  for (const verbose of [[], ["--verbose"]]) {
    const r = runCli(["evaluate", snap, ...NOW, "--format", "text", ...verbose]);
    expect(r.code).toBe(1);
    expectTerminalSafe(r.stdout);
  }
});

test("hostile event data in the readiness section: 2889 and 3039/3074/3075 identities and addresses (text, HTML)", () => {
  const XSS = "<script>alert(1)</script><img src=x onerror=alert(2)>";
  const snap = writeJson("readiness.json", snapshotWith("enforcement-readiness", (s) => {
    for (const c of s.events.insecureBindClients) c.identity = `CORP\\svc${BAD}${XSS}`;
    for (const c of s.events.channelBindingClients) {
      c.identity = `CORP\\svc${BAD}${XSS}`;
      c.ip = `10.0.0.1${BAD}`;
    }
  }));
  for (const args of [[], ["--verbose"], ["--profile", "hardened"]]) {
    const r = runCli(["evaluate", snap, ...NOW, "--format", "text", ...args]);
    expect(r.stdout).toMatch(/Before you enforce/);
    expectTerminalSafe(r.stdout);
  }
  const html = runCli(["evaluate", snap, ...NOW, "--format", "html", "--profile", "hardened"]).stdout;
  expect(html).toMatch(/Before you enforce/);
  expect(html).not.toContain("<script>alert(1)");
  expect(html).not.toContain("<img src=x");
  expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
});

test("hostile waiver text (justification, approver) in the waived control's message", () => {
  const waivers = writeJson("waivers.json", {
    waivers: [{ control: "LDAPS-S02", host: "dc1.corp.example.test", justification: `ok${BAD}`, approver: `pki${BAD}`, expires: "2026-12-31" }],
  });
  const r = runCli(["evaluate", ex("two-qualifying"), ...NOW, "--waivers", waivers, "--format", "text"]);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/WAIVED/);
  expectTerminalSafe(r.stdout);
});

describe("hostile file names", () => {
  const name = join(tmp, `snap${BAD}.json`);
  beforeAll(() => copyFileSync(ex("healthy-dc"), name));

  test("an error naming the file is one escaped line on stderr (exit 2)", () => {
    const r = runCli(["evaluate", `${name}.missing`, ...NOW, "--format", "text"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expectTerminalSafe(r.stderr);
  });

  test("report --verify and diff list the inputs by name", () => {
    const report = join(tmp, "named.report.json");
    expect(runCli(["evaluate", name, ...NOW, "-o", report]).code).toBe(0);
    const verify = runCli(["report", "--verify", report, "--format", "text"]);
    expect(verify.code).toBe(0);
    expectTerminalSafe(verify.stdout);
    const reportNamed = join(tmp, `r${BAD}.json`);
    copyFileSync(report, reportNamed);
    const diff = runCli(["diff", reportNamed, reportNamed, "--format", "text"]);
    expect(diff.code).toBe(0);
    expectTerminalSafe(diff.stdout);
    // "wrote <path>" on stderr names the user's file.
    const wrote = runCli(["evaluate", ex("healthy-dc"), ...NOW, "-o", join(tmp, `out${BAD}.json`)]);
    expect(wrote.code).toBe(0);
    expectTerminalSafe(wrote.stderr);
  });
});

const haveOpenssl = requirePeer("openssl", hasCommand("openssl", ["version"]), "apt-get install openssl");

(haveOpenssl ? describe : describe.skip)("hostile certificates (openssl-made) and a real slapd", () => {
  let pki: Pki;
  beforeAll(() => {
    pki = new Pki();
  });
  afterAll(() => pki?.cleanup());

  test("preflight: certificate subject and SAN", () => {
    const root = pki.issue("root", { cn: "Forged Root", ca: true });
    const leaf = pki.issue("leaf", { cn: `dc1.example.test\n${MARK}\x1b[2J\x07`, san: `DNS:dc1.example.test,DNS:x\x1b]0;t\x07y`, eku: "serverAuth" }, root);
    const r = runCli(["preflight", leaf.certPath, "--fqdn", "dc1.example.test", "--roots", root.certPath, "--format", "text", "--verbose"]);
    expect(r.code === 0 || r.code === 1).toBe(true);
    expect(r.stdout).toContain("\\x1b]0;t\\x07y");
    expectTerminalSafe(r.stdout, { mark: MARK });
  });

  const haveSlapd = requirePeer("slapd", slapdPath() !== null, "apt-get install slapd");
  (haveSlapd ? test : test.skip)("probe --format text: rootDSE dnsHostName and the certificate subject from the server", async () => {
    const root = pki.issue("sroot", { cn: "Slapd Root", ca: true });
    const leaf = pki.issue("sleaf", { cn: `dc1.example.test\n${MARK}\x1b[2J`, san: "DNS:dc1.example.test,IP:127.0.0.1", eku: "serverAuth" }, root);
    const slapd = await startSlapd({ certFile: leaf.certPath, keyFile: leaf.keyPath }, { rootDse: { dnsHostName: `dc1.example.test${BAD}`, defaultNamingContext: `DC=example${BAD}` } });
    try {
      const r = await new Promise<CliResult>((resolve) => {
        // The CLI runs in a child process: slapd's answers reach it over the wire.
        setImmediate(() => resolve(runCli(["probe", `127.0.0.1:${slapd.ldapsPort}`, "--servername", "dc1.example.test", "--ca", root.certPath, "--no-versions", "--format", "text"])));
      });
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/rootDSE: dnsHostName=dc1\.example\.test\\x1b/);
      expectTerminalSafe(r.stdout);
    } finally {
      await slapd.stop();
    }
  });
});

test("every message on stderr is one line: yargs' own multi-line messages too", () => {
  const r = runCli(["evaluate", ex("healthy-dc"), "--format", "xml"]);
  expect(r.code).toBe(2);
  expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(r.stderr).toMatch(/^ldaps-audit: Invalid values: Argument: format, Given: "xml"/);
  expect(both(r)).not.toMatch(/\\x0a/);
});
