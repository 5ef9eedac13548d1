// Seeed Studio XIAO ESP32S3 & Wio-SX1262 kit: the XIAO ESP32S3 (8 MB flash, 8 MB PSRAM) with the
// Wio-SX1262 module on its B2B connector. Seeed sells a Wio-SX1262 on pin headers too, with a
// different pinout; this definition is the kit (B2B) only.
//
// Radio wiring, GPIO numbers:
//   SCK 7, MISO 8, MOSI 9, NSS 41, RESET 42, BUSY 40, DIO1 39 (IRQ) — Meshtastic's seeed_xiao_s3
//   variant and MeshCore's xiao_s3_wio build flags agree on every pin.
// RF switch: DIO2 drives the transmit side and the MCU drives the receive enable on GPIO38 — both
//   firmwares (SX126X_DIO2_AS_RF_SWITCH, SX126X_RXEN 38, SX126X_TXEN not connected).
// TCXO 1.8 V on DIO3 — both firmwares.
// LED GPIO48, active high — Meshtastic (LED_PIN 48, LED_STATE_ON 1) and MeshCore (PIN_STATUS_LED 48)
//   agree for the kit. The bare XIAO ESP32S3's own user LED is GPIO21 (RIOT and TinyGo board
//   docs); on the kit both firmwares use GPIO21 for the user button instead. Seeed's kit schematic
//   was not read, so the LED assignment is unverified.
// Flash 8 MB and native USB-Serial-JTAG (303a:1001) — RIOT's board page ("8 MByte Flash", "Native
//   USB and USB Serial JTAG"), Zephyr's board page (8 MB flash, USB-JTAG).
import { type BoardDefinition, standardFlashLayout } from "./board.js";

const FLASH_BYTES = 8 * 1024 * 1024;

export const seeedXiaoEsp32s3WioSx1262: BoardDefinition = {
  name: "seeed-xiao-esp32s3-wio-sx1262",
  displayName: "Seeed XIAO ESP32S3 & Wio-SX1262 kit",
  mcu: "esp32s3",
  flashBytes: FLASH_BYTES,
  flash: standardFlashLayout("esp32s3", FLASH_BYTES),
  radio: {
    chip: "sx1262",
    pins: { sck: 7, mosi: 9, miso: 8, nss: 41, reset: 42, busy: 40, irq: 39 },
    tcxoMillivolts: 1800,
    rfSwitch: { dio2: true, rxEnable: 38, txEnable: null },
    highPowerPa: true,
  },
  led: { pin: 48, activeLow: false },
  defaultRegion: "EU868",
  usb: [{ chip: "USB-Serial-JTAG", vendorId: 0x303a, productId: 0x1001 }],
  virtual: false,
  sources: [
    {
      title: "meshtastic/firmware variants/esp32s3/seeed_xiao_s3/variant.h",
      url: "https://github.com/meshtastic/firmware/blob/master/variants/esp32s3/seeed_xiao_s3/variant.h",
      covers: "SX1262 pins, BUSY 40, RXEN 38, DIO2 RF switch, TCXO 1.8 V, LED 48, button 21",
    },
    {
      title: "meshcore-dev/MeshCore variants/xiao_s3_wio/platformio.ini",
      url: "https://github.com/meshcore-dev/MeshCore/blob/main/variants/xiao_s3_wio/platformio.ini",
      covers: "independent confirmation of every radio pin, RXEN 38, TCXO 1.8 V, LED 48",
    },
    {
      title: "RIOT OS: Seeed Studio XIAO ESP32S3 board",
      url: "https://doc.riot-os.org/boards/seeedstudio-xiao-esp32s3",
      covers: "8 MB flash, native USB-Serial-JTAG, user LED on GPIO21 of the bare XIAO",
    },
    {
      title: "Zephyr: XIAO ESP32S3",
      url: "https://docs.zephyrproject.org/4.0.0/boards/seeed/xiao_esp32s3/doc/index.html",
      covers: "8 MB flash, USB-JTAG",
    },
    {
      title: "Reticulum discussion #1025: two boards named Wio-SX1262 for XIAO",
      url: "https://github.com/markqvist/Reticulum/discussions/1025",
      covers: "the kit's B2B-connector module differs in pinout from the header version",
    },
  ],
  notes: [
    "Only the kit's B2B-connected Wio-SX1262 matches these pins; the separately sold header version is wired differently.",
    "LED GPIO48 comes from Meshtastic and MeshCore, not from a Seeed document; GPIO21 is the bare XIAO's LED and the kit's button.",
    "Firmware that moves the USB port to TinyUSB CDC (Meshtastic builds this board with ARDUINO_USB_MODE=0) enumerates with another PID and needs BOOT held at plug-in to reach the ROM loader; meshstack firmware should keep USB-Serial-JTAG, which esptool can reset into the loader.",
  ],
};
