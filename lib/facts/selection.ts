// LDAPS-S01..S04: which certificate will the directory service pick, and is that choice certain?
// The service searches its own store (NTDS\My or ADAM_<instance>\My) first and LocalMachine\My only
// when its own store has no qualifying certificate. Among several qualifying ones Microsoft calls the
// choice random; in practice the one with the latest notAfter wins, so that is the prediction.
import type { CertificateFacts, SelectionFacts, TargetInfo } from "./types";

export const MACHINE_STORE = "LocalMachine\\My";

const REQUIREMENT_PHRASES: Record<string, (t: TargetInfo) => string> = {
  "LDAPS-C01": () => "has the Server Authentication EKU",
  "LDAPS-C02": (t) => `has the DC's FQDN (${t.fqdn})`,
  "LDAPS-C03": () => "has a private key",
  "LDAPS-C04": (t) => `has a private key that ${t.serviceAccount} can read`,
  "LDAPS-C06": () => "is valid now",
  "LDAPS-C08": () => "chains to a trusted root",
};

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function shortName(c: CertificateFacts): string {
  return c.subjectCommonNames[0] ?? c.san.dns[0] ?? c.thumbprint.slice(0, 8);
}

/** "they name a, b", and how many have a SAN that cannot be read (their CN does not count then). */
function whatTheyName(candidates: CertificateFacts[]): string {
  const unreadable = candidates.filter((c) => c.extensionErrors.some((e) => e.oid === "2.5.29.17"));
  const named = [...new Set(candidates.filter((c) => !unreadable.includes(c)).flatMap((c) => (c.san.dns.length ? c.san.dns : c.subjectCommonNames)))];
  if (unreadable.length === 0) return `they name ${named.length ? named.join(", ") : "no host at all"}`;
  const broken = `${unreadable.length === 1 ? "1 has" : `${unreadable.length} have`} a malformed Subject Alternative Name extension`;
  return named.length ? `${broken}, the others name ${named.join(", ")}` : broken;
}

/** One sentence: why no certificate qualifies. */
export function rootCauseSentence(target: TargetInfo, candidates: CertificateFacts[], storesRead: string[]): string {
  const where = storesRead.length ? storesRead.join(" or ") : "the certificate stores";
  if (candidates.length === 0) {
    return `No certificate in ${where}: the directory service has nothing to offer for LDAPS, which is what event 1220 reports.`;
  }
  const storesWithCerts = [...new Set(candidates.map((c) => c.store ?? "the given files"))].join(" and ");
  for (const control of Object.keys(REQUIREMENT_PHRASES)) {
    if (candidates.every((c) => c.disqualifiedBy.some((d) => d.control === control))) {
      const extra = control === "LDAPS-C02" ? `; ${whatTheyName(candidates)}` : "";
      return `${plural(candidates.length, "certificate")} in ${storesWithCerts}, none ${REQUIREMENT_PHRASES[control](target)}${extra}.`;
    }
  }
  const each = candidates.map((c) => `${shortName(c)}: ${c.disqualifiedBy.map((d) => d.reason).join("; ")}`).join(" | ");
  return `${plural(candidates.length, "certificate")} in ${storesWithCerts}, none qualifies: ${each}.`;
}

export function selectionFacts(target: TargetInfo, certificates: CertificateFacts[], storesRead: string[]): SelectionFacts {
  const inStores = certificates.filter((c) => c.source !== "network");
  const qualifying = inStores.filter((c) => c.qualifies);
  const serviceQualifying = qualifying.filter((c) => c.storeRole === "service");
  const effective = serviceQualifying.length > 0 ? serviceQualifying : qualifying;
  const effectiveStore = effective.length === 0 ? null : effective[0].store;
  const ranked = [...effective].sort((a, b) => b.validity.notAfter.localeCompare(a.validity.notAfter) || a.thumbprint.localeCompare(b.thumbprint));
  const predicted = ranked[0] ?? null;
  if (predicted) predicted.predicted = true;
  const expected = [target.serviceStore, MACHINE_STORE];
  return {
    serviceStore: target.serviceStore,
    storesRead,
    storesMissing: expected.filter((s) => !storesRead.includes(s)),
    candidates: inStores.length,
    qualifying: qualifying.map((c) => c.thumbprint),
    effectiveStore,
    effectiveQualifying: effective.map((c) => c.thumbprint),
    predicted: predicted?.thumbprint ?? null,
    ambiguous: effective.length > 1,
    rootCause: qualifying.length > 0 || storesRead.length === 0 ? null : rootCauseSentence(target, inStores, storesRead),
    staleInServiceStore: inStores.filter((c) => c.storeRole === "service" && (!c.qualifies || c.validity.expired)).map((c) => c.thumbprint),
    predictedIssuersDaysToExpiry: predicted?.chain.issuersDaysToExpiry ?? null,
    predictedIssuerExpiresBeforeLeaf: predicted?.chain.issuerExpiresBeforeLeaf ?? null,
  };
}
