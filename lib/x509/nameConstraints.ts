// Name constraints (RFC 5280 4.2.1.10, 6.1.3 b-c, 6.1.4 g): every name form a validator meets on the
// path (dNSName, iPAddress v4/v6, rfc822Name, URI, directoryName), checked against the subtrees of every
// CA above it. A form that cannot be processed (otherName, x400Address, ediPartyName, registeredID) fails
// the chain when a CA constrains that form and a certificate below carries such a name, as 4.2.1.10
// requires ("MUST either process the constraint or reject the certificate").
// LDAPS difference, as OpenSSL: when the leaf has no SAN dNSName, its host-like Subject CNs are checked
// against dNSName constraints, because Windows clients match the CN then (KB321051).
import { children, context, DerError, readOnly, TAG } from "./der";
import { GeneralName, nameRdns, readGeneralName, readGeneralNames } from "./generalNames";
import type { CertificateInfo } from "./certificate";
import { MAX_NAME_CONSTRAINT_CHECKS } from "../limits";

export const OID_NAME_CONSTRAINTS = "2.5.29.30";
export const OID_SUBJECT_ALT_NAME = "2.5.29.17";
const OID_EMAIL_ADDRESS = "1.2.840.113549.1.9.1";

/**
 * Name-against-subtree comparisons allowed for one path (defined with every other limit in lib/limits.ts).
 * The count is known before any comparison is made, so a hostile certificate costs nothing beyond counting.
 */
export { MAX_NAME_CONSTRAINT_CHECKS };

export interface Subtrees {
  permitted: GeneralName[];
  excluded: GeneralName[];
}

export class NameConstraintsError extends Error {}

/** A base with a [0] minimum other than 0 or any [1] maximum cannot be processed (RFC 5280: MUST be 0 / absent). */
function readSubtrees(value: Buffer, which: string): GeneralName[] {
  const out = children(value).map((subtree) => {
    if (subtree.tag !== TAG.SEQUENCE) throw new DerError(`${which} subtree is not a SEQUENCE`);
    const [base, ...rest] = children(subtree.value);
    if (!base) throw new DerError(`${which} subtree has no base`);
    for (const r of rest) {
      const zero = r.tag === context(0, false) && r.value.length === 1 && r.value[0] === 0;
      if (!zero) throw new DerError(`${which} subtree has a minimum or maximum, which RFC 5280 does not allow`);
    }
    return readGeneralName(base);
  });
  if (out.length === 0) throw new DerError(`${which}Subtrees is empty (RFC 5280: SIZE (1..MAX))`);
  return out;
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;
function hostname(s: string): boolean {
  return s.length > 0 && s.length <= 253 && s.split(".").every((l) => LABEL.test(l));
}

/** Why a constraint base is malformed, or null. Malformed constraints fail the chain (they cannot be processed). */
function constraintDefect(base: GeneralName): string | null {
  switch (base.form) {
    case "dns":
      // "" constrains every DNS name. A leading period or a wildcard is not dNSName syntax (4.2.1.10 gives
      // the leading-period form only to URIs and mailboxes).
      return base.text === "" || hostname(base.text) ? null : `dNSName constraint "${base.text}" is not a host name`;
    case "ip": {
      if (base.octets.length !== 8 && base.octets.length !== 32) return `iPAddress constraint has ${base.octets.length} octets (8 or 32 expected)`;
      const mask = base.octets.subarray(base.octets.length / 2);
      const bits = [...mask].map((b) => b.toString(2).padStart(8, "0")).join("");
      return /^1*0*$/.test(bits) ? null : "iPAddress constraint mask is not a CIDR prefix";
    }
    case "email": {
      const at = base.text.split("@");
      if (at.length > 2) return `rfc822Name constraint "${base.text}" is not a mailbox or host`;
      if (at.length === 2) return at[0] !== "" && hostname(at[1]) ? null : `rfc822Name constraint "${base.text}" is not a mailbox`;
      return hostname(base.text.replace(/^\./, "")) ? null : `rfc822Name constraint "${base.text}" is not a host`;
    }
    case "uri":
      return hostname(base.text.replace(/^\./, "")) ? null : `URI constraint "${base.text}" is not a host`;
    default:
      return null;
  }
}

const cache = new WeakMap<CertificateInfo, Subtrees | NameConstraintsError | null>();

/** The certificate's name constraints (null without the extension); throws NameConstraintsError when malformed. */
export function nameConstraintsOf(cert: CertificateInfo): Subtrees | null {
  if (!cache.has(cert)) {
    const ext = cert.extensions.find((e) => e.oid === OID_NAME_CONSTRAINTS);
    let parsed: Subtrees | NameConstraintsError | null = null;
    if (ext) {
      try {
        const seq = readOnly(ext.value, TAG.SEQUENCE, "NameConstraints");
        const parts = children(seq.value);
        const permitted = parts.find((p) => p.tag === context(0, true));
        const excluded = parts.find((p) => p.tag === context(1, true));
        if (parts.length === 0) throw new DerError("NameConstraints has neither permitted nor excluded subtrees");
        if (parts.some((p) => p !== permitted && p !== excluded) || parts.length > 2) throw new DerError("NameConstraints has unexpected elements");
        parsed = {
          permitted: permitted ? readSubtrees(permitted.value, "permitted") : [],
          excluded: excluded ? readSubtrees(excluded.value, "excluded") : [],
        };
        const defect = [...parsed.permitted, ...parsed.excluded].map(constraintDefect).find((d) => d !== null);
        if (defect) throw new DerError(defect);
      } catch (e) {
        parsed = new NameConstraintsError(`malformed NameConstraints: ${(e as Error).message}`);
      }
    }
    cache.set(cert, parsed);
  }
  const v = cache.get(cert) ?? null;
  if (v instanceof NameConstraintsError) throw v;
  return v;
}

/** The names a certificate asserts, by form: its subject DN, legacy emailAddress, SAN entries, and (leaf) host-like CNs. */
export function constrainedNames(cert: CertificateInfo, isLeaf: boolean): GeneralName[] {
  const names: GeneralName[] = [];
  const subject = nameRdns(cert.subjectDer);
  if (subject.length) names.push({ form: "dirName", rdns: subject });
  const san = cert.extensions.find((e) => e.oid === OID_SUBJECT_ALT_NAME);
  const sanNames = san ? readGeneralNames(san.value, "SubjectAltName") : [];
  names.push(...sanNames);
  for (const rdn of subject) {
    for (const atv of rdn.split("+")) if (atv.startsWith(`${OID_EMAIL_ADDRESS}=`)) names.push({ form: "email", text: atv.slice(OID_EMAIL_ADDRESS.length + 1) });
  }
  if (isLeaf && !sanNames.some((n) => n.form === "dns")) {
    for (const cn of cert.subjectCommonNames) if (cn.includes(".") && hostname(cn.replace(/\.$/, ""))) names.push({ form: "dns", text: cn });
  }
  return names;
}

const sameForm = (a: GeneralName, b: GeneralName) => a.form === b.form && (a.form !== "otherName" || (b.form === "otherName" && a.typeId === b.typeId));

function dnsWithin(name: string, base: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, "");
  const b = base.toLowerCase();
  return b === "" || n === b || n.endsWith(`.${b}`);
}

/** A host-or-domain constraint of mailboxes and URIs: ".example.com" = any subdomain, "example.com" = that host. */
function hostWithin(host: string, base: string): boolean {
  const h = host.toLowerCase();
  const b = base.toLowerCase();
  return b.startsWith(".") ? h.endsWith(b) : h === b;
}

function uriHost(uri: string): string | null {
  const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)/i.exec(uri);
  return m && m[1] !== "" ? m[1] : null;
}

/** Is `name` inside the subtree `base` (same form)? `mode` says how a wildcard SAN is judged. */
function within(name: GeneralName, base: GeneralName, mode: "permitted" | "excluded"): boolean {
  if (name.form === "dns" && base.form === "dns") {
    if (!name.text.startsWith("*.")) return dnsWithin(name.text, base.text);
    // "*.P" stands for hosts one label below P. It is permitted when P is inside the subtree; it meets an
    // exclusion when any host it stands for could be excluded (CVE-2025-61727), so judge defensively.
    const parent = name.text.slice(2);
    return mode === "permitted" ? dnsWithin(parent, base.text) : dnsWithin(parent, base.text) || dnsWithin(base.text, parent);
  }
  if (name.form === "ip" && base.form === "ip") {
    if (base.octets.length !== name.octets.length * 2) return false;
    const n = name.octets.length;
    for (let i = 0; i < n; i++) if ((name.octets[i] & base.octets[n + i]) !== (base.octets[i] & base.octets[n + i])) return false;
    return true;
  }
  if (name.form === "email" && base.form === "email") {
    const at = name.text.lastIndexOf("@");
    const [local, domain] = [name.text.slice(0, at), name.text.slice(at + 1)];
    if (base.text.includes("@")) {
      const bAt = base.text.lastIndexOf("@");
      return local === base.text.slice(0, bAt) && domain.toLowerCase() === base.text.slice(bAt + 1).toLowerCase();
    }
    return hostWithin(domain, base.text);
  }
  if (name.form === "uri" && base.form === "uri") return hostWithin(uriHost(name.text) ?? "", base.text);
  if (name.form === "dirName" && base.form === "dirName") return base.rdns.length <= name.rdns.length && base.rdns.every((r, i) => r === name.rdns[i]);
  return false;
}

/** Why a name cannot be compared with constraints of its form, or null when it can. */
function nameDefect(name: GeneralName): string | null {
  switch (name.form) {
    case "dns": {
      const host = name.text.startsWith("*.") ? name.text.slice(2) : name.text;
      return hostname(host.replace(/\.$/, "")) ? null : `dNSName "${name.text}" is not a host name`;
    }
    case "ip":
      return name.octets.length === 4 || name.octets.length === 16 ? null : `iPAddress SAN has ${name.octets.length} octets`;
    case "email": {
      const parts = name.text.split("@");
      return parts.length === 2 && parts[0] !== "" && hostname(parts[1]) ? null : `rfc822Name "${name.text}" is not a mailbox`;
    }
    case "uri":
      return uriHost(name.text) ? null : `URI "${name.text}" has no host`;
    case "dirName":
      return null;
    default:
      return `a ${name.form === "otherName" ? `otherName (${name.typeId})` : name.form} cannot be checked against name constraints`;
  }
}

function describe(n: GeneralName): string {
  switch (n.form) {
    case "dns":
    case "email":
    case "uri":
      return `${n.form} "${n.text}"`;
    case "ip":
      return `IP ${n.octets.length === 4 ? [...n.octets].join(".") : n.octets.toString("hex")}`;
    case "dirName":
      return `directoryName "${n.rdns.join(",")}"`;
    case "otherName":
      return `otherName ${n.typeId}`;
    default:
      return n.form;
  }
}

/**
 * Name-constraint violations on a path (leaf first, anchor last): one message per violation found
 * (the first per CA), empty when every name of every certificate sits inside every CA's subtrees.
 * Self-issued intermediates are exempt (6.1.4 g); the leaf never is.
 */
export function nameConstraintViolations(path: CertificateInfo[], maxChecks = MAX_NAME_CONSTRAINT_CHECKS): string[] {
  const constrained: Array<{ ca: CertificateInfo; nc: Subtrees; below: Array<{ cert: CertificateInfo; names: GeneralName[] }> }> = [];
  const namesOf = new Map<CertificateInfo, GeneralName[]>();
  const problems: string[] = [];
  let checks = 0;
  for (let i = 1; i < path.length; i++) {
    let nc: Subtrees | null;
    try {
      nc = nameConstraintsOf(path[i]);
    } catch (e) {
      problems.push(`"${path[i].subject}": ${(e as Error).message}`);
      continue;
    }
    if (!nc) continue;
    const below = path.slice(0, i).filter((c, j) => j === 0 || !c.selfIssued).map((cert) => {
      if (!namesOf.has(cert)) {
        try {
          namesOf.set(cert, constrainedNames(cert, cert === path[0]));
        } catch (e) {
          // Names that cannot be read cannot be shown to sit inside the subtrees.
          problems.push(`"${cert.subject}": names cannot be read for name constraints (${(e as Error).message})`);
          namesOf.set(cert, []);
        }
      }
      return { cert, names: namesOf.get(cert) ?? [] };
    });
    for (const b of below) checks += b.names.length * (nc.permitted.length + nc.excluded.length);
    constrained.push({ ca: path[i], nc, below });
  }
  if (checks > maxChecks) return [...problems, `name constraints would need ${checks} comparisons (limit ${maxChecks})`];
  for (const { ca, nc, below } of constrained) {
    const violation = (() => {
      for (const { cert, names } of below) {
        for (const name of names) {
          const excluded = nc.excluded.filter((b) => sameForm(b, name));
          const permitted = nc.permitted.filter((b) => sameForm(b, name));
          if (!excluded.length && !permitted.length) continue;
          const defect = nameDefect(name);
          if (defect) return `${defect} ("${cert.subject}")`;
          if (excluded.some((b) => within(name, b, "excluded"))) return `${describe(name)} of "${cert.subject}" is in an excluded subtree`;
          if (permitted.length && !permitted.some((b) => within(name, b, "permitted"))) return `${describe(name)} of "${cert.subject}" is outside the permitted subtrees`;
        }
      }
      return null;
    })();
    if (violation) problems.push(`name constraints of "${ca.subject}": ${violation}`);
  }
  return problems;
}
