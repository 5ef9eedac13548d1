// Which USB-to-serial bridge a VID:PID is, and which boards carry it: the guess `mesh ports` prints.
// IDs: Linux drivers/usb/serial/cp210x.c (10C4:EA60 "Silicon Labs factory default", used by the
// CP2102 and CP2104 alike), drivers/usb/serial/ch341.c (1A86:7523 CH340, 1A86:55D4 CH9102),
// ftdi_sio_ids.h (0403:6001 FT232R, 0403:6010 FT2232), and esptool-js (303A:1001, the USB-Serial-JTAG
// of the ESP32-S3/C3/C6: ESPRESSIF_VID, USB_JTAG_SERIAL_PID).
import { boards } from "../../boards/index.js";

export interface BridgeGuess {
  /** The bridge chip, or "Espressif native USB" for other 303A products. */
  bridge: string;
  /** Names of boards known to carry it (boards/*.ts `usb`); a guess, not an identification. */
  boards: string[];
}

const ESPRESSIF_VID = 0x303a;

const BRIDGES: { vendorId: number; productId: number; bridge: string }[] = [
  { vendorId: 0x10c4, productId: 0xea60, bridge: "CP210x (CP2102/CP2104)" },
  { vendorId: 0x1a86, productId: 0x7523, bridge: "CH340" },
  { vendorId: 0x1a86, productId: 0x55d4, bridge: "CH9102" },
  { vendorId: 0x1a86, productId: 0x55d3, bridge: "CH343" },
  { vendorId: 0x0403, productId: 0x6001, bridge: "FTDI FT232R" },
  { vendorId: 0x0403, productId: 0x6010, bridge: "FTDI FT2232" },
  { vendorId: ESPRESSIF_VID, productId: 0x1001, bridge: "ESP32-S3/C3 USB-Serial-JTAG" },
];

/** The bridge and candidate boards for a USB id, or undefined for a device nothing here knows. */
export function guessBridge(vendorId: number, productId: number): BridgeGuess | undefined {
  const known = BRIDGES.find((b) => b.vendorId === vendorId && b.productId === productId);
  // Other Espressif PIDs are the chip's USB-OTG under application firmware (TinyUSB CDC): an
  // ESP32 board, but not in the ROM loader's USB-Serial-JTAG mode.
  const bridge = known?.bridge ?? (vendorId === ESPRESSIF_VID ? "Espressif native USB" : undefined);
  if (bridge === undefined) return undefined;
  const candidates = boards
    .filter((board) => board.usb.some((u) => u.vendorId === vendorId && u.productId === productId))
    .map((board) => board.name);
  return { bridge, boards: candidates };
}

/** "10c4:ea60", as lsusb prints it. */
export function formatUsbId(vendorId: number, productId: number): string {
  return `${vendorId.toString(16).padStart(4, "0")}:${productId.toString(16).padStart(4, "0")}`;
}
