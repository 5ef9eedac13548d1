// The virtual board: the emulated target `mesh hil` and CI use when no hardware is attached
// (host/vboard). It stands behind a pseudo-terminal, answers the ESP ROM serial protocol as an
// ESP32-S3, and its radio is the SX1262 chip model of the simulator (host/sim/chips/sx1262-model.ts).
//
// Why ESP32-S3: host/vboard/chips.ts can answer as an ESP32, ESP32-S3 or ESP32-C3 ROM loader; this
// board picks the S3, so esptool-js takes the S3 target and `mesh flash` writes the bootloader at
// 0x0 exactly as for the Heltec V3 and the XIAO kit, with native USB-Serial-JTAG semantics like the
// newer boards. (DESIGN.md runs the firmware itself on a RISC-V qemu, the ESP32-C3's ISA; C3 and S3
// share the 0x0 bootloader offset and this flash layout, so either would do.)
// Flash 4 MB: the smallest size the real boards here have, so the layout (and its fit) is tested
//   at the tightest size, and the emulated flash stays small in memory.
// Radio: SX1262 with a 1.8 V TCXO on DIO3 and DIO2 as RF switch, like most SX1262 modules here
//   (Heltec V3, HT-CT62, T-Beam SX1262), so the virtual board exercises the driver's TCXO start-up
//   and calibration path (the chip model checks it: boardTcxoMillivolts).
// Pins are symbolic line names, not GPIO numbers: there are no pads, and the virtual HAL maps
//   radio-drivers/bus.ts Pin lines straight onto the chip model.
import { type BoardDefinition, standardFlashLayout } from "./board.js";

const FLASH_BYTES = 4 * 1024 * 1024;

export const virtualBoard: BoardDefinition = {
  name: "virtual",
  displayName: "Virtual board (emulated ESP32-S3 + SX1262 model)",
  mcu: "esp32s3",
  flashBytes: FLASH_BYTES,
  flash: standardFlashLayout("esp32s3", FLASH_BYTES),
  radio: {
    chip: "sx1262",
    pins: {
      sck: "radio.sck",
      mosi: "radio.mosi",
      miso: "radio.miso",
      nss: "radio.nss",
      reset: "radio.reset",
      busy: "radio.busy",
      irq: "radio.dio1",
    },
    tcxoMillivolts: 1800,
    rfSwitch: { dio2: true, rxEnable: null, txEnable: null },
    highPowerPa: true,
  },
  led: { pin: "led", activeLow: false },
  defaultRegion: "EU868",
  usb: [],
  virtual: true,
  sources: [
    {
      title: "meshstack host/sim/chips/sx1262-model.ts",
      url: "host/sim/chips/sx1262-model.ts",
      covers: "the radio: the SX1262 chip model, which checks the TCXO (boardTcxoMillivolts) and DIO2 set-up",
    },
    {
      title: "meshstack host/vboard (the emulated ESP ROM loader behind a pseudo-terminal)",
      url: "host/vboard/",
      covers: "the MCU the board answers as; must stay in step with this file",
    },
    {
      title: "esptool-js src/targets/esp32s3.ts",
      url: "https://github.com/espressif/esptool-js/blob/main/src/targets/esp32s3.ts",
      covers: "ESP32-S3 bootloader offset 0x0",
    },
  ],
  notes: [
    "The emulated ROM loader must be started as this board's MCU (esp32s3) so esptool-js and the bootloader offset agree with this definition.",
  ],
};
