// The Windows event one `fix --apply` run writes (Application log, source ldaps-audit), beside the apply record.
// Stable ids per outcome, next to check's 1000-1003 (lib/eventlog/summary.ts), so a SIEM rule can alert on a
// rollback: never renumber. A --what-if run writes none (registering the source would change the machine); its id is
// kept so the numbering stays as published.
import { EVENT_LOG, EVENT_SOURCE, eventText, MAX_MESSAGE, EntryType } from "../eventlog/summary";
import type { ApplyRecord, ApplyStatus } from "./apply";

export const APPLY_EVENT_IDS: Readonly<Record<ApplyStatus, number>> = { applied: 1010, "nothing-to-do": 1011, "what-if": 1012, refused: 1013, "rolled-back": 1014, failed: 1015 };
const ENTRY: Readonly<Record<ApplyStatus, EntryType>> = { applied: "Information", "nothing-to-do": "Information", "what-if": "Information", refused: "Warning", "rolled-back": "Error", failed: "Error" };

export interface ApplyEvent {
  log: string;
  source: string;
  eventId: number;
  entryType: EntryType;
  message: string;
}

/** One line per step; host-controlled text (ids carry service names, details carry server messages) through eventText. */
export function applyEvent(r: ApplyRecord): ApplyEvent {
  const lines = [
    `ldaps-audit fix --apply${r.whatIf ? " -WhatIf" : ""}: ${r.status.toUpperCase()} on ${eventText(r.host)} (exit ${r.exitCode})`,
    ...(r.reason ? [`Reason: ${eventText(r.reason)}`] : []),
    ...r.steps.map((s) => `Step ${eventText(s.id)}: ${s.outcome}: ${eventText(s.detail)}`),
    ...r.rollback.map((s) => `Rollback ${eventText(s.id)}: ${s.outcome}: ${eventText(s.detail)}`),
    ...(r.diff ? [`Report diff: ${r.diff.summary.improvements} improvement(s), ${r.diff.summary.regressions} regression(s)`] : []),
    `Plan sha256 ${r.plan.sha256}, state digest ${r.plan.stateDigest}`,
  ];
  let message = lines.join("\n");
  if (message.length > MAX_MESSAGE) message = message.slice(0, MAX_MESSAGE - 40) + "\n... (truncated; see the apply record)";
  return { log: EVENT_LOG, source: EVENT_SOURCE, eventId: APPLY_EVENT_IDS[r.status], entryType: ENTRY[r.status], message };
}
