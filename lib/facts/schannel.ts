// What Windows does: which certificates the directory service (through Schannel) can use for LDAPS, and
// which one it picks. A model of the operating system, not a policy: no profile changes it, because a DC
// picks the same certificate whatever our policy says. The controls judge the certificate this predicts.
//
// Sources:
// - KB321051 "Enable LDAP over SSL with a third-party certification authority": the certificate must have
//   the Server Authentication EKU, the DC's FQDN (SAN dNSName, else Subject CN), a private key the service
//   account can read, be valid now, and chain to a trusted root; it is looked for in the service's own
//   store (NTDS\My, or ADAM_<instance>\My) first and in LocalMachine\My only when that has none.
// - "Event ID 1220 — LDAP over SSL": with no such certificate the service logs 1220 and 636 refuses TLS.
// - Among several usable certificates in the effective store Microsoft calls the choice random; public
//   reverse engineering (and field experience) says the latest notAfter wins, which is what we predict.
import { describeExtensionError } from "./certificate";
import type { CertificateFacts, SchannelFacts, SelectionFacts, TargetInfo } from "./types";
import { compareText } from "../text-order";

export const MACHINE_STORE = "LocalMachine\\My";

/**
 * Why Schannel would pass this certificate over for LDAPS (empty: it is usable). Each obstacle names the
 * fact that models the requirement. Facts that are unknown (null) are no obstacle: the evidence is silent.
 */
export function schannelFacts(f: Omit<CertificateFacts, "schannel" | "predicted" | "presentedOn">): SchannelFacts {
  const obstacles: SchannelFacts["obstacles"] = [];
  // A malformed EKU extension is the reason itself (its eku facts were set so that nothing passes on them).
  const ekuError = f.extensionErrors.find((e) => e.oid === "2.5.29.37");
  if (ekuError) obstacles.push({ requirement: "eku.serverAuth", reason: describeExtensionError(ekuError) });
  else if (!f.eku.serverAuth) {
    obstacles.push({ requirement: "eku.serverAuth", reason: f.eku.present ? `EKU lists ${f.eku.names.join(", ") || "nothing"} but not Server Authentication` : "no Enhanced Key Usage extension (Server Authentication required)" });
  }
  if (!f.name.matches) obstacles.push({ requirement: "name.matches", reason: f.name.reason });
  if (f.privateKey.known && (f.privateKey.present === false || f.privateKey.matchesCertificate === false)) obstacles.push({ requirement: "privateKey.present", reason: f.privateKey.reason });
  else if (f.privateKey.readable === false) obstacles.push({ requirement: "privateKey.readable", reason: f.privateKey.reason });
  if (!f.validity.validNow) {
    obstacles.push({ requirement: "validity.validNow", reason: f.validity.expired ? `expired on ${f.validity.notAfter.slice(0, 10)}` : `not valid before ${f.validity.notBefore.slice(0, 10)}` });
  }
  if (f.chain.trusted === false) obstacles.push({ requirement: "chain.trusted", reason: f.chain.reason });
  return { usable: obstacles.length === 0, obstacles };
}

/** Each requirement as a phrase, in the order the root cause names the first one every candidate misses. */
const REQUIREMENT_PHRASES: Array<[string, (t: TargetInfo) => string]> = [
  ["eku.serverAuth", () => "has the Server Authentication EKU"],
  ["name.matches", (t) => `has the DC's FQDN (${t.fqdn})`],
  ["privateKey.present", () => "has a private key"],
  ["privateKey.readable", (t) => `has a private key that ${t.serviceAccount} can read`],
  ["validity.validNow", () => "is valid now"],
  ["chain.trusted", () => "chains to a trusted root"],
];

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

/** One sentence: why Schannel has no certificate to use. */
export function rootCauseSentence(target: TargetInfo, candidates: CertificateFacts[], storesRead: string[]): string {
  const where = storesRead.length ? storesRead.join(" or ") : "the certificate stores";
  if (candidates.length === 0) {
    return `No certificate in ${where}: the directory service has nothing to offer for LDAPS, which is what event 1220 reports.`;
  }
  const storesWithCerts = [...new Set(candidates.map((c) => c.store ?? "the given files"))].join(" and ");
  for (const [requirement, phrase] of REQUIREMENT_PHRASES) {
    if (candidates.every((c) => c.schannel.obstacles.some((o) => o.requirement === requirement))) {
      const extra = requirement === "name.matches" ? `; ${whatTheyName(candidates)}` : "";
      return `${plural(candidates.length, "certificate")} in ${storesWithCerts}, none ${phrase(target)}${extra}.`;
    }
  }
  const each = candidates.map((c) => `${shortName(c)}: ${c.schannel.obstacles.map((o) => o.reason).join("; ")}`).join(" | ");
  return `${plural(candidates.length, "certificate")} in ${storesWithCerts}, none qualifies: ${each}.`;
}

/** The store search and the pick: marks the predicted certificate and describes the choice. */
export function selectionFacts(target: TargetInfo, certificates: CertificateFacts[], storesRead: string[]): SelectionFacts {
  const inStores = certificates.filter((c) => c.source !== "network");
  const qualifying = inStores.filter((c) => c.schannel.usable);
  const serviceQualifying = qualifying.filter((c) => c.storeRole === "service");
  const effective = serviceQualifying.length > 0 ? serviceQualifying : qualifying;
  const effectiveStore = effective.length === 0 ? null : effective[0].store;
  const ranked = [...effective].sort((a, b) => compareText(b.validity.notAfter, a.validity.notAfter) || compareText(a.thumbprint, b.thumbprint));
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
    staleInServiceStore: inStores.filter((c) => c.storeRole === "service" && (!c.schannel.usable || c.validity.expired)).map((c) => c.thumbprint),
    predictedIssuersDaysToExpiry: predicted?.chain.issuersDaysToExpiry ?? null,
    predictedIssuerExpiresBeforeLeaf: predicted?.chain.issuerExpiresBeforeLeaf ?? null,
  };
}
