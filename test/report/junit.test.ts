// JUnit XML: one testsuite per target, one testcase per target x control, validated with
// `xmllint --schema` against test/fixtures/junit/junit.xsd (stricter than Jenkins' junit-10.xsd).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderJunit, xmlAttr, xmlText } from "../../lib/report/junit";
import type { Report } from "../../lib/report/types";
import { runCli } from "../helpers/cli";
import { hasCommand, requirePeer } from "../helpers/peers";
import { EXAMPLES, evaluateExample, example, NOW_ARGS } from "./fleet";

const XSD = join(__dirname, "..", "fixtures", "junit", "junit.xsd");
const tmp = mkdtempSync(join(tmpdir(), "ldaps-audit-junit-"));
const hasXmllint = requirePeer("xmllint", hasCommand("xmllint", ["--version"]), "apt-get install libxml2-utils");
const x = hasXmllint ? test : test.skip;

function xmllint(xml: string, name: string): { code: number | null; stderr: string } {
  const file = join(tmp, name);
  writeFileSync(file, xml);
  const r = spawnSync("xmllint", ["--noout", "--schema", XSD, file], { encoding: "utf8" });
  return { code: r.status, stderr: r.stderr };
}

/** Text content of all elements named `tag` via xmllint's XPath (independent of our own escaping). */
function xpath(xml: string, expr: string): string {
  const file = join(tmp, `xp-${Math.random().toString(36).slice(2)}.xml`);
  writeFileSync(file, xml);
  return execFileSync("xmllint", ["--xpath", expr, file], { encoding: "utf8" }).replace(/\n$/, "");
}

x("every example validates against the XSD, with the right outcome elements", () => {
  const names = ["healthy-dc", "wrong-name", "two-qualifying", "expired", "adlds-instance", "key-not-readable", "no-server-auth-eku", "event-1220-no-certificate"];
  for (const n of names) {
    const report = evaluateExample(n);
    const xml = renderJunit(report);
    const v = xmllint(xml, `${n}.xml`);
    expect({ n, ...v }).toEqual({ n, code: 0, stderr: expect.stringMatching(/validates/) });
    const t = report.targets[0];
    const cases = t.controls.length;
    expect(Number(xpath(xml, "count(//testcase)"))).toBe(cases);
    expect(Number(xpath(xml, "count(//testcase/failure)"))).toBe(t.controls.filter((c) => c.status === "fail").length);
    expect(Number(xpath(xml, "count(//testcase/skipped)"))).toBe(t.controls.filter((c) => c.status === "skip").length);
    expect(xpath(xml, "string(//testsuite/@tests)")).toBe(String(cases));
    expect(xpath(xml, "string(//testcase[1]/@classname)")).toBe(`${t.host}/${t.service}`);
  }
});

x("fail carries message and evidence; warn and waived pass with a system-out note", () => {
  const wrong = renderJunit(evaluateExample("wrong-name"));
  const c02 = xpath(wrong, "string(//testcase[starts-with(@name,'LDAPS-C02 ')]/failure)");
  expect(c02).toMatch(/no SAN DNS entry matches dc1\.corp\.example\.test/);
  expect(c02).toMatch(/evidence \/certificates\/0\//);
  expect(c02).toMatch(/Fix: Request a certificate/);
  expect(xpath(wrong, "string(//testcase[starts-with(@name,'LDAPS-C02 ')]/failure/@type)")).toBe("critical");

  const warned = renderJunit(evaluateExample("two-qualifying"));
  expect(xpath(warned, "count(//testcase[starts-with(@name,'LDAPS-S02 ')]/failure)")).toBe("0");
  expect(xpath(warned, "string(//testcase[starts-with(@name,'LDAPS-S02 ')]/system-out)")).toMatch(/^WARNING \(advisory/);

  const waived = renderJunit(evaluateExample("two-qualifying", undefined, { waivers: join(EXAMPLES, "waivers.yaml") }));
  expect(xmllint(waived, "waived.xml").code).toBe(0);
  expect(xpath(waived, "count(//testcase[starts-with(@name,'LDAPS-S02 ')]/*[self::failure or self::error or self::skipped])")).toBe("0");
  expect(xpath(waived, "string(//testcase[starts-with(@name,'LDAPS-S02 ')]/system-out)")).toMatch(/WAIVED: was warn; waiver until 2026-12-31 approved by pki-team@corp\.example\.test/);
});

x("hostile strings: markup escaped, control characters stripped, still valid", () => {
  const report = evaluateExample("wrong-name");
  const t = report.targets[0];
  const nasty = `<script>alert("x")</script> & ]]> \u0000\u0001\u0008\u000B\u000C\u001B\u007F\uFFFE \uD800 tab\tend`;
  t.host = `dc1${nasty}`;
  t.controls[0].message = nasty;
  t.controls[0].status = "error";
  t.controls[1].message = nasty;
  t.controls[1].title = nasty;
  t.rootCause = nasty;
  const xml = renderJunit(report as Report);
  expect(xml).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFE]/);
  expect(xml).not.toContain("<script>");
  expect(xmllint(xml, "nasty.xml")).toEqual({ code: 0, stderr: expect.stringMatching(/validates/) });
  const msg = xpath(xml, "string(//testcase[1]/error/@message)");
  expect(msg).toContain(`<script>alert("x")</script> & ]]>`);
  expect(msg).toContain("tab\tend");
  expect(xpath(xml, "string(//testsuite/@hostname)")).toContain("dc1<script>");
});

test("escaping helpers", () => {
  expect(xmlText("a<b>&c\u0000")).toBe("a&lt;b&gt;&amp;c");
  expect(xmlAttr(`"'\n\t`)).toBe("&quot;&apos;&#10;&#9;");
  expect(xmlText("\uD83D\uDE00")).toBe("\uD83D\uDE00"); // a valid surrogate pair survives
});

x("several reports: one testsuite per target; the CLI writes JUnit from evaluate-produced JSON", () => {
  const a = join(tmp, "a.json");
  const b = join(tmp, "b.json");
  expect(runCli(["preflight", join(EXAMPLES, "certs", "dc1.pem"), "--fqdn", "dc1.corp.example.test", ...NOW_ARGS, "-o", a]).code).toBe(0);
  expect(runCli(["evaluate", example("adlds-instance"), ...NOW_ARGS, "-o", b]).code).toBe(0);
  const out = join(tmp, "both.xml");
  const r = runCli(["report", a, b, "--format", "junit", "-o", out]);
  expect(r.code).toBe(0);
  const xml = readFileSync(out, "utf8");
  expect(xmllint(xml, "both-copy.xml").code).toBe(0);
  expect(xpath(xml, "count(//testsuite)")).toBe("2");
  expect(xpath(xml, "string(//testsuite[2]/@name)")).toBe("ldaps-audit lds1.corp.example.test (ADAM_AppDir)");
});
