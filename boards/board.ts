// What a board is to meshstack: its MCU and flash layout (what `mesh flash` writes where), its radio
// chip and wiring (what the HAL maps radio-drivers/bus.ts `Pin` lines to, and what LoRaConfig's
// board fields are set from), and the documents each value was taken from.
import type { PartitionEntry } from "../host/image/partition-table.js";

/**
 * The ESP32 families meshstack targets. The virtual board answers as an ESP32-S3 (see
 * boards/virtual.ts), so it needs no family of its own: a separate "virtual" family would give
 * esptool and the bootloader offset a case with no real answer.
 */
export type McuFamily = "esp32" | "esp32s3" | "esp32c3";

export type RadioChip = "sx1262" | "sx1276";

/** Region names as compiled into stack.wasm (radio-drivers/lora/regions.ts). */
export type RegionName = "EU868" | "US915";

/**
 * A GPIO number on a real board. Only the virtual board uses strings: symbolic line names that its
 * HAL maps to the chip model's lines, because there is no pad to number.
 */
export type Gpio = number | string;

export interface RadioPins {
  sck: Gpio;
  mosi: Gpio;
  miso: Gpio;
  /** SPI chip select, active low. */
  nss: Gpio;
  /** NRESET, active low (bus.ts Pin.Reset). */
  reset: Gpio;
  /** SX126x BUSY (bus.ts Pin.Busy); null on SX127x, which has no such line. */
  busy: Gpio | null;
  /** The interrupt line the driver waits on (bus.ts Pin.Irq): DIO1 on SX126x, DIO0 on SX127x. */
  irq: Gpio;
}

/**
 * How the antenna switch between the transmit and receive paths is driven. SX126x modules usually
 * tie it to DIO2 (SetDio2AsRfSwitchCtrl); some boards also need the MCU to drive an enable line.
 * Both null and dio2 false: the module switches by itself (SX127x PA_BOOST modules) or has no switch.
 */
export interface RfSwitch {
  dio2: boolean;
  /** MCU line that enables the receive path (bus.ts Pin.RxEnable), or null. */
  rxEnable: Gpio | null;
  /** MCU line that enables the transmit path (bus.ts Pin.TxEnable), or null. */
  txEnable: Gpio | null;
}

export interface BoardRadio {
  chip: RadioChip;
  pins: RadioPins;
  /** TCXO supply driven from the SX126x DIO3 in millivolts; 0 = crystal (every SX127x board here). */
  tcxoMillivolts: number;
  rfSwitch: RfSwitch;
  /** SX1262 high-power PA (+22 dBm); false for SX1261-class modules and for SX127x (PA_BOOST there). */
  highPowerPa: boolean;
}

export type UsbBridgeChip = "CP210x" | "CH340" | "CH9102" | "USB-Serial-JTAG";

export interface UsbBridge {
  chip: UsbBridgeChip;
  /** USB vendor and product id the host sees (what `mesh ports` matches). */
  vendorId: number;
  productId: number;
  /** Which revisions carry it, when a board has shipped with more than one bridge. */
  revisions?: string;
}

/** A region of flash that is not a partition-table entry (the bootloader, the table itself). */
export interface FlashRegion {
  offset: number;
  size: number;
}

export interface FlashLayout {
  bootloader: FlashRegion;
  partitionTable: FlashRegion;
  /** The entries of the ESP-IDF partition table, in flash order. */
  partitions: PartitionEntry[];
}

/** A document a board's values come from, and which values it backs. */
export interface Source {
  title: string;
  /** A web address, or a path inside this repository for the virtual board's own parts. */
  url: string;
  covers: string;
}

export interface BoardDefinition {
  /** Slug used on the command line: lowercase letters, digits and dashes. */
  name: string;
  displayName: string;
  mcu: McuFamily;
  flashBytes: number;
  flash: FlashLayout;
  radio: BoardRadio;
  /** A user LED, or null when the board has none the firmware may use. */
  led: { pin: Gpio; activeLow: boolean } | null;
  /**
   * Region a node starts in until told otherwise. Vendors sell the same board for 868 and 915 MHz,
   * so this is a default to override (`--region`), not a property of the hardware.
   */
  defaultRegion: RegionName;
  /**
   * How the board appears on the host's USB, current revision first; boards that changed bridge
   * between revisions list each. Empty for the virtual board, which sits behind a pseudo-terminal.
   */
  usb: UsbBridge[];
  /** True only for the emulated board (host/vboard). */
  virtual: boolean;
  sources: Source[];
  /** Caveats a HAL author must know, and every value the sources could not confirm. */
  notes: string[];
}

// ---- Flash layout shared by every board -------------------------------------------------------------

/**
 * Where the ESP ROM loads the second-stage bootloader from: 0x1000 on the ESP32 (its first 4 KiB
 * are reserved), 0x0 on the ESP32-S3 and ESP32-C3. Source: esptool-js targets (esp32.js
 * BOOTLOADER_FLASH_OFFSET = 0x1000; esp32s3.js, esp32c3.js = 0x0), matching esptool's chip
 * definitions.
 */
export function bootloaderOffset(mcu: McuFamily): number {
  return mcu === "esp32" ? 0x1000 : 0x0;
}

/** ESP-IDF's default CONFIG_PARTITION_TABLE_OFFSET; the table fills one 4 KiB sector (ESP-IDF "Partition Tables"). */
export const PARTITION_TABLE_OFFSET = 0x8000;
export const PARTITION_TABLE_SECTOR = 0x1000;

/**
 * The partition holding the meshstack image (host/image/mesh-image.ts). ESP-IDF reserves types
 * 0x00–0x3F and every data subtype it has not named "for future ESP-IDF uses"; applications get
 * types 0x40–0xFE with any subtype ("Partition Tables", Type and SubType fields). So the stack
 * partition takes its own type, 0x40, rather than squatting on a data subtype. The ESP-IDF
 * bootloader ignores types other than app and data, so it never tries to boot it.
 */
export const STACK_PARTITION_TYPE = 0x40;
export const STACK_PARTITION_SUBTYPE = 0x00;
export const STACK_PARTITION_LABEL = "meshstack";
/** 256 KiB: four times the 64 KiB the stack WASM is budgeted (README), so it can grow without a new table. */
export const STACK_PARTITION_SIZE = 0x40000;

/**
 * NVS holds the endpoint's keys (and what ESP-IDF itself keeps there: Wi-Fi and PHY calibration
 * data). 24 KiB at 0x9000 is ESP-IDF's own default; `mesh flash` never writes or erases it, so a
 * reflash keeps the node's identity (a Meshtastic complaint: keys lost after reflashing).
 */
export const KEY_STORAGE_LABEL = "nvs";
const KEY_STORAGE_OFFSET = 0x9000;
const KEY_STORAGE_SIZE = 0x6000;

/**
 * App partitions must start on a 64 KiB boundary (ESP-IDF "Partition Tables", Offset & Size), so
 * the factory app starts at 0x10000 and the 4 KiB between the end of NVS (0xF000) and it stays
 * unused; ESP-IDF puts phy_init there, which we do not use (PHY data is compiled into the app).
 */
const FACTORY_APP_OFFSET = 0x10000;

/**
 * The layout every board uses: bootloader, partition table, NVS (keys), the factory app, and the
 * stack image in the last 256 KiB of flash. One layout for every board keeps `mesh flash`,
 * `mesh boards` and the firmware's partition lookups free of per-board cases; only the app's size
 * follows the flash size.
 */
export function standardFlashLayout(mcu: McuFamily, flashBytes: number): FlashLayout {
  const stackOffset = flashBytes - STACK_PARTITION_SIZE;
  return {
    bootloader: { offset: bootloaderOffset(mcu), size: PARTITION_TABLE_OFFSET - bootloaderOffset(mcu) },
    partitionTable: { offset: PARTITION_TABLE_OFFSET, size: PARTITION_TABLE_SECTOR },
    partitions: [
      {
        label: KEY_STORAGE_LABEL,
        type: 0x01,
        subtype: 0x02,
        offset: KEY_STORAGE_OFFSET,
        size: KEY_STORAGE_SIZE,
        flags: 0,
      },
      {
        label: "factory",
        type: 0x00,
        subtype: 0x00,
        offset: FACTORY_APP_OFFSET,
        size: stackOffset - FACTORY_APP_OFFSET,
        flags: 0,
      },
      {
        label: STACK_PARTITION_LABEL,
        type: STACK_PARTITION_TYPE,
        subtype: STACK_PARTITION_SUBTYPE,
        offset: stackOffset,
        size: STACK_PARTITION_SIZE,
        flags: 0,
      },
    ],
  };
}

/** The partition the meshstack image lives in, found by type as the firmware finds it. */
export function stackPartition(board: BoardDefinition): PartitionEntry {
  const partition = board.flash.partitions.find(
    (p) => p.type === STACK_PARTITION_TYPE && p.subtype === STACK_PARTITION_SUBTYPE,
  );
  if (!partition) throw new Error(`board ${board.name} has no meshstack partition`);
  return partition;
}

// ---- What a board contributes to the radio configuration -------------------------------------------

/**
 * The board fields of LoRaConfig (radio-drivers/lora/lora-config.ts), named as host/wasm/stack.ts
 * NodeOptions names them, so a node can be created straight from a board definition.
 */
export interface BoardRadioSettings {
  radio: RadioChip;
  tcxoMillivolts: number;
  dio2AsRfSwitch: boolean;
  mcuRfSwitch: boolean;
  highPowerPa: boolean;
}

export function radioSettings(board: BoardDefinition): BoardRadioSettings {
  const { chip, tcxoMillivolts, rfSwitch, highPowerPa } = board.radio;
  return {
    radio: chip,
    tcxoMillivolts,
    dio2AsRfSwitch: rfSwitch.dio2,
    mcuRfSwitch: rfSwitch.rxEnable !== null || rfSwitch.txEnable !== null,
    highPowerPa,
  };
}

/** "DIO2", "DIO2 + MCU RX enable GPIO38", "MCU RX GPIO1 / TX GPIO2", "none". */
export function describeRfSwitch(rfSwitch: RfSwitch): string {
  const mcu: string[] = [];
  if (rfSwitch.rxEnable !== null) mcu.push(`RX enable ${formatGpio(rfSwitch.rxEnable)}`);
  if (rfSwitch.txEnable !== null) mcu.push(`TX enable ${formatGpio(rfSwitch.txEnable)}`);
  const parts = [...(rfSwitch.dio2 ? ["DIO2"] : []), ...(mcu.length > 0 ? [`MCU ${mcu.join(", ")}`] : [])];
  return parts.length > 0 ? parts.join(" + ") : "none";
}

export function formatGpio(pin: Gpio): string {
  return typeof pin === "number" ? `GPIO${pin}` : pin;
}

/** Every GPIO a board's definition assigns, with what it is for, to check that none is used twice. */
export function assignedPins(board: BoardDefinition): { use: string; pin: Gpio }[] {
  const { pins, rfSwitch } = board.radio;
  const uses: { use: string; pin: Gpio | null }[] = [
    { use: "radio SCK", pin: pins.sck },
    { use: "radio MOSI", pin: pins.mosi },
    { use: "radio MISO", pin: pins.miso },
    { use: "radio NSS", pin: pins.nss },
    { use: "radio RESET", pin: pins.reset },
    { use: "radio BUSY", pin: pins.busy },
    { use: "radio IRQ", pin: pins.irq },
    { use: "RF switch RX enable", pin: rfSwitch.rxEnable },
    { use: "RF switch TX enable", pin: rfSwitch.txEnable },
    { use: "LED", pin: board.led?.pin ?? null },
  ];
  return uses.filter((u): u is { use: string; pin: Gpio } => u.pin !== null);
}
