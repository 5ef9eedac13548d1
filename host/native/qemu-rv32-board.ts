// The RISC-V virtual board: the native firmware (firmware/native, boards/qemu-rv32 there) running
// under `qemu-system-riscv32 -M virt`, its radio the SX1262 chip model on the host's shared air,
// reached through the bus tunnel (host/native/tunnel-protocol.ts). What the HIL suite and `mesh
// build` need to know about it, in the shape of the other boards' definitions.
import { join } from "node:path";
import { type BoardDefinition, standardFlashLayout } from "../../boards/board.js";
import { packageRoot } from "../package-info.js";

export const QEMU_BOARD_NAME = "qemu-rv32";

/** Where `mesh build --board qemu-rv32` (scripts/build-native.mjs) puts the firmware, under the package root. */
export const QEMU_FIRMWARE_DIRECTORY = "build/native/qemu-rv32";
export const QEMU_FIRMWARE_FILE = "firmware.elf";

/** The firmware `mesh vboard --board qemu-rv32` runs when given no --elf. */
export function defaultQemuFirmwarePath(): string {
  return join(packageRoot(), QEMU_FIRMWARE_DIRECTORY, QEMU_FIRMWARE_FILE);
}

/**
 * The radio the firmware drives: the SX1262 set-up of the Node virtual board (1.8 V TCXO on DIO3,
 * DIO2 as RF switch), so the chip model checks the same start-up path on both.
 */
export const QEMU_RADIO_TCXO_MILLIVOLTS = 1800;
/** The firmware's default transmit power (firmware/native/boards/qemu-rv32/board-config.h). */
export const QEMU_DEFAULT_TX_POWER_DBM = 14;

const FLASH_BYTES = 4 * 1024 * 1024;

export const qemuRv32Board: BoardDefinition = {
  name: QEMU_BOARD_NAME,
  displayName: "RISC-V virtual board (native firmware under qemu-system-riscv32 -M virt)",
  // The ESP32-C3 is the RISC-V member of the family (rv32imc); nothing flashes this board, so the
  // MCU and flash layout only keep the shape the other definitions have.
  mcu: "esp32c3",
  flashBytes: FLASH_BYTES,
  flash: standardFlashLayout("esp32c3", FLASH_BYTES),
  radio: {
    chip: "sx1262",
    pins: {
      sck: "tunnel.sck",
      mosi: "tunnel.mosi",
      miso: "tunnel.miso",
      nss: "tunnel.nss",
      reset: "tunnel.reset",
      busy: "tunnel.busy",
      irq: "tunnel.dio1",
    },
    tcxoMillivolts: QEMU_RADIO_TCXO_MILLIVOLTS,
    rfSwitch: { dio2: true, rxEnable: null, txEnable: null },
    highPowerPa: true,
  },
  led: null,
  defaultRegion: "EU868",
  usb: [],
  virtual: true,
  sources: [
    {
      title: "QEMU RISC-V 'virt' machine",
      url: "https://www.qemu.org/docs/master/system/riscv/virt.html",
      covers: "the machine: RAM at 0x80000000, ns16550 UART at 0x10000000, CLINT timer",
    },
    {
      title: "meshstack host/native (QEMU launcher, UART demultiplexer, bus tunnel server)",
      url: "host/native/",
      covers: "the radio: SPI/GPIO tunnelled over the UART to the SX1262 chip model on the shared air",
    },
  ],
  notes: ["Not flashable: `mesh build --board qemu-rv32` builds the ELF and `mesh vboard --board qemu-rv32` runs it."],
};
