// Forged output: no untrusted string reaches a terminal unescaped. One escaper (lib/terminal.ts termSafe),
// applied where text for a terminal is made (terminalText) and where stderr is written (stderrLine).
// A property over random hostile strings, injected into every string of every text renderer's input:
// the output never carries a raw control character, and no injected line break starts a line of its own.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import fc from "fast-check";
import { traceLine } from "../lib/dsc";
import { reportError } from "../lib/cli/main";
import { InputError, RuntimeFailure } from "../lib/errors";
import { renderProbeText } from "../lib/probe/render";
import { diffReports, renderDiffText } from "../lib/report/diff";
import { renderHtml } from "../lib/report/html";
import { renderJunit } from "../lib/report/junit";
import { buildRollup, renderRollupText } from "../lib/report/rollup";
import { renderText } from "../lib/report/text";
import type { Report } from "../lib/report/types";
import { renderVerifyText, verifyReport } from "../lib/report/verify";
import type { Snapshot } from "../lib/snapshot";
import { termSafe, terminalText, styled } from "../lib/terminal";
import { expectTerminalSafe, hostile, LINE_BREAKS, MARK } from "./helpers/terminal";
import { evaluateExample, EXAMPLES, NOW } from "./report/fleet";

/** Fields renderers switch on (enums, ids, dates they slice, DER): the rest is evidence and gets the hostile text. */
const STRUCTURAL = new Set(["status", "verdict", "kind", "source", "change", "result", "severity", "band", "mode", "purpose", "originalStatus", "chain", "der", "$schema", "bindType", "providerKind", "style", "keyword"]);
/** Maps whose keys come from evidence (event error codes, handshake failure details). */
const EVIDENCE_KEYS = new Set(["errorCodes", "details"]);

function inject<T>(value: T, bad: string, key = ""): T {
  if (typeof value === "string") return (STRUCTURAL.has(key) ? value : value + bad) as T;
  if (Array.isArray(value)) return value.map((v) => inject(v, bad, key)) as T;
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [EVIDENCE_KEYS.has(key) ? k + bad : k, inject(v, bad, k)])) as T;
  }
  return value;
}

const RUNS = { numRuns: 25, seed: 20261124 };

function report(): Report {
  // Waived (waiver text in the message), warnings, failures, skips, certificates and a client table.
  const r = evaluateExample("two-qualifying", NOW, { waivers: join(EXAMPLES, "waivers.yaml") });
  const clients = evaluateExample("clients-1220");
  const broken = evaluateExample("wrong-name");
  const targets = [...r.targets, ...clients.targets, ...broken.targets];
  targets[0].collectionErrors = [{ part: "events/System", message: "access denied" }];
  targets[0].rootCause = "root cause";
  return { ...r, targets };
}

function probeSnapshot(): Snapshot {
  const der = readFileSync(join(EXAMPLES, "certs", "dc1.pem"), "utf8").replace(/-----[^-]+-----|\s/g, "");
  return {
    schemaVersion: 1,
    host: { fqdn: "dc1.example.test" },
    network: {
      endpoints: [
        {
          host: "dc1.example.test", port: 636, mode: "ldaps", purpose: "ldap", servername: "dc1.example.test",
          tls: { protocol: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384", chain: [der], authorized: false, authorizationError: "UNABLE_TO_GET_ISSUER_CERT", hostnameMatches: false },
          versions: { TLSv1: false, "TLSv1.2": true, "TLSv1.3": null },
          ldap: {
            rootDse: { dnsHostName: "dc1.example.test", defaultNamingContext: "DC=example,DC=test", isGlobalCatalogReady: true, supportedLDAPVersion: ["3"], vendorName: "vendor" },
            bind: { attempted: true, dn: "audit@example.test", ok: false, error: "invalid credentials" },
          },
        },
        { host: "dc1.example.test", port: 3269, mode: "ldaps", purpose: "gc", tls: { protocol: "TLSv1.2", cipher: "c", chain: [der], authorized: true, hostnameMatches: null }, ldap: { rootDse: null, rootDseError: "server said no", bind: { attempted: false, dn: "a@b", skippedReason: "chain not trusted" } } },
        { host: "dc1.example.test", port: 389, mode: "starttls", failure: { kind: "reset", stage: "starttls", message: "connection reset by the server" } },
      ],
    },
  } as Snapshot;
}

describe("termSafe: one escaper for every terminal-bound string", () => {
  test.each([
    ["LF", "a\nb", "a\\x0ab"],
    ["CR", "a\rb", "a\\x0db"],
    ["tab", "a\tb", "a\\x09b"],
    ["NUL, BEL, BS", "\x00\x07\x08", "\\x00\\x07\\x08"],
    ["ESC sequences (CSI, OSC)", "\x1b[2J\x1b]0;t\x07", "\\x1b[2J\\x1b]0;t\\x07"],
    ["DEL", "\x7f", "\\x7f"],
    ["C1 controls (NEL, CSI)", "\u0085\u009b", "\\x85\\x9b"],
    ["line and paragraph separators", "\u2028\u2029", "\\u2028\\u2029"],
    ["bidi overrides, embeddings, isolates and marks", "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c", "\\u202a\\u202b\\u202c\\u202d\\u202e\\u2066\\u2067\\u2068\\u2069\\u200e\\u200f\\u061c"],
    ["lone surrogates", "a\ud800b\udfffc", "a\\ud800b\\udfffc"],
    ["printable text and other Unicode unchanged", "dc1.corp.example.test CN=Müller 東京 \u{1F512} C:\\LdapsAudit", "dc1.corp.example.test CN=Müller 東京 \u{1F512} C:\\LdapsAudit"],
  ])("%s", (_name, input, expected) => {
    expect(termSafe(input)).toBe(expected);
    expect(termSafe(termSafe(input))).toBe(expected); // idempotent: escaped text is left alone
  });

  test("terminalText escapes every segment and styles only its own segments", () => {
    const out = terminalText([["x", styled("fail", "a\x1b[0m\nb")], "c\nd"], { colour: true });
    expect(out).toBe("x\x1b[31;1ma\\x1b[0m\\x0ab\x1b[0m\nc\\x0ad\n");
  });
});

describe("every text renderer, hostile strings in every string of its input", () => {
  const base = report();

  test.each([
    ["text report", false, false],
    ["text report, --verbose", false, true],
    ["text report in colour", true, false],
    ["text report in colour, --verbose", true, true],
  ])("%s", (_n, colour, verbose) => {
    fc.assert(fc.property(hostile, (bad) => expectTerminalSafe(renderText(inject(base, bad), { colour, verbose }), { colour })), RUNS);
  });

  test("probe text", () => {
    fc.assert(fc.property(hostile, (bad) => expectTerminalSafe(renderProbeText([inject(probeSnapshot(), bad)]))), RUNS);
  });

  test("roll-up text", () => {
    const rollup = buildRollup([{ report: base, path: "a.json" }, { report: evaluateExample("expired"), path: "b.json" }], NOW);
    fc.assert(fc.property(hostile, (bad) => expectTerminalSafe(renderRollupText(inject(rollup, bad)))), RUNS);
  });

  test("diff text", () => {
    const d = diffReports([{ report: evaluateExample("healthy-dc"), path: "old.json" }], [{ report: base, path: "new.json" }]);
    fc.assert(fc.property(hostile, (bad) => {
      expectTerminalSafe(renderDiffText(inject(d, bad)));
      expectTerminalSafe(renderDiffText(inject(d, bad), { verbose: true }));
    }), RUNS);
  });

  test("report --verify text", () => {
    const results = [verifyReport(base, "r.json", { base: EXAMPLES })];
    fc.assert(fc.property(hostile, (bad) => expectTerminalSafe(renderVerifyText(inject(results, bad)))), RUNS);
  });

  test("preflight text (a report like evaluate's, from certificate files)", () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { preflight } = require("../lib/import/preflight") as typeof import("../lib/import/preflight");
    const r = preflight({ fqdn: "dc1.corp.example.test", certificateFiles: [join(EXAMPLES, "certs", "dc1.pem")], store: "my", now: NOW });
    fc.assert(fc.property(hostile, (bad) => expectTerminalSafe(renderText(inject(r, bad)))), RUNS);
  });
});

describe("stderr: error messages and DSC traces", () => {
  let written = "";
  let spy: jest.SpyInstance;
  beforeEach(() => {
    written = "";
    spy = jest.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      written += String(chunk);
      return true;
    });
  });
  afterEach(() => spy.mockRestore());

  test.each([
    ["InputError (exit 2)", (m: string) => new InputError(m), 2],
    ["RuntimeFailure (exit 3)", (m: string) => new RuntimeFailure(m), 3],
    ["internal error (exit 3)", (m: string) => new Error(m), 3],
    ["a thrown string (exit 3)", (m: string) => m, 3],
  ])("%s: one escaped line", (_n, make, code) => {
    fc.assert(fc.property(hostile, (bad) => {
      written = "";
      expect(reportError(make(`cannot read snap${bad}.json`))).toBe(code);
      expect(written.endsWith("\n")).toBe(true);
      expect(written.slice(0, -1)).not.toMatch(LINE_BREAKS);
      expect(written).toMatch(/^ldaps-audit: /);
      expectTerminalSafe(written);
    }), RUNS);
  });

  test("LDAPS_AUDIT_DEBUG stack traces are escaped line by line", () => {
    process.env.LDAPS_AUDIT_DEBUG = "1";
    try {
      const e = new Error(`boom\n${MARK}\x1b[2J`);
      reportError(e);
    } finally {
      delete process.env.LDAPS_AUDIT_DEBUG;
    }
    expectTerminalSafe(written);
  });

  test("DSC trace lines: one JSON line whose message is terminal-safe (dsc prints it)", () => {
    fc.assert(fc.property(hostile, (bad) => {
      const line = traceLine("error", `profile x${bad}: no such file`);
      expect(line).not.toMatch(LINE_BREAKS);
      expectTerminalSafe(JSON.parse(line).error);
    }), RUNS);
  });
});

describe("HTML, JUnit and JSON keep their own escaping (not the terminal's, and not twice)", () => {
  const base = evaluateExample("wrong-name");
  const bad = `\x1b[2J<img src=x onerror=alert(1)>&amp;\n${MARK}\u202e`;

  test("HTML: markup escaped once, controls replaced; no terminal escapes in the page", () => {
    const html = renderHtml(inject(base, bad));
    expect(html).not.toContain("<img src=x");
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;&amp;amp;");
    expect(html).not.toContain("&amp;lt;img");
    expect(html).not.toContain("\\x1b");
    expect(html).not.toMatch(/\x1b/);
  });

  test("JUnit: XML-escaped once, controls XML cannot carry removed", () => {
    const xml = renderJunit(inject(base, bad));
    expect(xml).not.toContain("<img src=x");
    expect(xml).toContain("&lt;img src=x onerror=alert(1)&gt;&amp;amp;");
    expect(xml).not.toContain("&amp;lt;img");
    expect(xml).not.toContain("\\x1b");
    // eslint-disable-next-line no-control-regex
    expect(xml).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/);
  });

  test("JSON: the value round-trips exactly (no terminal escaping in data)", () => {
    const r = inject(base, bad);
    expect(JSON.parse(JSON.stringify(r)).targets[0].host).toBe(`dc1.corp.example.test${bad}`);
  });
});

test("no module writes to stdout or stderr except through lib/terminal.ts (or the document writers)", () => {
  // Documents (JSON, HTML, JUnit, and text already made by terminalText) are written by lib/output/write.ts
  // (for emit and the stream writer); dsc gets JSON lines on stdout. Everything else must use stderrLine/terminalText.
  const allowed = new Set(["lib/terminal.ts", "lib/output/write.ts", "lib/cli/commands/dsc.ts"]);
  const root = join(__dirname, "..");
  const files: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith(".ts")) files.push(p);
    }
  };
  walk(join(root, "lib"));
  const offenders = files
    .filter((f) => !allowed.has(relative(root, f)))
    .filter((f) => /process\.std(out|err)\.write|console\.(log|error|warn|info)\(|\.pipe\(process\.std(out|err)/.test(readFileSync(f, "utf8")));
  expect(offenders.map((f) => relative(root, f))).toEqual([]);
  const bin = readFileSync(join(root, "bin", "ldaps-audit.js"), "utf8");
  // The launcher's only own message is the fixed "not built yet" line; errors go through reportError.
  expect(bin.match(/process\.stderr\.write/g)).toHaveLength(1);
  expect(bin).toContain("reportError(e)");
});
