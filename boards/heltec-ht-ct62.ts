// Heltec HT-CT62 on the HT-DEV-ESP carrier: an ESP32-C3FN4 (4 MB flash in package) + SX1262 module,
// the ESP32-C3 + SX1262 design Heltec sells ready-made (also inside its "Wireless Mini Shell").
//
// Radio wiring, GPIO numbers:
//   NSS 8, DIO1 3 (IRQ), RESET 5, BUSY 4 — the module pinout (HT-CT62 datasheet as quoted on the
//   Arduino forum: "NSS pin 8, DIO1 pin 3, NRST pin 5, BUSY pin 4"); SCK 10, MISO 6, MOSI 7 —
//   Meshtastic's heltec_esp32c3 / ht62-esp32c3 variants and MeshCore's heltec_ct62 flags, which
//   agree with each other on all seven radio lines.
// TCXO 1.8 V on DIO3 and DIO2 as RF switch — the same two firmwares.
// LED GPIO2, active high — Meshtastic ("LED pin on HT-DEV-ESP_V2 and HT-DEV-ESP_V3", citing the
//   HT-DEV-ESP V3 schematic). MeshCore drives a TX LED on GPIO18 instead, which is the C3's USB D-
//   line; GPIO2 is taken. The LED belongs to the carrier, not the module.
// Flash 4 MB — Heltec's ESP32-C3 docs ("ESP32-C3FN4 … internal 4MB flash"); MeshCore builds the
//   CT62 with a smaller-SPIFFS scheme "to get around 4mb flash limit".
// USB: the C3's native USB-Serial-JTAG on GPIO18/19 (303a:1001). Inferred from Meshtastic building
//   this board with ARDUINO_USB_MODE=1 / USB_CDC_ON_BOOT=1 and the Heltec forum thread on wiring
//   USB D+/D- to GPIO19/18; Heltec's reference design also shows an optional CP2102. Which one the
//   HT-DEV-ESP carrier populates is unverified.
import { type BoardDefinition, standardFlashLayout } from "./board.js";

const FLASH_BYTES = 4 * 1024 * 1024;

export const heltecHtCt62: BoardDefinition = {
  name: "heltec-ht-ct62",
  displayName: "Heltec HT-CT62 (ESP32-C3 + SX1262) on HT-DEV-ESP",
  mcu: "esp32c3",
  flashBytes: FLASH_BYTES,
  flash: standardFlashLayout("esp32c3", FLASH_BYTES),
  radio: {
    chip: "sx1262",
    pins: { sck: 10, mosi: 7, miso: 6, nss: 8, reset: 5, busy: 4, irq: 3 },
    tcxoMillivolts: 1800,
    rfSwitch: { dio2: true, rxEnable: null, txEnable: null },
    highPowerPa: true,
  },
  led: { pin: 2, activeLow: false },
  defaultRegion: "EU868",
  usb: [
    { chip: "USB-Serial-JTAG", vendorId: 0x303a, productId: 0x1001, revisions: "native USB on GPIO18/19" },
    {
      chip: "CP210x",
      vendorId: 0x10c4,
      productId: 0xea60,
      revisions: "carriers with the reference design's optional CP2102",
    },
  ],
  virtual: false,
  sources: [
    {
      title: "meshtastic/firmware variants/esp32c3/heltec_esp32c3/variant.h and platformio.ini",
      url: "https://github.com/meshtastic/firmware/tree/master/variants/esp32c3/heltec_esp32c3",
      covers: "SX1262 pins, TCXO 1.8 V, DIO2 RF switch, LED 2 on HT-DEV-ESP V2/V3, native USB CDC build",
    },
    {
      title: "meshcore-dev/MeshCore variants/heltec_ct62/platformio.ini",
      url: "https://github.com/meshcore-dev/MeshCore/blob/main/variants/heltec_ct62/platformio.ini",
      covers: "independent confirmation of all radio pins, TCXO 1.8 V, DIO2 RF switch; the 4 MB flash limit",
    },
    {
      title: "Arduino forum: HT-CT62 problem with SPI initialization (module datasheet pinout)",
      url: "https://forum.arduino.cc/t/ht-ct62-problem-with-spi-initialization/1263313",
      covers: "NSS 8, DIO1 3, NRST 5, BUSY 4 from the HT-CT62 datasheet",
    },
    {
      title: "Heltec docs: ESP32-C3",
      url: "https://docs.heltec.org/en/node/esp32/esp32_c3/index.html",
      covers: "ESP32-C3FN4 with 4 MB internal flash",
    },
    {
      title: "Heltec HT-CT62 reference design and HT-DEV-ESP V3 schematic",
      url: "https://resource.heltec.cn/download/HT-DEV-ESP/HT-DEV-ESP_V3_Sch.pdf",
      covers: "vendor schematics (cited by Meshtastic; not read as text here)",
    },
    {
      title: "Heltec community forum: HT-CT62 pinout",
      url: "http://community.heltec.cn/t/ht-ct62-pinout/13103",
      covers: "native USB on GPIO18 (D-) / GPIO19 (D+); optional CP2102 in the reference design",
    },
  ],
  notes: [
    "USB bridge unverified: native USB-Serial-JTAG is inferred; a carrier with the reference design's CP2102 appears as 10c4:ea60.",
    "The LED (GPIO2) is on the HT-DEV-ESP carrier; a bare module in another carrier may have none.",
  ],
};
