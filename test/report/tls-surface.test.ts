// The TLS surface in the text and HTML reports: the suites per endpoint and version, the weak ones, what
// could not be tested, the registry's protocol states and the registry-vs-wire findings; strings from a
// snapshot (here a hostile "suite name") are escaped on both.
import { tlsSurfaceFacts } from "../../lib/facts/tlsSurface";
import { renderHtml } from "../../lib/report/html";
import { renderText } from "../../lib/report/text";
import type { Report } from "../../lib/report/types";
import type { Snapshot } from "../../lib/snapshot";
import fc from "fast-check";
import { expectTerminalSafe, hostile, MARK } from "../helpers/terminal";
import { tlsSurfaceText } from "../../lib/report/tls-surface";
import { terminalText } from "../../lib/terminal";
import { evaluateExample } from "./fleet";

const HOSTILE = `TLS_EVIL\u001b[2J<script>alert(1)</script>\n${MARK}`;

const snapshotWith = (name: string) => ({
  schemaVersion: 1,
  host: { fqdn: "dc1.corp.example.test", osVersion: "10.0.17763" },
  registry: { schannel: { protocols: { "TLS 1.0": { Enabled: 0 } }, ciphers: { "Triple DES 168": { Enabled: 0 } } } },
  network: {
    endpoints: [
      {
        host: "dc1.corp.example.test",
        port: 636,
        mode: "ldaps",
        failure: null,
        versions: { TLSv1: true, "TLSv1.1": false, "TLSv1.2": true, "TLSv1.3": false },
        ciphers: {
          handshakes: 4,
          maxHandshakes: 64,
          library: "OpenSSL 3.0.19",
          versions: {
            "TLSv1.2": { accepted: ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_128_CBC_SHA", name], refused: [], untestable: ["TLS_RSA_WITH_3DES_EDE_CBC_SHA"], notTested: [], stopped: null },
          },
        },
      },
    ],
  },
}) as unknown as Snapshot;
const snapshot = snapshotWith(HOSTILE);

function reportWithSurface(): Report {
  const report = evaluateExample("healthy-dc");
  (report.targets[0].facts as Record<string, unknown>).tlsSurface = tlsSurfaceFacts(snapshot);
  return report;
}

describe("TLS surface section", () => {
  test("text: suites, weak ones, not ruled out, registry states, registry vs wire; escaped", () => {
    const text = renderText(reportWithSurface());
    expect(text).toContain("  TLS surface:");
    expect(text).toMatch(/636\/LDAPS TLSv1\.2: TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_RSA_WITH_AES_128_CBC_SHA, TLS_EVIL/);
    expect(text).toMatch(/weak: 636\/LDAPS TLSv1\.2: TLS_RSA_WITH_AES_128_CBC_SHA: no forward secrecy/);
    expect(text).toMatch(/not ruled out: 3des at TLSv1\.2 on 636\/LDAPS: OpenSSL 3\.0\.19 cannot offer those suites/);
    expect(text).toMatch(/Schannel registry \(build 17763\): SSL 2\.0 off \(default\), SSL 3\.0 off \(default\), TLS 1\.0 off, TLS 1\.1 on \(default\)/);
    expect(text).toMatch(/registry vs wire: the registry turns TLS 1\.0 off .*yet 636\/LDAPS accepted TLSv1/);
    expect(text).not.toContain("\u001b[2J");
    expectTerminalSafe(text);
  });

  test("HTML: the same, with the hostile name escaped", () => {
    const html = renderHtml(reportWithSurface());
    expect(html).toContain("<h3>TLS surface</h3>");
    expect(html).toContain("Cipher suites accepted on the wire");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).not.toContain("<script>alert(1)</script>");
    expect(html).toMatch(/the registry turns TLS 1\.0 off/);
  });

  test("any hostile suite name in the evidence stays on its line (fast-check)", () => {
    fc.assert(
      fc.property(hostile, (name) => {
        expectTerminalSafe(terminalText(tlsSurfaceText(tlsSurfaceFacts(snapshotWith(name))!)));
      }),
      { numRuns: 200 },
    );
  });

  test("a report without surface facts has no section (older reports, or none collected)", () => {
    const report = evaluateExample("healthy-dc");
    expect(renderText(report)).not.toContain("TLS surface:");
  });
});
