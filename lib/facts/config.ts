// Registry policy facts (LDAP signing, channel binding, CertSvc, diagnostics levels) for one directory service.
import type { LdapPolicy, Snapshot } from "../snapshot";
import type { ConfigFacts, TargetInfo } from "./types";
export type { ConfigFacts };

const CB_TEXT = ["never", "when supported", "always"] as const;

export function configFacts(snapshot: Snapshot, target: TargetInfo): ConfigFacts | null {
  const reg = snapshot.registry;
  const certSvc = snapshot.host.certSvcInstalled ?? null;
  if (!reg && certSvc === null) return null;
  let policy: LdapPolicy | undefined;
  if (target.kind === "adlds" && target.instance) {
    const adlds = reg?.adlds ?? {};
    const key = Object.keys(adlds).find((k) => k.toLowerCase() === target.instance!.toLowerCase() || `adam_${k}`.toLowerCase() === (target.service ?? "").toLowerCase());
    policy = key ? adlds[key] : undefined;
  } else {
    policy = reg?.ntds;
  }
  const collected = policy !== undefined;
  const integrity = policy?.LDAPServerIntegrity ?? null;
  const enforce = policy?.LDAPServerEnforceIntegrity ?? null;
  const cb = policy?.LdapEnforceChannelBinding ?? null;
  let signingRequired: boolean | null = null;
  let signingSource: ConfigFacts["signingSource"] = null;
  if (collected) {
    if (enforce !== null) {
      signingRequired = enforce === 1;
      signingSource = "LDAPServerEnforceIntegrity";
    } else if (integrity !== null) {
      signingRequired = integrity === 2;
      signingSource = "LDAPServerIntegrity";
    } else {
      signingRequired = false; // not configured: LDAPServerIntegrity defaults to 1 (signing negotiated, not required)
      signingSource = "default";
    }
  }
  const channelBinding = collected ? (cb ?? 0) : null;
  return {
    service: target.service,
    policyCollected: collected,
    LDAPServerIntegrity: integrity,
    LDAPServerEnforceIntegrity: enforce,
    LdapEnforceChannelBinding: cb,
    signingRequired,
    signingSource,
    channelBinding,
    channelBindingText: channelBinding === null ? null : CB_TEXT[Math.max(0, Math.min(2, channelBinding))],
    ldapInterfaceEventsLevel: collected ? (policy?.ldapInterfaceEventsLevel ?? 0) : null,
    certSvcInstalled: certSvc,
    schannelEventLogging: reg?.schannel?.EventLogging ?? null,
  };
}
