// Heltec WiFi LoRa 32 V3 (HTIT-WB32LA): ESP32-S3FN8 (8 MB flash in package) with an SX1262.
//
// Radio wiring, GPIO numbers:
//   NSS 8, SCK 9, MOSI 10, MISO 11, RESET 12, BUSY 13, DIO1 14 — Espressif's arduino-esp32 board
//   variant (SS/SCK/MOSI/MISO, RST_LoRa 12, BUSY_LoRa 13, and DIO1 wired to GPIO14, which that file
//   calls "DIO0"), agreeing with Meshtastic's heltec_v3 variant and MeshCore's heltec_v3 build flags.
// TCXO 1.8 V on DIO3 and DIO2 as RF switch — Meshtastic (SX126X_DIO3_TCXO_VOLTAGE 1.8,
//   SX126X_DIO2_AS_RF_SWITCH) and MeshCore (the same two settings) agree; Heltec's schematic
//   (HTIT-WB32LA(F)_V3.1) was not read as text, so the voltage rests on those two firmwares.
// LED GPIO35, active high — arduino-esp32 variant (LED = 35).
// Flash 8 MB — WLED's board notes ("ESP32-S3FN8, 8MB Flash") and Meshtastic's 8MB partition scheme.
// USB: a CP2102 bridge to UART0. Heltec community forum (the V3 family schematic shows the CP2102
//   between USB and U0TXD/U0RXD). Unverified on the V3.1 schematic itself.
import { type BoardDefinition, standardFlashLayout } from "./board.js";

const FLASH_BYTES = 8 * 1024 * 1024;

export const heltecWifiLora32V3: BoardDefinition = {
  name: "heltec-wifi-lora-32-v3",
  displayName: "Heltec WiFi LoRa 32 V3",
  mcu: "esp32s3",
  flashBytes: FLASH_BYTES,
  flash: standardFlashLayout("esp32s3", FLASH_BYTES),
  radio: {
    chip: "sx1262",
    pins: { sck: 9, mosi: 10, miso: 11, nss: 8, reset: 12, busy: 13, irq: 14 },
    tcxoMillivolts: 1800,
    rfSwitch: { dio2: true, rxEnable: null, txEnable: null },
    highPowerPa: true,
  },
  led: { pin: 35, activeLow: false },
  defaultRegion: "EU868",
  usb: [{ chip: "CP210x", vendorId: 0x10c4, productId: 0xea60 }],
  virtual: false,
  sources: [
    {
      title: "espressif/arduino-esp32 variants/heltec_wifi_lora_32_V3/pins_arduino.h",
      url: "https://github.com/espressif/arduino-esp32/blob/master/variants/heltec_wifi_lora_32_V3/pins_arduino.h",
      covers: "SPI pins, NSS, RESET, BUSY, DIO1 (named DIO0 there), LED 35, Vext 36",
    },
    {
      title: "meshtastic/firmware variants/esp32s3/heltec_v3/variant.h and platformio.ini",
      url: "https://github.com/meshtastic/firmware/tree/master/variants/esp32s3/heltec_v3",
      covers: "SX1262 pins, TCXO 1.8 V on DIO3, DIO2 RF switch, 8 MB partition scheme",
    },
    {
      title: "meshcore-dev/MeshCore variants/heltec_v3/platformio.ini",
      url: "https://github.com/meshcore-dev/MeshCore/blob/main/variants/heltec_v3/platformio.ini",
      covers: "independent confirmation of the SX1262 pins, TCXO 1.8 V, DIO2 RF switch, LED 35",
    },
    {
      title: "ropg/heltec_esp32_lora_v3 README",
      url: "https://github.com/ropg/heltec_esp32_lora_v3",
      covers: 'the board is the HTIT-WB32LA; Heltec labels the SX1262\'s DIO1 line "DIO0" in pins_arduino.h',
    },
    {
      title: "Heltec HTIT-WB32LA(F) V3.1 schematic",
      url: "https://resource.heltec.cn/download/WiFi_LoRa_32_V3/HTIT-WB32LA(F)_V3.1_Schematic_Diagram.pdf",
      covers: "vendor schematic (cited by the sources above; not read as text here)",
    },
    {
      title: "Heltec community forum: heltec wsl_v3 not recognized from any usb",
      url: "http://community.heltec.cn/t/heltec-wsl-v3-not-recognized-from-any-usb/18494",
      covers: "CP2102 USB-UART bridge on the V3 family",
    },
  ],
  notes: [
    "Vext (GPIO36, active low) powers the OLED and, per Meshtastic, the LoRa antenna boost; the HAL should drive it low before transmitting.",
    "USB bridge CP2102 is taken from the forum's reading of the V3 family schematic, not confirmed on the V3.1 schematic.",
  ],
};
