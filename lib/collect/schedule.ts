// Daily scheduled task that runs `ldaps-audit check --report-dir DIR --keep N` as SYSTEM (ps/Register-LdapsAuditSchedule.ps1).
import { statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { InputError, RuntimeFailure } from "../errors";
import { SHIPPED_PROFILES } from "../profile/load";
import { scriptsDirectory } from "./index";
import { PowerShellOptions, withPowerShell } from "./powershell";

export interface ScheduleOptions extends PowerShellOptions {
  action: "install" | "remove";
  taskName?: string;
  reportDir?: string;
  keep?: number;
  /** Daily start time, HH:MM (24 h). */
  at?: string;
  profile?: string;
  /** node executable and CLI script the task runs (default: this process's). */
  node?: string;
  cli?: string;
  scriptsDir?: string;
  shimScripts?: string[];
}

export interface ScheduleResult {
  action: "install" | "remove";
  taskName: string;
  taskPath: string;
  execute?: string;
  arguments?: string;
  at?: string;
  runAs?: string;
  removed?: boolean;
}

export const DEFAULT_TASK_NAME = "ldaps-audit daily check";

/** The argument vector of the task's `check` run (exported for tests and for the README). */
export function taskArguments(o: { cli: string; reportDir: string; keep: number; profile: string }): string[] {
  return [o.cli, "check", "--report-dir", o.reportDir, "--keep", String(o.keep), "--profile", o.profile, "--format", "json"];
}

/**
 * The --profile the task passes to `check`: a shipped name as is; a file as an absolute path that
 * exists now. The task runs as SYSTEM from another working directory, so a relative path, or a file
 * that is not there, would only fail at 03:00 with nobody watching.
 */
export function taskProfile(profile: string): string {
  if (SHIPPED_PROFILES.includes(profile)) return profile;
  const absolute = resolve(profile);
  let isFile = false;
  try {
    isFile = statSync(absolute).isFile();
  } catch {
    throw new InputError(`--profile ${profile}: no such file, and not a shipped profile (${SHIPPED_PROFILES.join(", ")})`);
  }
  if (!isFile) throw new InputError(`--profile ${profile}: not a file`);
  return absolute;
}

export async function schedule(options: ScheduleOptions): Promise<ScheduleResult> {
  const taskName = options.taskName ?? DEFAULT_TASK_NAME;
  if (!/^[A-Za-z0-9 ._-]{1,100}$/.test(taskName)) throw new InputError(`--task-name ${JSON.stringify(taskName)}: letters, digits, space, dot, dash and underscore only`);
  const input: Record<string, unknown> = { action: options.action, taskName, taskPath: "\\ldaps-audit\\" };
  if (options.action === "install") {
    const at = options.at ?? "03:00";
    if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(at)) throw new InputError(`--at ${JSON.stringify(at)}: expected HH:MM (24 h), e.g. 03:00`);
    if (!options.reportDir) throw new InputError("schedule install needs --report-dir (where the daily reports go)");
    const keep = options.keep ?? 30;
    const profile = taskProfile(options.profile ?? "baseline");
    if (!Number.isInteger(keep) || keep < 1 || keep > 100000) throw new InputError(`--keep ${keep}: expected a whole number from 1 to 100000`);
    const cli = options.cli ?? process.argv[1];
    if (!cli) throw new RuntimeFailure("cannot tell which ldaps-audit script the task should run");
    Object.assign(input, {
      execute: options.node ?? process.execPath,
      arguments: taskArguments({ cli, reportDir: options.reportDir, keep, profile }),
      at,
      workingDirectory: dirname(cli),
    });
  }
  const params: Record<string, unknown> = { InputBase64: Buffer.from(JSON.stringify(input), "utf8").toString("base64") };
  if (options.shimScripts?.length) params.ShimScript = options.shimScripts;
  const script = join(scriptsDirectory(options), "Register-LdapsAuditSchedule.ps1");
  return (await withPowerShell(options, (ps) => ps.runScript(script, params, `schedule ${options.action}`))) as ScheduleResult;
}
