// LilyGO LoRa32 T3 V1.6.1 (the "TTGO LoRa32 V2.1_1.6") with an SX1276: ESP32-PICO-D4 (4 MB flash in
// package), SD card slot, OLED.
//
// Radio wiring, GPIO numbers:
//   SCK 5, MISO 19, MOSI 27, NSS 18, RESET 23, DIO1 33, DIO2 32 — LilyGO's hardware page for the
//   LoRa32 V1.6.1; DIO0 26 (the IRQ the SX127x driver waits on) from LilyGO's utilities.h
//   (T3_V1_6_SX1276), matching Meshtastic's tlora_v2_1_16 variant (LORA_DIO0 26, LORA_RESET 23).
// No TCXO: this is the crystal build. LilyGO also sells a "T3 V1.6.1 TCXO" build whose TCXO is
//   enabled from GPIO33 (and loses DIO1); it is a different board and would need its own file.
// No RF switch line: the SX1276 module routes PA_BOOST itself.
// LED GPIO25, active high; flash 4 MB; USB bridge CH9102 — LilyGO's hardware page (pin map "On Board
//   LED 25", product table, "Install the CH9102 USB bridge driver"). Older T3 V1.6 boards carry a
//   CP2104 (PlatformIO forum thread on the CH9102F change).
import { type BoardDefinition, standardFlashLayout } from "./board.js";

const FLASH_BYTES = 4 * 1024 * 1024;

export const lilygoT3V161: BoardDefinition = {
  name: "lilygo-t3-v1-6-1",
  displayName: "LilyGO LoRa32 T3 V1.6.1 (SX1276)",
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
  led: { pin: 25, activeLow: false },
  defaultRegion: "EU868",
  usb: [
    { chip: "CH9102", vendorId: 0x1a86, productId: 0x55d4, revisions: "V1.6.1" },
    { chip: "CP210x", vendorId: 0x10c4, productId: 0xea60, revisions: "V1.6 (CP2104)" },
  ],
  virtual: false,
  sources: [
    {
      title: "Xinyuan-LilyGO/LilyGo-LoRa-Series docs/en/t3_v161_sx1276/t3_v161_sx1276_hw.md",
      url: "https://github.com/Xinyuan-LilyGO/LilyGo-LoRa-Series/blob/master/docs/en/t3_v161_sx1276/t3_v161_sx1276_hw.md",
      covers: "ESP32-PICO-D4, 4 MB flash, CH9102 bridge, LoRa SCK/MISO/MOSI/RESET/DIO1/DIO2/CS, LED 25",
    },
    {
      title: "Xinyuan-LilyGO/LilyGo-LoRa-Series examples/Factory/utilities.h (T3_V1_6_SX1276)",
      url: "https://github.com/Xinyuan-LilyGO/LilyGo-LoRa-Series/blob/master/examples/Factory/utilities.h",
      covers: "DIO0 26; the TCXO build's GPIO33 TCXO enable (why this file is the crystal build)",
    },
    {
      title: "Xinyuan-LilyGO/LilyGo-LoRa-Series schematic/T3_V1.6.1.pdf",
      url: "https://github.com/Xinyuan-LilyGO/LilyGo-LoRa-Series/blob/master/schematic/T3_V1.6.1.pdf",
      covers: "vendor schematic (linked from the hardware page; not read as text here)",
    },
    {
      title: "meshtastic/firmware variants/esp32/tlora_v2_1_16/variant.h",
      url: "https://github.com/meshtastic/firmware/blob/master/variants/esp32/tlora_v2_1_16/variant.h",
      covers: "independent confirmation of DIO0 26, RESET 23, DIO1 33, LED 25",
    },
    {
      title: "PlatformIO community: TTGO T3 with WCH CH9102F USB modem",
      url: "https://community.platformio.org/t/ttgo-t3-with-wch-ch9102f-usb-modem-wont-flash-in-mac-os/24575",
      covers: "T3 V1.6.1 ships with a CH9102F; earlier T3 V1.6 with a CP2104",
    },
  ],
  notes: [
    "Remove the SD card while flashing: GPIO2 (SD MISO) is a strapping pin (LilyGO's hardware page).",
    "Earlier T3 V1.6 boards carry a CP2104 (10c4:ea60); `mesh ports` guesses either.",
  ],
};
