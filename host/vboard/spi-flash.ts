// The SPI flash controller's "user command" registers and the answers of the flash chip behind
// them, which is how esptool reads the JEDEC id ("Serial Protocol", 32-bit Read/Write: the "flash
// id" function drives the SPI peripheral registers with READ_REG/WRITE_REG). The chip answers as a
// GigaDevice GD25Q part of the emulated flash's size: manufacturer 0xC8, memory type 0x40 and a
// capacity byte of log2(size in bytes), e.g. C8 40 16 for the 4 MB GD25Q32.
import type { SpiFlashRegisters } from "./chips.js";
import type { FlashMemory } from "./flash-memory.js";

/** CMD register: writing this bit starts a user command; the controller clears it when done. */
const SPI_CMD_USR = 1 << 18;
/** USR register phase enables. */
const SPI_USR_COMMAND = 1 << 31;
const SPI_USR_MISO = 1 << 28;

const JEDEC_MANUFACTURER_GIGADEVICE = 0xc8;
const JEDEC_MEMORY_TYPE_GD25Q = 0x40;

/** SPI NOR commands the model answers (JEDEC JESD216 / GD25Q datasheet command tables). */
enum FlashCommand {
  ReadStatus1 = 0x05,
  ReadStatus3 = 0x15,
  ReadStatus2 = 0x35,
  ReadJedecId = 0x9f,
}

/** The controller's register window: CMD at +0 up to the last data word W15. */
const WINDOW_BYTES = 0x100;

export class SpiFlashController {
  private readonly registers = new Map<number, number>();
  /** Set by SPI_ATTACH: until then no flash chip is wired to the controller. */
  attached = false;

  constructor(
    private readonly layout: SpiFlashRegisters,
    private readonly flash: FlashMemory,
  ) {}

  /** Power-on state: registers cleared, no flash attached. */
  reset(): void {
    this.registers.clear();
    this.attached = false;
  }

  /** The three JEDEC id bytes this flash answers: manufacturer, memory type, capacity. */
  jedecId(): [number, number, number] {
    return [JEDEC_MANUFACTURER_GIGADEVICE, JEDEC_MEMORY_TYPE_GD25Q, Math.log2(this.flash.sizeBytes)];
  }

  owns(address: number): boolean {
    return address >= this.layout.base && address < this.layout.base + WINDOW_BYTES;
  }

  read(address: number): number {
    return this.registers.get(address) ?? 0;
  }

  write(address: number, value: number): void {
    this.registers.set(address, value >>> 0);
    if (address === this.layout.base && (value & SPI_CMD_USR) !== 0) {
      this.runUserCommand();
      this.registers.set(address, (value & ~SPI_CMD_USR) >>> 0);
    }
  }

  private runUserCommand(): void {
    const { base } = this.layout;
    const usr = this.read(base + this.layout.usrOffset);
    if ((usr & SPI_USR_COMMAND) === 0) return;
    const command = this.read(base + this.layout.usr2Offset) & 0xff;
    if ((usr & SPI_USR_MISO) === 0) return;
    const misoBits = (this.read(base + this.layout.misoDlenOffset) & 0x3ffff) + 1;
    const reply = this.answer(command, Math.ceil(misoBits / 8));
    // MISO bytes land in W0, W1, … least significant byte first.
    for (let i = 0; i < reply.length; i += 4) {
      const address = base + this.layout.w0Offset + i;
      let word = this.read(address);
      for (let j = 0; j < 4 && i + j < reply.length; j++) {
        word = (word & ~(0xff << (8 * j))) | (reply[i + j]! << (8 * j));
      }
      this.registers.set(address, word >>> 0);
    }
  }

  private answer(command: number, length: number): Uint8Array {
    // Without SPI_ATTACH nothing drives MISO and the pulled-up line reads as ones.
    const reply = new Uint8Array(length).fill(0xff);
    if (!this.attached) return reply;
    switch (command) {
      case FlashCommand.ReadJedecId:
        reply.set(this.jedecId().slice(0, length));
        break;
      case FlashCommand.ReadStatus1:
      case FlashCommand.ReadStatus2:
      case FlashCommand.ReadStatus3:
        // Not busy, not write-enabled, no block protection.
        reply.fill(0);
        break;
    }
    return reply;
  }
}
