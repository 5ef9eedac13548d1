// Lists the serial ports a board can be on, read straight from Linux sysfs.
//
// Why not `SerialPort.list()`: on Linux the serialport package spawns `udevadm`, which containers
// and minimal systems lack, and the failure kills the process. sysfs carries the same facts:
//   /sys/class/tty/<name>/device  → the port's device; for USB it sits under the USB interface
//                                   (ttyACM: the interface itself; ttyUSB: a port device below it)
//   …/<usb device>/idVendor, idProduct, serial, manufacturer, product  (the USB device directory)
//   …/<usb interface>/bInterfaceNumber
//   /dev/serial/by-id/*           → stable names udev creates, used as a hint when present
// Ports without a `device` link are virtual consoles and pseudo-terminals, never listed.
// Other platforms: `serialport` lists through OS APIs there without udevadm, so it is used instead.
import { existsSync, readdirSync, readFileSync, readlinkSync, realpathSync } from "node:fs";
import { basename, dirname, join, resolve, sep } from "node:path";
import { type BridgeGuess, guessBridge } from "./usb-bridges.js";

export interface UsbDetails {
  vendorId: number;
  productId: number;
  serialNumber: string | null;
  manufacturer: string | null;
  product: string | null;
  /** bInterfaceNumber of the interface the port belongs to (multi-port bridges, composite devices). */
  interfaceNumber: number | null;
  /** Bus-port path of the USB device, e.g. "1-2.3": where it is plugged in. */
  location: string;
}

export interface SerialPortInfo {
  /** Device node, e.g. /dev/ttyUSB0. */
  path: string;
  /** Its /dev/serial/by-id name, which survives re-plugging, or null. */
  byId: string | null;
  /** Kernel driver bound to the port or its interface: cp210x, ch341, cdc_acm, ftdi_sio, … */
  driver: string | null;
  usb: UsbDetails | null;
  guess: BridgeGuess | null;
}

export interface ListOptions {
  /** Stands in for "/sys" (tests build a fake tree). */
  sysRoot?: string;
  /** Stands in for "/dev". */
  devRoot?: string;
  /** Also list serial ports that are not on USB (on-board UARTs); USB is where boards are. */
  includeNonUsb?: boolean;
}

/**
 * Serial ports found under sysRoot, USB first then by name. Never throws on a missing or odd tree:
 * no /sys gives an empty list.
 */
export function listSysfsSerialPorts(options: ListOptions = {}): SerialPortInfo[] {
  const sysRoot = options.sysRoot ?? "/sys";
  const devRoot = options.devRoot ?? "/dev";
  const byId = readByIdLinks(devRoot);
  const ports: SerialPortInfo[] = [];
  for (const name of safeReaddir(join(sysRoot, "class", "tty"))) {
    const deviceLink = join(sysRoot, "class", "tty", name, "device");
    const device = safeRealpath(deviceLink);
    if (device === undefined) continue;
    const usb = readUsbDetails(device, sysRoot);
    if (usb === null) {
      // serial8250 registers ttyS0…ttyS31 on the "platform" bus whether or not a UART is there;
      // real on-board ports sit on pnp, pci or amba.
      if (!options.includeNonUsb || subsystemOf(device) === "platform") continue;
    }
    ports.push({
      path: join(devRoot, name),
      byId: byId.get(name) ?? null,
      driver: driverOf(device) ?? (usb ? driverOf(dirname(device)) : undefined) ?? null,
      usb,
      guess: usb ? (guessBridge(usb.vendorId, usb.productId) ?? null) : null,
    });
  }
  return ports.sort((a, b) => Number(b.usb !== null) - Number(a.usb !== null) || comparePaths(a.path, b.path));
}

/**
 * The ports on this machine: sysfs on Linux; elsewhere `serialport`'s own listing, which needs no
 * udevadm there. An empty list when nothing can be read.
 */
export async function listSerialPorts(options: ListOptions = {}): Promise<SerialPortInfo[]> {
  if (process.platform === "linux" || options.sysRoot !== undefined) return listSysfsSerialPorts(options);
  try {
    const { SerialPort } = await import("serialport");
    const listed = await SerialPort.list();
    return listed.map((p) => {
      const vendorId = p.vendorId ? Number.parseInt(p.vendorId, 16) : Number.NaN;
      const productId = p.productId ? Number.parseInt(p.productId, 16) : Number.NaN;
      const onUsb = Number.isInteger(vendorId) && Number.isInteger(productId);
      return {
        path: p.path,
        byId: null,
        driver: null,
        usb: onUsb
          ? {
              vendorId,
              productId,
              serialNumber: p.serialNumber ?? null,
              manufacturer: p.manufacturer ?? null,
              product: null,
              interfaceNumber: null,
              location: p.locationId ?? "",
            }
          : null,
        guess: onUsb ? (guessBridge(vendorId, productId) ?? null) : null,
      };
    });
  } catch {
    return [];
  }
}

// ---- sysfs reading -----------------------------------------------------------------------------------

/**
 * Walks up from the port's device to the USB device directory (the first ancestor with idVendor
 * and idProduct), no further than sysRoot. null when the port is not on USB.
 */
function readUsbDetails(device: string, sysRoot: string): UsbDetails | null {
  const root = safeRealpath(sysRoot) ?? resolve(sysRoot);
  let child: string | undefined;
  let dir = device;
  for (let depth = 0; depth < 16 && dir.startsWith(root + sep); depth++) {
    const vendor = readHex(join(dir, "idVendor"));
    const product = readHex(join(dir, "idProduct"));
    if (vendor !== undefined && product !== undefined) {
      // The interface is the directory just below the device on the way up ("1-2:1.0").
      const interfaceNumber = child !== undefined ? readHex(join(child, "bInterfaceNumber")) : undefined;
      return {
        vendorId: vendor,
        productId: product,
        serialNumber: readText(join(dir, "serial")),
        manufacturer: readText(join(dir, "manufacturer")),
        product: readText(join(dir, "product")),
        interfaceNumber: interfaceNumber ?? null,
        location: basename(dir),
      };
    }
    child = dir;
    dir = dirname(dir);
  }
  return null;
}

function readByIdLinks(devRoot: string): Map<string, string> {
  const links = new Map<string, string>();
  const directory = join(devRoot, "serial", "by-id");
  for (const name of safeReaddir(directory)) {
    const link = join(directory, name);
    try {
      // Resolved by hand so a dangling link still names its tty (udev writes "../../ttyUSB0").
      links.set(basename(resolve(directory, readlinkSync(link))), link);
    } catch {
      // Not a link: ignore it.
    }
  }
  return links;
}

function driverOf(dir: string): string | undefined {
  const target = safeRealpath(join(dir, "driver"));
  return target === undefined ? undefined : basename(target);
}

function subsystemOf(dir: string): string | undefined {
  const target = safeRealpath(join(dir, "subsystem"));
  return target === undefined ? undefined : basename(target);
}

function readText(file: string): string | null {
  try {
    const text = readFileSync(file, "utf8").trim();
    return text === "" ? null : text;
  } catch {
    return null;
  }
}

function readHex(file: string): number | undefined {
  const text = readText(file);
  if (text === null || !/^[0-9a-f]{1,8}$/i.test(text)) return undefined;
  return Number.parseInt(text, 16);
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function safeRealpath(path: string): string | undefined {
  try {
    return existsSync(path) ? realpathSync(path) : undefined;
  } catch {
    return undefined;
  }
}

/** ttyUSB2 before ttyUSB10. */
function comparePaths(a: string, b: string): number {
  return a.localeCompare(b, "en", { numeric: true });
}
