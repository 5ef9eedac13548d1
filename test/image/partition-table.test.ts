import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { boards } from "../../boards/index.js";
import {
  decodePartitionTable,
  encodePartitionTable,
  formatPartitionCsv,
  MAX_PARTITIONS,
  type PartitionEntry,
  PartitionFlag,
  PartitionTableError,
  parsePartitionCsv,
  validatePartitionTable,
} from "../../host/image/partition-table.js";
import { fromHex, hex, SeededRandom } from "../support/seeded-random.js";

/**
 * ESP-IDF's "Single factory app, no OTA" table, exactly as the Partition Tables guide prints it.
 * The binary below was packed from it the way gen_esp32part.py packs (struct "<2sBBLL16sL", then
 * EB EB + 14 × FF + MD5, then FF to 0xC00) by a separate Python script, and its MD5,
 * f4ad4f4538564b5d7435b62c75b69524, is the one an ESP-IDF 4.3 build's flash image carries (dumped
 * with esp32_image_parser.py show_partitions in a public ESP32 CTF write-up).
 */
const SINGLE_APP_CSV = `# ESP-IDF Partition Table
# Name,   Type, SubType, Offset,  Size,   Flags
nvs,      data, nvs,     0x9000,  0x6000,
phy_init, data, phy,     0xf000,  0x1000,
factory,  app,  factory, 0x10000, 1M,
`;
const SINGLE_APP_BINARY_PREFIX = fromHex(`
  aa50010200900000006000006e767300000000000000000000000000 00000000
  aa50010100f00000001000007068795f696e69740000000000000000 00000000
  aa500000000001000000100066616374 6f727900000000000000000000000000
  ebebffffffffffffffffffffffffffff f4ad4f4538564b5d7435b62c75b69524`);
const SINGLE_APP_ENTRIES: PartitionEntry[] = [
  { label: "nvs", type: 1, subtype: 2, offset: 0x9000, size: 0x6000, flags: 0 },
  { label: "phy_init", type: 1, subtype: 1, offset: 0xf000, size: 0x1000, flags: 0 },
  { label: "factory", type: 0, subtype: 0, offset: 0x10000, size: 0x100000, flags: 0 },
];

function knownBinary(): Uint8Array {
  const table = new Uint8Array(0xc00).fill(0xff);
  table.set(SINGLE_APP_BINARY_PREFIX);
  return table;
}

describe("the ESP-IDF default table", () => {
  it("parses from the documented CSV and encodes to the known binary", () => {
    const entries = parsePartitionCsv(SINGLE_APP_CSV);
    expect(entries).toEqual(SINGLE_APP_ENTRIES);
    expect(hex(encodePartitionTable(entries))).toBe(hex(knownBinary()));
  });

  it("decodes from the known binary with its MD5 verified", () => {
    expect(decodePartitionTable(knownBinary())).toEqual({ ok: true, entries: SINGLE_APP_ENTRIES, md5: "verified" });
  });

  it("carries the MD5 of the entries before it (node:crypto as the second implementation)", () => {
    const table = encodePartitionTable(SINGLE_APP_ENTRIES);
    const md5 = createHash("md5").update(table.subarray(0, 96)).digest();
    expect(hex(table.subarray(96, 98))).toBe("ebeb");
    expect(hex(table.subarray(98, 112))).toBe("ff".repeat(14));
    expect(hex(table.subarray(112, 128))).toBe(hex(md5));
    expect(hex(md5)).toBe("f4ad4f4538564b5d7435b62c75b69524");
    expect(table.subarray(128).every((b) => b === 0xff)).toBe(true);
  });
});

describe("round trip", () => {
  it("every board's table survives encode → decode and CSV → parse", () => {
    for (const board of boards) {
      const { partitions } = board.flash;
      const decoded = decodePartitionTable(encodePartitionTable(partitions));
      expect(decoded).toEqual({ ok: true, entries: partitions, md5: "verified" });
      expect(parsePartitionCsv(formatPartitionCsv(partitions))).toEqual(partitions);
    }
  });

  it("keeps flags, custom types, 16-byte labels and tables without MD5", () => {
    const entries: PartitionEntry[] = [
      {
        label: "sixteen-chars-ok",
        type: 0x40,
        subtype: 0x07,
        offset: 0x9000,
        size: 0x1000,
        flags: PartitionFlag.Readonly,
      },
      { label: "secret", type: 1, subtype: 4, offset: 0xa000, size: 0x1000, flags: PartitionFlag.Encrypted },
    ];
    expect(decodePartitionTable(encodePartitionTable(entries))).toEqual({ ok: true, entries, md5: "verified" });
    expect(decodePartitionTable(encodePartitionTable(entries, { md5: false }))).toEqual({
      ok: true,
      entries,
      md5: "absent",
    });
    expect(formatPartitionCsv(entries)).toContain("readonly");
    expect(parsePartitionCsv(formatPartitionCsv(entries))).toEqual(entries);
  });

  it("fills a full table of 95 entries, which leaves no room for an end marker", () => {
    const entries = Array.from({ length: MAX_PARTITIONS }, (_, i) => ({
      label: `p${i}`,
      type: 1,
      subtype: 0x81,
      offset: 0x9000 + i * 0x1000,
      size: 0x1000,
      flags: 0,
    }));
    const table = encodePartitionTable(entries);
    expect(table.length).toBe(0xc00);
    expect(decodePartitionTable(table)).toEqual({ ok: true, entries, md5: "verified" });
    expect(() => encodePartitionTable([...entries, entries[0]])).toThrow(PartitionTableError);
  });

  it("places blank CSV offsets after the previous partition, apps on 64 KiB", () => {
    const entries = parsePartitionCsv(
      "nvs, data, nvs, , 24K\nfactory, app, factory, , 1M\nlog, data, , , 0x2000, readonly",
    );
    expect(entries.map((e) => [e.offset, e.size])).toEqual([
      [0x9000, 0x6000],
      [0x10000, 0x100000],
      [0x110000, 0x2000],
    ]);
    expect(entries[2]).toMatchObject({ subtype: 0x06, flags: PartitionFlag.Readonly });
  });
});

describe("rejects what it cannot encode or parse", () => {
  it("refuses labels over 16 bytes and fields out of range", () => {
    const base = SINGLE_APP_ENTRIES[0];
    expect(() => encodePartitionTable([{ ...base, label: "seventeen-chars!!" }])).toThrow(/16/);
    expect(() => encodePartitionTable([{ ...base, type: 256 }])).toThrow(PartitionTableError);
    expect(() => encodePartitionTable([{ ...base, offset: -1 }])).toThrow(PartitionTableError);
  });

  it("names the CSV line at fault", () => {
    expect(() => parsePartitionCsv("nvs, data, nvs, 0x9000, 0x6000\nbad, sideways, 0, , 4K")).toThrow(
      /line 2: unknown type 'sideways'/,
    );
    expect(() => parsePartitionCsv("app0, app, , , 1M")).toThrow(/line 1: an app partition needs a subtype/);
    expect(() => parsePartitionCsv("x, data, nvs, 0x9000, lots")).toThrow(/bad size 'lots'/);
  });
});

describe("validation", () => {
  const table = (...entries: Partial<PartitionEntry>[]) =>
    entries.map((e, i) => ({ label: `p${i}`, type: 1, subtype: 0x81, offset: 0x9000, size: 0x1000, flags: 0, ...e }));

  it("accepts the ESP-IDF default table on 4 MiB", () => {
    expect(validatePartitionTable(SINGLE_APP_ENTRIES, { flashBytes: 4 << 20 })).toEqual([]);
  });

  it("finds overlaps, misalignment, sizes off the sector, duplicates and overflow", () => {
    const problems = (entries: PartitionEntry[]) => validatePartitionTable(entries, { flashBytes: 0x200000 });
    expect(problems(table({ offset: 0x9000, size: 0x2000 }, { offset: 0xa000 }))).toEqual([
      "partition 'p1' at 0xa000 overlaps 'p0' (0x9000–0xafff)",
    ]);
    expect(problems(table({ type: 0, subtype: 0, offset: 0x18000, size: 0x10000 }))).toEqual([
      "partition 'p0': offset 0x18000 is not aligned to 0x10000",
    ]);
    expect(problems(table({ offset: 0x9800 }))).toEqual(["partition 'p0': offset 0x9800 is not aligned to 0x1000"]);
    expect(problems(table({ size: 0x1800 }))).toEqual(["partition 'p0': size 0x1800 is not a multiple of 4 KiB"]);
    expect(problems(table({ offset: 0x8000 }))).toEqual([
      "partition 'p0': offset 0x8000 is below 0x9000, the end of the partition table",
    ]);
    expect(problems(table({ offset: 0x1ff000, size: 0x2000 }))).toEqual([
      "partition 'p0': ends at 0x201000, past the end of 2 MiB flash",
    ]);
    expect(problems(table({ label: "same" }, { label: "same", offset: 0xa000 }))).toEqual([
      "partition 'same': label used twice",
    ]);
    expect(problems(table({ type: 0xff }))).toEqual(["partition 'p0': type 255 is not 0x00–0xFE"]);
  });
});

describe("decoding hostile or damaged bytes", () => {
  it("reports erased flash, bad magic, MD5 mismatch and truncation by kind", () => {
    expect(decodePartitionTable(new Uint8Array(0xc00).fill(0xff))).toMatchObject({ ok: false, error: "empty" });
    expect(decodePartitionTable(new Uint8Array(0))).toMatchObject({ ok: false, error: "empty" });
    expect(decodePartitionTable(new Uint8Array(0xc00))).toMatchObject({ ok: false, error: "bad-magic" });

    const flipped = knownBinary();
    flipped[5] ^= 0x01; // nvs offset 0x9000 → 0x9100: the MD5 no longer matches
    expect(decodePartitionTable(flipped)).toMatchObject({ ok: false, error: "md5-mismatch" });

    expect(decodePartitionTable(knownBinary().subarray(0, 100))).toMatchObject({ ok: false, error: "truncated" });
    expect(decodePartitionTable(knownBinary().subarray(0, 96))).toMatchObject({ ok: false, error: "truncated" });
  });

  it("reads a whole 4 KiB sector, ignoring what follows the table", () => {
    const sector = new Uint8Array(0x1000).fill(0x00);
    sector.set(knownBinary());
    expect(decodePartitionTable(sector)).toMatchObject({ ok: true, entries: SINGLE_APP_ENTRIES });
  });

  it("never throws on random bytes, truncations or single-byte corruptions (seeded fuzz)", () => {
    const random = new SeededRandom(0x5eed4);
    const valid = encodePartitionTable(boards[0].flash.partitions);
    for (let round = 0; round < 3000; round++) {
      let input: Uint8Array;
      switch (round % 4) {
        case 0:
          input = random.bytes(random.below(0xd00));
          break;
        case 1:
          input = valid.subarray(0, random.below(valid.length + 1));
          break;
        case 2: {
          input = valid.slice();
          input[random.below(input.length)] ^= 1 + random.below(255);
          break;
        }
        default: {
          // Valid entry magic everywhere, garbage fields: exercises labels, sizes and the MD5 path.
          input = random.bytes(0xc00);
          for (let at = 0; at < input.length; at += 32)
            input.set(random.below(4) === 0 ? [0xeb, 0xeb] : [0xaa, 0x50], at);
        }
      }
      const result = decodePartitionTable(input);
      expect(typeof result.ok).toBe("boolean");
      if (!result.ok) expect(result.message.length).toBeGreaterThan(0);
    }
  });
});
