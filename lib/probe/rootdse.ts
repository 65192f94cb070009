// The anonymous rootDSE read (RFC 4511 4.5: a base search of "" for a few attributes), spoken by the probe
// itself instead of through ldapts, the answer read with a bounded frame reader. issue 17: ldapts' client,
// search and unbind were ~15% of a `probe --no-versions` run in the CPU profile. ldapts still does the bind
// and the DC listing (lib/probe/ldap.ts).
// The unbind is NOT sent in the same write as the search: slapd runs a connection's operations on several
// threads and an unbind may abandon what is outstanding (RFC 4511 4.3), and it did: the search's answer was
// lost and the connection closed (seen once in test/probe/rootdse.test.ts). ldap.ts unbinds after the answer.
// test/probe/rootdse.test.ts proves the values equal ldapts' on a real slapd and fuzzes the reader.
import type { Socket } from "node:net";
import { readTlv, RESULT_CODES, Tlv, tlv } from "./ber";

/** Largest answer to the rootDSE search the probe buffers (five attributes: real ones are under 2 KiB). */
export const MAX_ROOTDSE_RESPONSE = 256 * 1024;

export const ROOT_DSE_ATTRIBUTES = ["dnsHostName", "isGlobalCatalogReady", "supportedLDAPVersion", "defaultNamingContext", "vendorName"];

const SEARCH_ID = 1;

/** LDAPMessage { 1, SearchRequest { "", baseObject, neverDerefAliases, 0, 0, FALSE, (objectClass=*), attributes } }. */
export function rootDseRequest(attributes = ROOT_DSE_ATTRIBUTES): Buffer {
  const op = tlv(
    0x63,
    Buffer.concat([
      tlv(0x04, Buffer.alloc(0)), // baseObject: the root DSE
      tlv(0x0a, Buffer.from([0])), // scope: baseObject
      tlv(0x0a, Buffer.from([0])), // derefAliases: never
      tlv(0x02, Buffer.from([0])), // sizeLimit
      tlv(0x02, Buffer.from([0])), // timeLimit
      tlv(0x01, Buffer.from([0])), // typesOnly: FALSE
      tlv(0x87, Buffer.from("objectClass", "latin1")), // filter: present objectClass
      tlv(0x30, Buffer.concat(attributes.map((a) => tlv(0x04, Buffer.from(a, "latin1"))))),
    ]),
  );
  return tlv(0x30, Buffer.concat([tlv(0x02, Buffer.from([SEARCH_ID])), op]));
}

/** The same bytes for every endpoint: built once. */
const ROOT_DSE_REQUEST = rootDseRequest();

export class RootDseError extends Error {}

/** Attribute values of the entry, by lower-case attribute name. */
export type RootDseEntry = Map<string, Buffer[]>;

export type RootDseAnswer =
  | { state: "more" }
  | { state: "done"; entry: RootDseEntry | null }
  | { state: "error"; message: string };

const integerAt = (buf: Buffer, t: Tlv): number => {
  let n = 0;
  for (let i = t.start; i < t.end && i < t.start + 4; i++) n = n * 256 + buf[i];
  return n;
};

/** Length of the whole message whose header starts `buf`, or null while the header is incomplete. */
function messageLength(buf: Buffer): number | null {
  if (buf.length < 2) return null;
  const l = buf[1];
  if (!(l & 0x80)) return 2 + l;
  const n = l & 0x7f; // 1-4: readTlv refused the other forms already
  if (buf.length < 2 + n) return null;
  let length = 0;
  for (let i = 0; i < n; i++) length = length * 256 + buf[2 + i];
  return 2 + n + length;
}

/** Children of a constructed TLV; RootDseError when they do not fill it exactly. */
function children(buf: Buffer, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = parent.start; at < parent.end; ) {
    const t = readTlv(buf, at);
    if (!t || t.end > parent.end) throw new RootDseError("an element runs past its container");
    out.push(t);
    at = t.end;
  }
  return out;
}

/**
 * Reads the answer to rootDseRequest as it arrives: SearchResultEntry, references (skipped), then
 * SearchResultDone. Bounded: chunks are joined only once a whole message is there, at most
 * MAX_ROOTDSE_RESPONSE bytes are taken, and hostile bytes are an "error" answer, never a throw.
 */
export class RootDseReader {
  private chunks: Buffer[] = [];
  private pending = 0;
  /** Bytes needed before the next message can be complete (2: a header's first bytes). */
  private need = 2;
  private total = 0;
  private entry: RootDseEntry | null = null;
  private answer: RootDseAnswer = { state: "more" };

  push(chunk: Buffer): RootDseAnswer {
    if (this.answer.state !== "more") return this.answer;
    this.total += chunk.length;
    if (this.total > MAX_ROOTDSE_RESPONSE) return (this.answer = { state: "error", message: `the rootDSE answer exceeds ${MAX_ROOTDSE_RESPONSE} bytes` });
    this.chunks.push(chunk);
    this.pending += chunk.length;
    try {
      while (this.answer.state === "more" && this.pending >= this.need) {
        const buf = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
        this.chunks = [buf];
        if (buf[0] !== 0x30) throw new RootDseError(`the server did not answer with an LDAP message (first byte 0x${buf[0].toString(16).padStart(2, "0")})`);
        let msg: Tlv | null;
        try {
          msg = readTlv(buf, 0);
          if (!msg) {
            // Not all of the message yet: join again only once as many bytes as it needs are there.
            this.need = messageLength(buf) ?? buf.length + 1;
            break;
          }
        } catch (e) {
          throw new RootDseError((e as Error).message);
        }
        this.need = 2;
        this.message(buf, msg);
        const rest = buf.subarray(msg.end);
        this.chunks = rest.length ? [rest] : [];
        this.pending = rest.length;
      }
    } catch (e) {
      this.answer = { state: "error", message: e instanceof RootDseError ? e.message : `malformed LDAP answer: ${(e as Error).message}` };
    }
    return this.answer;
  }

  private message(buf: Buffer, msg: Tlv): void {
    const [id, op] = children(buf, msg);
    if (!id || id.tag !== 0x02 || !op) throw new RootDseError("malformed LDAP message (no message id or operation)");
    const messageId = integerAt(buf, id);
    if (messageId === 0 && op.tag === 0x78) throw new RootDseError(`the server disconnected (notice of disconnection: ${this.result(buf, op)})`);
    if (messageId !== SEARCH_ID) throw new RootDseError(`an answer to message ${messageId}, not to the search (${SEARCH_ID})`);
    if (op.tag === 0x64) {
      if (this.entry) throw new RootDseError("more than one rootDSE entry");
      this.entry = this.attributes(buf, op);
    } else if (op.tag === 0x73) {
      // SearchResultReference: nothing of the rootDSE's own.
    } else if (op.tag === 0x65) {
      const [code] = children(buf, op);
      if (!code || code.tag !== 0x0a) throw new RootDseError("malformed search result (no result code)");
      const resultCode = integerAt(buf, code);
      if (resultCode !== 0) throw new RootDseError(this.result(buf, op));
      this.answer = { state: "done", entry: this.entry };
    } else {
      throw new RootDseError(`unexpected LDAP operation (tag 0x${op.tag.toString(16)}) in answer to the search`);
    }
  }

  /** "code name: diagnostic" of an LDAPResult. */
  private result(buf: Buffer, op: Tlv): string {
    const [code, , diag] = children(buf, op);
    const n = code && code.tag === 0x0a ? integerAt(buf, code) : -1;
    const text = diag && diag.tag === 0x04 ? buf.subarray(diag.start, diag.end).toString("utf8") : "";
    return `${n} ${RESULT_CODES[n] ?? "unknown"}${text ? `: ${text}` : ""}`;
  }

  private attributes(buf: Buffer, op: Tlv): RootDseEntry {
    const [name, list] = children(buf, op);
    if (!name || name.tag !== 0x04 || !list || list.tag !== 0x30) throw new RootDseError("malformed search entry");
    const entry: RootDseEntry = new Map();
    for (const attr of children(buf, list)) {
      const [type, vals] = children(buf, attr);
      if (attr.tag !== 0x30 || !type || type.tag !== 0x04 || !vals || vals.tag !== 0x31) throw new RootDseError("malformed attribute in the search entry");
      const key = buf.subarray(type.start, type.end).toString("utf8").toLowerCase();
      const values = children(buf, vals).map((v) => {
        if (v.tag !== 0x04) throw new RootDseError("malformed attribute value in the search entry");
        return Buffer.from(buf.subarray(v.start, v.end));
      });
      entry.set(key, [...(entry.get(key) ?? []), ...values]);
    }
    return entry;
  }
}

/**
 * Send the rootDSE search on an established TLS socket and read the answer. Resolves with the entry (null when the server returned none); rejects with a one-line Error. The
 * caller bounds it in time (Attempt.run) and destroys the socket.
 */
export function readRootDse(socket: Socket): Promise<RootDseEntry | null> {
  return new Promise((resolve, reject) => {
    const reader = new RootDseReader();
    const finish = (a: RootDseAnswer) => {
      socket.removeListener("data", onData);
      socket.removeListener("close", onClose);
      socket.removeListener("error", onError);
      if (a.state === "done") resolve(a.entry);
      else reject(new RootDseError(a.state === "error" ? a.message : "Connection closed"));
    };
    const onData = (chunk: Buffer) => {
      const a = reader.push(chunk);
      if (a.state !== "more") finish(a);
    };
    const onClose = () => finish({ state: "error", message: "Connection closed" });
    const onError = (e: Error) => finish({ state: "error", message: e.message });
    socket.on("data", onData);
    socket.once("close", onClose);
    socket.once("error", onError);
    socket.write(ROOT_DSE_REQUEST);
  });
}
