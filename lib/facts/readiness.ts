// Readiness facts: "which clients break if I enforce LDAP signing / LDAP channel binding?", per directory service.
// Pure: same snapshot, same facts.
//
// The verdict is "yes" only when the evidence that WOULD show a breaking client was being logged and was read
// completely over the window; otherwise "unknown" with exactly which evidence is missing and the setting that
// turns it on, never "0 clients". Already enforced (registry or wire) is "not-applicable".
//
// Which events show which breakage (sources in ps/functions/Events.ps1's header):
//   signing required  -> 2889 per client (simple bind without TLS, SASL without signing), logged at
//                        NTDS\Diagnostics "16 LDAP Interface Events" >= 2; 2887 counts the same binds per 24 hours
//                        without naming clients (KB935834, "Event reference for LDAP signing requirements").
//   channel binding   -> 3039 per client (bind failed channel-binding validation; level >= 2, KB4520412), audit
//   always               3074 (would fail) and 3075 (sent no token) per client, logged once the policy is "When
//                        supported" (LdapEnforceChannelBinding = 1) on Windows Server 2022 with KB4520412's updates
//                        and later ("What's new in Windows Server 2025": channel binding audit support); 3040 counts
//                        LDAPS binds without channel-binding validation per 24 hours without naming clients.
//   The 3039/3040/3074/3075 field positions are read as 2889's and are unverified (no primary source documents them).
import type { ChannelBindingClient, InsecureBindClient, Snapshot } from "../snapshot";
import { configFacts } from "./config";
import { enforcementFacts } from "./enforcement";
import { eventFacts } from "./events";
import type { BreakingClient, ConfigFacts, EventFacts, MissingEvidence, ReadinessFacts, ReadinessVerdict, TargetInfo } from "./types";
import { instantMs } from "../dates";
import { compareText } from "../text-order";

export type { ReadinessFacts, ReadinessVerdict, BreakingClient };

/** Windows Server 2022's build: the first with the 3074/3075 audit events (with KB4520412's updates). */
const FIRST_AUDIT_BUILD = 20348;
/** Clients named in the one-line summary; the full list is in clientList. */
const SHOWN = 10;

const sameService = (a: string | null | undefined, b: string | null) => (a ?? "").toLowerCase() === (b ?? "").toLowerCase();
const forTarget = (target: TargetInfo) => (c: { service?: string | null }) => target.service === null || c.service == null || sameService(c.service, target.service);
const earlier = (a: string | null, b: string | null | undefined) => (!b ? a : !a || instantMs(b) < instantMs(a) ? b : a);
const later = (a: string | null, b: string | null | undefined) => (!b ? a : !a || instantMs(b) > instantMs(a) ? b : a);

const serviceKey = (target: TargetInfo, part: "Parameters" | "Diagnostics") => `HKLM\\SYSTEM\\CurrentControlSet\\Services\\${target.service ?? "NTDS"}\\${part}`;

/** The build of host.osVersion ("10.0.20348" -> 20348), or null when not collected. */
function osBuild(snapshot: Snapshot): number | null {
  const m = /^\d+\.\d+\.(\d+)/.exec(snapshot.host.osVersion ?? "");
  return m ? Number(m[1]) : null;
}

/** Merges rows of the same client (address and identity, case-insensitively) from several events. */
class BreakingTable {
  private readonly rows = new Map<string, BreakingClient>();

  add(ip: string, port: number | null | undefined, identity: string, reason: string, event: number, count: number, first: string | null | undefined, last: string | null | undefined): void {
    const key = `${ip.toLowerCase()}|${identity.toLowerCase()}`;
    let r = this.rows.get(key);
    if (!r) {
      r = { ip, port: port ?? null, identity, reason, events: [], count: 0, first: null, last: null };
      this.rows.set(key, r);
    } else if (!r.reason.split("; ").includes(reason)) {
      r.reason = `${r.reason}; ${reason}`;
    }
    if (!r.events.includes(event)) r.events.push(event);
    r.count += count;
    r.first = earlier(r.first, first);
    const newer = later(r.last, last);
    if (newer !== r.last && port != null) r.port = port;
    r.last = newer;
  }

  sorted(): BreakingClient[] {
    return [...this.rows.values()].map((r) => ({ ...r, events: [...r.events].sort((a, b) => a - b) })).sort((a, b) => b.count - a.count || compareText(a.ip, b.ip) || compareText(a.identity, b.identity));
  }
}

const clientText = (c: BreakingClient) => `${c.ip} (${c.identity || "(anonymous)"}, ${c.reason}) x${c.count}`;

interface Common {
  events: EventFacts | null;
  config: ConfigFacts | null;
  /** Missing evidence that concerns both settings: the log itself and its completeness. */
  logMissing: MissingEvidence[];
  dropped: (ids: number[]) => number;
}

function commonEvidence(snapshot: Snapshot, target: TargetInfo, now: Date): Common {
  const events = eventFacts(snapshot, target, now);
  const config = configFacts(snapshot, target);
  const logMissing: MissingEvidence[] = [];
  if (!events) {
    logMissing.push({ what: `the ${target.eventLog} event log`, setting: "event evidence gathered on the host", how: "run ldaps-audit collect (or check) on the server with this version's collector" });
  } else if (events.logAvailable !== true) {
    logMissing.push({ what: `the ${target.eventLog} event log`, setting: "read access to the log (Event Log Readers, or run the collector elevated)", how: events.logError ?? "the log was not read" });
  }
  if (events?.truncated) {
    logMissing.push({
      what: `every event of the window (the collector stopped at --max-events ${snapshot.events?.maxEvents ?? "?"}; older events were not read)`,
      setting: "a larger event cap",
      how: "ldaps-audit collect --max-events N (or Invoke-LdapsAuditCollector -MaxEvents N) with N above the log's event count for the window",
    });
  }
  const dropped = (ids: number[]) =>
    (snapshot.events?.clientsDropped ?? []).filter((d) => ids.includes(d.eventId)).filter(forTarget(target)).reduce((n, d) => n + d.events, 0);
  return { events, config, logMissing, dropped };
}

function levelMissing(target: TargetInfo, config: ConfigFacts | null, events: readonly string[]): MissingEvidence | null {
  const level = config?.policyCollected ? config.ldapInterfaceEventsLevel : null;
  if (level !== null && level >= 2) return null;
  const key = serviceKey(target, "Diagnostics");
  return {
    what: `events ${events.join("/")} naming each client (logged only at diagnostics level 2; ${level === null ? "the level was not read" : `it is ${level}`})`,
    setting: `${key}\\16 LDAP Interface Events = 2`,
    how: `reg add ${key} /v "16 LDAP Interface Events" /t REG_DWORD /d 2 /f (no restart needed), then collect again after a representative window (30 days covers monthly jobs)`,
  };
}

function verdictOf(
  setting: string,
  question: string,
  enforcedBy: string | null,
  enforcedKnown: boolean,
  clients: BreakingClient[],
  unnamed: number,
  unnamedText: string,
  notListed: number,
  missing: MissingEvidence[],
  windowDays: number | null,
  yesText: string,
): ReadinessVerdict {
  const clientList = clients.map(clientText);
  const missingEvidenceList = missing.map((m) => `${m.what}: ${m.setting}`);
  const evidenceCollected = missing.length === 0;
  const base = {
    setting,
    enforced: enforcedBy ? true : enforcedKnown ? false : null,
    enforcedBy,
    evidenceCollected,
    breakingClients: clients,
    breakingClientCount: clients.length,
    unnamedBreakingBinds: unnamed,
    clientsNotListed: notListed,
    clientList,
    missingEvidence: missing,
    missingEvidenceList,
  };
  if (enforcedBy) return { ...base, verdict: "not-applicable", summary: `${question}: already enforced (${enforcedBy})` };
  const turnOn = missing.length ? `; to see every client, turn on: ${missingEvidenceList.join("; ")}` : "";
  if (clients.length || unnamed > 0 || notListed > 0) {
    const parts: string[] = [];
    if (clients.length) {
      const more = clients.length > SHOWN ? `; and ${clients.length - SHOWN} more` : "";
      parts.push(`${clients.length} client(s) would break: ${clientList.slice(0, SHOWN).join("; ")}${more}`);
    }
    if (notListed > 0) parts.push(`${notListed} more event(s) of clients beyond the collector's per-event cap`);
    if (unnamed > 0) parts.push(`${unnamedText.replace("{n}", String(unnamed))}${clients.length ? "" : ", from clients not named"}`);
    return { ...base, verdict: "no", summary: `${question}: no — ${parts.join("; ")}${turnOn}` };
  }
  if (!evidenceCollected) return { ...base, verdict: "unknown", summary: `${question}: unknown — the evidence that would name breaking clients is missing: ${missingEvidenceList.join("; ")}` };
  return { ...base, verdict: "yes", summary: `${question}: yes — ${yesText}${windowDays !== null ? ` over ${windowDays} days` : ""}` };
}

const BIND_REASON: Record<InsecureBindClient["bindType"], string> = {
  simple: "simple bind without TLS",
  "unsigned-sasl": "SASL bind without signing",
  other: "bind without signing or TLS",
};

function signingVerdict(snapshot: Snapshot, target: TargetInfo, c: Common): ReadinessVerdict {
  const { events, config } = c;
  const wire = enforcementFacts(snapshot.network?.enforcement).signing;
  const enforcedBy =
    config?.signingRequired === true
      ? `registry ${config.signingSource} = ${config.signingSource === "LDAPServerEnforceIntegrity" ? config.LDAPServerEnforceIntegrity : config.LDAPServerIntegrity}`
      : wire.required === true
        ? `on the wire: ${wire.reason}`
        : null;
  const table = new BreakingTable();
  for (const x of (snapshot.events?.insecureBindClients ?? []).filter(forTarget(target))) {
    table.add(x.ip, x.port, x.identity, BIND_REASON[x.bindType] ?? BIND_REASON.other, 2889, x.count, x.first, x.last);
  }
  const missing = [...c.logMissing];
  const level = levelMissing(target, config, ["2889"]);
  if (level) missing.push(level);
  return verdictOf(
    "LDAP signing required",
    "safe to require LDAP signing",
    enforcedBy,
    config?.policyCollected === true || wire.required === false,
    table.sorted(),
    events?.insecureBinds.total ?? 0,
    "2887 counted {n} bind(s) without signing or TLS",
    c.dropped([2889]),
    missing,
    events?.windowDays ?? null,
    "no client bound without signing or TLS (2889 at diagnostics level 2; the level is read at collection time and assumed for the whole window)",
  );
}

const CB_REASON: Record<ChannelBindingClient["eventId"], string> = {
  3039: "failed channel-binding validation (3039)",
  3074: "would fail channel-binding validation (3074)",
  3075: "sent no channel-binding token (3075)",
};

function channelBindingVerdict(snapshot: Snapshot, target: TargetInfo, c: Common): ReadinessVerdict {
  const { events, config } = c;
  const wire = enforcementFacts(snapshot.network?.enforcement).channelBinding;
  const cb = config?.policyCollected ? config.channelBinding : null;
  const enforcedBy = cb === 2 ? "registry LdapEnforceChannelBinding = 2" : wire.setting === "always" ? `on the wire: ${wire.reason}` : null;
  const table = new BreakingTable();
  for (const x of (snapshot.events?.channelBindingClients ?? []).filter(forTarget(target))) {
    table.add(x.ip, x.port, x.identity, CB_REASON[x.eventId] ?? `channel-binding event ${x.eventId}`, x.eventId, x.count, x.first, x.last);
  }
  const missing = [...c.logMissing];
  const params = serviceKey(target, "Parameters");
  if (cb === null) {
    missing.push({
      what: "the channel-binding policy (LdapEnforceChannelBinding), which decides whether 3039/3074/3075 are logged",
      setting: `read access to ${params}`,
      how: "run the collector elevated on the server",
    });
  } else if (cb !== 1) {
    missing.push({
      what: `audit events 3074/3075 naming each LDAPS client that would fail or sends no channel-binding token (logged only when the policy is "When supported"; it is ${config?.channelBindingText ?? cb})`,
      setting: `${params}\\LdapEnforceChannelBinding = 1 ("Domain controller: LDAP server channel binding token requirements" = When supported)`,
      how: `reg add ${params} /v LdapEnforceChannelBinding /t REG_DWORD /d 1 /f (clients that send a token must then send a valid one; clients that send none are only audited)`,
    });
  }
  const build = osBuild(snapshot);
  if (build === null || build < FIRST_AUDIT_BUILD) {
    missing.push({
      what: build === null
        ? "the Windows build (3074/3075 exist from Windows Server 2022 with KB4520412's updates; it was not collected)"
        : `audit events 3074/3075, which build ${build} does not log (they exist from Windows Server 2022, build ${FIRST_AUDIT_BUILD}, with KB4520412's updates): clients that send no token stay invisible while "When supported" lets them through`,
      setting: "Windows Server 2022 or later with the current cumulative update",
      how: build === null ? "collect with this version's collector (host.osVersion)" : "update or replace the DC; until then only enforcing shows which clients fail",
    });
  }
  const level = levelMissing(target, config, ["3039"]);
  if (level) missing.push(level);
  const s3040 = (snapshot.events?.summary ?? []).filter((s) => s.id === 3040 && (s.log.toLowerCase() === target.eventLog.toLowerCase() || (target.service !== null && sameService(s.service, target.service))));
  // 3040's count field is unverified: when it is not a number, the events themselves still say such binds happened.
  const unnamed = s3040.reduce((n, s) => n + (s.unprotectedBinds ?? 0), 0) || s3040.reduce((n, s) => n + s.count, 0);
  return verdictOf(
    "LDAP channel binding always",
    "safe to enforce LDAP channel binding (always)",
    enforcedBy,
    cb !== null || wire.setting !== null,
    table.sorted(),
    unnamed,
    "3040 reported {n} LDAPS bind(s) without channel-binding validation",
    c.dropped([3039, 3074, 3075]),
    missing,
    events?.windowDays ?? null,
    // The collector reads the build, not the update level: a 2022 DC without the update that added 3074/3075 would
    // log neither, so the "yes" states that assumption rather than hide it.
    `no LDAPS client failed or would fail channel-binding validation (3039, 3074, 3075 with the policy "When supported" at diagnostics level 2; both read at collection time and assumed for the whole window; build ${build} is assumed to carry the update that logs 3074/3075, which the collector does not check)`,
  );
}

export function readinessFacts(snapshot: Snapshot, target: TargetInfo, now: Date): ReadinessFacts {
  const common = commonEvidence(snapshot, target, now);
  return { signing: signingVerdict(snapshot, target, common), channelBinding: channelBindingVerdict(snapshot, target, common) };
}
