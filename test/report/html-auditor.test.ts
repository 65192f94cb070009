/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The auditor's HTML report in headless Chromium (playwright-core): the summary at a glance (status per
// control across hosts, expiry timeline as inline SVG, hosts at risk first), control ids that never wrap,
// filtering by status (CSS only, works with scripts off) and search by host (the page's one hashed
// script), collapsible hosts, print layout, axe-core with no serious or critical violations, and
// --format pdf through the real Chromium. Screenshots and PDFs go to test-output/report/ (git-ignored).
import { reportJson } from "../../lib/report/document";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { htmlPage, renderHtml, REPORT_SCRIPT } from "../../lib/report/html";
import type { Report } from "../../lib/report/types";
import { expectCleanError, runCli } from "../helpers/cli";
import { Pki } from "../helpers/openssl";
import { CHROMIUM, CHROMIUM_ARGS, describeWithChromium, watchPage } from "../helpers/chromium";
import { fleetCerts, fleetPlan, fleetReport } from "./fleet";

const OUT = join(__dirname, "..", "..", "test-output", "report");
const AXE = require.resolve("axe-core/axe.min.js");
const d = describeWithChromium();

d("the auditor's report in headless Chromium", () => {
  let pki: Pki;
  let fleet: Report;
  let small: Report;
  let profileDir: string;
  let tmp: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let browser: any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let contexts: any[] = [];

  beforeAll(async () => {
    pki = new Pki();
    const certs = fleetCerts(pki);
    // 15 hosts: every 5th broken (three broken kinds), the rest healthy with 20/45/80/400-day runways.
    fleet = fleetReport(fleetPlan(15), certs);
    small = fleetReport(fleetPlan(5), certs);
    const { chromium } = await import("playwright-core");
    profileDir = mkdtempSync(join(tmpdir(), "ldaps-audit-chromium-"));
    tmp = mkdtempSync(join(tmpdir(), "ldaps-audit-auditor-"));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
    });
    mkdirSync(OUT, { recursive: true });
  });

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    pki?.cleanup();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  async function open(html: string, name: string, options: { javaScriptEnabled?: boolean; width?: number } = {}) {
    const file = join(OUT, `${name}.html`);
    writeFileSync(file, html);
    const url = pathToFileURL(file).href;
    const context = await browser.newContext({ javaScriptEnabled: options.javaScriptEnabled ?? true, viewport: { width: options.width ?? 1280, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    const { requests, dialogs, cspViolations } = watchPage(page);
    await page.goto(url, { waitUntil: "load" });
    return { page, url, requests, dialogs, cspViolations };
  }

  /** Hosts (details) and host-table rows that are displayed. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const visible = (page: any) =>
    page.evaluate(() => ({
      hosts: [...document.querySelectorAll("details.target")].filter((e) => (e as HTMLElement).offsetParent !== null).map((e) => (e as HTMLElement).dataset.host),
      verdicts: [...document.querySelectorAll("details.target")].filter((e) => (e as HTMLElement).offsetParent !== null).map((e) => (e as HTMLElement).dataset.verdict),
      rows: [...document.querySelectorAll("tr[data-host]")].filter((e) => (e as HTMLElement).offsetParent !== null).map((e) => (e as HTMLElement).dataset.host),
      passRows: [...document.querySelectorAll("tr.r-pass, tr.r-skip")].filter((e) => (e as HTMLElement).offsetParent !== null).length,
    }));

  test("at a glance: tiles, the expiry timeline (SVG, profile bands), the control-by-host status, hosts at risk first", async () => {
    const { page, url, requests, dialogs, cspViolations } = await open(renderHtml(fleet), "auditor-fleet");
    const dom = await page.evaluate(() => {
      const svg = document.querySelector("svg.timeline")!;
      return {
        order: [...document.querySelectorAll("details.target")].map((e) => (e as HTMLElement).dataset.verdict),
        open: [...document.querySelectorAll("details.target")].map((e) => [(e as HTMLElement).dataset.verdict, (e as HTMLDetailsElement).open]),
        tableOrder: [...document.querySelectorAll("tr[data-verdict]")].map((e) => (e as HTMLElement).dataset.verdict),
        svgRole: svg.getAttribute("role"),
        svgName: svg.querySelector("title")?.textContent,
        svgDesc: svg.querySelector("desc")?.textContent,
        bars: svg.querySelectorAll("rect.bar").length,
        bands: [svg.querySelectorAll("rect.band-fail").length, svg.querySelectorAll("rect.band-warn").length],
        noCert: [...svg.querySelectorAll("text")].filter((t) => /no predicted certificate/.test(t.textContent ?? "")).length,
        barTexts: [...svg.querySelectorAll("text.bar-text")].map((t) => t.textContent),
        legend: svg.querySelector("text.legend")?.textContent,
        matrixCaption: document.querySelector("table.matrix caption")?.textContent,
        tiles: (document.querySelector(".tiles") as HTMLElement).innerText,
        text: document.body.innerText,
      };
    });
    const verdictRank = { noncompliant: 0, warnings: 1, compliant: 2 } as Record<string, number>;
    const ranks = dom.order.map((v: string) => verdictRank[v]);
    expect(ranks).toEqual([...ranks].sort((a: number, b: number) => a - b));
    expect(dom.tableOrder).toEqual(dom.order);
    expect(dom.order[0]).toBe("noncompliant");
    // At-risk hosts open, compliant ones collapsed.
    for (const [v, isOpen] of dom.open) expect(isOpen).toBe(v !== "compliant");
    const withCert = fleet.targets.filter((t) => t.certificates.some((c) => c.predicted)).length;
    expect({ role: dom.svgRole, name: dom.svgName, bars: dom.bars, noCert: dom.noCert, bands: dom.bands }).toEqual({
      role: "img",
      name: "Certificate expiry timeline",
      bars: withCert,
      noCert: fleet.targets.length - withCert,
      bands: [1, 1],
    });
    expect(dom.legend).toBe("Shaded: LDAPS-C07 fails below 7 days, warns below 30 days");
    expect(dom.svgDesc).toMatch(/^15 target\(s\)\./);
    expect(dom.barTexts).toEqual(expect.arrayContaining(["20 d", "45 d", "80 d", "400 d"]));
    expect(dom.matrixCaption).toMatch(/How many hosts have each control in each status/);
    expect(dom.tiles).toMatch(/non-compliant/);
    expect(dom.tiles).toMatch(/20 day\(s\)\s+soonest expiry/);
    expect(dialogs).toEqual([]);
    expect(requests).toEqual([url]);
    expect(cspViolations).toEqual([]);
    await page.screenshot({ path: join(OUT, "auditor-fleet.png"), fullPage: true });
    await page.screenshot({ path: join(OUT, "auditor-fleet-top.png") });
  });

  test("a few hosts: a real control-by-host matrix", async () => {
    const { page } = await open(renderHtml(small), "auditor-small");
    const m = await page.evaluate(() => {
      const t = document.querySelector("table.matrix")!;
      return { cols: t.querySelectorAll("thead th").length, rows: t.querySelectorAll("tbody tr").length, badges: t.querySelectorAll("tbody .badge").length };
    });
    const controls = new Set(small.targets.flatMap((t) => t.controls.map((c) => c.id))).size;
    expect(m).toEqual({ cols: 1 + small.targets.length, rows: controls, badges: small.targets.reduce((n, t) => n + t.controls.length, 0) });
    await page.screenshot({ path: join(OUT, "auditor-small.png"), fullPage: true });
  });

  test("control ids never wrap mid-id: on a phone-width page, and even in a box squeezed to 3em that may break anywhere", async () => {
    const { page } = await open(renderHtml(fleet), "auditor-narrow", { width: 360 });
    await page.evaluate(() => document.querySelectorAll("details").forEach((e) => ((e as HTMLDetailsElement).open = true)));
    await page.screenshot({ path: join(OUT, "auditor-narrow.png"), fullPage: false });
    // The squeeze (through the CSSOM, which the page's CSP allows to the test): Chromium would otherwise
    // break "LDAPS-C07" after the hyphen or, with overflow-wrap: anywhere (long evidence cells), anywhere.
    await page.evaluate(() =>
      document.querySelectorAll(".cid").forEach((e) => {
        const box = e.parentElement as HTMLElement;
        box.style.width = "3em";
        box.style.display = "block";
        box.style.overflowWrap = "anywhere";
      }),
    );
    const ids = await page.evaluate(() => [...document.querySelectorAll(".cid")].filter((e) => (e as HTMLElement).offsetParent !== null).map((e) => ({ text: e.textContent, lines: e.getClientRects().length, h: e.getBoundingClientRect().height, lh: parseFloat(getComputedStyle(e).lineHeight) || parseFloat(getComputedStyle(e).fontSize) * 1.6 })));
    expect(ids.length).toBeGreaterThan(100);
    const wrapped = ids.filter((i: { lines: number; h: number; lh: number }) => i.lines !== 1 || i.h > i.lh * 1.5);
    expect(wrapped).toEqual([]);
  });

  test("filter by status works with scripts off (CSS :has over radio buttons); the search box stays hidden then", async () => {
    const { page } = await open(renderHtml(fleet), "auditor-nojs", { javaScriptEnabled: false });
    const all = await visible(page);
    expect(all.hosts).toHaveLength(15);
    await expect(page.locator("#search-box").isVisible()).resolves.toBe(false);
    await page.getByLabel(/^Non-compliant/).check();
    const bad = await visible(page);
    expect(new Set(bad.verdicts)).toEqual(new Set(["noncompliant"]));
    expect(bad.hosts).toHaveLength(fleet.summary.noncompliant);
    expect(bad.rows).toEqual(bad.hosts);
    await page.getByLabel(/^Compliant/).check();
    expect(new Set((await visible(page)).verdicts)).toEqual(new Set(["compliant"]));
    await page.getByLabel(/^All/).check();
    expect((await visible(page)).passRows).toBeGreaterThan(0);
    await page.getByLabel("Hide passing and skipped controls").check();
    expect((await visible(page)).passRows).toBe(0);
  });

  test("search by host: the page's one script, under its strict CSP, with a live count", async () => {
    const { page, requests, url, dialogs, cspViolations } = await open(renderHtml(fleet), "auditor-search");
    await expect(page.locator("#search-box").isVisible()).resolves.toBe(true);
    await page.getByLabel("Search hosts").fill("DC003");
    const one = await visible(page);
    expect(one.hosts).toEqual(["dc003.fleet.example.test (ntds)"]);
    expect(one.rows).toEqual(one.hosts);
    await expect(page.locator("#search-count").textContent()).resolves.toBe("1 of 15 host(s) match");
    await page.getByLabel("Search hosts").fill("fleet");
    expect((await visible(page)).hosts).toHaveLength(15);
    await page.getByLabel("Search hosts").fill("");
    expect((await visible(page)).hosts).toHaveLength(15);
    expect({ dialogs, cspViolations, requests }).toEqual({ dialogs: [], cspViolations: [], requests: [url] });
  });

  test("the report's CSP admits only its own script: injected scripts and handlers stay dead", async () => {
    const raw = htmlPage("csp", `<h1>csp</h1><p><script>alert(1)</script><img src=x onerror=alert(2)><svg onload=alert(3)></svg></p>`, REPORT_SCRIPT);
    const { dialogs, cspViolations } = await open(raw, "auditor-csp");
    expect(dialogs).toEqual([]);
    expect(cspViolations.length).toBeGreaterThanOrEqual(2);
  });

  test("collapsible hosts: a summary line per host, click to open", async () => {
    const { page } = await open(renderHtml(fleet), "auditor-collapse");
    const closed = page.locator('details.target[data-verdict="compliant"]').first();
    await expect(closed.evaluate((e: HTMLDetailsElement) => e.open)).resolves.toBe(false);
    await expect(closed.locator("section").isVisible()).resolves.toBe(false);
    await closed.locator("summary").click();
    await expect(closed.evaluate((e: HTMLDetailsElement) => e.open)).resolves.toBe(true);
    await expect(closed.locator("section").isVisible()).resolves.toBe(true);
  });

  test("print: no filter bar, every host's content printed (closed ones too), each host on a new page", async () => {
    // A4 at 96 dpi is 794 px wide: the print layout must fit it.
    const { page } = await open(renderHtml(fleet), "auditor-print", { javaScriptEnabled: false, width: 794 });
    await page.emulateMedia({ media: "print" });
    const p = await page.evaluate(() => ({
      filters: (document.querySelector(".filters") as HTMLElement).offsetParent !== null,
      closedContent: [...document.querySelectorAll("details.target:not([open]) > section")].map((s) => s.getBoundingClientRect().height),
      breakBefore: getComputedStyle(document.querySelector("details.target")!).breakBefore,
    }));
    expect(p.filters).toBe(false);
    expect(p.closedContent.length).toBeGreaterThan(0);
    for (const h of p.closedContent) expect(h).toBeGreaterThan(50);
    expect(p.breakBefore).toBe("page");
    await page.screenshot({ path: join(OUT, "auditor-fleet-print.png"), fullPage: true });
  });

  test.each([
    ["fleet", () => fleet],
    ["one host", () => ({ ...small, targets: [small.targets[4]], summary: { ...small.summary, targets: 1 } })],
  ])("axe-core (%s): no serious or critical violations", async (name, report) => {
    const { page } = await open(renderHtml(report()), `auditor-axe-${name.replace(/\W/g, "-")}`);
    await page.evaluate(() => document.querySelectorAll("details").forEach((e) => ((e as HTMLDetailsElement).open = true)));
    // Evaluated through the DevTools protocol, not as a page script: the page's CSP stays as it is.
    await page.evaluate(readFileSync(AXE, "utf8"));
    const result = await page.evaluate(async () => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const axe = (window as any).axe;
      const r = await axe.run(document, { resultTypes: ["violations"] });
      return r.violations.map((v: { id: string; impact: string; nodes: Array<{ target: string[] }> }) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, first: v.nodes[0]?.target.join(" ") }));
    });
    expect(result.filter((v: { impact: string }) => v.impact === "serious" || v.impact === "critical")).toEqual([]);
  });

  test("--format pdf: the real Chromium prints it; one file, a PDF", () => {
    const json = join(tmp, "fleet.json");
    writeFileSync(json, reportJson(fleet));
    const pdf = join(OUT, "auditor-fleet.pdf");
    const r = runCli(["report", json, "--format", "pdf", "-o", pdf], { LDAPS_AUDIT_CHROMIUM: CHROMIUM });
    expect(r.stderr).toMatch(/wrote .*auditor-fleet\.pdf/);
    expect(r.code).toBe(1); // the pipeline's code: the fleet is non-compliant
    const bytes = readFileSync(pdf);
    expect(bytes.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect(bytes.length).toBeGreaterThan(20000);
  });

  test("--format pdf without a browser: one clear line, exit 2, nothing written", () => {
    const json = join(tmp, "small.json");
    writeFileSync(json, reportJson(small));
    const pdf = join(tmp, "none.pdf");
    const missing = runCli(["report", json, "--format", "pdf", "-o", pdf], { LDAPS_AUDIT_CHROMIUM: join(tmp, "no-such-browser") });
    expectCleanError(missing, 2, /LDAPS_AUDIT_CHROMIUM=.*does not exist/);
    const none = runCli(["report", json, "--format", "pdf", "-o", pdf], { PATH: tmp, LDAPS_AUDIT_CHROMIUM: "" });
    expectCleanError(none, 2, /--format pdf needs a headless Chromium, Chrome or Edge and none was found/);
    expect(existsSync(pdf)).toBe(false);
  });
});
