// Hands a summary event to PowerShell (ps/Write-LdapsAuditEvent.ps1), which registers the source when needed and
// writes the entry. Never throws: the report is the run's result, the event is a notification about it, so a
// host without an event log (Linux, macOS) or without the right to register the source gets a clear reason instead.
import { join } from "node:path";
import { scriptsDirectory } from "../collect";
import { PowerShellOptions, PowerShellSession, withPowerShell } from "../collect/powershell";
import type { SummaryEvent } from "./summary";

export interface EventScriptOptions {
  scriptsDir?: string;
  shimScripts?: string[];
}

export interface EventWriteResult {
  written: boolean;
  /** True when this run registered the source (first run on the host). */
  registeredSource?: boolean;
  /** Why nothing was written (NotWindows, AccessDenied, Error, NoPowerShell). */
  code?: string;
  reason?: string;
}

/** Write the event through a running session. */
export async function writeEventWith(ps: PowerShellSession, event: Pick<SummaryEvent, "log" | "source" | "eventId" | "entryType" | "message">, options: EventScriptOptions = {}): Promise<EventWriteResult> {
  const input = { log: event.log, source: event.source, eventId: event.eventId, entryType: event.entryType, message: event.message };
  const params: Record<string, unknown> = { InputBase64: Buffer.from(JSON.stringify(input), "utf8").toString("base64") };
  if (options.shimScripts?.length) params.ShimScript = options.shimScripts;
  try {
    return (await ps.runScript(join(scriptsDirectory(options), "Write-LdapsAuditEvent.ps1"), params, "event log")) as EventWriteResult;
  } catch (e) {
    return { written: false, code: "Error", reason: (e as Error).message };
  }
}

/** Write the event in a session of its own (after a failed run, whose session may be the thing that failed). */
export async function writeEvent(event: SummaryEvent, options: PowerShellOptions & EventScriptOptions = {}): Promise<EventWriteResult> {
  try {
    return await withPowerShell({ ...options, timeoutMs: Math.min(options.timeoutMs ?? 120_000, 120_000) }, (ps) => writeEventWith(ps, event, options));
  } catch (e) {
    return { written: false, code: "NoPowerShell", reason: (e as Error).message };
  }
}

/** The message (for stderrLine, which escapes it) that says what happened to the event. */
export function describeEventWrite(event: SummaryEvent, result: EventWriteResult): string {
  if (result.written) {
    return `wrote event ${event.eventId} (${event.outcome}) to the ${event.log} log, source ${event.source}${result.registeredSource ? " (source registered now)" : ""}`;
  }
  const reason = (result.reason ?? "unknown reason").split("\n").map((l) => l.trim()).filter(Boolean).join(" ");
  return `no event written to the ${event.log} log: ${reason}`;
}
