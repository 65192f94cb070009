// Host name matching for LDAPS (LDAPS-C02): RFC 6125 reference identifiers as Schannel clients apply them.
// SAN dNSName entries decide when there are any; the Subject CN counts only when there are none.
// A wildcard is allowed only as the whole leftmost label and stands for exactly one label.

export interface NameMatch {
  fqdn: string;
  matches: boolean;
  matchedBy: "san-dns" | "san-ip" | "subject-cn" | null;
  matchedEntry: string | null;
  /** Advisory: some tools only look at the first SAN entry. null when there is no SAN DNS entry. */
  fqdnIsFirstSan: boolean | null;
  reason: string;
}

const LABEL_RE = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

function normalize(name: string): string {
  const lower = name.trim().toLowerCase();
  return lower.endsWith(".") ? lower.slice(0, -1) : lower;
}

/** Dot-separated labels, each matching LABEL_RE: one pass, no array of labels (it runs per certificate of a fleet). */
const HOSTNAME_RE = /^(?:(?!-)[a-z0-9-]{1,63}(?<!-)\.)*(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** Every dot-separated label matches LABEL_RE, and 1-253 characters in all. */
export function validHostname(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  return HOSTNAME_RE.test(name);
}

/** Does one presented identifier (possibly a wildcard) match the reference FQDN? */
export function identifierMatches(presented: string, fqdn: string): boolean {
  const ref = normalize(fqdn);
  const pat = normalize(presented);
  if (!validHostname(ref)) return false;
  if (!pat.startsWith("*.")) return validHostname(pat) && pat === ref;
  const suffix = pat.slice(2);
  // Wildcards need at least two labels after them (no "*.com"), and nothing else may hold a "*".
  if (!validHostname(suffix) || suffix.split(".").length < 2) return false;
  const dot = ref.indexOf(".");
  if (dot <= 0) return false;
  return ref.slice(dot + 1) === suffix;
}

/**
 * Does the certificate name the reference identity? A host name matches SAN dNSName entries (the CN only
 * when there are none); an IP address matches SAN iPAddress entries only, never a dNSName or a CN
 * (RFC 6125 6.2), so "CN=10.0.0.5" does not vouch for 10.0.0.5.
 */
export function matchFqdn(fqdn: string, sanDns: string[], subjectCommonNames: string[], sanIps: string[] = []): NameMatch {
  const fqdnIsFirstSan = sanDns.length ? identifierMatches(sanDns[0], fqdn) : null;
  // Each answer is one literal in this key order (no spread of a shared first part: this runs per certificate).
  const answer = (matches: boolean, matchedBy: NameMatch["matchedBy"], matchedEntry: string | null, reason: string): NameMatch => ({ fqdn, fqdnIsFirstSan, matches, matchedBy, matchedEntry, reason });
  if (canonicalIp(fqdn) !== null) {
    const hit = sanIps.find((ip) => matchIp(fqdn, [ip]));
    return hit !== undefined
      ? answer(true, "san-ip", hit, `SAN iPAddress ${hit} equals ${fqdn}`)
      : answer(false, null, null, `no SAN iPAddress equals ${fqdn}${sanIps.length ? `; the certificate lists ${sanIps.join(", ")}` : ""} (an IP address is matched by iPAddress entries only)`);
  }
  if (sanDns.length > 0) {
    const hit = sanDns.find((d) => identifierMatches(d, fqdn));
    if (hit !== undefined) {
      return answer(true, "san-dns", hit, `SAN DNS entry "${hit}" matches ${fqdn}`);
    }
    const cnNote = subjectCommonNames.some((cn) => identifierMatches(cn, fqdn))
      ? " (the Subject CN matches, but a CN is ignored when SAN DNS entries exist)"
      : "";
    return answer(false, null, null, `no SAN DNS entry matches ${fqdn}; the certificate names ${sanDns.map((d) => `"${d}"`).join(", ")}${cnNote}`);
  }
  const cn = subjectCommonNames.find((c) => identifierMatches(c, fqdn));
  if (cn !== undefined) {
    return answer(true, "subject-cn", cn, `Subject CN "${cn}" matches ${fqdn} (no SAN DNS entries)`);
  }
  const named = subjectCommonNames.length ? `its Subject CN is ${subjectCommonNames.map((c) => `"${c}"`).join(", ")}` : "it has neither SAN DNS entries nor a Subject CN";
  return answer(false, null, null, `the certificate does not name ${fqdn}: ${named}`);
}

/** Canonical text of an IPv4 or IPv6 address (IPv6 fully expanded, lower case), or null when it is neither. */
export function canonicalIp(ip: string): string | null {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (v4) return v4.slice(1).every((o) => Number(o) <= 255 && String(Number(o)) === o) ? ip : null;
  if (!/^[0-9a-fA-F:]+$/.test(ip) || (ip.match(/::/g) ?? []).length > 1) return null;
  const [head, tail] = ip.includes("::") ? ip.split("::") : [ip, null];
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const fill = tail === null ? 0 : 8 - h.length - t.length;
  if (fill < 0 || (tail === null && h.length !== 8)) return null;
  const groups = [...h, ...Array(fill).fill("0"), ...t];
  if (groups.length !== 8 || groups.some((g) => g.length === 0 || g.length > 4)) return null;
  return groups.map((g) => parseInt(g, 16).toString(16).padStart(4, "0")).join(":");
}

/** IP reference identities match SAN iPAddress entries only (never a CN). */
export function matchIp(ip: string, sanIps: string[]): boolean {
  const want = canonicalIp(ip);
  return want !== null && sanIps.some((s) => canonicalIp(s) === want);
}
