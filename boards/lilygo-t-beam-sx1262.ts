// LilyGO T-Beam (V1.x) with the SX1262 module: same ESP32 board as the SX1276 build, different
// radio module on the same footprint.
//
// Radio wiring, GPIO numbers:
//   SCK 5, MISO 19, MOSI 27, NSS 18, RESET 23, DIO1 33 (IRQ), BUSY 32 — LilyGO's utilities.h for the
//   T_BEAM_SX1262 build (RADIO_BUSY_PIN 32 on the line the SX1276 build calls DIO2), matching
//   Meshtastic's tbeam variant (SX126X_BUSY = LORA_DIO2 = 32, SX126X_DIO1 = 33).
// TCXO 1.8 V on DIO3 and DIO2 as RF switch — Meshtastic's tbeam variant ("TTGO seems to clone the
//   E22": SX126X_DIO3_TCXO_VOLTAGE 1.8, SX126X_DIO2_AS_RF_SWITCH). UNVERIFIED against LilyGO: its own
//   RadioLib examples set neither and so run on RadioLib's default TCXO setting (1.6 V), and the
//   module schematic was not read. 1.8 V follows the firmware that ships on these boards in numbers;
//   if the radio reports XOSC_START_ERR after calibration, this is the value to check.
// LED GPIO4 active low, flash 4 MB, CH9102 bridge — as the SX1276 build (LilyGO's hardware page and
//   utilities.h).
import { type BoardDefinition, standardFlashLayout } from "./board.js";

const FLASH_BYTES = 4 * 1024 * 1024;

export const lilygoTBeamSx1262: BoardDefinition = {
  name: "lilygo-t-beam-sx1262",
  displayName: "LilyGO T-Beam V1.x (SX1262)",
  mcu: "esp32",
  flashBytes: FLASH_BYTES,
  flash: standardFlashLayout("esp32", FLASH_BYTES),
  radio: {
    chip: "sx1262",
    pins: { sck: 5, mosi: 27, miso: 19, nss: 18, reset: 23, busy: 32, irq: 33 },
    tcxoMillivolts: 1800,
    rfSwitch: { dio2: true, rxEnable: null, txEnable: null },
    highPowerPa: true,
  },
  led: { pin: 4, activeLow: true },
  defaultRegion: "EU868",
  usb: [
    { chip: "CH9102", vendorId: 0x1a86, productId: 0x55d4, revisions: "V1.1 and later" },
    { chip: "CP210x", vendorId: 0x10c4, productId: 0xea60, revisions: "V1.0 (CP2104; unverified)" },
  ],
  virtual: false,
  sources: [
    {
      title: "Xinyuan-LilyGO/LilyGo-LoRa-Series examples/Factory/utilities.h (T_BEAM_SX1262)",
      url: "https://github.com/Xinyuan-LilyGO/LilyGo-LoRa-Series/blob/master/examples/Factory/utilities.h",
      covers: "SCK/MISO/MOSI/CS/RESET, DIO1 33, BUSY 32, BOARD_LED 4 active low",
    },
    {
      title: "Xinyuan-LilyGO/LilyGo-LoRa-Series docs/en/t_beam/t_beam_hw.md",
      url: "https://github.com/Xinyuan-LilyGO/LilyGo-LoRa-Series/blob/master/docs/en/t_beam/t_beam_hw.md",
      covers: "SoC, 4 MB flash, CH9102 bridge, SX1262 module option, PMU rails (ALDO2 = radio)",
    },
    {
      title: "meshtastic/firmware variants/esp32/tbeam/variant.h",
      url: "https://github.com/meshtastic/firmware/blob/master/variants/esp32/tbeam/variant.h",
      covers: "BUSY 32, DIO1 33, TCXO 1.8 V on DIO3, DIO2 RF switch",
    },
  ],
  notes: [
    "TCXO voltage and DIO2 RF switch come from Meshtastic only; LilyGO's examples use RadioLib defaults (1.6 V TCXO, no DIO2 switch). Unverified on the module schematic.",
    "The radio is powered from the PMU (AXP192 / AXP2101 ALDO2): the HAL must enable that rail over I2C first.",
    "DIO0 (GPIO26) is not connected on the SX1262 module.",
    "V1.0 boards are said to carry a CP2104 (10c4:ea60) instead of the CH9102; no vendor document found confirms it.",
  ],
};
