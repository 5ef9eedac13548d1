// LilyGO T-Beam (V1.x) with the SX1276 module: ESP32-D0WDQ6-V3, 4 MB flash, 8 MB PSRAM, GPS.
//
// Radio wiring, GPIO numbers:
//   SCK 5, MISO 19, MOSI 27, NSS 18, RESET 23, DIO0 26 (the IRQ the SX127x driver waits on), DIO1 33,
//   DIO2 32 — LilyGO's own pin map (docs/en/t_beam/t_beam_hw.md lists SCK/MISO/MOSI/RESET/DIO1/DIO2/CS)
//   and its examples' utilities.h for the T_BEAM_SX1276 build (adds DIO0 26), matching
//   Meshtastic's tbeam variant (LORA_DIO0 26, LORA_RESET 23).
// No TCXO (SX127x modules use a crystal) and no RF switch line: the module routes PA_BOOST itself.
// LED GPIO4, active low — utilities.h (BOARD_LED 4, LED_ON LOW); Meshtastic notes the GPIO4 LED
//   exists on V1.1 and later only.
// Flash 4 MB, USB bridge CH9102 — LilyGO's T-Beam hardware page (product table; "Install the CH9102
//   USB bridge driver"). Early V1.0 boards are said to use a CP2104 (unconfirmed: no vendor
//   document found), listed second so `mesh ports` still recognises them.
import { type BoardDefinition, standardFlashLayout } from "./board.js";

const FLASH_BYTES = 4 * 1024 * 1024;

export const lilygoTBeamSx1276: BoardDefinition = {
  name: "lilygo-t-beam-sx1276",
  displayName: "LilyGO T-Beam V1.x (SX1276)",
  mcu: "esp32",
  flashBytes: FLASH_BYTES,
  flash: standardFlashLayout("esp32", FLASH_BYTES),
  radio: {
    chip: "sx1276",
    pins: { sck: 5, mosi: 27, miso: 19, nss: 18, reset: 23, busy: null, irq: 26 },
    tcxoMillivolts: 0,
    rfSwitch: { dio2: false, rxEnable: null, txEnable: null },
    highPowerPa: false,
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
      title: "Xinyuan-LilyGO/LilyGo-LoRa-Series docs/en/t_beam/t_beam_hw.md",
      url: "https://github.com/Xinyuan-LilyGO/LilyGo-LoRa-Series/blob/master/docs/en/t_beam/t_beam_hw.md",
      covers: "SoC, 4 MB flash, CH9102 bridge, LoRa SCK/MISO/MOSI/RESET/DIO1/DIO2/CS, PMU rails (ALDO2 = radio)",
    },
    {
      title: "Xinyuan-LilyGO/LilyGo-LoRa-Series examples/Factory/utilities.h (T_BEAM_SX1276)",
      url: "https://github.com/Xinyuan-LilyGO/LilyGo-LoRa-Series/blob/master/examples/Factory/utilities.h",
      covers: "DIO0 26, BOARD_LED 4 active low",
    },
    {
      title: "Xinyuan-LilyGO/LilyGo-LoRa-Series schematic/LilyGo_TBeam_V1.2.pdf",
      url: "https://github.com/Xinyuan-LilyGO/LilyGo-LoRa-Series/blob/master/schematic/LilyGo_TBeam_V1.2.pdf",
      covers: "vendor schematic (linked from the hardware page; not read as text here)",
    },
    {
      title: "meshtastic/firmware variants/esp32/tbeam/variant.h",
      url: "https://github.com/meshtastic/firmware/blob/master/variants/esp32/tbeam/variant.h",
      covers: "independent confirmation of DIO0 26, RESET 23, DIO1 33, LED on GPIO4 from V1.1",
    },
  ],
  notes: [
    "The radio is powered from the PMU (AXP192 on V1.0/V1.1, AXP2101 on V1.2: ALDO2, I2C SDA 21 / SCL 22): the HAL must enable that rail over I2C before the radio answers.",
    "V1.0 boards are said to carry a CP2104 (10c4:ea60) instead of the CH9102; no vendor document found confirms it. `mesh ports` guesses either.",
  ],
};
