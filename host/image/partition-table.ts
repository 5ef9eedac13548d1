// The ESP-IDF partition table: the binary the ESP-IDF bootloader reads at 0x8000, and the CSV form
// gen_esp32part.py reads and writes. Source: ESP-IDF Programming Guide, "Partition Tables"
// (https://docs.espressif.com/projects/esp-idf/en/latest/esp32/api-guides/partition-tables.html),
// and the binary layout gen_esp32part.py packs (struct "<2sBBLL16sL").
//
// Binary: 32-byte entries, little-endian —
//   0  magic AA 50 · 2 type · 3 subtype · 4 offset (u32) · 8 size (u32) · 12 label (16, NUL-padded)
//   · 28 flags (u32: bit 0 encrypted, bit 1 readonly)
// then one MD5 entry — EB EB, 14 × FF, MD5 of every entry before it — then FF up to 0xC00 bytes.
// A 32-byte run of FF ends the table. 0xC00 / 32 = 96 slots, one of them the MD5 entry: 95 partitions.
import { md5 } from "@noble/hashes/legacy.js";

export const PARTITION_TABLE_MAX_LENGTH = 0xc00;
export const PARTITION_ENTRY_LENGTH = 32;
export const MAX_PARTITIONS = PARTITION_TABLE_MAX_LENGTH / PARTITION_ENTRY_LENGTH - 1;
export const PARTITION_LABEL_MAX_BYTES = 16;

const ENTRY_MAGIC = [0xaa, 0x50] as const;
const MD5_MAGIC = [0xeb, 0xeb] as const;

export const PartitionType = { App: 0x00, Data: 0x01 } as const;

export const PartitionFlag = {
  /** Encrypted when flash encryption is on (app partitions always are). */
  Encrypted: 1 << 0,
  /** Read-only to the partition API (ESP-IDF v5.3 "Flags"). */
  Readonly: 1 << 1,
} as const;

/** Alignment the ESP-IDF docs demand: app partitions on 64 KiB; data on a 4 KiB flash sector. */
export const APP_ALIGNMENT = 0x10000;
export const SECTOR_SIZE = 0x1000;

export interface PartitionEntry {
  /** At most 16 bytes of UTF-8; ESP-IDF looks partitions up by it. */
  label: string;
  /** 0x00 app, 0x01 data, 0x40–0xFE application-defined. */
  type: number;
  subtype: number;
  offset: number;
  size: number;
  /** PartitionFlag bits; unknown bits read from a binary are kept. */
  flags: number;
}

export class PartitionTableError extends Error {
  override name = "PartitionTableError";
}

// ---- Binary --------------------------------------------------------------------------------------

export interface EncodeOptions {
  /** Append the MD5 entry (default true; ESP-IDF bootloaders since v3.1 check it). */
  md5?: boolean;
}

/**
 * The 0xC00-byte binary table. Throws PartitionTableError for entries that cannot be encoded at
 * all (too many, a label over 16 bytes, a field out of range); layout problems are
 * validatePartitionTable's job, so a deliberately odd table can still be written for tests.
 */
export function encodePartitionTable(entries: readonly PartitionEntry[], options: EncodeOptions = {}): Uint8Array {
  const withMd5 = options.md5 ?? true;
  if (entries.length > MAX_PARTITIONS) {
    throw new PartitionTableError(`${entries.length} partitions; a table holds at most ${MAX_PARTITIONS}`);
  }
  const table = new Uint8Array(PARTITION_TABLE_MAX_LENGTH).fill(0xff);
  const view = new DataView(table.buffer);
  entries.forEach((entry, index) => {
    const at = index * PARTITION_ENTRY_LENGTH;
    checkByte(entry.type, `partition '${entry.label}': type`);
    checkByte(entry.subtype, `partition '${entry.label}': subtype`);
    checkU32(entry.offset, `partition '${entry.label}': offset`);
    checkU32(entry.size, `partition '${entry.label}': size`);
    checkU32(entry.flags, `partition '${entry.label}': flags`);
    const label = labelBytes(entry.label);
    table.set(ENTRY_MAGIC, at);
    table[at + 2] = entry.type;
    table[at + 3] = entry.subtype;
    view.setUint32(at + 4, entry.offset, true);
    view.setUint32(at + 8, entry.size, true);
    table.fill(0, at + 12, at + 28);
    table.set(label, at + 12);
    view.setUint32(at + 28, entry.flags, true);
  });
  if (withMd5) {
    const end = entries.length * PARTITION_ENTRY_LENGTH;
    const digest = md5(table.subarray(0, end));
    table.set(MD5_MAGIC, end);
    // Bytes end+2 … end+15 stay FF, as gen_esp32part.py writes them.
    table.set(digest, end + 16);
  }
  return table;
}

export type DecodeErrorKind = "empty" | "bad-magic" | "md5-mismatch" | "truncated";

export type DecodedPartitionTable =
  | {
      ok: true;
      entries: PartitionEntry[];
      /** "verified": an MD5 entry matched; "absent": the table had none (pre-v3.1 style). */
      md5: "verified" | "absent";
    }
  | { ok: false; error: DecodeErrorKind; message: string };

/**
 * Reads a binary table (0xC00 bytes from flash, or the whole 4 KiB sector; anything after 0xC00 is
 * ignored). Never throws: arbitrary bytes give `{ ok: false }` naming what is wrong.
 */
export function decodePartitionTable(bytes: Uint8Array): DecodedPartitionTable {
  const region = bytes.subarray(0, PARTITION_TABLE_MAX_LENGTH);
  if (region.length === 0 || isErased(region.subarray(0, PARTITION_ENTRY_LENGTH))) {
    return { ok: false, error: "empty", message: "no partition table (erased flash)" };
  }
  const view = new DataView(region.buffer, region.byteOffset, region.byteLength);
  const entries: PartitionEntry[] = [];
  let md5State: "verified" | "absent" = "absent";
  // Entries hashed so far: the MD5 entry covers every partition entry before it, nothing else.
  let hashedUpTo = 0;
  const hashed: Uint8Array[] = [];
  for (let at = 0; at < region.length; at += PARTITION_ENTRY_LENGTH) {
    if (at + PARTITION_ENTRY_LENGTH > region.length) {
      return { ok: false, error: "truncated", message: `table ends inside entry ${at / PARTITION_ENTRY_LENGTH}` };
    }
    const entry = region.subarray(at, at + PARTITION_ENTRY_LENGTH);
    if (isErased(entry)) return { ok: true, entries, md5: md5State };
    if (entry[0] === MD5_MAGIC[0] && entry[1] === MD5_MAGIC[1]) {
      const expected = md5(concat(hashed, hashedUpTo));
      if (!equalBytes(expected, entry.subarray(16))) {
        return {
          ok: false,
          error: "md5-mismatch",
          message: `MD5 entry ${at / PARTITION_ENTRY_LENGTH} does not match the ${entries.length} entries before it`,
        };
      }
      md5State = "verified";
      continue;
    }
    if (entry[0] !== ENTRY_MAGIC[0] || entry[1] !== ENTRY_MAGIC[1]) {
      return {
        ok: false,
        error: "bad-magic",
        message: `entry ${at / PARTITION_ENTRY_LENGTH} at byte ${at} starts ${hex2(entry[0])} ${hex2(entry[1])}, not AA 50`,
      };
    }
    hashed.push(entry);
    hashedUpTo += PARTITION_ENTRY_LENGTH;
    entries.push({
      label: decodeLabel(entry.subarray(12, 28)),
      type: entry[2],
      subtype: entry[3],
      offset: view.getUint32(at + 4, true),
      size: view.getUint32(at + 8, true),
      flags: view.getUint32(at + 28, true),
    });
  }
  if (region.length < PARTITION_TABLE_MAX_LENGTH) {
    return { ok: false, error: "truncated", message: `table ends after ${region.length} bytes without an end marker` };
  }
  // 95 entries and the MD5 entry fill all 0xC00 bytes, leaving no room for an end marker.
  return { ok: true, entries, md5: md5State };
}

// ---- Validation ----------------------------------------------------------------------------------

export interface ValidateOptions {
  /** Flash size in bytes: every partition must end inside it. */
  flashBytes: number;
  /** Where the table itself sits (default 0x8000): partitions must start after its sector. */
  tableOffset?: number;
}

/**
 * Problems that would make ESP-IDF reject the table or make partitions clobber each other, one
 * sentence each; empty when the table is sound. Rules: ESP-IDF "Partition Tables" (app offsets
 * 64 KiB aligned, first partition after the table's sector, unique names) plus two of ours: data
 * offsets and every size on 4 KiB sectors (ESP-IDF only warns for data offsets, but a partition
 * sharing a sector with its neighbour is erased with it), and every partition inside the flash.
 */
export function validatePartitionTable(entries: readonly PartitionEntry[], options: ValidateOptions): string[] {
  const problems: string[] = [];
  const tableOffset = options.tableOffset ?? 0x8000;
  const firstFree = tableOffset + SECTOR_SIZE;
  if (entries.length > MAX_PARTITIONS) problems.push(`${entries.length} partitions; at most ${MAX_PARTITIONS} fit`);
  const seen = new Set<string>();
  for (const p of entries) {
    const name = `partition '${p.label}'`;
    const labelLength = new TextEncoder().encode(p.label).length;
    if (labelLength === 0) problems.push(`a partition at ${hex(p.offset)} has no label`);
    if (labelLength > PARTITION_LABEL_MAX_BYTES) problems.push(`${name}: label longer than 16 bytes`);
    if (seen.has(p.label)) problems.push(`${name}: label used twice`);
    seen.add(p.label);
    // 0xFF would read back as part of an erased (end) entry.
    if (!isByte(p.type) || p.type === 0xff) problems.push(`${name}: type ${p.type} is not 0x00–0xFE`);
    if (!isByte(p.subtype) || p.subtype === 0xff) problems.push(`${name}: subtype ${p.subtype} is not 0x00–0xFE`);
    const alignment = p.type === PartitionType.App ? APP_ALIGNMENT : SECTOR_SIZE;
    if (p.offset % alignment !== 0)
      problems.push(`${name}: offset ${hex(p.offset)} is not aligned to ${hex(alignment)}`);
    if (p.size <= 0) problems.push(`${name}: size must be positive`);
    else if (p.size % SECTOR_SIZE !== 0) problems.push(`${name}: size ${hex(p.size)} is not a multiple of 4 KiB`);
    if (p.offset < firstFree)
      problems.push(`${name}: offset ${hex(p.offset)} is below ${hex(firstFree)}, the end of the partition table`);
    if (p.offset + p.size > options.flashBytes) {
      problems.push(
        `${name}: ends at ${hex(p.offset + p.size)}, past the end of ${formatSize(options.flashBytes)} flash`,
      );
    }
  }
  const sorted = [...entries].sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1];
    if (sorted[i].offset < previous.offset + previous.size) {
      problems.push(
        `partition '${sorted[i].label}' at ${hex(sorted[i].offset)} overlaps '${previous.label}' (${hex(previous.offset)}–${hex(previous.offset + previous.size - 1)})`,
      );
    }
  }
  return problems;
}

// ---- CSV -----------------------------------------------------------------------------------------

const TYPE_NAMES: Record<number, string> = { 0: "app", 1: "data" };

/** Subtype names gen_esp32part.py accepts (esp_partition_subtype_t in esp_partition.h). */
const SUBTYPE_NAMES: Record<number, Record<number, string>> = {
  0: {
    0: "factory",
    ...Object.fromEntries(Array.from({ length: 16 }, (_, slot) => [0x10 + slot, `ota_${slot}`])),
    32: "test",
  },
  1: {
    0: "ota",
    1: "phy",
    2: "nvs",
    3: "coredump",
    4: "nvs_keys",
    5: "efuse",
    6: "undefined",
    128: "esphttpd",
    129: "fat",
    130: "spiffs",
    131: "littlefs",
  },
};

const FLAG_NAMES: [number, string][] = [
  [PartitionFlag.Encrypted, "encrypted"],
  [PartitionFlag.Readonly, "readonly"],
];

/**
 * The table as the CSV gen_esp32part.py reads ("Creating Custom Tables"): one partition per line,
 * `Name, Type, SubType, Offset, Size, Flags`, names for known types, hex for the rest, sizes in K/M
 * where exact.
 */
export function formatPartitionCsv(entries: readonly PartitionEntry[]): string {
  const rows = entries.map((p) => {
    const flags = FLAG_NAMES.filter(([bit]) => (p.flags & bit) !== 0).map(([, name]) => name);
    return [
      p.label,
      TYPE_NAMES[p.type] ?? hex(p.type),
      SUBTYPE_NAMES[p.type]?.[p.subtype] ?? hex(p.subtype),
      hex(p.offset),
      csvSize(p.size),
      flags.join(":"),
    ];
  });
  const header = ["# Name", "Type", "SubType", "Offset", "Size", "Flags"];
  const widths = header.map((h, column) => Math.max(h.length, ...rows.map((r) => r[column].length)) + 1);
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column < cells.length - 1 ? `${cell},`.padEnd(widths[column] + 1) : cell))
      .join("")
      .trimEnd();
  return `# ESP-IDF Partition Table\n${[header, ...rows].map(line).join("\n")}\n`;
}

/**
 * Reads a partition CSV as gen_esp32part.py does: `#` comments, blank offsets placed after the
 * previous partition (app on 64 KiB, others on 4 KiB), sizes in decimal, hex or K/M. Throws
 * PartitionTableError naming the line; run validatePartitionTable on the result.
 */
export function parsePartitionCsv(text: string, tableOffset = 0x8000): PartitionEntry[] {
  const entries: PartitionEntry[] = [];
  let nextFree = tableOffset + SECTOR_SIZE;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const fail = (message: string): never => {
      throw new PartitionTableError(`line ${index + 1}: ${message}`);
    };
    const fields = [...line.split(",").map((f) => f.trim()), "", "", "", "", ""];
    const [label, typeText, subtypeText, offsetText, sizeText, flagsText] = fields;
    if (label === "") fail("empty name");
    if (typeText === "") fail("empty type");
    const type = parseKeyword(typeText, { app: 0x00, data: 0x01 }) ?? fail(`unknown type '${typeText}'`);
    const subtypeNames = Object.fromEntries(Object.entries(SUBTYPE_NAMES[type] ?? {}).map(([v, n]) => [n, Number(v)]));
    let subtype: number;
    if (subtypeText === "") {
      if (type === PartitionType.App) fail("an app partition needs a subtype");
      subtype = 0x06; // gen_esp32part.py: a blank data subtype means "undefined".
    } else {
      subtype = parseKeyword(subtypeText, subtypeNames) ?? fail(`unknown subtype '${subtypeText}'`);
    }
    if (sizeText === "") fail("empty size");
    const size = parseSize(sizeText) ?? fail(`bad size '${sizeText}'`);
    let offset: number;
    if (offsetText === "") {
      const alignment = type === PartitionType.App ? APP_ALIGNMENT : SECTOR_SIZE;
      offset = Math.ceil(nextFree / alignment) * alignment;
    } else {
      offset = parseSize(offsetText) ?? fail(`bad offset '${offsetText}'`);
    }
    let flags = 0;
    for (const name of flagsText.split(":").filter((f) => f !== "")) {
      const bit = FLAG_NAMES.find(([, n]) => n === name)?.[0];
      if (bit === undefined) fail(`unknown flag '${name}'`);
      flags |= bit ?? 0;
    }
    if (new TextEncoder().encode(label).length > PARTITION_LABEL_MAX_BYTES) fail(`name '${label}' is over 16 bytes`);
    entries.push({ label, type, subtype, offset, size, flags });
    nextFree = offset + size;
  });
  return entries;
}

// ---- Helpers -------------------------------------------------------------------------------------

function labelBytes(label: string): Uint8Array {
  const bytes = new TextEncoder().encode(label);
  if (bytes.length > PARTITION_LABEL_MAX_BYTES) {
    throw new PartitionTableError(`partition label '${label}' is ${bytes.length} bytes; at most 16 fit`);
  }
  return bytes;
}

function decodeLabel(field: Uint8Array): string {
  const end = field.indexOf(0);
  // Non-fatal decoding: a corrupt label becomes U+FFFD, never an exception.
  return new TextDecoder("utf-8", { fatal: false }).decode(end === -1 ? field : field.subarray(0, end));
}

function parseKeyword(text: string, keywords: Record<string, number>): number | undefined {
  const lower = text.toLowerCase();
  if (lower in keywords) return keywords[lower];
  const value = parseSize(text);
  return value !== undefined && value <= 0xfe ? value : undefined;
}

/** Decimal, 0x-hex, or a K/M multiple (1024, 1024²) as gen_esp32part.py parses sizes and offsets. */
function parseSize(text: string): number | undefined {
  const match = /^(0x[0-9a-f]+|\d+)([km]?)$/i.exec(text.trim());
  if (!match) return undefined;
  const value =
    Number(match[1]) * (match[2].toLowerCase() === "k" ? 1024 : match[2].toLowerCase() === "m" ? 1024 * 1024 : 1);
  return Number.isSafeInteger(value) && value <= 0xffffffff ? value : undefined;
}

function csvSize(size: number): string {
  if (size > 0 && size % (1024 * 1024) === 0) return `${size / (1024 * 1024)}M`;
  if (size > 0 && size % 1024 === 0) return `${size / 1024}K`;
  return hex(size);
}

export function hex(value: number): string {
  return `0x${value.toString(16)}`;
}

function hex2(value: number): string {
  return value.toString(16).toUpperCase().padStart(2, "0");
}

/** "4 MiB", "256 KiB", "0x1234 bytes". */
export function formatSize(bytes: number): string {
  if (bytes > 0 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes > 0 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

function isErased(bytes: Uint8Array): boolean {
  return bytes.every((b) => b === 0xff);
}

function isByte(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= 0xff;
}

function checkByte(value: number, what: string): void {
  if (!isByte(value)) throw new PartitionTableError(`${what} ${value} does not fit in a byte`);
}

function checkU32(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new PartitionTableError(`${what} ${value} does not fit in 32 bits`);
  }
}

function concat(chunks: Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
