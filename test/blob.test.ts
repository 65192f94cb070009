import fc from "fast-check";
import { BlobError, parseKeyProvInfo, parseRegistryBlob, readBlobProperties, serializeKeyProvInfo, serializeRegistryBlob } from "../lib/x509/blob";
import { parseCertificate } from "../lib/x509/certificate";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const example = JSON.parse(readFileSync(join(__dirname, "..", "examples", "adlds-instance.snapshot.json"), "utf8"));
const blob = Buffer.from(example.stores[0].certificates[0].registryBlob, "base64");

describe("NTDS / ADAM registry Blob", () => {
  test("the example's Blob (built by examples/build-snapshots.js with raw byte writes) parses", () => {
    const parsed = parseRegistryBlob(blob);
    expect(parsed.properties.map((p) => p.id)).toEqual([2, 3, 32]);
    const cert = parseCertificate(parsed.certificate!);
    expect(parsed.sha1).toBe(cert.thumbprint);
    expect(cert.subjectCommonNames).toEqual(["lds1.corp.example.test"]);
    expect(parsed.keyProvInfo).toEqual({
      containerName: "te-LDS-7a1c",
      providerName: "Microsoft RSA SChannel Cryptographic Provider",
      providerType: 12,
      flags: 0x20,
      keySpec: 1,
      providerKind: "csp",
    });
  });

  test("records in any order are all found", () => {
    const props = readBlobProperties(blob);
    const reordered = serializeRegistryBlob([props[2], { id: 11, value: Buffer.from("LDAPS\0", "utf16le") }, props[0], props[1]]);
    const parsed = parseRegistryBlob(reordered);
    expect(parsed.certificate?.equals(props[2].value)).toBe(true);
    expect(parsed.friendlyName).toBe("LDAPS");
    expect(parsed.keyProvInfo?.providerType).toBe(12);
  });

  test("a CNG key storage provider (type 0) is told apart from a CSP", () => {
    const kpi = serializeKeyProvInfo({ containerName: "c", providerName: "Microsoft Software Key Storage Provider", providerType: 0, keySpec: 0 });
    expect(parseKeyProvInfo(kpi)).toMatchObject({ providerKind: "ksp", providerName: "Microsoft Software Key Storage Provider" });
  });

  test("truncation anywhere gives a BlobError naming the byte", () => {
    expect(() => parseRegistryBlob(blob.subarray(0, 5))).toThrow(/truncated property header at byte 0/);
    expect(() => parseRegistryBlob(blob.subarray(0, blob.length - 1))).toThrow(/declares \d+ bytes but only \d+ remain/);
    const kpiBad = serializeRegistryBlob([{ id: 2, value: Buffer.alloc(20) }]);
    expect(() => parseRegistryBlob(kpiBad)).toThrow(/expected at least 28/);
  });

  const record = fc.record({ id: fc.integer({ min: 0, max: 200 }).filter((i) => i !== 2), value: fc.uint8Array({ maxLength: 64 }).map((u) => Buffer.from(u)) });

  test("property: serialize then parse gives back every record", () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 10 }), (props) => {
        const back = readBlobProperties(serializeRegistryBlob(props));
        expect(back.map((p) => [p.id, p.value.toString("hex")])).toEqual(props.map((p) => [p.id, p.value.toString("hex")]));
      }),
    );
  });

  test("property: key provider info round-trips any names", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }).filter((s) => !s.includes("\0")), fc.string({ maxLength: 60 }).filter((s) => !s.includes("\0")), fc.nat(30), fc.nat(2), (container, provider, type, spec) => {
        const info = parseKeyProvInfo(serializeKeyProvInfo({ containerName: container, providerName: provider, providerType: type, keySpec: spec }));
        expect(info).toMatchObject({ containerName: container, providerName: provider, providerType: type, keySpec: spec });
      }),
    );
  });

  test("property: arbitrary bytes give a parse or a BlobError, never a crash", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          parseRegistryBlob(Buffer.from(bytes));
        } catch (e) {
          expect(e).toBeInstanceOf(BlobError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
