// Every board definition is checked the same way: its flash layout is one ESP-IDF would accept and
// `mesh flash` can write, its wiring is self-consistent for its radio chip, and it says where its
// values come from.
import { describe, expect, it } from "vitest";
import {
  assignedPins,
  bootloaderOffset,
  PARTITION_TABLE_OFFSET,
  radioSettings,
  STACK_PARTITION_SIZE,
  STACK_PARTITION_TYPE,
  stackPartition,
} from "../../boards/board.js";
import { boards, findBoard } from "../../boards/index.js";
import { encodePartitionTable, PartitionType, validatePartitionTable } from "../../host/image/partition-table.js";
import { loadLoRaTables } from "../../host/wasm/lora-tables.js";

/** SetDIO3AsTCXOCtrl supply voltages (SX1261/2 datasheet §13.3.6, Table 13-35; radio-drivers/sx126x/commands.ts). */
const SX126X_TCXO_MILLIVOLTS = [1600, 1700, 1800, 2200, 2400, 2700, 3000, 3300];

describe("the board list", () => {
  it("has unique slug names that findBoard finds, case-insensitively", () => {
    const names = boards.map((b) => b.name);
    expect(new Set(names).size).toBe(names.length);
    for (const board of boards) {
      expect(board.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(findBoard(board.name)).toBe(board);
      expect(findBoard(board.name.toUpperCase())).toBe(board);
    }
    expect(findBoard("no-such-board")).toBeUndefined();
  });

  it("covers the boards issue #4 names, one virtual", () => {
    const names = boards.map((b) => b.name);
    for (const name of [
      "heltec-wifi-lora-32-v3",
      "lilygo-t-beam-sx1276",
      "lilygo-t-beam-sx1262",
      "lilygo-t3-v1-6-1",
      "seeed-xiao-esp32s3-wio-sx1262",
      "heltec-ht-ct62",
      "virtual",
    ]) {
      expect(names).toContain(name);
    }
    expect(boards.filter((b) => b.virtual).map((b) => b.name)).toEqual(["virtual"]);
    expect(new Set(boards.map((b) => b.mcu))).toEqual(new Set(["esp32", "esp32s3", "esp32c3"]));
  });
});

describe.each(boards.map((board) => [board.name, board] as const))("board %s", (_name, board) => {
  const { partitions } = board.flash;

  it("has a partition table ESP-IDF accepts: aligned, in flash, no overlaps", () => {
    expect(validatePartitionTable(partitions, { flashBytes: board.flashBytes })).toEqual([]);
    for (const p of partitions) {
      expect(p.offset % (p.type === PartitionType.App ? 0x10000 : 0x1000), p.label).toBe(0);
      expect(p.offset + p.size, p.label).toBeLessThanOrEqual(board.flashBytes);
    }
    const sorted = [...partitions].sort((a, b) => a.offset - b.offset);
    for (let i = 1; i < sorted.length; i++) {
      expect(sorted[i].offset).toBeGreaterThanOrEqual(sorted[i - 1].offset + sorted[i - 1].size);
    }
    expect(() => encodePartitionTable(partitions)).not.toThrow();
  });

  it("puts the bootloader where its MCU's ROM looks, before the partition table", () => {
    expect(board.flash.bootloader.offset).toBe(board.mcu === "esp32" ? 0x1000 : 0x0);
    expect(board.flash.bootloader.offset).toBe(bootloaderOffset(board.mcu));
    expect(board.flash.bootloader.offset + board.flash.bootloader.size).toBeLessThanOrEqual(PARTITION_TABLE_OFFSET);
    expect(board.flash.partitionTable).toEqual({ offset: 0x8000, size: 0x1000 });
    expect(Math.min(...partitions.map((p) => p.offset))).toBeGreaterThanOrEqual(0x9000);
  });

  it("has a factory app, key storage (NVS) and a 256 KiB meshstack partition", () => {
    expect(partitions.filter((p) => p.type === PartitionType.App && p.subtype === 0x00)).toHaveLength(1);
    expect(partitions.find((p) => p.type === PartitionType.Data && p.subtype === 0x02)?.label).toBe("nvs");
    const stack = stackPartition(board);
    expect(stack).toMatchObject({ type: STACK_PARTITION_TYPE, size: STACK_PARTITION_SIZE, label: "meshstack" });
    // ESP-IDF reserves types 0x00–0x3F; applications get 0x40–0xFE.
    expect(stack.type).toBeGreaterThanOrEqual(0x40);
  });

  it("assigns every pin once", () => {
    const used = assignedPins(board);
    const pins = used.map((u) => u.pin);
    expect(new Set(pins).size, JSON.stringify(used)).toBe(pins.length);
    for (const { pin } of used) {
      if (board.virtual) expect(typeof pin).toBe("string");
      else {
        expect(typeof pin).toBe("number");
        // GPIO ranges: ESP32 0–39, ESP32-S3 0–48, ESP32-C3 0–21 (the chips' datasheets, pin lists).
        const highest = { esp32: 39, esp32s3: 48, esp32c3: 21 }[board.mcu];
        expect(pin as number).toBeGreaterThanOrEqual(0);
        expect(pin as number).toBeLessThanOrEqual(highest);
      }
    }
  });

  it("drives its outputs from pins that can drive", () => {
    // ESP32 GPIO34–39 are input-only (ESP32 datasheet, pin list; LilyGO's T3 V1.6.1 page repeats it).
    if (board.mcu !== "esp32") return;
    const { pins, rfSwitch } = board.radio;
    const outputs = [pins.sck, pins.mosi, pins.nss, pins.reset, rfSwitch.rxEnable, rfSwitch.txEnable, board.led?.pin];
    for (const pin of outputs) if (typeof pin === "number") expect(pin).toBeLessThan(34);
  });

  it("has BUSY exactly when its radio is an SX126x", () => {
    if (board.radio.chip === "sx1262") expect(board.radio.pins.busy).not.toBeNull();
    else expect(board.radio.pins.busy).toBeNull();
  });

  it("drives a TCXO or DIO2 RF switch only on an SX126x, at a voltage DIO3 can supply", () => {
    if (board.radio.chip === "sx1276") {
      // SX127x has no DIO3 TCXO control or DIO2 switch command; these boards use crystals.
      expect(board.radio.tcxoMillivolts).toBe(0);
      expect(board.radio.rfSwitch.dio2).toBe(false);
      expect(board.radio.highPowerPa).toBe(false);
    } else if (board.radio.tcxoMillivolts !== 0) {
      expect(SX126X_TCXO_MILLIVOLTS).toContain(board.radio.tcxoMillivolts);
    }
  });

  it("gives the radio settings a node is created with", () => {
    const settings = radioSettings(board);
    expect(settings.radio).toBe(board.radio.chip);
    expect(settings.tcxoMillivolts).toBe(board.radio.tcxoMillivolts);
    expect(settings.dio2AsRfSwitch).toBe(board.radio.rfSwitch.dio2);
    expect(settings.mcuRfSwitch).toBe(board.radio.rfSwitch.rxEnable !== null || board.radio.rfSwitch.txEnable !== null);
  });

  it("defaults to a region compiled into stack.wasm", async () => {
    const tables = await loadLoRaTables();
    expect(tables.regions.map((r) => r.name)).toContain(board.defaultRegion);
  });

  it("cites its sources, and appears on USB unless virtual", () => {
    expect(board.sources.length).toBeGreaterThan(0);
    for (const source of board.sources) {
      expect(source.title.length).toBeGreaterThan(0);
      expect(source.covers.length).toBeGreaterThan(0);
      if (!board.virtual) expect(source.url).toMatch(/^https?:\/\//);
    }
    if (board.virtual) expect(board.usb).toEqual([]);
    else {
      expect(board.usb.length).toBeGreaterThan(0);
      for (const u of board.usb) {
        expect(u.vendorId).toBeGreaterThan(0);
        expect(u.productId).toBeGreaterThan(0);
      }
    }
  });
});

describe("values checked against the vendor pin maps", () => {
  // Spot checks that a careless edit would break; each value is cited in its board file.
  it("Heltec V3: NSS 8, SCK 9, MOSI 10, MISO 11, RESET 12, BUSY 13, DIO1 14, TCXO 1.8 V, DIO2 switch", () => {
    const board = findBoard("heltec-wifi-lora-32-v3")!;
    expect(board.radio.pins).toEqual({ nss: 8, sck: 9, mosi: 10, miso: 11, reset: 12, busy: 13, irq: 14 });
    expect(board.radio.tcxoMillivolts).toBe(1800);
    expect(board.radio.rfSwitch).toEqual({ dio2: true, rxEnable: null, txEnable: null });
    expect(board.flashBytes).toBe(8 * 1024 * 1024);
  });

  it("T-Beam and T3 share the LilyGO SX127x wiring with DIO0 on GPIO26", () => {
    for (const name of ["lilygo-t-beam-sx1276", "lilygo-t3-v1-6-1"]) {
      expect(findBoard(name)!.radio.pins).toEqual({
        sck: 5,
        miso: 19,
        mosi: 27,
        nss: 18,
        reset: 23,
        busy: null,
        irq: 26,
      });
    }
    expect(findBoard("lilygo-t-beam-sx1262")!.radio.pins).toMatchObject({ busy: 32, irq: 33 });
  });

  it("XIAO ESP32S3 kit drives the receive path from GPIO38 besides DIO2", () => {
    const board = findBoard("seeed-xiao-esp32s3-wio-sx1262")!;
    expect(board.radio.rfSwitch).toEqual({ dio2: true, rxEnable: 38, txEnable: null });
    expect(radioSettings(board).mcuRfSwitch).toBe(true);
  });
});
