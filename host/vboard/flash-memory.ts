// The SPI NOR flash of a virtual board: an image of the chip's whole flash, kept in memory and written
// through to a file of exactly the flash size, so the flash survives the emulator and a virtual
// board boots from what was last flashed. NOR rules apply: erased bytes read 0xFF, erasing works on
// whole 4 KiB sectors, and programming can only clear bits (what is written is ANDed into the
// cell), which is why the loaders erase before they write.
import { closeSync, existsSync, fstatSync, fsyncSync, openSync, readSync, writeSync } from "node:fs";

/** The smallest erasable unit of the SPI NOR parts on ESP32 modules (esptool FLASH_SECTOR_SIZE). */
export const FLASH_SECTOR_SIZE = 0x1000;
const ERASED = 0xff;

export class FlashMemory {
  private constructor(
    private readonly bytes: Uint8Array,
    private fd: number | null,
    readonly path: string | null,
  ) {}

  /** Flash held only in memory (unit tests). */
  static inMemory(sizeBytes: number): FlashMemory {
    checkSize(sizeBytes);
    return new FlashMemory(new Uint8Array(sizeBytes).fill(ERASED), null, null);
  }

  /**
   * Flash backed by `path`: an existing file must be exactly `sizeBytes` long and is loaded as is;
   * a missing one is created erased.
   */
  static openFile(path: string, sizeBytes: number): FlashMemory {
    checkSize(sizeBytes);
    const bytes = new Uint8Array(sizeBytes).fill(ERASED);
    if (existsSync(path)) {
      const fd = openSync(path, "r+");
      const actual = fstatSync(fd).size;
      if (actual !== sizeBytes) {
        closeSync(fd);
        throw new Error(`flash image ${path} is ${actual} bytes, expected the flash size ${sizeBytes}`);
      }
      for (let at = 0; at < sizeBytes; ) at += readSync(fd, bytes, at, sizeBytes - at, at);
      return new FlashMemory(bytes, fd, path);
    }
    const fd = openSync(path, "w+");
    for (let at = 0; at < sizeBytes; ) at += writeSync(fd, bytes, at, sizeBytes - at, at);
    return new FlashMemory(bytes, fd, path);
  }

  get sizeBytes(): number {
    return this.bytes.length;
  }

  /** True when [offset, offset + length) lies inside the flash. */
  contains(offset: number, length: number): boolean {
    return (
      Number.isInteger(offset) &&
      Number.isInteger(length) &&
      offset >= 0 &&
      length >= 0 &&
      offset + length <= this.bytes.length
    );
  }

  /** A copy of `length` bytes at `offset`. */
  read(offset: number, length: number): Uint8Array {
    this.checkRange(offset, length);
    return this.bytes.slice(offset, offset + length);
  }

  /** Programs `data` at `offset`: each byte is ANDed into the cell, as NOR page programming does. */
  write(offset: number, data: Uint8Array): void {
    this.checkRange(offset, data.length);
    for (let i = 0; i < data.length; i++) this.bytes[offset + i] &= data[i]!;
    this.persist(offset, data.length);
  }

  /** Erases the sector holding `offset`. */
  eraseSector(offset: number): void {
    const start = offset - (offset % FLASH_SECTOR_SIZE);
    this.checkRange(start, FLASH_SECTOR_SIZE);
    this.bytes.fill(ERASED, start, start + FLASH_SECTOR_SIZE);
    this.persist(start, FLASH_SECTOR_SIZE);
  }

  /** Erases every sector that [offset, offset + length) touches. */
  eraseRange(offset: number, length: number): void {
    this.checkRange(offset, length);
    if (length === 0) return;
    const start = offset - (offset % FLASH_SECTOR_SIZE);
    const end = Math.min(this.bytes.length, Math.ceil((offset + length) / FLASH_SECTOR_SIZE) * FLASH_SECTOR_SIZE);
    this.bytes.fill(ERASED, start, end);
    this.persist(start, end - start);
  }

  eraseAll(): void {
    this.eraseRange(0, this.bytes.length);
  }

  /** Forces what was written onto the disk (it is already in the file; this survives a power cut). */
  flush(): void {
    if (this.fd !== null) fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd === null) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = null;
  }

  private persist(offset: number, length: number): void {
    if (this.fd === null) return;
    for (let at = offset; at < offset + length; ) at += writeSync(this.fd, this.bytes, at, offset + length - at, at);
  }

  private checkRange(offset: number, length: number): void {
    if (!this.contains(offset, length)) {
      throw new RangeError(
        `flash access 0x${offset.toString(16)}+${length} outside the ${this.bytes.length}-byte flash`,
      );
    }
  }
}

function checkSize(sizeBytes: number): void {
  if (!Number.isInteger(sizeBytes) || sizeBytes <= 0 || sizeBytes % FLASH_SECTOR_SIZE !== 0) {
    throw new RangeError(`flash size must be a whole number of 4 KiB sectors, got ${sizeBytes}`);
  }
}
