// Report integrity: recompute the SHA-256 of every input a report lists (paths as recorded, relative
// ones resolved against a base directory, the current one by default) and say per input whether it
// matches, changed or is missing. A profile's recorded digest covers the profile file and every
// profile or control family it reaches, so profiles are re-digested the same way (lib/profile/load).
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, isAbsolute, resolve } from "node:path";
import { loadProfile, SHIPPED_PROFILES } from "../profile/load";
import type { Report } from "./types";
import { terminalText } from "../terminal";

export type InputVerdict = "match" | "changed" | "missing" | "unreadable";

export interface InputCheck {
  kind: Report["inputs"][number]["kind"];
  path: string;
  resolved: string;
  expected: string;
  actual: string | null;
  result: InputVerdict;
  note?: string;
}

export interface VerifyResult {
  source: string;
  ok: boolean;
  /** Why the report cannot be verified whatever its files say (no inputs, or no evidence among them). */
  problem?: string;
  inputs: InputCheck[];
  counts: Record<InputVerdict, number>;
}

function sha256File(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

function checkProfile(path: string, resolved: string, expected: string): { actual: string | null; result: InputVerdict; note?: string } {
  let fileHash: string | null = null;
  if (existsSync(resolved)) {
    fileHash = sha256File(resolved);
    if (fileHash === expected) return { actual: fileHash, result: "match" };
    try {
      const digest = loadProfile(resolved).sha256;
      return { actual: digest, result: digest === expected ? "match" : "changed", note: "profile digest (the file and every control family it reaches)" };
    } catch (e) {
      return { actual: fileHash, result: "changed", note: `cannot load as a profile: ${(e as Error).message}` };
    }
  }
  // A shipped profile recorded with another installation's absolute path: check this installation's copy.
  const m = /^(.+)\.profile\.json$/.exec(basename(path));
  if (m && SHIPPED_PROFILES.includes(m[1])) {
    const digest = loadProfile(m[1]).sha256;
    return {
      actual: digest,
      result: digest === expected ? "match" : "changed",
      note: `recorded path not found; compared with this installation's shipped "${m[1]}" profile`,
    };
  }
  return { actual: null, result: "missing" };
}

/** Inputs that are evidence (what the verdict is about), as opposed to the profile and waivers that judge it. */
const EVIDENCE_KINDS: Array<Report["inputs"][number]["kind"]> = ["snapshot", "certificate"];

export function verifyReport(report: Report, source: string, options: { base?: string } = {}): VerifyResult {
  const base = options.base ?? process.cwd();
  const inputs: InputCheck[] = report.inputs.map((input) => {
    const resolved = isAbsolute(input.path) ? input.path : resolve(base, input.path);
    const row = { kind: input.kind, path: input.path, resolved, expected: input.sha256 };
    try {
      if (input.kind === "profile") return { ...row, ...checkProfile(input.path, resolved, input.sha256) };
      if (!existsSync(resolved)) return { ...row, actual: null, result: "missing" as const };
      if (statSync(resolved).isDirectory()) return { ...row, actual: null, result: "unreadable" as const, note: "is a directory" };
      const actual = sha256File(resolved);
      return { ...row, actual, result: actual === input.sha256 ? ("match" as const) : ("changed" as const) };
    } catch (e) {
      return { ...row, actual: null, result: "unreadable" as const, note: (e as NodeJS.ErrnoException).code ?? (e as Error).message };
    }
  });
  const counts: Record<InputVerdict, number> = { match: 0, changed: 0, missing: 0, unreadable: 0 };
  for (const i of inputs) counts[i.result]++;
  // A verification that cannot fail is no verification: a report must name the evidence it was judged on.
  const problem =
    inputs.length === 0
      ? "the report lists no inputs"
      : !inputs.some((i) => EVIDENCE_KINDS.includes(i.kind))
        ? `the report lists no evidence it was judged on (no snapshot or certificate file; only ${[...new Set(inputs.map((i) => i.kind))].join(", ")})`
        : undefined;
  return { source, ok: !problem && inputs.every((i) => i.result === "match"), ...(problem ? { problem } : {}), inputs, counts };
}

export function renderVerifyText(results: VerifyResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    const verdict = r.problem ? `CANNOT BE VERIFIED: ${r.problem}` : r.ok ? "all inputs match" : "INPUTS DIFFER";
    lines.push(`${r.source}: ${verdict} (${r.counts.match} match, ${r.counts.changed} changed, ${r.counts.missing} missing, ${r.counts.unreadable} unreadable)`);
    for (const i of r.inputs) {
      const word = i.result.toUpperCase().padEnd(10);
      const detail = i.result === "changed" ? ` recorded ${i.expected.slice(0, 16)}..., now ${i.actual?.slice(0, 16)}...` : "";
      lines.push(`  ${word} ${i.kind.padEnd(11)} ${i.path}${detail}${i.note ? ` (${i.note})` : ""}`);
    }
  }
  return terminalText(lines);
}
