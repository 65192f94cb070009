// Event-log facts (1220, Schannel 36886/36870, insecure binds 2887/2889): the snapshot's aggregated events, narrowed to one directory service.
// Pure: same snapshot, same facts (the clock is not read; `now` only dates the facts).
import type { EventSummary, InsecureBindClient, Snapshot } from "../snapshot";
import type { CertificateFacts, EventCountFacts, EventFacts, TargetInfo } from "./types";
export type { EventCountFacts, EventFacts };
import { instantMs } from "../dates";
import { compareText } from "../text-order";

function counts(summaries: EventSummary[]): EventCountFacts {
  const out: EventCountFacts = { count: 0, first: null, last: null, errorCodes: {} };
  for (const s of summaries) {
    out.count += s.count;
    if (s.first && (!out.first || instantMs(s.first) < instantMs(out.first))) out.first = s.first;
    if (s.last && (!out.last || instantMs(s.last) > instantMs(out.last))) out.last = s.last;
    for (const [code, n] of Object.entries(s.errorCodes ?? {})) {
      const key = code.toLowerCase();
      out.errorCodes[key] = (out.errorCodes[key] ?? 0) + n;
    }
  }
  return out;
}

const sameService = (a: string | null | undefined, b: string | null) => (a ?? "").toLowerCase() === (b ?? "").toLowerCase();

export function eventFacts(snapshot: Snapshot, target: TargetInfo, _now: Date, certificates?: CertificateFacts[]): EventFacts | null {
  const ev = snapshot.events;
  if (!ev) return null;
  const summary = ev.summary ?? [];
  const logs = ev.logs ?? [];
  const dirLog = logs.find((l) => l.log.toLowerCase() === target.eventLog.toLowerCase());
  const sysLog = logs.find((l) => l.log.toLowerCase() === "system");
  const dir = (id: number) =>
    summary.filter((s) => s.id === id && (s.log.toLowerCase() === target.eventLog.toLowerCase() || (target.service !== null && sameService(s.service, target.service))));
  const sys = (id: number) => summary.filter((s) => s.id === id && s.log.toLowerCase() === "system");

  const predicted = (certificates ?? []).find((c) => c.predicted && c.source !== "network");
  const e1220 = counts(dir(1220));
  const notBefore = predicted?.validity.notBefore ?? null;
  const cleared = e1220.count > 0 && notBefore !== null && e1220.last !== null && instantMs(e1220.last) < instantMs(notBefore);

  const s2887 = dir(2887);
  const simple = s2887.reduce((n, s) => n + (s.insecureSimpleBinds ?? 0), 0);
  const unsignedSasl = s2887.reduce((n, s) => n + (s.unsignedSaslBinds ?? 0), 0);
  const clients = (ev.insecureBindClients ?? [])
    .filter((c: InsecureBindClient) => target.service === null || c.service == null || sameService(c.service, target.service))
    .map((c) => ({ ip: c.ip, identity: c.identity, bindType: c.bindType, count: c.count, last: c.last ?? null }))
    .sort((a, b) => b.count - a.count || compareText(a.ip, b.ip) || compareText(a.identity, b.identity));

  const windowMs = instantMs(ev.windowEnd) - instantMs(ev.windowStart);
  return {
    windowStart: ev.windowStart,
    windowEnd: ev.windowEnd,
    windowDays: Number.isFinite(windowMs) ? Math.round((windowMs / 86400000) * 10) / 10 : 0,
    truncated: ev.truncated === true,
    log: target.eventLog,
    logAvailable: dirLog ? dirLog.available : logs.length ? false : null,
    logError: dirLog?.error ?? (logs.length && !dirLog ? `the log "${target.eventLog}" was not read` : null),
    systemLogAvailable: sysLog ? sysLog.available : null,
    directoryService1220: { ...e1220, certificateNotBefore: notBefore, clearedByCertificate: cleared },
    schannel36870: counts(sys(36870)),
    schannel36874: counts(sys(36874)),
    schannel36886: counts(sys(36886)),
    schannel36888: counts(sys(36888)),
    insecureBinds: {
      simple,
      unsignedSasl,
      total: simple + unsignedSasl,
      summaryEvents: s2887.reduce((n, s) => n + s.count, 0),
      clients,
      clientCount: clients.length,
      clientList: clients.map((c) => `${c.ip} ${c.identity || "(anonymous)"} ${c.bindType} x${c.count}`),
    },
  };
}
