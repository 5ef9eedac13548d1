// A board's flash as `mesh flash` needs it: which chip to expect, how big the flash is, and the named
// regions an image can be written to (the bootloader, the partition table, each partition). It is
// derived from the board definitions in boards/, so the flasher does not depend on their details.
import { type BoardDefinition, KEY_STORAGE_LABEL } from "../../boards/board.js";
import type { FlashImage } from "./flasher.js";

export type ChipFamily = "esp32" | "esp32s3" | "esp32c3";

export interface FlashRegion {
  name: string;
  offset: number;
  size: number;
}

export interface BoardLayout {
  name: string;
  chip: ChipFamily;
  flashSizeBytes: number;
  /** In flash order: bootloader, partition table, then the partition-table entries. */
  partitions: FlashRegion[];
  /** Regions `mesh flash` never writes: the node's keys live there, and a reflash must keep them. */
  protectedNames: string[];
}

export const BOOTLOADER_REGION = "bootloader";
export const PARTITION_TABLE_REGION = "partition-table";

export function boardLayout(board: BoardDefinition): BoardLayout {
  return {
    name: board.name,
    chip: board.mcu,
    flashSizeBytes: board.flashBytes,
    partitions: [
      { name: BOOTLOADER_REGION, ...board.flash.bootloader },
      { name: PARTITION_TABLE_REGION, ...board.flash.partitionTable },
      ...board.flash.partitions.map((p) => ({ name: p.label, offset: p.offset, size: p.size })),
    ],
    protectedNames: [KEY_STORAGE_LABEL],
  };
}

export class LayoutError extends Error {
  override name = "LayoutError";
}

/** Where an image named by region or by offset goes, with the size of the region it lands in. */
export function placeImage(
  layout: BoardLayout,
  target: { name: string } | { offset: number },
  data: Uint8Array,
): FlashImage {
  if ("name" in target) {
    const region = layout.partitions.find((r) => r.name === target.name);
    if (!region) {
      throw new LayoutError(
        `${layout.name} has no region '${target.name}' (it has ${layout.partitions.map((r) => r.name).join(", ")})`,
      );
    }
    checkWritable(layout, region);
    return { name: region.name, address: region.offset, data, partitionSize: region.size };
  }
  const { offset } = target;
  const name = `0x${offset.toString(16)}`;
  const region = layout.partitions.find((r) => offset >= r.offset && offset < r.offset + r.size);
  const end = offset + data.length;
  for (const other of layout.partitions) {
    if (layout.protectedNames.includes(other.name) && offset < other.offset + other.size && end > other.offset) {
      checkWritable(layout, other);
    }
  }
  if (!region) return { name, address: offset, data };
  // Inside a region an image may start anywhere, but must not run past the region's end.
  return { name, address: offset, data, partitionSize: region.offset + region.size - offset };
}

function checkWritable(layout: BoardLayout, region: FlashRegion): void {
  if (layout.protectedNames.includes(region.name)) {
    throw new LayoutError(
      `refusing to write ${region.name} at 0x${region.offset.toString(16)}: it holds the node's keys, which a reflash keeps`,
    );
  }
}
