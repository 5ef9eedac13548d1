// `mesh ports`: the serial ports a board could be on, with USB ids, serial number and a guess at
// the bridge and board behind each.
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type ListOptions, listSerialPorts, type SerialPortInfo } from "../ports/serial-ports.js";
import { formatUsbId } from "../ports/usb-bridges.js";
import type { Command } from "./command.js";

const usage = `Usage: mesh ports [--all] [--json]

Lists serial ports on USB with their USB vendor:product id, serial number, the bridge chip that id
belongs to (CP210x, CH340, CH9102, the ESP32-S3/C3 USB-Serial-JTAG, …) and the boards known to
carry it. The board is a guess from the bridge: several boards share one. On Linux the list is
read from /sys (no udev needed).

Options:
  --all   also list serial ports that are not on USB (on-board UARTs)
  --json  print JSON instead of a table`;

function table(ports: SerialPortInfo[]): string {
  const rows = ports.map((p) => [
    p.path,
    p.usb ? formatUsbId(p.usb.vendorId, p.usb.productId) : "-",
    p.usb?.serialNumber ?? "-",
    p.guess?.bridge ??
      (p.usb
        ? `unknown (${p.usb.product ?? p.driver ?? "no product name"})`
        : `on-board UART (${p.driver ?? "no driver"})`),
    p.guess && p.guess.boards.length > 0 ? p.guess.boards.join(", ") : "-",
  ]);
  const header = ["PORT", "USB ID", "SERIAL", "BRIDGE", "LIKELY BOARDS"];
  const widths = header.map((h, column) => Math.max(h.length, ...rows.map((r) => r[column].length)));
  const lines = [header, ...rows].map((cells) =>
    cells
      .map((cell, column) => (column < cells.length - 1 ? cell.padEnd(widths[column]) : cell))
      .join("  ")
      .trimEnd(),
  );
  const stable = ports.filter((p) => p.byId !== null);
  if (stable.length > 0) lines.push("", "Stable names:", ...stable.map((p) => `  ${p.path}  ${p.byId}`));
  return lines.join("\n");
}

/**
 * MESHSTACK_SYSROOT stands in for "/" (its sys/ and dev/ are read), so tests and demos can run the
 * command against a fake device tree; unset, the real /sys and /dev are read.
 */
function rootsFromEnvironment(): Pick<ListOptions, "sysRoot" | "devRoot"> {
  const root = process.env.MESHSTACK_SYSROOT;
  return root ? { sysRoot: join(root, "sys"), devRoot: join(root, "dev") } : {};
}

export const portsCommand: Command = {
  name: "ports",
  summary: "list serial ports with USB ids and a guess at the board behind each",
  usage,
  async run(args) {
    const { values } = parseArgs({
      args,
      options: { all: { type: "boolean", default: false }, json: { type: "boolean", default: false } },
      strict: true,
      allowPositionals: false,
    });
    const ports = await listSerialPorts({ ...rootsFromEnvironment(), includeNonUsb: values.all });
    if (values.json) console.log(JSON.stringify(ports, null, 2));
    else console.log(ports.length === 0 ? "no serial ports found" : table(ports));
    return 0;
  },
};
