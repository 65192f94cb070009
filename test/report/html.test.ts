/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The HTML report in a real browser (headless Chromium driven by playwright-core): visible text, no
// network requests, no script execution from hostile certificate subjects or event identities,
// accessibility basics (lang, headings in order, captions, scoped headers, contrast), print layout.
// Screenshots go to test-output/report/ (git-ignored).
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { evaluateSnapshots } from "../../lib/audit";
import { contentSecurityPolicy, cspHash, esc, htmlPage, REPORT_SCRIPT, renderHtml } from "../../lib/report/html";
import { buildRollup, renderRollupHtml } from "../../lib/report/rollup";
import type { Report } from "../../lib/report/types";
import { Issued, Pki } from "../helpers/openssl";
import { CHROMIUM, describeWithChromium, watchPage } from "../helpers/chromium";
import { dcSnapshot, FQDN, storeCert } from "../helpers/snapshot";
import { evaluateExample, NOW, opensslDate } from "./fleet";

const OUT = join(__dirname, "..", "..", "test-output", "report");
const XSS_SCRIPT = "<script>alert(1)</script>";
const XSS_IMG = "<img src=x onerror=alert(2)>";
const XSS_SAN = "<img src=x onerror=alert(4)>.example.test";
const HOSTILE_IDENTITY = `CORP\\svc-<img src=x onerror=alert(3)>`;

test("escaping and the CSP, without a browser", () => {
  expect(esc(`<a href="x">'&'</a>\u0000`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;\uFFFD");
  const csp = contentSecurityPolicy();
  expect(csp).toMatch(/default-src 'none'/);
  expect(csp).toMatch(/script-src 'none'/);
  expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/]+=*'/);
  expect(csp).not.toMatch(/unsafe-inline/);
  const wrong = evaluateExample("wrong-name");
  const html = renderHtml(wrong);
  // The page's one script is its own (host search), allowed by hash; nothing else may be there.
  const own = `<script>${REPORT_SCRIPT}</script>`;
  expect(html.split(own)).toHaveLength(2);
  expect(html.replace(own, "")).not.toMatch(/<script|<img|<link|<iframe|src=|url\(/i);
  expect(html).toContain(esc(`script-src ${cspHash(REPORT_SCRIPT)}; `));
  // Event and client facts (shapes owned by lib/facts) are rendered generically as captioned tables.
  expect(html).toContain("<h3>Event evidence</h3>");
  if (wrong.targets[0].facts.clients) expect(html).toContain("<h3>Clients trying LDAPS</h3>");
  expect(html).toMatch(/^<!DOCTYPE html>\n<html lang="en">/);
});

const d = describeWithChromium();

d("in headless Chromium", () => {
  let pki: Pki;
  let report: Report;
  let hostile: Issued;
  let profileDir: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let context: any;

  beforeAll(async () => {
    pki = new Pki();
    const { root, intermediate } = pki.hierarchy();
    // openssl -subj: "\/" is a literal slash inside a value (a CN holds at most 64 characters).
    hostile = pki.issue("hostile", { cn: `${XSS_SCRIPT.replace("/", "\\/")}${XSS_IMG}`, san: `DNS:${FQDN},DNS:${XSS_SAN}`, eku: "serverAuth", end: opensslDate(20) }, intermediate);
    const expired = pki.issue("old", { cn: FQDN, san: `DNS:${FQDN}`, eku: "serverAuth", start: "20240101000000Z", end: "20250101000000Z" }, intermediate);
    const snapshot = dcSnapshot({ machine: [storeCert(hostile), storeCert(expired)], roots: [root], intermediates: [intermediate] });
    report = evaluateSnapshots([{ snapshot, source: "dc1.snapshot.json" }], { now: NOW });
    // Event evidence and a waiver with hostile strings (the event shape is lib/facts/events.ts's).
    const events = JSON.parse(JSON.stringify(evaluateExample("wrong-name").targets[0].facts.events));
    events.insecureBinds = { ...events.insecureBinds, simple: 4, total: 4, clientCount: 1, clientList: ["10.0.0.7"], clients: [{ ip: "10.0.0.7", identity: HOSTILE_IDENTITY, bindType: "simple", count: 4, last: "2026-11-19T10:00:00.000Z" }] };
    report.targets[0].facts.events = events;
    report.waivers.push({ control: "LDAPS-S03", host: FQDN, justification: `Legacy app ${XSS_IMG}`, approver: "pki@example.test", expires: "2026-12-31", expired: false });
    const { chromium } = await import("playwright-core");
    profileDir = mkdtempSync(join(tmpdir(), "ldaps-audit-chromium-"));
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    mkdirSync(OUT, { recursive: true });
  });

  afterAll(async () => {
    await context?.close();
    pki?.cleanup();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  });

  async function open(html: string, name: string) {
    const file = join(OUT, `${name}.html`);
    writeFileSync(file, html);
    const url = pathToFileURL(file).href;
    const page = await context.newPage();
    const { requests, responses, failed, dialogs, cspViolations } = watchPage(page);
    await page.goto(url, { waitUntil: "load" });
    await page.waitForTimeout(300); // give any (wrongly) injected handler a chance to fire
    return { page, url, requests, responses, failed, dialogs, cspViolations, file };
  }

  test("hostile subject and event identity render as text; nothing runs, nothing is fetched", async () => {
    expect(hostile.pem).toBeTruthy();
    const subject = report.targets[0].certificates[0].subject;
    // openssl really put them in the certificate (the subject is RFC 4514-escaped: \\< \\>; SANs are raw).
    expect(subject).toMatch(/^CN=\\?<script\\?>alert\(1\)\\?<\/script\\?>\\?<img src=x onerror=alert\(2\)\\?>$/);
    expect(report.targets[0].certificates[0].san).toEqual([FQDN, XSS_SAN]);
    const html = renderHtml(report);
    const { page, url, requests, responses, dialogs, file } = await open(html, "report");
    expect(dialogs).toEqual([]);
    expect(requests).toEqual([url]);
    expect(responses).toEqual([url]);
    const dom = await page.evaluate(() => ({
      scripts: [...document.querySelectorAll("script")].map((s) => s.textContent),
      imgs: document.querySelectorAll("img").length,
      lang: document.documentElement.lang,
      title: document.title,
      csp: document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute("content"),
      text: document.body.innerText,
    }));
    // Only the page's own script (by hash in the CSP, no 'unsafe-inline'): none from the certificate.
    expect(dom).toMatchObject({ scripts: [REPORT_SCRIPT], imgs: 0, lang: "en" });
    expect(dom.csp).toContain(`script-src ${cspHash(REPORT_SCRIPT)}; `);
    expect(dom.csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(dom.text).toContain(subject);
    expect(dom.text).toContain(HOSTILE_IDENTITY);
    expect(dom.text).toContain(`${FQDN}, ${XSS_SAN}`);
    expect(dom.text).toContain(`Legacy app ${XSS_IMG}`);
    await expect(page.getByRole("heading", { level: 4, name: subject, exact: true }).isVisible()).resolves.toBe(true);
    // Summary first, then the target; the worst findings and the expiry runway are visible.
    const order = dom.text.indexOf("Summary") < dom.text.indexOf("Controls") && dom.text.indexOf("Worst findings") > 0;
    expect(order).toBe(true);
    expect(dom.text).toMatch(/Predicted LDAPS certificate/);
    expect(dom.text).toMatch(/20 day\(s\) left/);
    expect(dom.text).toMatch(/expired \d+ day\(s\) ago/);
    expect(dom.text).toMatch(/Disqualified by:/);
    expect(dom.text).toMatch(/Insecure binds \(2887\/2889\): Clients/);
    expect(dom.text).toMatch(/WARN\s+medium|WARN/);
    await page.screenshot({ path: join(OUT, "report.png"), fullPage: true });
    await page.emulateMedia({ media: "print" });
    await page.screenshot({ path: join(OUT, "report-print.png"), fullPage: true });
    await page.pdf({ path: join(OUT, "report.pdf"), format: "A4" });
    await page.close();
    expect(existsSync(join(OUT, "report.png"))).toBe(true);
    expect(file).toMatch(/report\.html$/);
  });

  test("second layer: the CSP alone stops injected markup from running or fetching", async () => {
    // Markup deliberately NOT escaped, to prove the Content-Security-Policy holds even if escaping failed.
    const raw = htmlPage("csp", `<h1>csp</h1><p>${XSS_SCRIPT}${XSS_IMG}<img src="https://example.invalid/x.png"><link rel="stylesheet" href="https://example.invalid/x.css"></p><p style="color: red">inline style</p>`);
    const { page, url, requests, responses, failed, dialogs, cspViolations } = await open(raw, "csp-only");
    expect(dialogs).toEqual([]);
    // Chromium creates the request objects, then the CSP blocks them before anything leaves the page.
    expect(responses).toEqual([url]);
    expect(failed.map((f) => f.url).sort()).toEqual(requests.filter((r) => r !== url).sort());
    for (const f of failed) expect(f.error).toMatch(/blocked|csp/i);
    expect(cspViolations.length).toBeGreaterThanOrEqual(3);
    const colour = await page.evaluate(() => getComputedStyle(document.querySelectorAll("p")[1]).color);
    expect(colour).not.toBe("rgb(255, 0, 0)"); // style attributes are not allowed either
    await page.close();
  });

  test("accessibility basics: headings in order, captions, scoped headers, status in words, contrast", async () => {
    const { page } = await open(renderHtml(report), "report-a11y");
    const a11y = await page.evaluate(() => {
      const levels = [...document.querySelectorAll("h1,h2,h3,h4,h5,h6")].map((h) => Number(h.tagName[1]));
      const jumps = levels.filter((l, i) => i > 0 && l > levels[i - 1] + 1);
      const tables = [...document.querySelectorAll("table")];
      const noCaption = tables.filter((t) => !t.querySelector(":scope > caption")?.textContent?.trim()).length;
      const unscoped = [...document.querySelectorAll("th")].filter((th) => !["col", "row"].includes(th.getAttribute("scope") ?? "")).length;
      const badges = [...document.querySelectorAll(".badge")];
      const wordless = badges.filter((b) => !/[A-Z]{3,}/.test(b.textContent ?? "")).length;
      const lum = (rgb: string) => {
        const [r, g, b] = (rgb.match(/\d+(\.\d+)?/g) ?? ["0", "0", "0"]).slice(0, 3).map(Number).map((v) => {
          const c = v / 255;
          return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
      };
      const ratios = badges.map((b) => {
        const s = getComputedStyle(b);
        const [l1, l2] = [lum(s.color), lum(s.backgroundColor)].sort((x, y) => y - x);
        return (l1 + 0.05) / (l2 + 0.05);
      });
      const body = getComputedStyle(document.body);
      const bodyRatio = (() => {
        const [l1, l2] = [lum(body.color), lum("rgb(255,255,255)")].sort((x, y) => y - x);
        return (l1 + 0.05) / (l2 + 0.05);
      })();
      return { first: levels[0], h1: levels.filter((l) => l === 1).length, jumps, tables: tables.length, noCaption, unscoped, badges: badges.length, wordless, minRatio: Math.min(...ratios), bodyRatio };
    });
    expect(a11y).toMatchObject({ first: 1, h1: 1, jumps: [], noCaption: 0, unscoped: 0, wordless: 0 });
    expect(a11y.tables).toBeGreaterThan(4);
    expect(a11y.badges).toBeGreaterThan(10);
    expect(a11y.minRatio).toBeGreaterThanOrEqual(4.5);
    expect(a11y.bodyRatio).toBeGreaterThanOrEqual(7);
    await page.close();
  });

  test("fleet roll-up page: no requests, no scripts, accessible tables", async () => {
    const rollup = buildRollup([
      { report, path: "hostile.json" },
      { report: evaluateExample("adlds-instance"), path: "lds.json" },
      { report: evaluateExample("expired"), path: "expired.json" },
    ]);
    const { page, url, requests, dialogs } = await open(renderRollupHtml(rollup), "rollup");
    expect(dialogs).toEqual([]);
    expect(requests).toEqual([url]);
    const dom = await page.evaluate(() => ({ text: document.body.innerText, scripts: document.querySelectorAll("script,img").length, unscoped: [...document.querySelectorAll("th")].filter((th) => !th.getAttribute("scope")).length }));
    expect(dom).toMatchObject({ scripts: 0, unscoped: 0 });
    expect(dom.text).toMatch(/3 of 3 target\(s\) compliant|2 of 3 target\(s\) compliant/);
    expect(dom.text).toContain(report.targets[0].certificates[0].subject);
    expect(dom.text).toMatch(/within 30 days/);
    await page.screenshot({ path: join(OUT, "rollup.png"), fullPage: true });
    await page.close();
  });
});
