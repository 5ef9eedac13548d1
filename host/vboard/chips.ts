// What an emulated ESP chip answers while it sits in its serial bootloader: the registers a flasher
// reads to tell chips and revisions apart (the chip-detect magic word, the eFuse words with package,
// revision, features and MAC), GET_SECURITY_INFO where the ROM has it, where the SPI flash
// controller's user-command registers are, and how the ROM's replies differ from the stub's.
//
// Register addresses are the ones esptool reads (esptool-js 0.7.0 lib/targets/esp32.js, esp32s3.js,
// esp32c3.js, which transcribe the chips' Technical Reference Manuals); the values are those of one
// plausible part of each family, chosen so the banner esptool prints is a real chip's.

export type ChipName = "esp32" | "esp32s3" | "esp32c3";

export const CHIP_NAMES: readonly ChipName[] = ["esp32", "esp32s3", "esp32c3"];

/** esptool reads this word first on chips without GET_SECURITY_INFO (esptool-js CHIP_DETECT_MAGIC_REG_ADDR). */
export const CHIP_DETECT_MAGIC_REG_ADDR = 0x40001000;

/**
 * The SPI flash controller (SPI1 on ESP32, SPI_MEM1 on S3/C3) as esptool drives it for a "user
 * command": USR selects the phases, USR2 holds the command byte, MOSI/MISO_DLEN the bit lengths,
 * W0.. the data, and writing USR (bit 18) to CMD starts it; the bit clears when it is done.
 */
export interface SpiFlashRegisters {
  base: number;
  usrOffset: number;
  usr1Offset: number;
  usr2Offset: number;
  mosiDlenOffset: number;
  misoDlenOffset: number;
  w0Offset: number;
}

/** The 20-byte GET_SECURITY_INFO answer ("Serial Protocol", GET_SECURITY_INFO on ESP32-S3 and later). */
export interface SecurityInfo {
  flags: number;
  flashCryptCount: number;
  keyPurposes: readonly number[];
  chipId: number;
  ecoVersion: number;
}

export interface ChipSpec {
  name: ChipName;
  /** As esptool prints it (its CHIP_NAME). */
  displayName: string;
  /** The word at CHIP_DETECT_MAGIC_REG_ADDR. */
  magicValue: number;
  /** null: the ROM has no GET_SECURITY_INFO (the ESP32), so the command is unknown to it. */
  securityInfo: SecurityInfo | null;
  /**
   * Status bytes at the end of a ROM reply. "Serial Protocol", Status bytes: the ESP32-family ROM
   * sends four (status, error, two reserved); the stub always sends two.
   */
  romStatusBytes: 2 | 4;
  spi: SpiFlashRegisters;
  /** UART0's clock divider register and the crystal behind it, where esptool derives the crystal from it. */
  uartClockDivider: { address: number; crystalHz: number } | null;
  /** The fixed registers of this part, given its MAC (eFuse words, chip date, …). */
  registers(mac: Uint8Array): Map<number, number>;
  defaultMac: Uint8Array;
}

/** MAC bytes 2..5 as eFuse stores them in the low MAC word. */
function macLow(mac: Uint8Array): number {
  return ((mac[2]! << 24) | (mac[3]! << 16) | (mac[4]! << 8) | mac[5]!) >>> 0;
}

/** MAC bytes 0..1 as the low 16 bits of the high MAC word. */
function macHigh(mac: Uint8Array): number {
  return (mac[0]! << 8) | mac[1]!;
}

// ESP32: eFuse block 0 read registers from 0x3FF5A000 (ESP32 TRM, eFuse Controller).
const ESP32_EFUSE_RD = 0x3ff5a000;
const ESP32_APB_CTRL_DATE = 0x3ff66000 + 0x7c;

/**
 * ESP32-D0WD-V3, revision 3, dual core at 240 MHz (esptool prints "ESP32-D0WD-V3 (revision 3)").
 * BLK0 word 3 = 0xA200: package 1 (D0WD) in bits 11:9, rated CPU frequency given (bit 13) and
 * 240 MHz (bit 12 clear), revision bit 0 (bit 15) — the very value real ESP32 boards return in
 * esptool traces (esptool issues #698, #921). Revision bit 1 is word 5 bit 20, bit 2 the top bit
 * of APB_CTRL_DATE (esptool-js ESP32ROM.getChipRevision).
 */
const esp32: ChipSpec = {
  name: "esp32",
  displayName: "ESP32",
  magicValue: 0x00f01d83,
  securityInfo: null,
  romStatusBytes: 4,
  spi: {
    base: 0x3ff42000,
    usrOffset: 0x1c,
    usr1Offset: 0x20,
    usr2Offset: 0x24,
    mosiDlenOffset: 0x28,
    misoDlenOffset: 0x2c,
    w0Offset: 0x80,
  },
  uartClockDivider: { address: 0x3ff40014, crystalHz: 40_000_000 },
  registers: (mac) =>
    new Map([
      [ESP32_EFUSE_RD + 4 * 1, macLow(mac)],
      // The MAC's CRC-8 (bits 23:16) is left 0: esptool does not check it when it prints the MAC.
      [ESP32_EFUSE_RD + 4 * 2, macHigh(mac)],
      [ESP32_EFUSE_RD + 4 * 3, 0xa200],
      // ADC VRef trim in bits 12:8, as factory-calibrated parts have.
      [ESP32_EFUSE_RD + 4 * 4, 0x0500],
      [ESP32_EFUSE_RD + 4 * 5, 1 << 20],
      // Coding scheme "None" (bits 1:0 of word 6).
      [ESP32_EFUSE_RD + 4 * 6, 0],
      [ESP32_APB_CTRL_DATE, 0x80000000],
    ]),
  defaultMac: Uint8Array.of(0x24, 0x0a, 0xc4, 0x00, 0x00, 0x01),
};

/** SPI1 (the flash controller) of the ESP32-S3 and ESP32-C3: same base and register layout on both. */
const SPI1_S3_C3: SpiFlashRegisters = {
  base: 0x60002000,
  usrOffset: 0x18,
  usr1Offset: 0x1c,
  usr2Offset: 0x20,
  mosiDlenOffset: 0x24,
  misoDlenOffset: 0x28,
  w0Offset: 0x58,
};

// ESP32-S3: eFuse from 0x60007000, BLOCK1 (MAC, system data) at +0x44, BLOCK2 at +0x5C.
const S3_EFUSE = 0x60007000;
const S3_BLOCK1 = S3_EFUSE + 0x44;
const S3_BLOCK2 = S3_EFUSE + 0x5c;

/**
 * ESP32-S3 (QFN56), revision v0.2, no flash or PSRAM in the package: BLOCK1 word 3 holds the minor
 * revision's low bits (20:18) = 2 and the eFuse block version's minor (26:24) = 1; block version
 * major 1 (BLOCK2 word 4) keeps esptool's "ECO0" special case off (isEco0 needs minor 0).
 */
const esp32s3: ChipSpec = {
  name: "esp32s3",
  displayName: "ESP32-S3",
  magicValue: 0x00000009,
  securityInfo: { flags: 0, flashCryptCount: 0, keyPurposes: [0, 0, 0, 0, 0, 0, 0], chipId: 9, ecoVersion: 0 },
  romStatusBytes: 4,
  spi: SPI1_S3_C3,
  uartClockDivider: null,
  registers: (mac) =>
    new Map([
      [S3_BLOCK1, macLow(mac)],
      [S3_BLOCK1 + 4, macHigh(mac)],
      [S3_BLOCK1 + 4 * 3, (2 << 18) | (1 << 24)],
      [S3_BLOCK1 + 4 * 4, 0],
      [S3_BLOCK1 + 4 * 5, 0],
      [S3_BLOCK2 + 4 * 4, 1],
    ]),
  defaultMac: Uint8Array.of(0xf4, 0x12, 0xfa, 0x00, 0x00, 0x01),
};

// ESP32-C3: eFuse from 0x60008800, BLOCK1 at +0x44.
const C3_EFUSE = 0x60008800;
const C3_BLOCK1 = C3_EFUSE + 0x44;

/**
 * ESP32-C3 (QFN32), revision v0.3 (minor low bits 20:18 of BLOCK1 word 3), no in-package flash.
 * Its magic word 0x1B31506F is one of those esptool-js 0.7.0 maps to the ESP32-C3.
 */
const esp32c3: ChipSpec = {
  name: "esp32c3",
  displayName: "ESP32-C3",
  magicValue: 0x1b31506f,
  securityInfo: { flags: 0, flashCryptCount: 0, keyPurposes: [0, 0, 0, 0, 0, 0, 0], chipId: 5, ecoVersion: 0 },
  romStatusBytes: 4,
  spi: SPI1_S3_C3,
  uartClockDivider: null,
  registers: (mac) =>
    new Map([
      [C3_BLOCK1, macLow(mac)],
      [C3_BLOCK1 + 4, macHigh(mac)],
      [C3_BLOCK1 + 4 * 3, 3 << 18],
      [C3_BLOCK1 + 4 * 4, 0],
      [C3_BLOCK1 + 4 * 5, 0],
    ]),
  defaultMac: Uint8Array.of(0x84, 0xf7, 0x03, 0x00, 0x00, 0x01),
};

const CHIPS: Record<ChipName, ChipSpec> = { esp32, esp32s3, esp32c3 };

export function chipSpec(name: ChipName): ChipSpec {
  return CHIPS[name];
}

/** GET_SECURITY_INFO's 20 data bytes: flags u32, flash_crypt_cnt u8, 7 key purposes, chip_id u32, eco_version u32. */
export function encodeSecurityInfo(info: SecurityInfo): Uint8Array {
  const out = new Uint8Array(20);
  const view = new DataView(out.buffer);
  view.setUint32(0, info.flags, true);
  out[4] = info.flashCryptCount;
  out.set(info.keyPurposes.slice(0, 7), 5);
  view.setUint32(12, info.chipId, true);
  view.setUint32(16, info.ecoVersion, true);
  return out;
}
