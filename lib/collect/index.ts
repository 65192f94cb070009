// Collecting snapshots on Windows: the ps/ collector run through one node-powershell session,
// locally or fleet-wide through PowerShell remoting. Every snapshot is validated against
// schemas/snapshot.schema.json before it is returned.
import { join } from "node:path";
import { InputError, RuntimeFailure } from "../errors";
import { parseJsonText } from "../input";
import { packageRoot } from "../paths";
import { describeErrors, SNAPSHOT_SCHEMA_ID, validatorFor } from "../schemas";
import type { CollectionError, Snapshot } from "../snapshot";
import { PowerShellOptions, PowerShellSession, withPowerShell } from "./powershell";

export { PowerShellSession, withPowerShell, bootstrapCommand, resolveExecutable } from "./powershell";
export type { PowerShellOptions } from "./powershell";

export type RevocationMode = "NoCheck" | "Online" | "Offline";

export interface CollectOptions extends PowerShellOptions {
  /** Days of event log to read (default 7). */
  lookbackDays?: number;
  /** Most events read per log (default 5000); more sets events.truncated. */
  maxEvents?: number;
  /** Revocation checking for the host's own chain build (default NoCheck: fast and offline-safe). */
  revocationMode?: RevocationMode;
  /** Folder holding Invoke-LdapsAuditCollector.ps1 (default: the package's ps/). */
  scriptsDir?: string;
  /** Scripts dot-sourced after the collector's function files: the test seam for Windows-only cmdlets. */
  shimScripts?: string[];
}

export interface FleetOptions extends CollectOptions {
  computerNames?: string[];
  allDomainControllers?: boolean;
  /** Invoke-Command -ThrottleLimit (default 16). */
  throttle?: number;
  /** Environment variable names holding the remoting user name and password ("USERVAR:PASSVAR"). */
  credentialEnv?: { userVariable: string; passwordVariable: string };
}

export interface FleetResult {
  host: string;
  snapshot?: Snapshot;
  error?: CollectionError;
}

export function scriptsDirectory(options: { scriptsDir?: string } = {}): string {
  return options.scriptsDir ?? join(packageRoot(), "ps");
}

/** Validate a collected snapshot; a collector that emits an invalid one is a runtime failure, not bad user input. */
export function validateCollectedSnapshot(data: unknown, what: string): Snapshot {
  const v = validatorFor(SNAPSHOT_SCHEMA_ID);
  if (!v(data)) throw new RuntimeFailure(`${what}: the collector produced an invalid snapshot: ${describeErrors(v.errors)}`);
  return data as Snapshot;
}

function collectorInput(options: CollectOptions): string {
  const input = {
    lookbackDays: options.lookbackDays ?? 7,
    maxEvents: options.maxEvents ?? 5000,
    revocationMode: options.revocationMode ?? "NoCheck",
  };
  return Buffer.from(JSON.stringify(input), "utf8").toString("base64");
}

function checkNumbers(options: CollectOptions): void {
  const { lookbackDays, maxEvents } = options;
  if (lookbackDays !== undefined && !(Number.isInteger(lookbackDays) && lookbackDays >= 1 && lookbackDays <= 3650)) {
    throw new InputError(`lookback days must be a whole number from 1 to 3650 (got ${lookbackDays})`);
  }
  if (maxEvents !== undefined && !(Number.isInteger(maxEvents) && maxEvents >= 1 && maxEvents <= 10_000_000)) {
    throw new InputError(`max events must be a whole number from 1 to 10000000 (got ${maxEvents})`);
  }
}

/** Collect on this host with an already running session. */
export async function collectLocalWith(ps: PowerShellSession, options: CollectOptions = {}): Promise<Snapshot> {
  checkNumbers(options);
  const params: Record<string, unknown> = { InputBase64: collectorInput(options) };
  if (options.shimScripts && options.shimScripts.length) params.ShimScript = options.shimScripts;
  const data = await ps.runScript(join(scriptsDirectory(options), "Invoke-LdapsAuditCollector.ps1"), params, "collect");
  return validateCollectedSnapshot(data, "collect");
}

/** Collect on this host: one PowerShell session, always disposed. */
export async function collectLocal(options: CollectOptions = {}): Promise<Snapshot> {
  return withPowerShell(options, (ps) => collectLocalWith(ps, options));
}

/** Collect from many hosts through Invoke-Command; a failed host becomes { host, error }. */
export async function collectFleetWith(ps: PowerShellSession, options: FleetOptions): Promise<FleetResult[]> {
  checkNumbers(options);
  const names = (options.computerNames ?? []).map((n) => n.trim()).filter(Boolean);
  if (!names.length && !options.allDomainControllers) throw new InputError("fleet collection needs computer names or all domain controllers");
  const input: Record<string, unknown> = {
    lookbackDays: options.lookbackDays ?? 7,
    maxEvents: options.maxEvents ?? 5000,
    revocationMode: options.revocationMode ?? "NoCheck",
    throttle: options.throttle ?? 16,
  };
  if (names.length) input.computerName = names;
  if (options.allDomainControllers) input.allDomainControllers = true;
  if (options.credentialEnv) {
    input.credentialUserVariable = options.credentialEnv.userVariable;
    input.credentialPasswordVariable = options.credentialEnv.passwordVariable;
  }
  const params: Record<string, unknown> = { InputBase64: Buffer.from(JSON.stringify(input), "utf8").toString("base64") };
  if (options.shimScripts && options.shimScripts.length) params.ShimScript = options.shimScripts;
  const data = await ps.runScript(join(scriptsDirectory(options), "Invoke-LdapsAuditFleet.ps1"), params, "fleet collect");
  if (!Array.isArray(data)) throw new RuntimeFailure("fleet collect: PowerShell returned no list of results");
  return data.map((entry: { host?: string; snapshotJson?: string; error?: CollectionError }) => {
    const host = String(entry.host ?? "?");
    if (entry.error) return { host, error: entry.error };
    try {
      const snapshot = validateCollectedSnapshot(parseJsonText(entry.snapshotJson ?? "", `collect ${host}`), `collect ${host}`);
      return { host, snapshot };
    } catch (e) {
      return { host, error: { part: "collector", message: (e as Error).message, code: "InvalidSnapshot" } };
    }
  });
}

export async function collectFleet(options: FleetOptions): Promise<FleetResult[]> {
  return withPowerShell(options, (ps) => collectFleetWith(ps, options));
}

/** Parse "USERVAR:PASSVAR" (environment variable names; never the secrets themselves). */
export function parseCredentialEnv(spec: string): { userVariable: string; passwordVariable: string } {
  const m = /^([A-Za-z_][A-Za-z0-9_]*):([A-Za-z_][A-Za-z0-9_]*)$/.exec(spec.trim());
  if (!m) throw new InputError(`--credential-env expects USERVAR:PASSVAR (two environment variable names), got "${spec}"`);
  return { userVariable: m[1], passwordVariable: m[2] };
}
