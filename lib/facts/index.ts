// Snapshot -> facts: one facts document per directory service on the host (NTDS, each AD LDS instance).
import { parseCertificate, CertificateInfo, CertificateParseError } from "../x509/certificate";
import { parseRegistryBlob, BlobError } from "../x509/blob";
import { decodeBase64, EncodingError } from "../x509/encoding";
import type { Snapshot, StoreCertificate } from "../snapshot";
import { InputError } from "../errors";
import { certificateFacts } from "./certificate";
import { clientFacts } from "./clients";
import { configFacts } from "./config";
import { eventFacts } from "./events";
import { networkFacts } from "./network";
import { tlsSurfaceFacts } from "./tlsSurface";
import { MACHINE_STORE, selectionFacts } from "./schannel";
import type { CertificateFacts, CollectionErrorFacts, TargetFacts, TargetInfo } from "./types";

export interface DeriveOptions {
  now: Date;
  /** Name used in messages about this snapshot (usually its file path). */
  source?: string;
}

/** The directory services a snapshot speaks for. */
export function targetsOf(snapshot: Snapshot): TargetInfo[] {
  const h = snapshot.host;
  const storeNames = (snapshot.stores ?? []).map((s) => s.name.toLowerCase());
  const targets: TargetInfo[] = [];
  const isDc = h.isDomainController === true || h.domainRole === 4 || h.domainRole === 5 || storeNames.includes("ntds\\my");
  if (isDc) {
    targets.push({
      host: h.fqdn, fqdn: h.fqdn, service: "NTDS", kind: "adds", instance: null,
      serviceAccount: "NT AUTHORITY\\SYSTEM", serviceStore: "NTDS\\My",
      isGlobalCatalog: h.isGlobalCatalog ?? null, certSvcInstalled: h.certSvcInstalled ?? null, eventLog: "Directory Service",
    });
  }
  for (const inst of h.adldsInstances ?? []) {
    targets.push({
      host: h.fqdn, fqdn: h.fqdn, service: inst.serviceName ?? `ADAM_${inst.name}`, kind: "adlds", instance: inst.name,
      // AD LDS instances run as NetworkService unless installed with another account.
      serviceAccount: inst.serviceAccount ?? "NT AUTHORITY\\NetworkService",
      serviceStore: `${inst.serviceName ?? `ADAM_${inst.name}`}\\My`,
      isGlobalCatalog: false, certSvcInstalled: h.certSvcInstalled ?? null, eventLog: `ADAM (${inst.name})`,
    });
  }
  if (targets.length === 0) {
    // Role unknown (probe-only snapshot, or a member server): audit as an AD DS host would be.
    targets.push({
      host: h.fqdn, fqdn: h.fqdn, service: null, kind: "unknown", instance: null,
      serviceAccount: "NT AUTHORITY\\SYSTEM", serviceStore: "NTDS\\My",
      isGlobalCatalog: h.isGlobalCatalog ?? null, certSvcInstalled: h.certSvcInstalled ?? null, eventLog: "Directory Service",
    });
  }
  return targets;
}

interface DecodedCertificate {
  info: CertificateInfo;
  evidence: StoreCertificate;
  store: string;
  friendlyName: string | null;
  keyProvider: { providerName: string | null; providerType: number; providerKind: "csp" | "ksp"; containerName: string | null } | null;
}

function decodeStoreCertificate(c: StoreCertificate, where: string): DecodedCertificate["info"] & { blob?: ReturnType<typeof parseRegistryBlob> } {
  try {
    if (c.der) return parseCertificate(decodeBase64(c.der, `${where}/der`));
    const blob = parseRegistryBlob(decodeBase64(c.registryBlob ?? "", `${where}/registryBlob`));
    if (!blob.certificate) throw new InputError(`${where}/registryBlob: the Blob has no certificate property (id 32)`);
    return { ...parseCertificate(blob.certificate), blob };
  } catch (e) {
    if (e instanceof EncodingError) throw new InputError(e.message); // already names the pointer
    if (e instanceof CertificateParseError || e instanceof BlobError) throw new InputError(`${where}: ${e.message}`);
    throw e;
  }
}

function decodeAll(snapshot: Snapshot, source: string): DecodedCertificate[] {
  const out: DecodedCertificate[] = [];
  (snapshot.stores ?? []).forEach((store, si) => {
    store.certificates.forEach((c, ci) => {
      const where = `${source}: at /stores/${si}/certificates/${ci}`;
      const decoded = decodeStoreCertificate(c, where);
      if (c.thumbprint && c.thumbprint.toUpperCase() !== decoded.thumbprint) {
        throw new InputError(`${where}/thumbprint: ${c.thumbprint} does not match the certificate (SHA-1 ${decoded.thumbprint})`);
      }
      const kpi = decoded.blob?.keyProvInfo ?? null;
      out.push({
        info: decoded,
        evidence: c,
        store: store.name,
        friendlyName: c.friendlyName ?? decoded.blob?.friendlyName ?? null,
        keyProvider: kpi ? { providerName: kpi.providerName, providerType: kpi.providerType, providerKind: kpi.providerKind, containerName: kpi.containerName } : null,
      });
    });
  });
  return out;
}

/** Decode base64 certificates; `first` is the index of list[0] in the array at `pointer`, so errors name the element itself. */
function decodeList(list: string[] | undefined, source: string, pointer: string, first = 0): CertificateInfo[] {
  return (list ?? []).map((b64, i) => {
    const where = `${source}: at ${pointer}/${first + i}`;
    try {
      return parseCertificate(decodeBase64(b64, where));
    } catch (e) {
      if (e instanceof EncodingError) throw new InputError(e.message);
      if (e instanceof CertificateParseError) throw new InputError(`${where}: ${e.message}`);
      throw e;
    }
  });
}

export function deriveFacts(snapshot: Snapshot, options: DeriveOptions): TargetFacts[] {
  const source = options.source ?? "snapshot";
  const now = options.now;
  const decoded = decodeAll(snapshot, source);
  const anchors = decodeList(snapshot.trustAnchors, source, "/trustAnchors");
  const intermediates = decodeList(snapshot.intermediates, source, "/intermediates");
  const offline = { anchors, intermediates: [...intermediates, ...decoded.map((d) => d.info)] };
  // Windows names its chain elements by thumbprint; these describe the ones the snapshot holds.
  const known = new Map([...offline.intermediates, ...anchors].map((c) => [c.thumbprint, c]));
  const storesRead = (snapshot.stores ?? []).filter((s) => !s.error).map((s) => s.name);
  const errors: CollectionErrorFacts[] = [
    ...(snapshot.errors ?? []).map((e) => ({ part: e.part, message: e.message, ...(e.code ? { code: e.code } : {}) })),
    ...(snapshot.stores ?? []).filter((s) => s.error).map((s) => ({ part: `stores/${s.name}`, message: s.error!.message, ...(s.error!.code ? { code: s.error!.code } : {}) })),
  ];

  return targetsOf(snapshot).map((target) => {
    const relevant = decoded.filter((d) => d.store.toLowerCase() === target.serviceStore.toLowerCase() || d.store.toLowerCase() === MACHINE_STORE.toLowerCase() || target.kind === "unknown");
    const instance = snapshot.host.adldsInstances?.find((i) => i.name === target.instance);
    const certificates: CertificateFacts[] = relevant.map((d) =>
      certificateFacts(d.info, {
        now,
        fqdn: target.fqdn,
        account: target.serviceAccount,
        accountSid: instance?.serviceAccountSid,
        source: snapshot.collector?.name === "ldaps-audit-preflight" ? "file" : "store",
        store: d.store,
        storeRole: d.store.toLowerCase() === target.serviceStore.toLowerCase() ? "service" : d.store.toLowerCase() === MACHINE_STORE.toLowerCase() ? "machine" : null,
        friendlyName: d.friendlyName,
        privateKey: d.evidence.privateKey ?? (d.keyProvider ? { present: true, ...d.keyProvider } : undefined),
        chainEvidence: d.evidence.chain,
        offline,
        known,
      }),
    );
    const targetStoresRead = storesRead.filter((s) => target.kind === "unknown" || [target.serviceStore.toLowerCase(), MACHINE_STORE.toLowerCase()].includes(s.toLowerCase()));
    const selection = selectionFacts(target, certificates, targetStoresRead);
    certificates.push(...presentedCertificates(snapshot, target, now, source, offline));
    return {
      schemaVersion: 1 as const,
      now: now.toISOString(),
      target,
      certificates,
      selection,
      events: eventFacts(snapshot, target, now, certificates),
      config: configFacts(snapshot, target),
      network: networkFacts(snapshot, target, certificates, now),
      clients: clientFacts(snapshot, target, selection, now),
      tlsSurface: tlsSurfaceFacts(snapshot),
      collectionErrors: errors,
    };
  });
}

/** Leaf certificates the probe saw on the wire, one entry per distinct certificate with the ports that presented it. */
function presentedCertificates(
  snapshot: Snapshot,
  target: TargetInfo,
  now: Date,
  source: string,
  offline: { anchors: CertificateInfo[]; intermediates: CertificateInfo[] },
): CertificateFacts[] {
  const byThumbprint = new Map<string, CertificateFacts>();
  (snapshot.network?.endpoints ?? []).forEach((ep, i) => {
    const leaf = ep.tls?.chain?.[0];
    if (!leaf) return;
    const info = decodeList([leaf], source, `/network/endpoints/${i}/tls/chain`)[0];
    const existing = byThumbprint.get(info.thumbprint);
    if (existing) {
      if (!existing.presentedOn.includes(ep.port)) existing.presentedOn.push(ep.port);
      return;
    }
    const presentedChain = decodeList(ep.tls?.chain?.slice(1), source, `/network/endpoints/${i}/tls/chain`, 1);
    const facts = certificateFacts(info, {
      now,
      fqdn: target.fqdn,
      account: target.serviceAccount,
      source: "network",
      store: null,
      storeRole: null,
      clientTrust: ep.tls?.authorized === undefined ? undefined : { authorized: ep.tls.authorized, error: ep.tls.authorizationError ?? null, presented: presentedChain },
      offline: { anchors: offline.anchors, intermediates: [...offline.intermediates, ...presentedChain] },
    });
    facts.presentedOn = [ep.port];
    byThumbprint.set(info.thumbprint, facts);
  });
  return [...byThumbprint.values()];
}
