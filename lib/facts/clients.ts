// Client facts: which computers try LDAPS (and insecure LDAP) on this directory service, and which
// evidence says so. Event 1220 names no client; the seed's other way out of it is to identify them. Sources: the
// collector's connection table and firewall-log aggregates (snapshot.clients), the 2889 clients (events), and, host
// wide and unnamed, Schannel handshake failures 36874/36888. When a source is off, missingEvidence says exactly which
// setting to turn on, so "no client seen" is never mistaken for "no client".
// Pure: same snapshot, same facts. Reverse DNS happened on the host (snapshot.clients.names), never here.
import type { InsecureBindClient, Snapshot } from "../snapshot";
import { configFacts } from "./config";
import { eventFacts } from "./events";
import type { ClientEvidenceKind, ClientFacts, ClientRow, ClientSourceState, MissingEvidence, SelectionFacts, TargetInfo } from "./types";
import { instantMs } from "../dates";
import { readinessFacts } from "./readiness";
import { compareText } from "../text-order";

export type { ClientEvidenceKind, ClientFacts, ClientRow, ClientSourceState, MissingEvidence } from "./types";


const SCHANNEL_KEY = "HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL";

/** "::ffff:10.0.0.5" -> "10.0.0.5"; IPv6 lower-cased so the sources agree on one key. */
function normalizeIp(ip: string): string {
  const t = ip.trim();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(t);
  if (mapped) return mapped[1];
  return t.includes(":") ? t.toLowerCase() : t;
}

const earlier = (a: string | null, b: string | null | undefined) => (!b ? a : !a || instantMs(b) < instantMs(a) ? b : a);
const later = (a: string | null, b: string | null | undefined) => (!b ? a : !a || instantMs(b) > instantMs(a) ? b : a);
const sameService = (a: string | null | undefined, b: string | null) => (a ?? "").toLowerCase() === (b ?? "").toLowerCase();

function targetPorts(snapshot: Snapshot, target: TargetInfo): number[] {
  if (target.kind === "adlds") {
    const inst = snapshot.host.adldsInstances?.find((i) => i.name === target.instance);
    return inst?.sslPort ? [inst.sslPort] : [];
  }
  return [636, 3269];
}

function diagnosticsKey(target: TargetInfo): string {
  return `HKLM\\SYSTEM\\CurrentControlSet\\Services\\${target.service ?? "NTDS"}\\Diagnostics`;
}

/** One row per client address, filled from each source that names it. */
class ClientTable {
  private readonly rows = new Map<string, ClientRow>();

  row(rawIp: string): ClientRow {
    const ip = normalizeIp(rawIp);
    let r = this.rows.get(ip);
    if (!r) {
      r = { ip, name: null, ports: [], count: 0, first: null, last: null, evidence: [], connections: null, firewall: null, insecureBinds: null, ldaps: false };
      this.rows.set(ip, r);
    }
    return r;
  }

  static addPort(r: ClientRow, port: number): void {
    if (!r.ports.includes(port)) r.ports.push(port);
    r.ldaps = true;
  }

  static addEvidence(r: ClientRow, kind: ClientEvidenceKind): void {
    if (!r.evidence.includes(kind)) r.evidence.push(kind);
  }

  /** Rows with reverse-DNS names, LDAPS clients first, then by count. */
  sorted(names: Map<string, string | null>): ClientRow[] {
    return [...this.rows.values()]
      .map((r) => ({ ...r, name: names.get(r.ip) ?? null, ports: [...r.ports].sort((a, b) => a - b) }))
      .sort((a, b) => Number(b.ldaps) - Number(a.ldaps) || b.count - a.count || compareText(a.ip, b.ip));
  }
}

/** Every client the connection table, the firewall log and event 2889 name for this service's ports. */
function clientRows(snapshot: Snapshot, target: TargetInfo, ports: number[]): ClientRow[] {
  const ce = snapshot.clients;
  const ev = snapshot.events;
  const portSet = new Set(ports);
  const table = new ClientTable();
  const row = (ip: string) => table.row(ip);
  const addPort = ClientTable.addPort;
  const addEvidence = ClientTable.addEvidence;

  // Connection table: a point in time (the collection), so first/last are the window's end.
  const conn = ce?.connections;
  const seenAt = ce?.windowEnd ?? snapshot.collectedAt ?? null;
  for (const c of conn?.available ? (conn.entries ?? []) : []) {
    if (!portSet.has(c.localPort)) continue;
    const r = row(c.remoteAddress);
    r.connections ??= { count: 0, states: [] };
    r.connections.count += c.count;
    if (!r.connections.states.includes(c.state)) r.connections.states.push(c.state);
    r.count += c.count;
    addPort(r, c.localPort);
    addEvidence(r, "connection-table");
    r.first = earlier(r.first, seenAt);
    r.last = later(r.last, seenAt);
  }

  // Firewall log: rows per source and destination port over the window.
  const fw = ce?.firewallLog;
  for (const s of fw?.available ? (fw.sources ?? []) : []) {
    const perPort = Object.entries(s.ports ?? {}).map(([p, n]) => [Number(p), n] as const).filter(([p]) => portSet.has(p));
    if (s.ports && perPort.length === 0) continue;
    const n = s.ports ? perPort.reduce((sum, [, k]) => sum + k, 0) : s.count;
    const share = s.count > 0 ? n / s.count : 1;
    const r = row(s.ip);
    r.firewall ??= { count: 0, allow: 0, drop: 0 };
    r.firewall.count += n;
    // ALLOW/DROP are per source, not per port: scale them to the target's share of the rows.
    r.firewall.allow += Math.round((s.allow ?? 0) * share);
    r.firewall.drop += Math.round((s.drop ?? 0) * share);
    r.count += n;
    for (const [p] of perPort) addPort(r, p);
    addEvidence(r, "firewall-log");
    r.first = earlier(r.first, s.first);
    r.last = later(r.last, s.last);
  }

  // 2889: clients binding without TLS or signing (plain LDAP) — named here; the event-log facts count them too.
  for (const c of (ev?.insecureBindClients ?? []).filter((x: InsecureBindClient) => target.service === null || x.service == null || sameService(x.service, target.service))) {
    const r = row(c.ip);
    r.insecureBinds ??= { count: 0, identities: [], bindTypes: [] };
    r.insecureBinds.count += c.count;
    if (c.identity && !r.insecureBinds.identities.includes(c.identity)) r.insecureBinds.identities.push(c.identity);
    if (!r.insecureBinds.bindTypes.includes(c.bindType)) r.insecureBinds.bindTypes.push(c.bindType);
    r.count += c.count;
    addEvidence(r, "event-2889");
    r.first = earlier(r.first, c.first);
    r.last = later(r.last, c.last);
  }

  return table.sorted(new Map((ce?.names ?? []).map((n) => [normalizeIp(n.ip), n.name] as const)));
}

interface SourceStates {
  sources: ClientFacts["sources"];
  eventLogging: number | null;
}

/** Which sources were read, and which are off or unreadable. */
function sourceStates(snapshot: Snapshot, events: ReturnType<typeof eventFacts>, config: ReturnType<typeof configFacts>): SourceStates {
  const ce = snapshot.clients;
  const conn = ce?.connections;
  const fw = ce?.firewallLog;
  const connectionTable: ClientSourceState = !ce ? "not-collected" : !conn ? "not-collected" : conn.available ? "read" : "unavailable";
  const firewallLog: ClientSourceState = !ce || !fw ? "not-collected" : fw.enabled === false ? "off" : fw.available ? "read" : "unavailable";
  const level = config?.policyCollected ? config.ldapInterfaceEventsLevel : null;
  const events2889: ClientSourceState = !events ? "not-collected" : events.logAvailable === false ? "unavailable" : level !== null && level < 2 ? "off" : events.logAvailable ? "read" : "not-collected";
  const eventLogging = snapshot.registry?.schannel?.EventLogging ?? null;
  const schannel: ClientSourceState = !events ? "not-collected" : events.systemLogAvailable === false ? "unavailable" : eventLogging !== null && (eventLogging & 1) === 0 ? "off" : events.systemLogAvailable ? "read" : "not-collected";
  return { sources: { connectionTable, firewallLog, events2889, schannel }, eventLogging };
}

/** What to turn on. Each entry names the setting, so the report never shows "no clients" on missing evidence. */
function missingEvidence(snapshot: Snapshot, target: TargetInfo, portText: string, states: SourceStates, events: ReturnType<typeof eventFacts>): MissingEvidence[] {
  const ce = snapshot.clients;
  const conn = ce?.connections;
  const fw = ce?.firewallLog;
  const { connectionTable, firewallLog, events2889, schannel } = states.sources;
  const eventLogging = states.eventLogging;
  const missing: MissingEvidence[] = [];
  if (!ce) {
    missing.push({
      what: `connection table and firewall log for ${portText}`,
      setting: "client evidence gathered on the host",
      how: "run ldaps-audit collect (or check) on the DC with this version's collector",
    });
  } else {
    if (firewallLog === "off" || (firewallLog === "read" && fw?.logAllowed === false)) {
      missing.push({
        what: `Windows Firewall log of allowed connections (names every client that connects to ${portText} over the window${firewallLog === "read" ? "; only dropped connections are logged now" : ""})`,
        setting: "Windows Firewall, Domain profile: Logging > Log successful connections = Yes (LogAllowed = True)",
        how: "Set-NetFirewallProfile -Profile Domain -LogAllowed True -LogMaxSizeKilobytes 32767, or the GPO Windows Defender Firewall with Advanced Security > Domain Profile > Logging; the log is %systemroot%\\system32\\LogFiles\\Firewall\\pfirewall.log",
      });
    } else if (firewallLog === "unavailable") {
      missing.push({
        what: `Windows Firewall log${fw?.path ? ` ${fw.path}` : ""}`,
        setting: "read access to the firewall log (run the collector elevated, as a local Administrator)",
        how: fw?.error ?? "the log file could not be read",
      });
    }
    if (connectionTable === "unavailable") {
      missing.push({ what: "TCP connection table (Get-NetTCPConnection)", setting: "the NetTCPIP module (Windows Server 2012 or later) and a local session", how: conn?.error ?? "Get-NetTCPConnection failed" });
    }
  }
  if (events2889 === "off") {
    missing.push({
      what: "event 2889 (each client binding without TLS or signing, with IP and account)",
      setting: `${diagnosticsKey(target)}\\16 LDAP Interface Events = 2`,
      how: `reg add ${diagnosticsKey(target)} /v "16 LDAP Interface Events" /t REG_DWORD /d 2 /f (no restart needed)`,
    });
  } else if (events2889 === "unavailable") {
    missing.push({ what: `the ${target.eventLog} event log (2889)`, setting: "read access to the log (Event Log Readers, or run elevated)", how: events?.logError ?? "the log was not read" });
  }
  if (schannel === "off") {
    missing.push({
      what: "Schannel handshake failures 36874/36888 (logged only when error logging is on)",
      setting: `${SCHANNEL_KEY} EventLogging = 7 (at least bit 0x1, errors; now ${eventLogging})`,
      how: `reg add ${SCHANNEL_KEY} /v EventLogging /t REG_DWORD /d 7 /f`,
    });
  } else if (schannel === "unavailable") {
    missing.push({ what: "the System event log (Schannel 36874/36888)", setting: "read access to the System log (Event Log Readers)", how: "the System log was not read" });
  }

  return missing;
}

/** Schannel 36874/36888: host wide (any TLS server on the host) and without client addresses. */
function handshakeFailuresOf(events: ReturnType<typeof eventFacts>, eventLogging: number | null): ClientFacts["handshakeFailures"] {
  const s36874 = events?.schannel36874;
  const s36888 = events?.schannel36888;
  const details: Record<string, number> = {};
  for (const [id, c] of [["36874", s36874], ["36888", s36888]] as const) {
    for (const [code, n] of Object.entries(c?.errorCodes ?? {})) details[`${id} ${code}`] = (details[`${id} ${code}`] ?? 0) + n;
  }
  return {
    count: (s36874?.count ?? 0) + (s36888?.count ?? 0),
    first: earlier(s36874?.first ?? null, s36888?.first),
    last: later(s36874?.last ?? null, s36888?.last),
    details,
    eventLogging,
  };

}

/** One sentence: who tries LDAPS, and what to turn on to see more. */
function summaryOf(f: Omit<ClientFacts, "summary">, portText: string, readSources: string[]): string {
  const { clientList, handshakeFailures, missingEvidenceList, windowDays, ldapsEvidence } = f;
  const details = handshakeFailures.details;
  const ldapsClients = f.clients.filter((c) => c.ldaps);
  const insecureClients = f.clients.filter((c) => c.insecureBinds);
  const missing = f.missingEvidence;
  const parts: string[] = [];
  if (ldapsClients.length) {
    const shown = clientList.slice(0, ldapsClients.length).slice(0, 5);
    parts.push(`${ldapsClients.length} client(s) tried LDAPS (${portText})${windowDays !== null ? ` over ${windowDays} days` : ""}: ${shown.join("; ")}${ldapsClients.length > 5 ? `; and ${ldapsClients.length - 5} more` : ""}`);
  } else if (ldapsEvidence) {
    parts.push(`no client was seen trying LDAPS (${portText}) in the ${readSources.join(" or ")}`);
  } else {
    parts.push(`which clients try LDAPS (${portText}) is unknown: no connection table or firewall log was read`);
  }
  if (insecureClients.length) parts.push(`${insecureClients.length} client(s) bind without TLS or signing (event 2889)`);
  if (handshakeFailures.count) {
    parts.push(`${handshakeFailures.count} Schannel handshake failure(s) on the host (${Object.entries(details).map(([k, n]) => `${k} x${n}`).join(", ") || "36874/36888"})`);
  }
  if (missing.length) parts.push(`to see more, turn on: ${missingEvidenceList.join("; ")}`);

  return parts.join("; ");
}

export function clientFacts(snapshot: Snapshot, target: TargetInfo, selection: SelectionFacts, now: Date): ClientFacts | null {
  const ce = snapshot.clients;
  const ev = snapshot.events;
  if (!ce && !ev) return null;
  const events = eventFacts(snapshot, target, now);
  const config = configFacts(snapshot, target);
  const ports = targetPorts(snapshot, target);
  const portText = ports.length ? ports.join("/") : "the LDAPS port";
  const clients = clientRows(snapshot, target, ports);
  const states = sourceStates(snapshot, events, config);
  const { connectionTable, firewallLog } = states.sources;
  const missing = missingEvidence(snapshot, target, portText, states, events);
  const handshakeFailures = handshakeFailuresOf(events, states.eventLogging);
  const clientList = clients.map(
    (c) => `${c.ip}${c.name ? ` (${c.name})` : ""} ${c.ports.length ? c.ports.join(",") : "LDAP without TLS"} x${c.count} [${c.evidence.join(", ")}]`,
  );
  const windowStart = ce?.windowStart ?? ev?.windowStart ?? null;
  const windowEnd = ce?.windowEnd ?? ev?.windowEnd ?? null;
  const windowMs = windowStart && windowEnd ? instantMs(windowEnd) - instantMs(windowStart) : NaN;
  const windowDays = Number.isFinite(windowMs) ? Math.round((windowMs / 86400000) * 10) / 10 : null;
  const ldapsEvidence = connectionTable === "read" || firewallLog === "read";
  const readSources = [connectionTable === "read" ? "connection table" : null, firewallLog === "read" ? "firewall log" : null].filter((x): x is string => Boolean(x));
  const facts: Omit<ClientFacts, "summary"> = {
    ports,
    windowStart,
    windowEnd,
    windowDays,
    certificateQualifies: selection.qualifying.length > 0,
    sources: states.sources,
    ldapsEvidence,
    clients,
    clientCount: clients.length,
    ldapsClientCount: clients.filter((c) => c.ldaps).length,
    insecureClientCount: clients.filter((c) => c.insecureBinds).length,
    clientList,
    handshakeFailures,
    truncated: ce?.connections?.truncated === true || ce?.firewallLog?.truncated === true,
    missingEvidence: missing,
    missingEvidenceCount: missing.length,
    missingEvidenceList: missing.map((m) => `${m.what}: ${m.setting}`),
  };
  return { ...facts, summary: summaryOf(facts, portText, readSources), readiness: readinessFacts(snapshot, target, now) };
}
