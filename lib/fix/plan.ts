// `ldaps-audit fix --plan`: turn a snapshot's failing (and remediable warning) controls into an ordered,
// idempotent plan of named actions. The planner decides nothing about Windows or policy itself: which
// certificate Schannel can use and picks comes from the facts (lib/facts/schannel.ts), what is wrong
// comes from the profile's verdicts, and which control a step addresses is found by matching the facts
// the step changes against the facts each control reads (its `reads` metadata). No control id is named here.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { audit, readSnapshot } from "../audit";
import { InputError } from "../errors";
import { MACHINE_STORE } from "../facts/schannel";
import type { CertificateFacts, TargetFacts } from "../facts/types";
import { preflight } from "../import/preflight";
import { hostFileStem } from "../output/host-file-names";
import { refuseConflictingOutputs } from "../output/conflicts";
import { writeOutput } from "../output/write";
import { shortText } from "../terminal";
import { loadProfile } from "../profile/load";
import type { Control, ControlResult } from "../profile/types";
import type { ReportTarget } from "../report/types";
import { SCHEMA_BASE } from "../schemas";
import type { Snapshot } from "../snapshot";
import { toolVersion } from "../version";
import { stateDigest } from "./digest";
import { certreqInf } from "./request";
import type { DoneWhen, IntendedCertificate, Plan, PlanAction, PlanChange, PlanStep, PlanTarget, Precondition } from "./types";
import { PLAN_ACTIONS } from "./types";
import { compareText } from "../text-order";

export const PLAN_SCHEMA_ID = `${SCHEMA_BASE}plan.schema.json`;

/** Where the certificate the plan ends with comes from, when none can qualify (or the profile wants a new one). */
export type CertificateSource =
  | { kind: "pfx"; file: string; passwordEnv?: string; password?: string; roots?: string[] }
  | { kind: "enroll"; template: string; extraNames?: string[] }
  | { kind: "request"; dir: string; extraNames?: string[] }
  /** A certificate already on the host (any store the collector read) that must become the one the service uses. */
  | { kind: "thumbprint"; thumbprint: string };

export interface PlanOptions {
  /** The snapshot file, or a snapshot already in memory (collected on the host) with the name and digest it is known by. */
  snapshot: string | { snapshot: Snapshot; source: string; sha256: string };
  profile?: string;
  now?: Date;
  source?: CertificateSource;
  /** Reload by restarting the directory service as well (the rootDSE modify alone needs no restart). */
  restartService?: boolean;
  /** Folder the public certificates of removed certificates are exported to first. */
  backupDir?: string;
  /** How long verify waits for the intended certificate on the wire. */
  verifyDeadlineSeconds?: number;
  /** Where the plan itself goes (--output), so the .inf of --request can never be written over it. */
  output?: string;
}

export interface PlanResult {
  plan: Plan;
  /** Files the planner wrote (the certreq .inf of --request). */
  written: string[];
}

const OPEN = new Set(["fail", "error", "warn"]);
const isOpen = (c: ControlResult) => OPEN.has(c.status);
const isFailing = (c: ControlResult) => c.status === "fail" || c.status === "error";

/**
 * The host-level facts each action changes (dotted paths, as control `reads` name them). A failing or
 * warning control that reads one of them is addressed by that step. Certificate-level facts are handled
 * per certificate below (a new certificate replaces them all; a key grant changes privateKey.readable).
 */
const HOST_FACTS: Record<Exclude<PlanAction, "verify">, string[]> = {
  "obtain-certificate": ["selection.qualifying", "clients.certificateQualifies"],
  "place-certificate": ["selection.ambiguous"],
  // A key the service account can read ends the Schannel 36870 key-access failures; when that was the
  // certificate's only obstacle it also makes it qualify.
  "grant-key-read": ["events.schannel36870.count"],
  "remove-competing-certificate": ["selection.staleInServiceStore", "selection.ambiguous"],
  // The service reads its stores again: no new 1220/36886, the wire shows the predicted certificate.
  "reload-certificate": [
    "events.directoryService1220.clearedByCertificate",
    "events.directoryService1220.count",
    "events.schannel36886.count",
    "network.store.matches",
    "network.starttls.sameCertificateAsLdaps",
  ],
};
const QUALIFIES_FACTS = HOST_FACTS["obtain-certificate"];
/** What verify observes: the presented certificate against the intended one (and 3269 on a GC). */
const VERIFY_FACTS = ["network.store.matches"];
const VERIFY_GC_FACTS = ["network.gc.handshake"];

const DEFAULT_BACKUP_DIR = "C:\\ProgramData\\ldaps-audit\\backup";
const DEFAULT_DEADLINE = 300;

/** A DNS name certreq and enrolment can carry (also keeps evidence text out of the .inf file). */
const DNS_NAME = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const TEMPLATE_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/;

/**
 * Evidence strings that a step's commands quote, with what each may hold. The commands are what an
 * administrator types (and what apply will run), so a snapshot value must never be able to end a quoted
 * argument or start another command (`"`, `&`, `|`, `;`, `%`, `^`, `<`, `>`, backticks, `$(`, newlines).
 */
const COMMAND_SAFE: Array<{ what: string; pattern: RegExp; example: string }> = [
  { what: "host.fqdn", pattern: /^[A-Za-z0-9][A-Za-z0-9.:-]{0,252}$/, example: "dc1.corp.example.test" },
  { what: "the service name", pattern: /^[A-Za-z0-9_$-]{1,64}$/, example: "NTDS or ADAM_AppDir" },
  { what: "the service store", pattern: /^[A-Za-z0-9_$-]{1,64}\\My$/i, example: "NTDS\\My" },
  { what: "the service account", pattern: /^[A-Za-z0-9 ._@$\\-]{1,256}$/, example: "NT AUTHORITY\\SYSTEM" },
  { what: "a private key file path", pattern: /^[A-Za-z]:\\[A-Za-z0-9 ._{}()\[\]#+,=@~\\-]{1,1024}$/, example: "C:\\ProgramData\\Microsoft\\Crypto\\Keys\\..." },
];

function assertCommandSafe(what: string, value: string, source: string): void {
  const rule = COMMAND_SAFE.find((r) => r.what === what)!;
  if (!rule.pattern.test(value)) {
    throw new InputError(`${source}: ${what} ${JSON.stringify(shortText(value, 120))} is not a value a command may carry (expected e.g. ${rule.example}); the plan quotes it in commands, so it is refused rather than escaped`);
  }
}

/** Store names compare as Windows compares them: without regard to case. */
function isMachineStore(store: string | null): boolean {
  return (store ?? "").toLowerCase() === MACHINE_STORE.toLowerCase();
}

function pointerOf(path: string): string {
  return "/" + path.split(".").join("/");
}

/** The value at a JSON pointer (null where the document holds none), as preconditions read it. */
export function valueAt(doc: unknown, pointer: string): unknown {
  let cur: unknown = doc;
  for (const part of pointer.split("/").slice(1)) {
    if (cur === null || typeof cur !== "object") return null;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur === undefined ? null : cur;
}

class TargetPlanner {
  readonly steps: PlanStep[] = [];
  private readonly meta: Map<string, Control>;
  private readonly open: ControlResult[];
  private readonly stores: CertificateFacts[];
  stopped: Plan["stopped"] = null;
  intended: IntendedCertificate | null = null;

  constructor(
    private readonly facts: TargetFacts,
    private readonly report: ReportTarget,
    controls: Control[],
    private readonly snapshot: Snapshot,
    private readonly options: PlanOptions,
    private readonly profileName: string,
    /** What the snapshot is called in messages (its file, or where it was collected). */
    private readonly source: string,
  ) {
    this.meta = new Map(controls.map((c) => [c.meta.id, c]));
    this.open = report.controls.filter(isOpen);
    this.stores = facts.certificates.filter((c) => c.source !== "network");
  }

  private get t() {
    return this.facts.target;
  }

  private scope(id: string) {
    return this.meta.get(id)?.meta.scope ?? "host";
  }

  /**
   * The facts a control judges: what its requirement reads, plus what its warning level reads. (Not all it
   * reads: S02 reads selection.qualifying only to know whether it applies.)
   */
  private judged(id: string): string[] {
    const c = this.meta.get(id);
    return c ? [...c.judges, ...c.warns] : [];
  }

  /** Open host controls that judge any of `paths`. */
  private hostControls(paths: string[], from: ControlResult[] = this.open): ControlResult[] {
    return from.filter((c) => this.scope(c.id) === "host" && this.judged(c.id).some((r) => paths.includes(r)));
  }

  /** Open certificate controls on certificate i (optionally only those reading `paths`). */
  private certControls(i: number, paths?: string[]): ControlResult[] {
    const perCert = this.report.certificates[i]?.controls ?? [];
    return perCert.filter((c) => isOpen(c) && (!paths || this.judged(c.id).some((r) => paths.includes(r))));
  }

  /** Host facts a new certificate changes; on AD DS its new machine key is readable by SYSTEM, which ends 36870. */
  private newCertificateFacts(): string[] {
    return [...QUALIFIES_FACTS, ...(this.t.kind === "adds" ? HOST_FACTS["grant-key-read"] : [])];
  }

  private index(c: CertificateFacts): number {
    return this.facts.certificates.indexOf(c);
  }

  private precondition(pointer: string, sentence: string, doneWhen?: DoneWhen): Precondition {
    return { pointer, observed: valueAt(this.facts, pointer), sentence, ...(doneWhen ? { doneWhen } : {}) };
  }

  /** The precondition of an open control: the first evidence pointer and its value, else its first read. */
  private preconditionOf(c: ControlResult, sentence: string, base = ""): Precondition {
    const ev = c.evidence.find((e) => e.instancePath);
    if (ev) return { pointer: ev.instancePath, observed: ev.value ?? valueAt(this.facts, ev.instancePath), sentence };
    const read = this.judged(c.id)[0];
    return this.precondition(read ? base + pointerOf(read) : "/selection/qualifying", sentence);
  }

  private add(step: Omit<PlanStep, "id" | "service" | "controls"> & { controls: ControlResult[]; idSuffix?: string }): PlanStep {
    const { idSuffix, controls, action, ...rest } = step;
    // In profile order, as the report lists them.
    const order = this.report.controls.map((c) => c.id);
    const ids = [...new Set(controls.map((c) => c.id))].sort((a, b) => order.indexOf(a) - order.indexOf(b));
    const s: PlanStep = { id: `${action}/${this.t.service}${idSuffix ? `/${idSuffix}` : ""}`, action, service: this.t.service!, controls: ids, ...rest };
    this.steps.push(s);
    return s;
  }

  private keyFileOf(thumbprint: string): string | null {
    for (const store of this.snapshot.stores ?? []) {
      const c = store.certificates.find((x) => (x.thumbprint ?? "").toUpperCase() === thumbprint);
      const path = (c?.privateKey as { keyFilePath?: string } | undefined)?.keyFilePath;
      if (path) {
        assertCommandSafe("a private key file path", path, this.source);
        return path;
      }
    }
    return null;
  }

  private serviceName(): string {
    return this.t.service ?? "NTDS";
  }

  /** certutil's options for a store: a service store (NTDS\My, ADAM_x\My) needs -service -service. */
  private certutilStore(store: string): string {
    return isMachineStore(store) ? "" : "-service -service";
  }

  private storeArg(store: string): string {
    return isMachineStore(store) ? "My" : `"${store}"`;
  }

  /**
   * The certificate named by thumbprint: it must be in a store the collector read, and qualify, or qualify but for
   * a key the service account cannot read (a grant repairs that), and the profile must not fail it.
   */
  private chosenCertificate(thumbprint: string): CertificateFacts {
    const want = thumbprint.replace(/\s+/g, "").toUpperCase();
    const c = this.stores.find((x) => x.thumbprint.toUpperCase() === want);
    const where = this.facts.selection.storesRead.join(" or ");
    if (!c) throw new InputError(`certificate ${want} is not in ${where} on ${this.t.fqdn} (as collected); import it first, or give --pfx`);
    const keyOnly = c.schannel.obstacles.every((o) => o.requirement === "privateKey.readable");
    if (!c.schannel.usable && !keyOnly) throw new InputError(`certificate ${want} cannot serve LDAPS on ${this.t.fqdn}: ${c.schannel.obstacles.map((o) => o.reason).join("; ")}`);
    const failing = this.certControls(this.index(c)).filter((r) => isFailing(r) && !this.judged(r.id).includes("privateKey.readable"));
    if (failing.length) throw new InputError(`certificate ${want} fails profile ${this.profileName}: ${failing.map((f) => `${f.id} ${f.message}`).join("; ")}`);
    return c;
  }

  plan(): void {
    const sel = this.facts.selection;
    const predicted = this.stores.find((c) => c.thumbprint === sel.predicted) ?? null;
    const serviceStoreCerts = this.stores.filter((c) => c.storeRole === "service");
    let intended: CertificateFacts | null = predicted;
    let obtain: { optional: boolean; controls: ControlResult[]; pre: Precondition; why: string } | null = null;
    let grant: CertificateFacts | null = null;

    const chosen = this.options.source?.kind === "thumbprint" ? this.chosenCertificate(this.options.source.thumbprint) : null;
    if (chosen) {
      // The administrator named the certificate: it becomes the intended one (or the plan was refused above).
      intended = chosen;
      if (!chosen.schannel.usable) grant = chosen;
    } else if (predicted) {
      // Something qualifies; a new certificate is needed only when the profile faults the predicted one.
      const faults = this.certControls(this.index(predicted));
      if (faults.length) {
        const optional = !faults.some(isFailing);
        const hostFaults = this.open.filter((c) => this.scope(c.id) === "certificate" && faults.some((f) => f.id === c.id));
        obtain = {
          optional,
          controls: [...hostFaults, ...this.hostControls(this.newCertificateFacts())],
          pre: this.preconditionOf(faults[0], `the certificate Windows picks (${predicted.thumbprint}) ${faults[0].message}`),
          why: `The certificate Windows picks (${predicted.thumbprint}) ${optional ? "draws warnings" : "fails"}: ${faults.map((f) => `${f.id} ${f.message}`).join("; ")}. Only a new certificate changes that.`,
        };
        intended = null;
      }
    } else {
      // Nothing qualifies. A certificate whose one obstacle is a key the service account cannot read is
      // repaired by a grant (service store first, as Windows searches it first; then the latest expiry).
      const readOnly = (c: CertificateFacts) =>
        c.schannel.obstacles.length > 0 &&
        c.schannel.obstacles.every((o) => o.requirement === "privateKey.readable") &&
        this.certControls(this.index(c)).every((r) => this.judged(r.id).includes("privateKey.readable"));
      const repairable = this.stores
        .filter(readOnly)
        .sort((a, b) => Number(b.storeRole === "service") - Number(a.storeRole === "service") || compareText(b.validity.notAfter, a.validity.notAfter) || compareText(a.thumbprint, b.thumbprint));
      if (repairable.length) {
        intended = grant = repairable[0];
      } else {
        intended = null;
        const certFaults = this.open.filter((c) => this.scope(c.id) === "certificate");
        obtain = {
          optional: false,
          controls: [...certFaults, ...this.hostControls(this.newCertificateFacts())],
          pre: this.precondition("/selection/qualifying", sel.rootCause ?? "no certificate qualifies for LDAPS"),
          why: `No certificate in ${sel.storesRead.join(" or ")} qualifies, and no key grant or move would make one qualify: a new certificate is needed.`,
        };
      }
    }

    const changesSomething = () => this.steps.some((s) => s.action !== "verify" && s.action !== "reload-certificate");
    const allOptional = () => this.steps.every((s) => s.optional);

    // 1. obtain-certificate, and where the new certificate goes.
    let newStore: string | null = null;
    if (obtain) {
      const otherQualifyingInMachine = this.stores.some((c) => c.schannel.usable && c.storeRole === "machine");
      newStore = serviceStoreCerts.length > 0 || otherQualifyingInMachine ? this.t.serviceStore : MACHINE_STORE;
      const storeReason =
        newStore === MACHINE_STORE
          ? `${this.t.serviceStore} is empty: Windows searches the service store first and LocalMachine\\My when the service store has no qualifying certificate, so the certificate stays in LocalMachine\\My (where enrolment and autoenrolment renewals land).`
          : serviceStoreCerts.length > 0
            ? `${this.t.serviceStore} holds ${serviceStoreCerts.length} certificate(s) and Windows searches the service store first: the new certificate goes there so it is found before anything in LocalMachine\\My.`
            : `LocalMachine\\My holds another qualifying certificate, so a second one there would make the choice ambiguous; Windows searches ${this.t.serviceStore} first, so the new certificate goes there and wins deterministically.`;
      this.planObtain(obtain, newStore, storeReason);
      if (this.stopped) return;
    } else if (intended) {
      const inService = intended.storeRole === "service";
      this.intended = {
        thumbprint: intended.thumbprint,
        subject: intended.subject,
        notAfter: intended.validity.notAfter,
        source: "existing",
        store: intended.store ?? MACHINE_STORE,
        storeReason: inService
          ? `It is in ${this.t.serviceStore}, which Windows searches first.`
          : serviceStoreCerts.length === 0
            ? `${this.t.serviceStore} is empty: Windows searches the service store first and uses LocalMachine\\My when the service store has no qualifying certificate.`
            : `${this.t.serviceStore} holds no qualifying certificate, so Windows falls back to LocalMachine\\My.`,
      };
    }

    // 2. place-certificate: an existing intended certificate among several qualifying in LocalMachine\My.
    const ambiguity = this.hostControls(HOST_FACTS["place-certificate"]);
    const resolvesAmbiguity = sel.ambiguous && isMachineStore(sel.effectiveStore) && ambiguity.length > 0;
    // A named certificate Windows would not pick from LocalMachine\My is placed where Windows looks first.
    // (When nothing qualifies yet, the named one is picked once its key is readable: no placement then.)
    const namedNotPicked = chosen !== null && sel.predicted !== null && chosen.thumbprint !== sel.predicted && chosen.storeRole !== "service";
    if (intended && (!grant || namedNotPicked) && (resolvesAmbiguity || namedNotPicked)) {
      this.add({
        action: "place-certificate",
        controls: resolvesAmbiguity ? ambiguity : [],
        // Placing a named certificate Windows would not pick is the point of the plan, never optional.
        optional: namedNotPicked ? false : !ambiguity.some(isFailing),
        precondition: !namedNotPicked
          ? this.precondition("/selection/ambiguous", `${sel.effectiveQualifying.length} qualifying certificates in LocalMachine\\My; Windows' choice among them is not guaranteed`)
          : this.precondition("/selection/predicted", `Windows picks ${sel.predicted ?? "no certificate"}, not the named ${intended.thumbprint}`, { equalsIntended: true }),
        changes: [
          { operation: "copy", store: this.t.serviceStore, thumbprint: intended.thumbprint, description: `copy ${intended.thumbprint} (with its key association) from LocalMachine\\My into ${this.t.serviceStore}; nothing is removed from LocalMachine\\My` },
        ],
        undo: `Delete ${intended.thumbprint} from ${this.t.serviceStore} (the copy in LocalMachine\\My stays).`,
        reason: !namedNotPicked
          ? `Windows searches ${this.t.serviceStore} first: with the intended certificate there, it is chosen deterministically over the ${sel.effectiveQualifying.length} in LocalMachine\\My.`
          : `The certificate was named as the one to use; Windows searches ${this.t.serviceStore} first, so there it is chosen over anything in LocalMachine\\My.`,
        commands: [
          `certutil -store My ${intended.thumbprint} intended.cer`,
          `certutil ${this.certutilStore(this.t.serviceStore)} -addstore ${this.storeArg(this.t.serviceStore)} intended.cer`,
          `certutil ${this.certutilStore(this.t.serviceStore)} -repairstore ${this.storeArg(this.t.serviceStore)} ${intended.thumbprint}`,
        ],
      });
      if (this.intended) {
        this.intended.store = this.t.serviceStore;
        this.intended.storeReason = !namedNotPicked
          ? `${sel.effectiveQualifying.length} qualifying certificates in LocalMachine\\My make the choice ambiguous (certificates there are never deleted by this plan); Windows searches ${this.t.serviceStore} first, so the intended one is placed there.`
          : `It was named as the certificate to use and Windows would not pick it from LocalMachine\\My; Windows searches ${this.t.serviceStore} first, so it is placed there.`;
      }
    }

    // 3. grant-key-read.
    if (grant) {
      const i = this.index(grant);
      const keyFile = this.keyFileOf(grant.thumbprint);
      // The certificate's key controls, and (its only obstacle gone, it qualifies) the host controls on qualifying.
      const controls = [...this.certControls(i, ["privateKey.readable"]), ...this.hostControls([...HOST_FACTS["grant-key-read"], ...QUALIFIES_FACTS])];
      this.add({
        action: "grant-key-read",
        controls,
        optional: false,
        precondition: this.precondition(`/certificates/${i}/privateKey/readable`, grant.privateKey.reason),
        changes: [{ operation: "grant-read", thumbprint: grant.thumbprint, account: this.t.serviceAccount, ...(keyFile ? { path: keyFile } : {}), description: `allow ${this.t.serviceAccount} Read on the private key of ${grant.thumbprint}${keyFile ? ` (${keyFile})` : ""}; no other ACL entry changes` }],
        undo: `Remove the Read entry for ${this.t.serviceAccount} from the key's ACL (the ACL before the change is saved next to the backup).`,
        reason: `${grant.privateKey.reason}. It is the certificate's only obstacle: once ${this.t.serviceAccount} can read the key, it qualifies.`,
        commands: keyFile ? [`icacls "${keyFile}" /grant "${this.t.serviceAccount}:R"`] : [`certlm.msc > ${grant.store ?? MACHINE_STORE} > ${grant.thumbprint} > All Tasks > Manage Private Keys > add ${this.t.serviceAccount}: Read`],
      });
    } else if (newStore && this.t.kind === "adlds") {
      // A new machine key is readable by SYSTEM and Administrators only; the AD LDS account is neither.
      this.add({
        action: "grant-key-read",
        controls: this.hostControls(HOST_FACTS["grant-key-read"]),
        optional: obtain!.optional,
        precondition: this.precondition("/target/serviceAccount", `a new machine key is readable by SYSTEM and Administrators only, not by ${this.t.serviceAccount}; apply checks the new key's ACL and skips this when it can already read it`),
        changes: [{ operation: "grant-read", thumbprint: this.intended?.thumbprint ?? null, account: this.t.serviceAccount, description: `allow ${this.t.serviceAccount} Read on the new certificate's private key` }],
        undo: `Remove the Read entry for ${this.t.serviceAccount} from the new key's ACL.`,
        reason: `AD LDS reads its key as its service account (${this.t.serviceAccount}).`,
        commands: [`icacls "<key file of the new certificate>" /grant "${this.t.serviceAccount}:R"`],
      });
    }

    // 4. remove-competing-certificate: only ever from the service store.
    this.planRemovals(intended, newStore ?? (namedNotPicked || (chosen && chosen.storeRole === "service") ? this.t.serviceStore : null), obtain?.optional ?? false);

    // 5. reload-certificate, 6. verify.
    const reloadFor = this.hostControls(HOST_FACTS["reload-certificate"]);
    if (!changesSomething() && reloadFor.length === 0) return;
    if (!this.intended) return;
    const optional = changesSomething() ? allOptional() && !reloadFor.some(isFailing) : !reloadFor.some(isFailing);
    const mismatch = this.facts.network?.store.matches === false;
    const reloadChanges: PlanChange[] = [
      { operation: "ldap-modify", attribute: "renewServerCertificate", service: this.serviceName(), description: "LDAP modify of the rootDSE attribute renewServerCertificate (value 1): the service reads its certificate stores again, no reboot" },
    ];
    const ldf = "renew.ldf";
    const port = this.t.kind === "adlds" ? this.adldsPorts().ldap : null;
    const commands = [
      `Set-Content ${ldf} "dn:\`nchangetype: modify\`nadd: renewServerCertificate\`nrenewServerCertificate: 1\`n-"`,
      // Without -s, ldifde talks to localhost:389, which is NTDS on a DC that also hosts AD LDS: an instance
      // whose port the snapshot does not know gets a placeholder, never the default.
      `ldifde -i -f ${ldf}${this.t.kind === "adlds" ? ` -s localhost:${port ?? `<LDAP port of ${this.serviceName()}>`}` : ""}`,
    ];
    if (this.options.restartService) {
      reloadChanges.push({ operation: "restart-service", service: this.serviceName(), description: `restart the ${this.serviceName()} service (asked for with --restart-service; interrupts directory service on this host)` });
      commands.push(`Restart-Service ${this.serviceName()} -Force`);
    }
    this.add({
      action: "reload-certificate",
      controls: reloadFor,
      optional,
      // What the plan observed on the wire. Apply does not re-judge it (its fresh collections hold no probe of the
      // wire) and always reloads: a reload of a service already presenting the intended certificate changes nothing.
      precondition: this.precondition(
        "/network/store/matches",
        mismatch
          ? `clients are shown ${this.facts.network?.store.presented ?? "another certificate"}, not the one the stores predict`
          : `the service chose its certificate before these changes; it must present ${this.intended.thumbprint ?? "the new certificate"}`,
        { equals: true },
      ),
      changes: reloadChanges,
      undo: "Nothing to undo: the service re-reads its stores; undo the earlier steps and reload again to go back.",
      reason: "The directory service keeps the certificate it loaded; renewServerCertificate makes it pick again from the stores without a reboot.",
      commands,
    });
    this.planVerify(optional);
  }

  private adldsPorts(): { ldap: number | null; ssl: number } {
    const inst = this.snapshot.host.adldsInstances?.find((i) => i.name === this.t.instance);
    return { ldap: inst?.ldapPort ?? null, ssl: inst?.sslPort ?? 636 };
  }

  private planVerify(optional: boolean): void {
    const gc = this.t.kind === "adds" && this.t.isGlobalCatalog === true;
    const ports = this.t.kind === "adlds" ? [this.adldsPorts().ssl] : gc ? [636, 3269] : [636];
    const checks = [...VERIFY_FACTS, ...(gc ? VERIFY_GC_FACTS : [])];
    // verify observes; it addresses the profile's controls on what it observes, whatever their status now
    // (without probe evidence they are skip).
    const controls = this.report.controls.filter((c) => this.scope(c.id) === "host" && this.judged(c.id).some((r) => checks.includes(r)));
    const deadline = this.options.verifyDeadlineSeconds ?? DEFAULT_DEADLINE;
    const want = this.intended?.thumbprint ?? "the new certificate";
    this.add({
      action: "verify",
      controls,
      optional,
      precondition: this.precondition("/network/store/presented", `the certificate presented must become ${want}`, { equalsIntended: true }),
      changes: ports.map((port) => ({ operation: "probe" as const, port, thumbprint: this.intended?.thumbprint ?? null, description: `probe ${this.t.fqdn}:${port} until it presents ${want}, for at most ${deadline} s` })),
      undo: "Nothing to undo: verify only connects.",
      reason: `Confirms what clients see${gc ? " on LDAPS and the global catalog port" : ""}: the presented certificate is the intended one.`,
      commands: ports.map((port) => `ldaps-audit probe ${this.t.fqdn}:${port} --no-versions --format json`),
    });
  }

  private planObtain(obtain: { optional: boolean; controls: ControlResult[]; pre: Precondition; why: string }, store: string, storeReason: string): void {
    // A named certificate never reaches here: with it, nothing needs obtaining.
    const given = this.options.source;
    const src = given?.kind === "thumbprint" ? undefined : given;
    const fqdn = this.t.fqdn;
    if (!src) {
      this.add({
        action: "obtain-certificate",
        controls: obtain.controls,
        optional: obtain.optional,
        precondition: obtain.pre,
        changes: [],
        undo: "Nothing to undo: no certificate source was given, so this step changes nothing.",
        reason: `${obtain.why} A certificate source is needed: --pfx FILE --password-env VAR (a PFX you have), --enroll TEMPLATE (enrol from your enterprise CA as the machine) or --request DIR (a certreq .inf for an external CA).`,
        commands: [],
      });
      this.intended = { thumbprint: null, subject: null, notAfter: null, source: "none", store, storeReason };
      this.stopped = { after: "obtain-certificate", next: "Give a certificate source (--pfx FILE --password-env VAR, --enroll TEMPLATE or --request DIR) and plan again." };
      return;
    }
    if (!DNS_NAME.test(fqdn)) throw new InputError(`snapshot host.fqdn ${JSON.stringify(fqdn)}: not a DNS name a certificate can carry; collect the snapshot on the host again`);
    if (src.kind === "pfx") {
      const report = preflight({
        fqdn,
        certificateFiles: [src.file],
        rootFiles: src.roots,
        password: src.password,
        store: store === MACHINE_STORE ? "my" : "ntds",
        instance: this.t.kind === "adlds" ? this.snapshot.host.adldsInstances?.find((i) => i.name === this.t.instance) : undefined,
        profile: this.profileName,
        now: this.options.now,
      });
      const t = report.targets[0];
      if (!t || t.status !== "compliant" || !t.selection.predicted) {
        const why = t ? t.controls.filter(isFailing).map((c) => `${c.id} ${c.message}`).join("; ") || t.rootCause || "no certificate qualifies" : "no target";
        throw new InputError(`--pfx ${src.file}: preflight for ${fqdn} (${this.t.service}, ${store}) does not pass: ${why}`);
      }
      const cert = t.certificates.find((c) => c.thumbprint === t.selection.predicted)!;
      this.add({
        action: "obtain-certificate",
        controls: obtain.controls,
        optional: obtain.optional,
        precondition: obtain.pre,
        changes: [{ operation: "import", path: src.file, thumbprint: cert.thumbprint, description: `use the certificate ${cert.thumbprint} from ${src.file} (preflight passed for ${fqdn} with profile ${this.profileName}); the password is read from ${src.passwordEnv ? `$${src.passwordEnv}` : "no variable"}` }],
        undo: "Nothing to undo here: the PFX is only read; placing it is the next step.",
        reason: obtain.why,
        commands: [`ldaps-audit preflight ${src.file}${src.passwordEnv ? ` --password-env ${src.passwordEnv}` : ""} --fqdn ${fqdn}`],
      });
      this.intended = { thumbprint: cert.thumbprint, subject: cert.subject, notAfter: cert.notAfter, source: "pfx", store, storeReason };
      this.add({
        action: "place-certificate",
        controls: this.hostControls(HOST_FACTS["place-certificate"]),
        optional: obtain.optional,
        precondition: this.precondition("/selection/predicted", `${cert.thumbprint} is not in ${store}, so Windows cannot pick it`, { equalsIntended: true }),
        changes: [{ operation: "import", store, thumbprint: cert.thumbprint, path: src.file, description: `import ${src.file} (certificate and private key, key not exportable) into ${store}${store === MACHINE_STORE ? "" : " through the service certificate store"}` }],
        undo: `Delete ${cert.thumbprint} and its key container from ${store}.`,
        reason: storeReason,
        // Without -p certutil asks for the password: it never appears on a command line.
        commands: [`certutil ${this.certutilStore(store)} -importpfx ${this.storeArg(store)} "${src.file}" NoExport`.replace(/\s+/g, " ")],
      });
      return;
    }
    const names = [fqdn, ...(src.extraNames ?? [])];
    for (const n of src.extraNames ?? []) if (!DNS_NAME.test(n)) throw new InputError(`--extra-name ${JSON.stringify(n)}: expected a DNS name, e.g. corp.example.test`);
    if (src.kind === "enroll") {
      if (!TEMPLATE_NAME.test(src.template)) throw new InputError(`--enroll ${JSON.stringify(src.template)}: expected a certificate template name, e.g. LDAPS or DomainController`);
      this.add({
        action: "obtain-certificate",
        controls: obtain.controls,
        optional: obtain.optional,
        precondition: obtain.pre,
        changes: [{ operation: "enrol", store: MACHINE_STORE, template: src.template, names, thumbprint: null, description: `enrol as the machine from template ${src.template} with SAN ${names.join(", ")}; the certificate and a new non-exportable key land in LocalMachine\\My` }],
        undo: "Delete the new certificate and its key from LocalMachine\\My and revoke it at the CA.",
        reason: obtain.why,
        commands: [`certreq -new -machine <request.inf with [RequestAttributes] CertificateTemplate=${src.template}> request.req`, "certreq -submit request.req issued.cer", "certreq -accept -machine issued.cer"],
      });
      this.intended = { thumbprint: null, subject: `CN=${fqdn}`, notAfter: null, source: "enroll", store, storeReason };
      if (store !== MACHINE_STORE) {
        this.add({
          action: "place-certificate",
          controls: this.hostControls(HOST_FACTS["place-certificate"]),
          optional: obtain.optional,
          precondition: this.precondition("/selection/predicted", `the enrolled certificate is not in ${store}, which Windows searches first`, { equalsIntended: true }),
          changes: [{ operation: "copy", store, thumbprint: null, description: `copy the enrolled certificate (with its key association) from LocalMachine\\My into ${store} through the service certificate store` }],
          undo: `Delete the enrolled certificate from ${store} (the one in LocalMachine\\My stays).`,
          reason: storeReason,
          commands: [`certutil ${this.certutilStore(store)} -addstore ${this.storeArg(store)} issued.cer`, `certutil ${this.certutilStore(store)} -repairstore ${this.storeArg(store)} <thumbprint>`],
        });
      }
      return;
    }
    // --request: the plan ends with a CSR; the CA's answer is the next run's --pfx or certreq -accept.
    const file = join(src.dir, `${hostFileStem(fqdn)}.ldaps.inf`);
    try {
      mkdirSync(src.dir, { recursive: true });
    } catch (e) {
      throw new InputError(`--request ${src.dir}: cannot create the folder: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const output = this.options.output && this.options.output !== "-" ? [{ label: "--output", path: this.options.output }] : [];
    const inputs = typeof this.options.snapshot === "string" ? [{ label: "snapshot", path: this.options.snapshot }] : [];
    refuseConflictingOutputs(inputs, [{ label: "--request", path: file }, ...output]);
    writeOutput(file, certreqInf(fqdn, names), "--request");
    this.written.push(file);
    this.add({
      action: "obtain-certificate",
      controls: obtain.controls,
      optional: obtain.optional,
      precondition: obtain.pre,
      changes: [{ operation: "write-request", path: file, names, description: `wrote the certreq request file ${file} (SAN ${names.join(", ")}, Server Authentication, machine key); certreq -new makes the key and the CSR on the host` }],
      undo: `Delete ${file}; after certreq -new, also the pending request's key (certutil -delkey).`,
      reason: `${obtain.why} The certificate comes from an external CA: run the command on the host, send the CSR to the CA.`,
      commands: [`certreq -new -machine ${hostFileStem(fqdn)}.ldaps.inf ${hostFileStem(fqdn)}.csr`],
    });
    this.intended = { thumbprint: null, subject: `CN=${fqdn}`, notAfter: null, source: "request", store, storeReason };
    this.stopped = { after: "obtain-certificate", next: `Run certreq -new on ${fqdn}, have the CA issue the CSR, install the answer with certreq -accept -machine, collect a new snapshot and plan again.` };
  }

  readonly written: string[] = [];

  private planRemovals(intended: CertificateFacts | null, newStore: string | null, obtainOptional: boolean): void {
    const sel = this.facts.selection;
    const backup = this.options.backupDir ?? DEFAULT_BACKUP_DIR;
    const seen = new Set<string>();
    const remove = (c: CertificateFacts, controls: ControlResult[], optional: boolean, pre: Precondition, reason: string) => {
      if (seen.has(c.thumbprint)) return;
      // Never from LocalMachine\My: other services (IIS, RDP, clients) may use what is there.
      if (c.storeRole !== "service") return;
      seen.add(c.thumbprint);
      const file = `${backup}\\${hostFileStem(this.t.fqdn)}\\${c.thumbprint}.cer`;
      this.add({
        action: "remove-competing-certificate",
        idSuffix: c.thumbprint,
        controls,
        optional,
        precondition: pre,
        changes: [
          { operation: "export", store: this.t.serviceStore, thumbprint: c.thumbprint, path: file, description: `export the public certificate ${c.thumbprint} to ${file} first` },
          { operation: "delete", store: this.t.serviceStore, thumbprint: c.thumbprint, description: `delete ${c.thumbprint} from ${this.t.serviceStore} (its private key is kept)` },
        ],
        undo: `Re-add ${file} to ${this.t.serviceStore} (certutil ${this.certutilStore(this.t.serviceStore)} -addstore ${this.storeArg(this.t.serviceStore)} "${file}") and re-link its kept key with -repairstore ${c.thumbprint}.`,
        reason,
        commands: [`certutil ${this.certutilStore(this.t.serviceStore)} -store ${this.storeArg(this.t.serviceStore)} ${c.thumbprint} "${file}"`, `certutil ${this.certutilStore(this.t.serviceStore)} -delstore ${this.storeArg(this.t.serviceStore)} ${c.thumbprint}`],
      });
    };
    // Stale certificates in the service store (expired or not qualifying), when the profile flags them.
    const staleControls = this.hostControls(["selection.staleInServiceStore"]);
    if (staleControls.length) {
      sel.staleInServiceStore.forEach((tp) => {
        const c = this.stores.find((x) => x.thumbprint === tp);
        if (!c || c === intended) return;
        remove(c, staleControls, !staleControls.some(isFailing), this.precondition("/selection/staleInServiceStore", `${tp} in ${this.t.serviceStore} is expired or cannot qualify`, { excludes: tp }), `${tp} in ${this.t.serviceStore} ${c.schannel.obstacles.map((o) => o.reason).join("; ") || "has expired"}; it only confuses whoever reads the store next.`);
      });
    }
    // Other qualifying certificates in the service store compete with the intended one.
    const ambiguity = this.hostControls(["selection.ambiguous"]);
    const competitors = this.stores.filter((c) => c.storeRole === "service" && c.schannel.usable && c !== intended);
    for (const c of competitors) {
      const inEffect = sel.effectiveQualifying.indexOf(c.thumbprint);
      if (intended && sel.ambiguous && ambiguity.length && inEffect >= 0) {
        remove(c, ambiguity, !ambiguity.some(isFailing), this.precondition("/selection/qualifying", `${c.thumbprint} qualifies in ${this.t.serviceStore} besides the intended ${intended.thumbprint}`, { excludes: c.thumbprint }), `Several qualifying certificates in ${this.t.serviceStore} make Windows' choice unpredictable; ${c.thumbprint} is not the intended one.`);
      } else if (newStore === this.t.serviceStore) {
        const faults = this.certControls(this.index(c));
        remove(c, faults, obtainOptional, this.precondition("/selection/qualifying", `${c.thumbprint} qualifies in ${this.t.serviceStore} and would compete with the new certificate`, { excludes: c.thumbprint }), `${c.thumbprint} is being replaced; left in ${this.t.serviceStore} it would compete with the new certificate.`);
      }
    }
  }

  unaddressed(): PlanTarget["unaddressed"] {
    const done = new Set(this.steps.filter((s) => s.action !== "verify").flatMap((s) => s.controls));
    return this.open.filter((c) => !done.has(c.id)).map((c) => ({ control: c.id, status: c.status, remediation: c.remediation ?? null }));
  }
}

/** Order as an administrator would: obtain, place, grant key read, remove competing, reload, verify. */
function ordered(steps: PlanStep[]): PlanStep[] {
  return steps.map((s, i) => ({ s, i })).sort((a, b) => PLAN_ACTIONS.indexOf(a.s.action) - PLAN_ACTIONS.indexOf(b.s.action) || a.i - b.i).map((x) => x.s);
}

/** Read the snapshot, judge it with the profile through audit(), and plan. Writes only the --request .inf. */
export function planFix(options: PlanOptions): PlanResult {
  const loaded = typeof options.snapshot === "string" ? { ...readSnapshot(options.snapshot), source: options.snapshot } : options.snapshot;
  const { snapshot, sha256: digest, source } = loaded;
  const profileName = options.profile ?? "baseline";
  const judged: Array<{ report: ReportTarget; facts: TargetFacts }> = [];
  const { header } = audit(
    { profile: profileName, now: options.now, snapshots: [{ snapshot, source, sha256: digest, kind: "snapshot" }] },
    { onTarget: () => undefined, onFacts: (report, facts) => judged.push({ report, facts }) },
  );
  const profile = loadProfile(profileName);
  const targets: PlanTarget[] = [];
  const steps: PlanStep[] = [];
  const written: string[] = [];
  let stopped: Plan["stopped"] = null;
  for (const { report, facts } of judged) {
    const t = facts.target;
    if (t.kind === "unknown" || !t.service) {
      throw new InputError(`${source}: ${t.host} is neither a domain controller nor an AD LDS server in this snapshot (a probe-only snapshot?); fix needs the collector's snapshot of the host`);
    }
    if (facts.selection.storesMissing.length) {
      throw new InputError(`${source}: ${facts.selection.storesMissing.join(" and ")} not read for ${t.service} (${facts.collectionErrors.map((e) => e.code ?? e.message).join(", ") || "not collected"}); collect again as a local administrator: a plan without store evidence would guess`);
    }
    assertCommandSafe("host.fqdn", t.fqdn, source);
    assertCommandSafe("the service name", t.service, source);
    assertCommandSafe("the service store", t.serviceStore, source);
    assertCommandSafe("the service account", t.serviceAccount, source);
    const planner = new TargetPlanner(facts, report, profile.controls, snapshot, options, profileName, source);
    planner.plan();
    steps.push(...planner.steps);
    // One .inf per host: a DC that also hosts AD LDS plans the same machine request twice; say it once.
    written.push(...planner.written.filter((f) => !written.includes(f)));
    stopped = stopped ?? planner.stopped;
    targets.push({
      service: t.service,
      kind: t.kind,
      serviceStore: t.serviceStore,
      serviceAccount: t.serviceAccount,
      intendedCertificate: planner.intended,
      unaddressed: planner.unaddressed(),
    });
  }
  const plan: Plan = {
    $schema: PLAN_SCHEMA_ID,
    planVersion: 1,
    tool: { name: "ldaps-audit", version: toolVersion() },
    mode: "plan",
    host: snapshot.host.fqdn,
    snapshot: { path: source, sha256: digest },
    stateDigest: stateDigest(snapshot),
    profile: { id: header.profile.id, sha256: header.profile.sha256 },
    now: header.now,
    stopped,
    targets,
    steps: ordered(steps),
  };
  return { plan, written };
}

/** 0: nothing needs doing; 1: the plan has steps, or failing controls remain that no step addresses. */
export function planExitCode(plan: Plan): number {
  const failing = plan.targets.some((t) => t.unaddressed.some((u) => u.status === "fail" || u.status === "error"));
  return plan.steps.length > 0 || failing ? 1 : 0;
}

