// The text report: failures are what the eye meets; passes and skips collapse into counts (skips grouped
// by what they need), and --verbose lists every control.
import { renderText } from "../../lib/report/text";
import type { Report } from "../../lib/report/types";
import { evaluateExample } from "./fleet";

const skipLines = (text: string) => text.split("\n").filter((l) => /^  SKIP /.test(l));

describe("skipped controls collapse like passed ones", () => {
  const healthy = evaluateExample("healthy-dc");
  const broken = evaluateExample("wrong-name");

  test("the evaluator records what a skipped control needed (the facts its `if` found missing)", () => {
    const n01 = healthy.targets[0].controls.find((c) => c.id === "LDAPS-N01")!;
    expect(n01.status).toBe("skip");
    expect(n01.evidence).toEqual([expect.objectContaining({ instancePath: "/network", value: null })]);
    expect(n01.evidence[0].schemaPath).toMatch(/LDAPS-N01\/if/);
  });

  test("without --verbose: one line per reason, network skips as one count with the advice", () => {
    const text = renderText(healthy);
    const network = healthy.targets[0].controls.filter((c) => c.status === "skip" && c.evidence[0]?.instancePath === "/network");
    expect(network.length).toBeGreaterThanOrEqual(4);
    expect(skipLines(text)).toContain(`  SKIP   ${network.length} skipped: need network evidence (run ldaps-audit probe, then evaluate --probe)`);
    for (const c of network) expect(text).not.toContain(c.id);
    const skipped = healthy.targets[0].controls.filter((c) => c.status === "skip").length;
    // The counts add up: every skipped control is in exactly one line.
    const counted = skipLines(text).reduce((n, l) => n + Number(/ (\d+) skipped: /.exec(l)?.[1] ?? 1), 0);
    expect(counted).toBe(skipped);
  });

  test("failures come first; skips and passes follow as counts", () => {
    const lines = renderText(broken).split("\n");
    const lastFail = Math.max(...lines.map((l, i) => (/^  FAIL /.test(l) ? i : -1)));
    const firstSkip = lines.findIndex((l) => /^  SKIP /.test(l));
    const pass = lines.findIndex((l) => /^  PASS +\d+ more control\(s\) passed/.test(l));
    expect(lastFail).toBeGreaterThan(0);
    expect(firstSkip).toBeGreaterThan(lastFail);
    expect(pass).toBeGreaterThan(firstSkip);
  });

  test("--verbose lists every control, skipped ones with their own message", () => {
    const text = renderText(healthy, { verbose: true });
    for (const c of healthy.targets[0].controls) expect(text).toContain(`${c.id}  ${c.title}\n         ${c.message}`);
    expect(text).not.toMatch(/\d+ skipped:/);
    expect(text).not.toMatch(/more control\(s\) passed/);
  });

  test("a reason shared by controls of different messages, and one control alone", () => {
    const report: Report = JSON.parse(JSON.stringify(healthy));
    const t = report.targets[0];
    const mk = (id: string, message: string, at?: string) => ({
      id, status: "skip" as const, title: `title ${id}`, severity: "medium" as const, message,
      evidence: at ? [{ instancePath: at, schemaPath: "x", keyword: "type", message: "must be object" }] : [],
    });
    t.controls = [mk("X-01", "first message", "/certificates/0/chain"), mk("X-02", "second message", "/certificates/1/chain"), mk("X-03", "only one")];
    const lines = skipLines(renderText(report));
    // Certificate indexes do not split a reason.
    expect(lines).toEqual(["  SKIP   2 skipped: first message (and 1 more)", "  SKIP   X-03  only one"]);
    expect(renderText(report)).toContain("(--verbose lists the skipped controls)");
  });
});
