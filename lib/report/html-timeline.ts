// The expiry timeline of the HTML report: one row per target, a bar from the evaluation instant to the
// predicted LDAPS certificate's expiry, over the profile's LDAPS-C07 warn/fail bands. Inline SVG with
// presentation attributes and classes only (no style attributes, no script: the page's CSP allows
// neither), text on every bar so colour is never the only carrier, and a title/desc for screen readers.
import type { ExpiryRunway } from "../profile/runway";
// esc is only called at render time, so the mutual import with ./html is safe.
import { esc } from "./html";

export interface TimelineRow {
  label: string;
  /** Days to expiry of the predicted certificate; null when there is none. */
  days: number | null;
  /** pass | warn | fail: how C07 (or the target) judges it, for the bar's class. */
  tone: "pass" | "warn" | "fail";
}

const MAX_ROWS = 40;
const WIDTH = 960;
const LABEL_W = 300;
const ROW_H = 22;
const TOP = 34;
const RIGHT_PAD = 70;

export function expiryTimeline(rows: TimelineRow[], runway: ExpiryRunway | null, id = "timeline"): string {
  if (!rows.length) return "";
  const shown = rows.slice(0, MAX_ROWS);
  const known = shown.map((r) => r.days).filter((d): d is number => d !== null);
  const lo = Math.max(-90, Math.min(0, ...known));
  const hi = Math.max(365, Math.min(730, Math.max(0, ...known)));
  const plotW = WIDTH - LABEL_W - RIGHT_PAD;
  const x = (d: number) => LABEL_W + ((Math.max(lo, Math.min(hi, d)) - lo) / (hi - lo)) * plotW;
  const height = TOP + shown.length * ROW_H + 28;
  const parts: string[] = [];
  parts.push(
    `<svg class="timeline" role="img" aria-labelledby="${id}-title ${id}-desc" viewBox="0 0 ${WIDTH} ${height}" width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">`,
    `<title id="${id}-title">Certificate expiry timeline</title>`,
    `<desc id="${id}-desc">${esc(describe(shown, runway))}</desc>`,
  );
  const bottom = TOP + shown.length * ROW_H;
  // Bands: below the fail line, between fail and warn.
  const fail = runway?.failBelowDays ?? null;
  const warn = runway?.warnBelowDays ?? null;
  if (fail !== null) parts.push(`<rect class="band-fail" x="${x(lo)}" y="${TOP - 6}" width="${x(fail) - x(lo)}" height="${bottom - TOP + 6}"/>`);
  if (warn !== null) parts.push(`<rect class="band-warn" x="${x(fail ?? lo)}" y="${TOP - 6}" width="${Math.max(0, x(warn) - x(fail ?? lo))}" height="${bottom - TOP + 6}"/>`);
  // Axis ticks and grid.
  // Tick labels at least 36 units apart, so "now" and a 7-day line never print over each other.
  const ticks: number[] = [];
  for (const t of [0, 30, 90, 180, 365, 730, ...(lo < -30 ? [lo] : [])].filter((d) => d >= lo && d <= hi).sort((a, b) => a - b)) {
    if (ticks.every((u) => Math.abs(x(u) - x(t)) >= 36)) ticks.push(t);
  }
  for (const t of ticks) {
    parts.push(`<line class="grid${t === 0 ? " now" : ""}" x1="${x(t)}" y1="${TOP - 6}" x2="${x(t)}" y2="${bottom}"/>`);
    parts.push(`<text class="tick" x="${x(t)}" y="${bottom + 16}" text-anchor="middle">${t === 0 ? "now" : `${t} d`}</text>`);
  }
  const legend: string[] = [];
  if (fail !== null) legend.push(`fails below ${fail} days`);
  if (warn !== null) legend.push(`warns below ${warn} days`);
  parts.push(`<text class="legend" x="${LABEL_W}" y="16">${esc(legend.length ? `Shaded: LDAPS-C07 ${legend.join(", ")}` : "Days until the predicted LDAPS certificate expires")}</text>`);
  shown.forEach((r, i) => {
    const y = TOP + i * ROW_H;
    const mid = y + ROW_H / 2;
    // Plain text, no links: an image (role="img") must not hold interactive parts; the hosts table links.
    parts.push(`<text class="row-label" x="${LABEL_W - 8}" y="${mid + 4}" text-anchor="end">${esc(truncate(r.label, 40))}<title>${esc(r.label)}</title></text>`);
    if (r.days === null) {
      parts.push(`<text class="bar-text t-fail" x="${x(0) + 4}" y="${mid + 4}">\u2717 no predicted certificate</text>`);
      return;
    }
    const x0 = x(Math.min(0, r.days));
    const x1 = x(Math.max(0, r.days));
    parts.push(`<rect class="bar b-${r.tone}" x="${x0}" y="${y + 4}" width="${Math.max(2, x1 - x0)}" height="${ROW_H - 8}" rx="2"/>`);
    const text = r.days < 0 ? `expired ${-r.days} d ago` : `${r.days} d`;
    const tx = r.days > hi ? x(hi) + 4 : r.days < 0 ? x1 + 4 : x1 + 4;
    parts.push(`<text class="bar-text" x="${tx}" y="${mid + 4}">${esc(r.days > hi ? `${text} \u2192` : text)}</text>`);
  });
  parts.push(`</svg>`);
  if (rows.length > MAX_ROWS) parts.push(`<p class="muted">${rows.length - MAX_ROWS} more target(s) not drawn; the hosts table lists them all.</p>`);
  return parts.join("");
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}\u2026` : s;
}

function describe(rows: TimelineRow[], runway: ExpiryRunway | null): string {
  const none = rows.filter((r) => r.days === null).length;
  const expired = rows.filter((r) => r.days !== null && r.days < 0).length;
  const within = (d: number | null) => (d === null ? 0 : rows.filter((r) => r.days !== null && r.days >= 0 && r.days < d).length);
  const parts = [`${rows.length} target(s).`];
  if (none) parts.push(`${none} without a predicted certificate.`);
  if (expired) parts.push(`${expired} expired.`);
  if (runway?.failBelowDays != null) parts.push(`${within(runway.failBelowDays)} within ${runway.failBelowDays} days (fails LDAPS-C07).`);
  if (runway?.warnBelowDays != null) parts.push(`${within(runway.warnBelowDays)} within ${runway.warnBelowDays} days.`);
  return parts.join(" ");
}
