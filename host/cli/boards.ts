// `mesh boards`: the boards meshstack knows — a one-line summary of each, or one board in full
// (radio wiring, flash layout, where each value comes from).
import { parseArgs } from "node:util";
import {
  assignedPins,
  type BoardDefinition,
  describeRfSwitch,
  formatGpio,
  radioSettings,
  stackPartition,
} from "../../boards/board.js";
import { boards, findBoard } from "../../boards/index.js";
import { formatPartitionCsv, formatSize, hex } from "../image/partition-table.js";
import { formatUsbId } from "../ports/usb-bridges.js";
import type { Command } from "./command.js";
import { UsageError } from "./errors.js";

const usage = `Usage: mesh boards [--json]
       mesh boards NAME [--json]

Without NAME, lists the boards meshstack knows: name, MCU, radio chip, flash size, default region.
With NAME, shows that board in full: radio pins, TCXO, RF switch, LED, USB bridge, the flash
layout and partition table \`mesh flash\` writes, the documents each value comes from, and any
value those documents could not confirm.

Options:
  --json  print JSON instead of text (the board definitions as boards/*.ts hold them)`;

function summaryTable(list: readonly BoardDefinition[]): string {
  const rows = list.map((b) => [b.name, b.mcu, b.radio.chip, formatSize(b.flashBytes), b.defaultRegion, b.displayName]);
  const header = ["BOARD", "MCU", "RADIO", "FLASH", "REGION", "DESCRIPTION"];
  const widths = header.map((h, column) => Math.max(h.length, ...rows.map((r) => r[column].length)));
  return [header, ...rows]
    .map((cells) =>
      cells
        .map((cell, column) => (column < cells.length - 1 ? cell.padEnd(widths[column]) : cell))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

function details(board: BoardDefinition): string {
  const { pins } = board.radio;
  const settings = radioSettings(board);
  const lines: string[] = [
    `${board.displayName} (${board.name})${board.virtual ? " — emulated, behind a pseudo-terminal" : ""}`,
    "",
    `MCU          ${board.mcu}, bootloader at ${hex(board.flash.bootloader.offset)}`,
    `Flash        ${formatSize(board.flashBytes)}`,
    `Radio        ${board.radio.chip.toUpperCase()}${settings.highPowerPa ? ", high-power PA" : ""}`,
    `  SPI        SCK ${formatGpio(pins.sck)}, MOSI ${formatGpio(pins.mosi)}, MISO ${formatGpio(pins.miso)}, NSS ${formatGpio(pins.nss)}`,
    `  control    RESET ${formatGpio(pins.reset)}, ${pins.busy === null ? "no BUSY" : `BUSY ${formatGpio(pins.busy)}`}, IRQ (${board.radio.chip === "sx1262" ? "DIO1" : "DIO0"}) ${formatGpio(pins.irq)}`,
    `  TCXO       ${board.radio.tcxoMillivolts > 0 ? `${(board.radio.tcxoMillivolts / 1000).toFixed(1)} V on DIO3` : "none (crystal)"}`,
    `  RF switch  ${describeRfSwitch(board.radio.rfSwitch)}`,
    `LED          ${board.led ? `${formatGpio(board.led.pin)}, active ${board.led.activeLow ? "low" : "high"}` : "none"}`,
    `USB          ${
      board.usb.length === 0
        ? "none (virtual)"
        : board.usb
            .map((u) => `${u.chip} ${formatUsbId(u.vendorId, u.productId)}${u.revisions ? ` (${u.revisions})` : ""}`)
            .join("; ")
    }`,
    `Region       ${board.defaultRegion} by default`,
    `Pins used    ${assignedPins(board)
      .map((p) => `${formatGpio(p.pin)} ${p.use}`)
      .join(", ")}`,
    "",
    "Flash layout",
    `  ${hex(board.flash.bootloader.offset).padEnd(10)} ${formatSize(board.flash.bootloader.size).padEnd(9)} bootloader (ESP-IDF build)`,
    `  ${hex(board.flash.partitionTable.offset).padEnd(10)} ${formatSize(board.flash.partitionTable.size).padEnd(9)} partition table`,
    ...board.flash.partitions.map(
      (p) =>
        `  ${hex(p.offset).padEnd(10)} ${formatSize(p.size).padEnd(9)} ${p.label}${p === stackPartition(board) ? " (meshstack image)" : ""}`,
    ),
    "",
    "Partition table (gen_esp32part.py CSV)",
    ...formatPartitionCsv(board.flash.partitions)
      .trimEnd()
      .split("\n")
      .map((line) => `  ${line}`),
    "",
    "Sources",
    ...board.sources.flatMap((s) => [`  - ${s.title}`, `    ${s.url}`, `    ${s.covers}`]),
  ];
  if (board.notes.length > 0) lines.push("", "Notes", ...board.notes.map((n) => `  - ${n}`));
  return lines.join("\n");
}

export const boardsCommand: Command = {
  name: "boards",
  summary: "list the boards meshstack supports, or show one board's pins and flash layout",
  usage,
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      options: { json: { type: "boolean", default: false } },
      strict: true,
      allowPositionals: true,
    });
    if (positionals.length > 1) throw new UsageError(`expected at most one board name, got ${positionals.length}`);
    if (positionals.length === 0) {
      console.log(values.json ? JSON.stringify(boards, null, 2) : summaryTable(boards));
      return 0;
    }
    const board = findBoard(positionals[0]);
    if (!board) {
      throw new UsageError(`unknown board '${positionals[0]}' (known: ${boards.map((b) => b.name).join(", ")})`);
    }
    console.log(values.json ? JSON.stringify(board, null, 2) : details(board));
    return 0;
  },
};
