// The report as a Prometheus text exposition (format 0.0.4) for windows_exporter's textfile collector
// (or node_exporter's): write it with -o into the collector's folder as <name>.prom. The writer
// (lib/cli/output.ts writeFileAtomic) puts a temp file in the same folder, named .<name>.<pid>.<ms>.tmp
// (not *.prom, so the collector never reads it half-written), then renames it into place.
//
// Series per target (labels host, service): time to expiry of the predicted LDAPS certificate (in
// seconds, Prometheus's base unit) and its notAfter time, whether a predicted certificate exists, compliance, each control's status as one
// gauge per possible status (1 for the current one), and, only when probe evidence is in the report,
// whether the TLS handshake and the LDAP read worked on each probed endpoint. No series is invented:
// absent evidence means an absent series, never a 0.
import { InputError } from "../errors";
import type { Status } from "../profile/types";
import { predictedCertificate, STATUSES, targetKey, targetLabel } from "./common";
import type { Report, ReportTarget } from "./types";

const PREFIX = "ldaps_audit_";

/** A label value per the exposition format: backslash, double quote and line feed escaped. */
export function labelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** HELP text per the exposition format: backslash and line feed escaped. */
function helpText(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

type Labels = Record<string, string>;

function labelSet(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${labelValue(v)}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
}

/** A number in the exposition's float syntax (integers stay integers). */
function num(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (!Number.isFinite(n)) return n > 0 ? "+Inf" : "-Inf";
  return String(n);
}

/** One metric family: HELP, TYPE and its samples together, as the format requires. */
class Family {
  readonly samples: string[] = [];
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  add(labels: Labels, value: number): void {
    this.samples.push(`${PREFIX}${this.name}${labelSet(labels)} ${num(value)}`);
  }
  text(): string {
    if (!this.samples.length) return "";
    return `# HELP ${PREFIX}${this.name} ${helpText(this.help)}\n# TYPE ${PREFIX}${this.name} gauge\n${this.samples.join("\n")}\n`;
  }
}

function targetLabels(t: ReportTarget): Labels {
  return { host: t.host, service: t.service ?? "" };
}

interface EndpointSeries {
  address: string;
  port: number;
  mode: string;
  purpose: string;
  handshake: boolean;
  ldapOk: boolean | null;
}

/** Probed endpoints from the network facts (shape owned by lib/facts/network.ts), read defensively. */
function endpoints(t: ReportTarget): EndpointSeries[] {
  const list = (t.facts?.network as { endpoints?: unknown } | null | undefined)?.endpoints;
  if (!Array.isArray(list)) return [];
  return list
    .filter((e): e is Record<string, unknown> => typeof e === "object" && e !== null)
    .filter((e) => typeof e.port === "number" && typeof e.handshake === "boolean")
    .map((e) => ({
      address: typeof e.host === "string" ? e.host : "",
      port: e.port as number,
      mode: typeof e.mode === "string" ? e.mode : "",
      purpose: typeof e.purpose === "string" ? e.purpose : "",
      handshake: e.handshake as boolean,
      ldapOk: typeof e.ldapOk === "boolean" ? e.ldapOk : null,
    }));
}

export function renderPrometheus(report: Report): string {
  // One series per target: two targets with the same identity would be duplicate series, which
  // the collector rejects (the whole file). Refuse clearly instead.
  const seen = new Map<string, ReportTarget>();
  for (const t of report.targets) {
    const key = targetKey(t);
    const first = seen.get(key);
    if (first) {
      throw new InputError(
        `two targets for ${targetLabel(t)} (${first.snapshot ?? "memory"}, ${t.snapshot ?? "memory"}): a metrics file holds one series per target; evaluate each snapshot of a host separately`,
      );
    }
    seen.set(key, t);
  }

  const run = new Family("last_run_timestamp_seconds", "When ldaps-audit produced this report (Unix time).");
  const judged = new Family("evaluated_at_timestamp_seconds", "The instant validity and expiry were judged against (--now, else the run time).");
  const targets = new Family("targets", "Targets in the report.");
  const compliant = new Family("target_compliant", "1 when the target has no failing or erroring control, else 0.");
  const predicted = new Family("predicted_certificate", "1 when a certificate the directory service is predicted to use for LDAPS was found, else 0.");
  // Seconds, not days: Prometheus's base unit (promtool's lint refuses "days"); divide by 86400 for days.
  const remaining = new Family(
    "certificate_expiry_remaining_seconds",
    "Time from the evaluation instant to the predicted LDAPS certificate's notAfter (negative once expired); /86400 gives the days LDAPS-C07 judges. Absent without a predicted certificate.",
  );
  const notAfter = new Family("certificate_not_after_timestamp_seconds", "notAfter of the predicted LDAPS certificate (Unix time). Absent without a predicted certificate.");
  const control = new Family("control_status", `Control status: one series per status (${STATUSES.join(", ")}), 1 for the control's current status.`);
  const handshake = new Family("endpoint_tls_handshake_ok", "1 when the probe completed a TLS handshake on this endpoint, else 0. Only with probe evidence.");
  const ldap = new Family("endpoint_ldap_ok", "1 when the probe read the rootDSE over TLS (and the bind worked when attempted), else 0. Only when the probe tried.");

  run.add({ profile: report.profile.id }, Date.parse(report.generatedAt) / 1000);
  judged.add({ profile: report.profile.id }, Date.parse(report.now) / 1000);
  targets.add({ profile: report.profile.id }, report.targets.length);
  for (const t of report.targets) {
    const tl = targetLabels(t);
    compliant.add(tl, t.status === "compliant" ? 1 : 0);
    const cert = predictedCertificate(t);
    predicted.add(tl, cert ? 1 : 0);
    if (cert) {
      remaining.add(tl, (Date.parse(cert.notAfter) - Date.parse(report.now)) / 1000);
      notAfter.add(tl, Date.parse(cert.notAfter) / 1000);
    }
    for (const c of t.controls) {
      for (const s of STATUSES as Status[]) control.add({ ...tl, control: c.id, severity: c.severity, status: s }, c.status === s ? 1 : 0);
    }
    for (const e of endpoints(t)) {
      const el = { ...tl, address: e.address, port: String(e.port), mode: e.mode, purpose: e.purpose };
      handshake.add(el, e.handshake ? 1 : 0);
      if (e.ldapOk !== null) ldap.add(el, e.ldapOk ? 1 : 0);
    }
  }
  // The collector needs the file to end with a line feed; every family's text does.
  return [run, judged, targets, compliant, predicted, remaining, notAfter, control, handshake, ldap].map((f) => f.text()).join("");
}
