// One persistent PowerShell process per run, driven by node-powershell.
// Data reaches PowerShell only as base64 JSON inside a fixed bootstrap line: node-powershell's template
// interpolation does no escaping, so nothing a user typed (host names, paths) is ever spliced into script text.
// Results come back as one "LDAPS-AUDIT-RESULT:<base64 UTF-8 JSON>" line, immune to the console code page.
import { existsSync } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";
import { RuntimeFailure } from "../errors";

export interface PowerShellOptions {
  /** pwsh / powershell.exe path or name; default: LDAPS_AUDIT_POWERSHELL, else powershell.exe on Windows, pwsh elsewhere. */
  executable?: string;
  /** Per-invocation timeout in milliseconds (default 10 minutes). */
  timeoutMs?: number;
  /** Extra environment for the PowerShell process (e.g. credential variables for remoting). */
  env?: NodeJS.ProcessEnv;
}

export const RESULT_MARKER = "LDAPS-AUDIT-RESULT:";
export const FAILURE_MARKER = "LDAPS-AUDIT-FAILURE:";

/** Finds an executable by name on PATH (with PATHEXT on Windows) or checks an explicit path. */
export function resolveExecutable(name: string, env: NodeJS.ProcessEnv = process.env): string | null {
  if (isAbsolute(name) || name.includes("/") || name.includes("\\")) return existsSync(name) ? name : null;
  const exts = process.platform === "win32" ? ["", ...(env.PATHEXT ?? ".EXE;.CMD;.BAT").split(";").map((e) => e.toLowerCase())] : [""];
  for (const dir of (env.PATH ?? env.Path ?? "").split(delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const p = join(dir, name + ext);
      if (existsSync(p)) return p;
    }
  }
  return null;
}

export function defaultExecutable(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LDAPS_AUDIT_POWERSHELL) return env.LDAPS_AUDIT_POWERSHELL;
  return process.platform === "win32" ? "powershell.exe" : "pwsh";
}

/** The fixed bootstrap: decode the base64 JSON, splat its parameters into the named script. Only base64 text is inserted. */
export function bootstrapCommand(script: string, parameters: Record<string, unknown>): string {
  const payload = Buffer.from(JSON.stringify({ script, parameters }), "utf8").toString("base64");
  if (!/^[A-Za-z0-9+/=]+$/.test(payload)) throw new Error("internal: payload is not base64");
  return (
    `$__ldapsAudit = [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String('${payload}')) | ConvertFrom-Json; ` +
    `$__ldapsAuditParams = @{}; foreach ($__p in $__ldapsAudit.parameters.PSObject.Properties) { $__ldapsAuditParams[$__p.Name] = $__p.Value }; ` +
    `& $__ldapsAudit.script @__ldapsAuditParams`
  );
}

/** Pull the marker payload out of the raw output (other lines, e.g. warnings, are ignored). */
export function parseMarkerOutput(stdout: string, what: string): unknown {
  // pwsh may prefix a line with terminal control sequences (seen: ESC[?1h ESC[?1l), so look for the marker anywhere in a line.
  const lines = stdout.split(/\r?\n/);
  const payload = (line: string, marker: string) => (/^[A-Za-z0-9+/=]*/.exec(line.slice(line.indexOf(marker) + marker.length)) ?? [""])[0];
  const failure = lines.find((l) => l.includes(FAILURE_MARKER));
  if (failure) {
    const f = JSON.parse(Buffer.from(payload(failure, FAILURE_MARKER), "base64").toString("utf8")) as { message?: string; exceptionType?: string };
    throw new RuntimeFailure(`${what} failed in PowerShell: ${f.message ?? "unknown error"}${f.exceptionType ? ` (${f.exceptionType})` : ""}`);
  }
  const line = lines.find((l) => l.includes(RESULT_MARKER));
  if (!line) {
    const text = stdout.trim().slice(0, 500);
    throw new RuntimeFailure(`${what}: PowerShell returned no result${text ? `: ${text}` : ""}`);
  }
  const json = Buffer.from(payload(line, RESULT_MARKER), "base64").toString("utf8");
  try {
    return JSON.parse(json);
  } catch (e) {
    throw new RuntimeFailure(`${what}: PowerShell returned malformed JSON: ${(e as Error).message}`);
  }
}

interface ShellLike {
  invoke(command: string): Promise<{ raw: string; hadErrors: boolean; stdout?: Buffer; stderr?: Buffer }>;
  dispose(): Promise<void>;
}

/**
 * A PowerShell session: start it, run scripts with data parameters, always dispose().
 * Use `withPowerShell` so disposal happens in a finally block.
 */
export class PowerShellSession {
  private shell: ShellLike | null = null;
  readonly executable: string;
  private readonly timeoutMs: number;

  private constructor(executable: string, timeoutMs: number) {
    this.executable = executable;
    this.timeoutMs = timeoutMs;
  }

  static start(options: PowerShellOptions = {}): PowerShellSession {
    const env = { ...process.env, ...(options.env ?? {}) };
    const requested = options.executable ?? defaultExecutable(env);
    const resolved = resolveExecutable(requested, env);
    if (!resolved) {
      throw new RuntimeFailure(
        `PowerShell was not found ("${requested}"): run this on Windows (Windows PowerShell 5.1 or PowerShell 7), ` +
          `install pwsh, or name it with LDAPS_AUDIT_POWERSHELL`,
      );
    }
    const session = new PowerShellSession(resolved, options.timeoutMs ?? 600_000);
    // Loaded here so commands that never need PowerShell do not pay for it.
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { PowerShell } = require("node-powershell") as typeof import("node-powershell");
    const executableOptions: Record<string, string | boolean> = { "-NoProfile": true, "-NonInteractive": true, "-NoLogo": true };
    if (process.platform === "win32") executableOptions["-ExecutionPolicy"] = "Bypass";
    let shell: ShellLike;
    try {
      shell = new PowerShell({
        executable: resolved,
        executableOptions,
        invocationTimeout: session.timeoutMs,
        throwOnInvocationError: false,
        spawnOptions: { env, windowsHide: true },
      }) as unknown as ShellLike;
    } catch (e) {
      throw new RuntimeFailure(`cannot start PowerShell (${resolved}): ${(e as Error).message}`);
    }
    // A shell that dies before or between invocations must not become an unhandled rejection.
    const exitPromise = (shell as unknown as { exitPromise?: Promise<unknown> }).exitPromise;
    if (exitPromise && typeof exitPromise.catch === "function") exitPromise.catch(() => undefined);
    session.shell = shell;
    return session;
  }

  /** Run a script file with parameters passed as data; returns its marker payload. */
  async runScript(script: string, parameters: Record<string, unknown>, what: string): Promise<unknown> {
    if (!this.shell) throw new RuntimeFailure(`${what}: the PowerShell session is closed`);
    const started = Date.now();
    let result: Awaited<ReturnType<ShellLike["invoke"]>>;
    try {
      result = await this.shell.invoke(bootstrapCommand(script, { ...parameters, AsBase64: true }));
    } catch (e) {
      throw new RuntimeFailure(`${what}: PowerShell failed: ${(e as Error).message.trim().slice(0, 500)}`);
    }
    const stdout = result.stdout ? result.stdout.toString("utf8") : result.hadErrors ? "" : result.raw;
    if (!result.stdout && result.hadErrors && Date.now() - started >= this.timeoutMs - 50) {
      throw new RuntimeFailure(`${what}: PowerShell did not answer within ${Math.round(this.timeoutMs / 1000)} s`);
    }
    if (result.hadErrors && !stdout.includes(RESULT_MARKER) && !stdout.includes(FAILURE_MARKER)) {
      const err = result.stderr ? result.stderr.toString("utf8").trim() : result.raw.trim();
      throw new RuntimeFailure(`${what}: PowerShell reported an error: ${err.slice(0, 500) || "unknown error"}`);
    }
    return parseMarkerOutput(stdout, what);
  }

  async dispose(): Promise<void> {
    const shell = this.shell;
    this.shell = null;
    if (!shell) return;
    // SIGTERM first; a pwsh busy in a hung command (seen after an invocation timeout) may ignore it, so SIGKILL after 3 s.
    const child = (shell as unknown as { process?: { kill(signal: string): boolean; exitCode: number | null; signalCode: string | null } }).process;
    let timer: NodeJS.Timeout | undefined;
    const forced = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
        resolve();
      }, 3000);
    });
    try {
      await Promise.race([shell.dispose().catch(() => undefined), forced]);
    } finally {
      if (timer) clearTimeout(timer);
      // Readers left on the pipes by a timed-out invocation would keep Node alive.
      const streams = (shell as unknown as { streams?: Record<string, { destroy(): void } | undefined> }).streams;
      for (const name of ["stdin", "stdout", "stderr"]) streams?.[name]?.destroy();
    }
  }
}

/** Start a session, run `fn`, always dispose. */
export async function withPowerShell<T>(options: PowerShellOptions, fn: (ps: PowerShellSession) => Promise<T>): Promise<T> {
  const ps = PowerShellSession.start(options);
  try {
    return await fn(ps);
  } finally {
    await ps.dispose();
  }
}
