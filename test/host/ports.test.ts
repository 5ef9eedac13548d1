// `mesh ports` reads Linux sysfs itself; these tests build the parts of a sysfs tree it reads — the
// shapes the kernel gives a usb-serial port (ttyUSB: a port device below the USB interface) and a
// CDC-ACM port (ttyACM: the interface itself) — plus virtual ttys and a placeholder ttyS, in a
// temporary directory.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { listSysfsSerialPorts } from "../../host/ports/serial-ports.js";
import { formatUsbId, guessBridge } from "../../host/ports/usb-bridges.js";
import { runMesh } from "../support/run-mesh.js";

let root: string;
let sys: string;
let dev: string;

function file(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${content}\n`);
}

/** A relative symlink, as sysfs and udev make them. */
function link(path: string, target: string): void {
  mkdirSync(dirname(path), { recursive: true });
  mkdirSync(target, { recursive: true });
  symlinkSync(relative(dirname(path), target), path);
}

function usbDevice(path: string, ids: Record<string, string>): void {
  mkdirSync(path, { recursive: true });
  for (const [name, value] of Object.entries(ids)) file(join(path, name), value);
}

/** /sys/class/tty/<name> → the tty's class device, whose `device` link points at `deviceDir`. */
function tty(name: string, deviceDir: string | null): void {
  const classDevice = deviceDir ? join(deviceDir, "tty", name) : join(sys, "devices", "virtual", "tty", name);
  mkdirSync(classDevice, { recursive: true });
  file(join(classDevice, "dev"), "188:0");
  if (deviceDir) link(join(classDevice, "device"), deviceDir);
  link(join(sys, "class", "tty", name), classDevice);
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "mesh-sysfs-"));
  sys = join(root, "sys");
  dev = join(root, "dev");
  const hub = join(sys, "devices", "pci0000:00", "0000:00:14.0", "usb1");

  // A Heltec V3: CP2102 on the usb-serial bus (ttyUSB0 under interface 1-2:1.0).
  const cp2102 = join(hub, "1-2");
  usbDevice(cp2102, {
    idVendor: "10c4",
    idProduct: "ea60",
    serial: "0001",
    manufacturer: "Silicon Labs",
    product: "CP2102 USB to UART Bridge Controller",
  });
  file(join(cp2102, "1-2:1.0", "bInterfaceNumber"), "00");
  const cp2102Port = join(cp2102, "1-2:1.0", "ttyUSB0");
  link(join(cp2102Port, "driver"), join(sys, "bus", "usb-serial", "drivers", "cp210x"));
  tty("ttyUSB0", cp2102Port);

  // An XIAO ESP32S3: USB-Serial-JTAG, CDC-ACM (ttyACM0 is the interface 1-3.4:1.0 itself), behind a hub port.
  const jtag = join(hub, "1-3", "1-3.4");
  usbDevice(jtag, {
    idVendor: "303a",
    idProduct: "1001",
    serial: "84:F7:03:A0:F3:80",
    manufacturer: "Espressif",
    product: "USB JTAG/serial debug unit",
  });
  const jtagInterface = join(jtag, "1-3.4:1.0");
  file(join(jtagInterface, "bInterfaceNumber"), "00");
  link(join(jtagInterface, "driver"), join(sys, "bus", "usb", "drivers", "cdc_acm"));
  tty("ttyACM0", jtagInterface);

  // Something else on USB, with no serial number: a USB modem nothing here knows.
  const modem = join(hub, "1-5");
  usbDevice(modem, { idVendor: "1199", idProduct: "9071", product: "Sierra Wireless modem" });
  const modemInterface = join(modem, "1-5:1.3");
  file(join(modemInterface, "bInterfaceNumber"), "03");
  link(join(modemInterface, "driver"), join(sys, "bus", "usb", "drivers", "qcserial"));
  const modemPort = join(modemInterface, "ttyUSB10");
  tty("ttyUSB10", modemPort);

  // A real on-board UART (pnp) and a serial8250 placeholder (platform), neither on USB.
  const pnp = join(sys, "devices", "pnp0", "00:04");
  link(join(pnp, "subsystem"), join(sys, "bus", "pnp"));
  tty("ttyS0", pnp);
  const placeholder = join(sys, "devices", "platform", "serial8250");
  link(join(placeholder, "subsystem"), join(sys, "bus", "platform"));
  tty("ttyS1", placeholder);

  // Virtual consoles and the pty master have no device link.
  tty("console", null);
  tty("ptmx", null);

  // udev's stable name for the CP2102; the target need not exist.
  mkdirSync(join(dev, "serial", "by-id"), { recursive: true });
  symlinkSync(
    "../../ttyUSB0",
    join(dev, "serial", "by-id", "usb-Silicon_Labs_CP2102_USB_to_UART_Bridge_Controller_0001-if00-port0"),
  );
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("the sysfs reader", () => {
  it("lists USB serial ports with ids, serial numbers, drivers and stable names", () => {
    const ports = listSysfsSerialPorts({ sysRoot: sys, devRoot: dev });
    expect(ports.map((p) => p.path)).toEqual([join(dev, "ttyACM0"), join(dev, "ttyUSB0"), join(dev, "ttyUSB10")]);

    const [acm, cp2102, modem] = ports;
    expect(cp2102).toEqual({
      path: join(dev, "ttyUSB0"),
      byId: join(dev, "serial", "by-id", "usb-Silicon_Labs_CP2102_USB_to_UART_Bridge_Controller_0001-if00-port0"),
      driver: "cp210x",
      usb: {
        vendorId: 0x10c4,
        productId: 0xea60,
        serialNumber: "0001",
        manufacturer: "Silicon Labs",
        product: "CP2102 USB to UART Bridge Controller",
        interfaceNumber: 0,
        location: "1-2",
      },
      guess: { bridge: "CP210x (CP2102/CP2104)", boards: expect.arrayContaining(["heltec-wifi-lora-32-v3"]) },
    });
    expect(acm).toMatchObject({
      driver: "cdc_acm",
      byId: null,
      usb: { vendorId: 0x303a, productId: 0x1001, serialNumber: "84:F7:03:A0:F3:80", location: "1-3.4" },
      guess: { bridge: "ESP32-S3/C3 USB-Serial-JTAG" },
    });
    expect(acm.guess?.boards).toContain("seeed-xiao-esp32s3-wio-sx1262");
    expect(modem).toMatchObject({
      driver: "qcserial",
      usb: { vendorId: 0x1199, serialNumber: null, interfaceNumber: 3 },
      guess: null,
    });
  });

  it("adds real non-USB UARTs only when asked, never the serial8250 placeholders or virtual ttys", () => {
    const ports = listSysfsSerialPorts({ sysRoot: sys, devRoot: dev, includeNonUsb: true });
    expect(ports.map((p) => p.path)).toEqual([
      join(dev, "ttyACM0"),
      join(dev, "ttyUSB0"),
      join(dev, "ttyUSB10"),
      join(dev, "ttyS0"),
    ]);
    expect(ports[3]).toMatchObject({ usb: null, guess: null });
  });

  it("finds nothing, without throwing, where there is no sysfs", () => {
    expect(listSysfsSerialPorts({ sysRoot: join(root, "nowhere"), devRoot: join(root, "nowhere") })).toEqual([]);
  });
});

describe("bridge guesses", () => {
  it("knows the bridges ESP32 boards carry", () => {
    expect(guessBridge(0x1a86, 0x7523)?.bridge).toBe("CH340");
    expect(guessBridge(0x1a86, 0x55d4)).toEqual({
      bridge: "CH9102",
      boards: ["lilygo-t-beam-sx1276", "lilygo-t-beam-sx1262", "lilygo-t3-v1-6-1"],
    });
    expect(guessBridge(0x303a, 0x4001)?.bridge).toBe("Espressif native USB");
    expect(guessBridge(0x1d6b, 0x0002)).toBeUndefined();
    expect(formatUsbId(0x303a, 0x1001)).toBe("303a:1001");
  });
});

describe("mesh ports", () => {
  const mesh = runMesh;

  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it("prints a table of the fake tree's ports with their bridge and likely boards", async () => {
    vi.stubEnv("MESHSTACK_SYSROOT", root);
    const { code, out } = await mesh("ports");
    expect(code).toBe(0);
    expect(out).toMatch(/^PORT +USB ID +SERIAL +BRIDGE +LIKELY BOARDS$/m);
    expect(out).toMatch(/ttyUSB0 +10c4:ea60 +0001 +CP210x \(CP2102\/CP2104\) +heltec-wifi-lora-32-v3/);
    expect(out).toMatch(/ttyACM0 +303a:1001 +84:F7:03:A0:F3:80 +ESP32-S3\/C3 USB-Serial-JTAG +seeed-xiao/);
    expect(out).toMatch(/ttyUSB10 +1199:9071 +- +unknown \(Sierra Wireless modem\) +-$/m);
    expect(out).toContain("usb-Silicon_Labs_CP2102");
  });

  it("prints JSON with --json", async () => {
    vi.stubEnv("MESHSTACK_SYSROOT", root);
    const { code, out } = await mesh("ports", "--json");
    expect(code).toBe(0);
    const ports = JSON.parse(out);
    expect(ports).toHaveLength(3);
    expect(ports[1].usb).toMatchObject({ vendorId: 0x10c4, productId: 0xea60 });
  });

  it("says so when there are no ports, and exits 0", async () => {
    vi.stubEnv("MESHSTACK_SYSROOT", join(root, "nowhere"));
    expect(await mesh("ports")).toMatchObject({ code: 0, out: "no serial ports found", err: "" });
    expect((await mesh("ports", "--json")).out).toBe("[]");
  });

  it("rejects an unknown option in one line with exit 2", async () => {
    const { code, err } = await mesh("ports", "--baud", "9600");
    expect(code).toBe(2);
    expect(err.split("\n")).toHaveLength(1);
    expect(err).toContain("--baud");
  });
});
