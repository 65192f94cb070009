// --domain discovery: DNS SRV _ldap._tcp.dc._msdcs.<domain> answered by a tiny DNS server on loopback.
import { createSocket, Socket } from "node:dgram";
import { discoverByDns, probeHosts } from "../../lib/probe";
import { PEER_DEADLINE_MS } from "../helpers/peers";

/** Minimal authoritative DNS responder: SRV and A records for fixed names, NXDOMAIN otherwise. */
function dnsServer(records: { srv: Record<string, Array<{ priority: number; weight: number; port: number; target: string }>>; a: Record<string, string> }): Promise<{ port: number; close: () => void }> {
  const name = (labels: string) => Buffer.concat([...labels.split(".").filter(Boolean).map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0])]);
  const readName = (buf: Buffer, off: number): [string, number] => {
    const parts: string[] = [];
    while (buf[off] !== 0) {
      parts.push(buf.subarray(off + 1, off + 1 + buf[off]).toString());
      off += buf[off] + 1;
    }
    return [parts.join("."), off + 1];
  };
  const sock: Socket = createSocket("udp4");
  sock.on("message", (msg, rinfo) => {
    const id = msg.subarray(0, 2);
    const [qname, end] = readName(msg, 12);
    const qtype = msg.readUInt16BE(end);
    const question = msg.subarray(12, end + 4);
    const answers: Buffer[] = [];
    const key = qname.toLowerCase();
    if (qtype === 33) {
      for (const r of records.srv[key] ?? []) {
        const rdata = Buffer.concat([Buffer.from([r.priority >> 8, r.priority & 255, r.weight >> 8, r.weight & 255, r.port >> 8, r.port & 255]), name(r.target)]);
        answers.push(Buffer.concat([Buffer.from([0xc0, 12, 0, 33, 0, 1, 0, 0, 0, 60, rdata.length >> 8, rdata.length & 255]), rdata]));
      }
    } else if (qtype === 1 && records.a[key]) {
      answers.push(Buffer.concat([Buffer.from([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4]), Buffer.from(records.a[key].split(".").map(Number))]));
    }
    const known = Boolean(records.srv[key] || records.a[key]);
    const header = Buffer.from([id[0], id[1], 0x84, known ? 0 : 3, 0, 1, 0, answers.length, 0, 0, 0, 0]);
    sock.send(Buffer.concat([header, question, ...answers]), rinfo.port, rinfo.address);
  });
  return new Promise((resolve) => sock.bind(0, "127.0.0.1", () => resolve({ port: sock.address().port, close: () => sock.close() })));
}

describe("DC discovery by DNS SRV", () => {
  let dns: { port: number; close: () => void };
  beforeAll(async () => {
    dns = await dnsServer({
      srv: {
        "_ldap._tcp.dc._msdcs.example.test": [
          { priority: 0, weight: 100, port: 389, target: "dc2.example.test" },
          { priority: 0, weight: 100, port: 389, target: "dc1.example.test" },
          { priority: 10, weight: 0, port: 389, target: "DC1.example.test." },
        ],
      },
      a: { "dc1.example.test": "127.0.0.1", "dc2.example.test": "127.0.0.2" },
    });
  });
  afterAll(() => dns.close());

  test("lists each DC once, by priority then weight then name", async () => {
    const dcs = await discoverByDns("example.test", [`127.0.0.1:${dns.port}`]);
    expect(dcs.map((d) => d.host)).toEqual(["dc1.example.test", "dc2.example.test"]);
  });

  test("an unknown domain is a usage error naming the SRV record", async () => {
    await expect(discoverByDns("nowhere.test", [`127.0.0.1:${dns.port}`])).rejects.toThrow(/_ldap\._tcp\.dc\._msdcs\.nowhere\.test/);
  });

  test("probeHosts --domain probes every discovered DC, resolving names through the same server", async () => {
    const { freePort } = await import("./helpers/net");
    const closed = await freePort();
    const res = await probeHosts([], { domain: "example.test", dnsServers: [`127.0.0.1:${dns.port}`], ports: [closed], timeoutMs: PEER_DEADLINE_MS, versions: false });
    expect(res.map((r) => r.snapshot.host.fqdn)).toEqual(["dc1.example.test", "dc2.example.test"]);
    expect(res.map((r) => r.snapshot.network!.endpoints[0].address)).toEqual(["127.0.0.1", "127.0.0.2"]);
    expect(res.every((r) => r.snapshot.network!.endpoints[0].failure?.kind === "refused")).toBe(true);
  });
});
