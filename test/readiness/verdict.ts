// A complete readiness verdict (schemas/facts/readiness.schema.json) for control tables: tables merge fragments
// onto real facts, and arrays replace, so each row states the whole verdict it is about.
import type { ReadinessVerdict } from "../../lib/facts/types";

export function verdict(setting: string, v: ReadinessVerdict["verdict"], summary: string, extra: Partial<ReadinessVerdict> = {}): ReadinessVerdict {
  return {
    setting,
    verdict: v,
    enforced: v === "not-applicable",
    enforcedBy: v === "not-applicable" ? "registry LDAPServerIntegrity = 2" : null,
    evidenceCollected: v === "yes",
    breakingClients: [],
    breakingClientCount: 0,
    unnamedBreakingBinds: 0,
    clientsNotListed: 0,
    clientList: [],
    missingEvidence: [],
    missingEvidenceList: [],
    summary,
    ...extra,
  };
}
