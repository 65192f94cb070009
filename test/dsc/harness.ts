// Runs a DSC v3 command resource the way dsc does (PowerShell/DSC dsc_lib command_resource.rs):
// executable and args from the manifest, working directory = the manifest's folder, the desired
// state as JSON on stdin, stdout parsed as JSON lines, stderr lines as JSON trace messages.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";

export const REPO = join(__dirname, "..", "..");
export const MANIFEST = join(REPO, "dsc", "ldaps-audit.dsc.resource.json");
export const REFERENCE = join(REPO, "..", "shared", "reference", "dsc");

export interface Method {
  executable: string;
  args?: Array<string | { jsonInputArg: string; mandatory?: boolean }>;
  input?: "stdin" | "env";
  return?: "state" | "stateAndDiff";
}

export interface Manifest {
  $schema: string;
  type: string;
  version: string;
  get: Method;
  test: Method;
  set?: Method & { implementsPretest?: boolean };
  whatIf?: Method & { implementsPretest?: boolean };
  exitCodes?: Record<string, string>;
  schema: { embedded: { properties: Record<string, { readOnly?: boolean }> } & Record<string, unknown> };
  [k: string]: unknown;
}

export function readManifest(path = MANIFEST): Manifest {
  return JSON.parse(readFileSync(path, "utf8")) as Manifest;
}

export interface Trace {
  level: string;
  message: string;
}

export interface Invocation {
  code: number | null;
  stdoutLines: unknown[];
  rawStdout: string;
  traces: Trace[];
  /** stderr lines that are not JSON trace messages (dsc logs them as raw text; we want none). */
  strayStderr: string[];
}

/** Spawn one operation exactly as dsc would. `input` is sent verbatim on stdin (dsc sends the desired-state JSON). */
export function invoke(manifest: Manifest, operation: "get" | "test" | "set" | "whatIf", input: string | undefined, manifestPath = MANIFEST, extraEnv: Record<string, string> = {}): Invocation {
  const method = manifest[operation];
  if (!method) throw new Error(`the manifest has no ${operation} method`);
  const args: string[] = [];
  for (const a of method.args ?? []) {
    if (typeof a === "string") args.push(a);
    else if (input || a.mandatory) args.push(a.jsonInputArg, input ?? "");
  }
  const useStdin = method.input === "stdin" && input !== undefined;
  const r = spawnSync(method.executable, args, {
    cwd: dirname(manifestPath),
    input: useStdin ? input : undefined,
    stdio: [useStdin ? "pipe" : "ignore", "pipe", "pipe"],
    encoding: "utf8",
    timeout: 600000,
    env: { ...process.env, NO_COLOR: "1", ...extraEnv },
  });
  if (r.error) throw r.error;
  const rawStdout = r.stdout;
  const stdoutLines = rawStdout.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l));
  const traces: Trace[] = [];
  const strayStderr: string[] = [];
  for (const line of r.stderr.split("\n")) {
    if (!line.trim()) continue;
    try {
      const obj = JSON.parse(line) as Record<string, unknown>;
      const level = ["error", "warn", "info", "debug", "trace"].find((k) => typeof obj[k] === "string");
      if (level) traces.push({ level, message: obj[level] as string });
      else strayStderr.push(line);
    } catch {
      strayStderr.push(line);
    }
  }
  return { code: r.status, stdoutLines, rawStdout, traces, strayStderr };
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * dsc's own diff (dscresource.rs get_diff): every property of the desired state that the actual
 * state lacks or holds a different value for; `_`-prefixed (canonical) and read-only properties are ignored.
 */
export function dscDiff(desired: Record<string, unknown>, actual: Record<string, unknown>, schemaProperties: Record<string, { readOnly?: boolean }>): string[] {
  const diff: string[] = [];
  for (const [k, v] of Object.entries(desired)) {
    if (k.startsWith("_") || schemaProperties[k]?.readOnly) continue;
    if (!(k in actual) || !deepEqual(v, actual[k])) diff.push(k);
  }
  return diff;
}

/** How dsc decides a test result: `_inDesiredState` when the resource returns it (DSC >= 3.1), else an empty diff. */
export function dscInDesiredState(actual: Record<string, unknown>, diff: string[]): boolean {
  return typeof actual._inDesiredState === "boolean" ? actual._inDesiredState : diff.length === 0;
}

export function referenceAjv(): Ajv2020 {
  // The reference schemas use keywords and formats ajv's strict mode does not know (markdownDescription etc.).
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv;
}

export function referenceSchema(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(REFERENCE, name), "utf8"));
}

export interface SetOutcome {
  /** dsc's ResourceSetResponse: the state before (from get), after (from set), and the properties that changed. */
  beforeState: Record<string, unknown>;
  afterState: Record<string, unknown>;
  changedProperties: string[];
  get: Invocation;
  set: Invocation;
}

/**
 * `dsc resource set [--what-if]` as dsc runs a command resource (dsc_lib command_resource.rs invoke_set): the
 * whatIf method in what-if mode (when the manifest has one); test first unless the method implementsPretest;
 * then get for the state before, then the method, whose one JSON line is the state after; changedProperties is
 * dsc's diff of after against before. Any non-zero exit is dsc's error, returned here with the invocations.
 */
export function invokeSet(manifest: Manifest, input: string, whatIf: boolean, manifestPath = MANIFEST, extraEnv: Record<string, string> = {}): SetOutcome | { error: Invocation; step: "get" | "set" } {
  const operation = whatIf ? "whatIf" : "set";
  const method = manifest[operation] ?? (whatIf ? manifest.set : undefined);
  if (!method) throw new Error("set is not implemented by this resource");
  if (!method.implementsPretest) throw new Error("this emulation covers resources that implement their own pretest (as ours does)");
  const get = invoke(manifest, "get", input, manifestPath, extraEnv);
  if (get.code !== 0) return { error: get, step: "get" };
  const set = invoke(manifest, manifest[operation] ? operation : "set", input, manifestPath, extraEnv);
  if (set.code !== 0) return { error: set, step: "set" };
  if (get.stdoutLines.length !== 1 || set.stdoutLines.length !== 1) throw new Error(`dsc expects one JSON line from get and from set (return: state); got ${get.stdoutLines.length} and ${set.stdoutLines.length}`);
  const beforeState = get.stdoutLines[0] as Record<string, unknown>;
  const afterState = set.stdoutLines[0] as Record<string, unknown>;
  const props = manifest.schema.embedded.properties;
  return { beforeState, afterState, changedProperties: dscDiff(afterState, beforeState, props), get, set };
}
