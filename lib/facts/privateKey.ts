// Private key facts: is there a private key, can the directory service's account read it, will Schannel use it?
import type { PrivateKeyEvidence, AccessRule } from "../snapshot";
import type { CertificateFacts } from "./types";

/** Well-known SIDs and the groups each service account's token carries. */
const SID = {
  system: "S-1-5-18",
  networkService: "S-1-5-20",
  localService: "S-1-5-19",
  everyone: "S-1-1-0",
  authenticatedUsers: "S-1-5-11",
  administrators: "S-1-5-32-544",
  users: "S-1-5-32-545",
};

const NAME_TO_SID: Record<string, string> = {
  "nt authority\\system": SID.system,
  system: SID.system,
  localsystem: SID.system,
  "nt authority\\networkservice": SID.networkService,
  "nt authority\\network service": SID.networkService,
  networkservice: SID.networkService,
  "nt authority\\localservice": SID.localService,
  "nt authority\\local service": SID.localService,
  everyone: SID.everyone,
  "nt authority\\authenticated users": SID.authenticatedUsers,
  "builtin\\administrators": SID.administrators,
  "builtin\\users": SID.users,
};

/** SIDs in the token of a service account (what an ACE must name for the account to be granted access). */
export function tokenSids(account: string, accountSid?: string | null): string[] {
  const own = accountSid ?? NAME_TO_SID[account.toLowerCase()] ?? null;
  if (own === SID.system) return [SID.system, SID.administrators, SID.everyone, SID.authenticatedUsers];
  const base = [SID.everyone, SID.authenticatedUsers, SID.users];
  return own ? [own, ...base] : base;
}

// FileSystemRights that include reading file data: ReadData (1), Read/ReadAndExecute/Modify/FullControl,
// and the generic rights GENERIC_READ (0x80000000) and GENERIC_ALL (0x10000000).
const READ_WORDS = new Set(["fullcontrol", "modify", "read", "readandexecute", "readdata", "listdirectory", "genericread", "genericall"]);

export function grantsRead(rights: string | number): boolean {
  if (typeof rights === "number") return (rights & 0x1) !== 0 || (rights & 0x80000000) !== 0 || (rights & 0x10000000) !== 0;
  const asNumber = Number(rights);
  if (rights.trim() !== "" && Number.isFinite(asNumber)) return grantsRead(asNumber >>> 0);
  return rights.split(/[,\s]+/).some((w) => READ_WORDS.has(w.toLowerCase()));
}

function aceSid(rule: AccessRule): string | null {
  return rule.sid ?? NAME_TO_SID[rule.identity.toLowerCase()] ?? null;
}

/** Windows ACL evaluation reduced to "may this token read?": an applicable Deny wins over any Allow. */
export function canRead(acl: AccessRule[], account: string, accountSid?: string | null): { readable: boolean | null; readers: string[] } {
  const sids = tokenSids(account, accountSid);
  const accountLower = account.toLowerCase();
  const applies = (r: AccessRule) => {
    const sid = aceSid(r);
    return sid ? sids.includes(sid) : r.identity.toLowerCase() === accountLower;
  };
  const readers = acl.filter((r) => r.type === "Allow" && grantsRead(r.rights)).map((r) => r.identity);
  if (acl.some((r) => r.type === "Deny" && applies(r) && grantsRead(r.rights))) return { readable: false, readers };
  if (acl.some((r) => r.type === "Allow" && applies(r) && grantsRead(r.rights))) return { readable: true, readers };
  return { readable: false, readers };
}

// CryptoAPI provider types Schannel can use for a server key: PROV_RSA_FULL (1), PROV_RSA_SCHANNEL (12), PROV_RSA_AES (24).
const SCHANNEL_CSP_TYPES = new Set([1, 12, 24]);

export function privateKeyFacts(evidence: PrivateKeyEvidence | undefined, account: string, accountSid?: string | null): CertificateFacts["privateKey"] {
  if (!evidence) {
    return {
      known: false, present: null, matchesCertificate: null, providerName: null, providerKind: null,
      schannelCompatible: null, account, readable: null, readers: [], strongProtection: null,
      reason: "no private-key evidence (supply --key, or collect on the DC)",
    };
  }
  const kind = evidence.providerKind ?? (evidence.providerType === 0 ? "ksp" : evidence.providerType ? "csp" : null);
  const schannelCompatible =
    !evidence.present ? null : kind === "ksp" ? true : kind === "csp" && evidence.providerType != null ? SCHANNEL_CSP_TYPES.has(evidence.providerType) : null;
  let readable: boolean | null = null;
  let readers: string[] = [];
  let reason: string;
  if (!evidence.present) {
    reason = "the certificate has no associated private key";
  } else if (evidence.matchesCertificate === false) {
    reason = "the private key does not belong to this certificate";
  } else if (evidence.acl) {
    ({ readable, readers } = canRead(evidence.acl, account, accountSid));
    reason = readable
      ? `${account} can read the key file`
      : `${account} cannot read the key file${evidence.keyFilePath ? ` ${evidence.keyFilePath}` : ""}; readers: ${readers.join(", ") || "none"}`;
  } else {
    reason = evidence.error ? `key file ACL not read: ${evidence.error}` : "private key present; its file ACL was not collected";
  }
  return {
    known: true,
    present: evidence.present,
    matchesCertificate: evidence.matchesCertificate ?? null,
    providerName: evidence.providerName ?? null,
    providerKind: kind,
    schannelCompatible,
    account,
    readable,
    readers,
    strongProtection: evidence.strongProtection ?? null,
    reason,
  };
}
