// An emulation of the ESP serial bootloader in a chip's ROM and of esptool's flasher stub that a
// host uploads into RAM and starts, byte for byte as esptool's "Serial Protocol" documentation
// describes them (sections cited as "SP: …"). It sits on the board side of a serial line: bytes
// from the host go into receive(), replies leave through write().
//
// What the emulation cannot do is run code: a program loaded with MEM_BEGIN/MEM_DATA and started
// with MEM_END is taken to be the flasher stub (the only program flashers load that way), which
// then greets the host with "OHAI" and answers from then on with the stub's rules.
import { createHash } from "node:crypto";
import { Inflate } from "pako";
import { CHIP_DETECT_MAGIC_REG_ADDR, type ChipName, type ChipSpec, chipSpec, encodeSecurityInfo } from "./chips.js";
import { FLASH_SECTOR_SIZE, type FlashMemory } from "./flash-memory.js";
import { SlipDecoder, slipEncode } from "./slip.js";
import { SpiFlashController } from "./spi-flash.js";

/** SP: Commands. MEM_END is 0x06 and MEM_DATA 0x07 (not in numeric order of use). */
export enum Command {
  FlashBegin = 0x02,
  FlashData = 0x03,
  FlashEnd = 0x04,
  MemBegin = 0x05,
  MemEnd = 0x06,
  MemData = 0x07,
  Sync = 0x08,
  WriteReg = 0x09,
  ReadReg = 0x0a,
  SpiSetParams = 0x0b,
  SpiAttach = 0x0d,
  ChangeBaudrate = 0x0f,
  FlashDeflBegin = 0x10,
  FlashDeflData = 0x11,
  FlashDeflEnd = 0x12,
  SpiFlashMd5 = 0x13,
  GetSecurityInfo = 0x14,
  // SP: "Supported by software loader only".
  EraseFlash = 0xd0,
  EraseRegion = 0xd1,
  ReadFlash = 0xd2,
  RunUserCode = 0xd3,
}

/** SP: ROM Loader Errors. */
export enum RomError {
  InvalidMessage = 0x05,
  FailedToAct = 0x06,
  InvalidCrc = 0x07,
  FlashWriteError = 0x08,
  FlashReadError = 0x09,
  FlashReadLengthError = 0x0a,
  DeflateError = 0x0b,
}

/** SP: Software Loader Status & Error — the stub's codes (esptool flasher_stub stub_flasher.h). */
export enum StubError {
  BadDataLen = 0xc0,
  BadDataChecksum = 0xc1,
  BadBlocksize = 0xc2,
  InvalidCommand = 0xc3,
  FailedSpiOp = 0xc4,
  FailedSpiUnlock = 0xc5,
  NotInFlashMode = 0xc6,
  InflateError = 0xc7,
  NotEnoughData = 0xc8,
  TooMuchData = 0xc9,
  CmdNotImplemented = 0xff,
}

/** Which program answers on the UART. */
export type LoaderMode = "rom" | "stub" | "user-code" | "halted";

export interface RomLoaderOptions {
  chip: ChipName;
  flash: FlashMemory;
  /** Bytes to the host. */
  write(bytes: Uint8Array): void;
  /** The loader handed the chip to the flashed firmware (FLASH_END, RUN_USER_CODE, a reboot). */
  onRunUserCode?(): void;
  /** CHANGE_BAUDRATE took effect (after its reply went out at the old rate). */
  onBaudRateChange?(baud: number): void;
  /** Every well-formed request, before it is answered (logs, tests that act at a given point). */
  onCommand?(command: number, mode: LoaderMode): void;
  /** Factory MAC in eFuse; defaults to one per chip family. */
  mac?: Uint8Array;
  faults?: {
    /** Flip one bit of the first byte range programmed into flash, once, so verification must fail. */
    corruptFlashWrite?: boolean;
  };
}

/** SP: Command Packet / Response Packet direction bytes. */
const DIRECTION_REQUEST = 0x00;
const DIRECTION_RESPONSE = 0x01;
const HEADER_BYTES = 8;
/** SP: Checksum — seed of the XOR checksum over the "data to write" of the *_DATA commands. */
const CHECKSUM_SEED = 0xef;
/** SP: the 16-byte data-command header (size, sequence, two zero words) before the data to write. */
const DATA_HEADER_BYTES = 16;
/** SP: SYNC — 0x07 0x07 0x12 0x20 followed by 32 × 0x55. */
const SYNC_PAYLOAD = Uint8Array.from([0x07, 0x07, 0x12, 0x20, ...new Array<number>(32).fill(0x55)]);
/**
 * The ROM answers one SYNC with eight identical responses, the value field holding the sync word
 * (esptool traces show `01 08 04 00 07 07 12 20 00 00 00 00` eight times; esptool-js sync() reads
 * the first and then seven more). The stub answers once, with value 0 — how esptool tells them apart.
 */
const ROM_SYNC_RESPONSES = 8;
const ROM_SYNC_VALUE = 0x20120707;
/**
 * A command the ROM does not know is answered with status 1 / 0x05 in a response that does not
 * echo the command, several times over: esptool takes "wrong command byte + invalid message" as
 * "unsupported" (esptool's ESPLoader.command), and esptool-js 0.7.0 drains the input afterwards
 * because "the ROM repeats an unsupported command response 8 times". The Serial Protocol page does
 * not document this reply; the emulation repeats the ROM's last response header (its command byte
 * and value field stay from the previous answer, as the stale value field does in esptool issue
 * #570's trace) with the error status, eight times.
 */
const ROM_UNSUPPORTED_REPEATS = 8;
/** The stub's largest flash data block (esptool: FLASH_WRITE_SIZE = 0x4000 "matches MAX_WRITE_BLOCK"). */
const STUB_MAX_WRITE_BLOCK = 0x4000;
/** SP: Initial Synchronisation — the stub's one unsolicited packet, sent when it starts. */
const STUB_GREETING = new TextEncoder().encode("OHAI");
/** zlib's Z_SYNC_FLUSH: inflate everything that has arrived, as the stub writes as it inflates. */
const Z_SYNC_FLUSH = 2;

/** A command refused: the error code the ROM sends, and the one the stub sends. */
class Refusal {
  constructor(
    readonly rom: RomError,
    readonly stub: StubError,
  ) {}
}

const badLength = new Refusal(RomError.InvalidMessage, StubError.BadDataLen);

interface Reply {
  /** The value field; undefined leaves the ROM's last value in it (the stub always sends 0). */
  value?: number;
  data?: Uint8Array;
  /** Runs after the reply has been sent (start the stub, switch baud rate, leave the loader). */
  after?: () => void;
}

/** A FLASH_BEGIN or FLASH_DEFL_BEGIN in progress. */
interface FlashSession {
  compressed: boolean;
  offset: number;
  /** Stub: exact bytes to write. ROM: the erase size it was given. */
  size: number;
  blocks: number;
  blockSize: number;
  nextSequence: number;
  /** Where the next decompressed or plain byte goes. */
  writeAt: number;
  /** Stub: bytes still expected. */
  remaining: number;
  /** Stub erases just in time: the next sector to erase and the end of the range it may erase. */
  eraseNext: number;
  eraseEnd: number;
  inflater: Inflate | null;
}

/** A MEM_BEGIN segment of RAM. */
interface RamSegment {
  address: number;
  bytes: Uint8Array;
  blocks: number;
  blockSize: number;
  nextSequence: number;
}

/** A stub READ_FLASH in progress (SP: Reading Flash). */
interface FlashRead {
  offset: number;
  length: number;
  packetSize: number;
  maxInFlight: number;
  sent: number;
  acknowledged: number;
  md5: ReturnType<typeof createHash>;
}

export class RomLoaderEmulator {
  private readonly spec: ChipSpec;
  private readonly fixedRegisters: Map<number, number>;
  private readonly writtenRegisters = new Map<number, number>();
  private readonly spi: SpiFlashController;
  private readonly decoder: SlipDecoder;
  private loaderMode: LoaderMode = "rom";
  private baud = 115200;
  /** The ROM's response header fields that persist between answers. */
  private lastCommand = 0;
  private lastValue = 0;
  private flashSession: FlashSession | null = null;
  private ramSegments: RamSegment[] = [];
  private currentSegment: RamSegment | null = null;
  private flashRead: FlashRead | null = null;
  private corruptNextWrite: boolean;
  /** SPI_SET_PARAMS' total size, for whoever wants to know what the host configured. */
  configuredFlashSize: number | null = null;

  constructor(private readonly options: RomLoaderOptions) {
    this.spec = chipSpec(options.chip);
    this.fixedRegisters = this.spec.registers(options.mac ?? this.spec.defaultMac);
    this.spi = new SpiFlashController(this.spec.spi, options.flash);
    this.decoder = new SlipDecoder((packet) => this.onPacket(packet));
    this.corruptNextWrite = options.faults?.corruptFlashWrite ?? false;
  }

  get inStub(): boolean {
    return this.loaderMode === "stub";
  }

  get mode(): LoaderMode {
    return this.loaderMode;
  }

  get baudRate(): number {
    return this.baud;
  }

  /** Bytes from the host. */
  receive(bytes: Uint8Array): void {
    if (this.loaderMode === "user-code" || this.loaderMode === "halted") return;
    this.decoder.push(bytes);
  }

  /** Chip reset into download mode: the ROM loader again, RAM and sessions gone, flash kept. */
  reset(): void {
    this.loaderMode = "rom";
    this.baud = 115200;
    this.lastCommand = 0;
    this.lastValue = 0;
    this.flashSession = null;
    this.ramSegments = [];
    this.currentSegment = null;
    this.flashRead = null;
    this.writtenRegisters.clear();
    this.spi.reset();
    this.decoder.reset();
  }

  // ---- Packets ---------------------------------------------------------------------------------

  private onPacket(packet: Uint8Array): void {
    if (this.flashRead) {
      if (packet.length === 4) {
        this.onReadFlashAck(packet);
        return;
      }
      // Anything but an acknowledgement ends the transfer.
      this.flashRead = null;
    }
    // SP: Command Packet — direction, command, size (u16), checksum (u32), data.
    if (packet.length < HEADER_BYTES || packet[0] !== DIRECTION_REQUEST) return;
    const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
    const command = packet[1]!;
    const size = view.getUint16(2, true);
    const checksum = view.getUint32(4, true);
    const data = packet.subarray(HEADER_BYTES);
    this.options.onCommand?.(command, this.loaderMode);
    if (this.loaderMode !== "rom" && this.loaderMode !== "stub") return;
    const handler = this.handlerFor(command);
    if (!handler) {
      this.refuseUnknown(command);
      return;
    }
    if (size !== data.length) {
      this.sendError(command, badLength);
      return;
    }
    let reply: Reply | null;
    try {
      reply = handler(data, checksum);
    } catch (error) {
      if (error instanceof Refusal) {
        this.sendError(command, error);
        return;
      }
      throw error;
    }
    if (reply === null) return;
    this.send(command, reply.value, reply.data ?? new Uint8Array(0), 0, 0);
    reply.after?.();
  }

  private handlerFor(command: number): ((data: Uint8Array, checksum: number) => Reply | null) | undefined {
    const rom = this.loaderMode === "rom";
    switch (command) {
      case Command.Sync:
        return (data) => this.sync(data);
      case Command.ReadReg:
        return (data) => this.readRegister(data);
      case Command.WriteReg:
        return (data) => this.writeRegister(data);
      case Command.SpiAttach:
        return (data) => this.spiAttach(data);
      case Command.SpiSetParams:
        return (data) => this.spiSetParams(data);
      case Command.ChangeBaudrate:
        return (data) => this.changeBaudrate(data);
      case Command.FlashBegin:
        return (data) => this.flashBegin(data, false);
      case Command.FlashDeflBegin:
        return (data) => this.flashBegin(data, true);
      case Command.FlashData:
        return (data, checksum) => this.flashData(data, checksum, false);
      case Command.FlashDeflData:
        return (data, checksum) => this.flashData(data, checksum, true);
      case Command.FlashEnd:
        return (data) => this.flashEnd(data, false);
      case Command.FlashDeflEnd:
        return (data) => this.flashEnd(data, true);
      case Command.MemBegin:
        return (data) => this.memBegin(data);
      case Command.MemData:
        return (data, checksum) => this.memData(data, checksum);
      case Command.MemEnd:
        return (data) => this.memEnd(data);
      case Command.SpiFlashMd5:
        return (data) => this.flashMd5(data);
      case Command.GetSecurityInfo:
        // The ESP32's ROM predates the command; the stub answers it only where the ROM can.
        if (this.spec.securityInfo === null) return rom ? undefined : () => this.refuse(StubError.InvalidCommand);
        return (data) => this.securityInfo(data);
      case Command.EraseFlash:
        return rom ? undefined : (data) => this.eraseFlash(data);
      case Command.EraseRegion:
        return rom ? undefined : (data) => this.eraseRegion(data);
      case Command.ReadFlash:
        return rom ? undefined : (data) => this.readFlash(data);
      case Command.RunUserCode:
        return rom ? undefined : () => this.runUserCode();
      default:
        return undefined;
    }
  }

  /** SP: Response Packet — direction, command, size, value, data, then the status bytes. */
  private send(command: number, value: number | undefined, data: Uint8Array, status: number, error: number): void {
    const rom = this.loaderMode === "rom";
    const statusBytes = rom ? this.spec.romStatusBytes : 2;
    const resolved = value ?? (rom ? this.lastValue : 0);
    const packet = new Uint8Array(HEADER_BYTES + data.length + statusBytes);
    const view = new DataView(packet.buffer);
    packet[0] = DIRECTION_RESPONSE;
    packet[1] = command;
    view.setUint16(2, data.length + statusBytes, true);
    view.setUint32(4, resolved >>> 0, true);
    packet.set(data, HEADER_BYTES);
    packet[HEADER_BYTES + data.length] = status;
    packet[HEADER_BYTES + data.length + 1] = error;
    if (rom) {
      this.lastCommand = command;
      this.lastValue = resolved >>> 0;
    }
    this.options.write(slipEncode(packet));
  }

  private sendError(command: number, refusal: Refusal): void {
    this.send(command, undefined, new Uint8Array(0), 1, this.loaderMode === "rom" ? refusal.rom : refusal.stub);
  }

  private refuseUnknown(command: number): void {
    if (this.loaderMode !== "rom") {
      this.send(command, 0, new Uint8Array(0), 1, StubError.InvalidCommand);
      return;
    }
    for (let i = 0; i < ROM_UNSUPPORTED_REPEATS; i++) {
      this.send(this.lastCommand, this.lastValue, new Uint8Array(0), 1, RomError.InvalidMessage);
    }
  }

  private refuse(stub: StubError, rom: RomError = RomError.InvalidMessage): never {
    throw new Refusal(rom, stub);
  }

  // ---- SYNC and registers (SP: Initial Synchronisation; 32-bit Read/Write) ----------------------

  private sync(data: Uint8Array): Reply | null {
    if (!sameBytes(data, SYNC_PAYLOAD)) throw badLength;
    if (this.loaderMode !== "rom") return { value: 0 };
    for (let i = 0; i < ROM_SYNC_RESPONSES; i++) this.send(Command.Sync, ROM_SYNC_VALUE, new Uint8Array(0), 0, 0);
    return null;
  }

  private readRegister(data: Uint8Array): Reply {
    if (data.length !== 4) throw badLength;
    return { value: this.readWord(u32(data, 0)) };
  }

  /** Four words per write (address, value, mask, delay in µs); esptool may send several in one command. */
  private writeRegister(data: Uint8Array): Reply {
    if (data.length === 0 || data.length % 16 !== 0) throw badLength;
    for (let at = 0; at < data.length; at += 16) {
      const address = u32(data, at);
      const mask = u32(data, at + 8);
      const value = ((this.readWord(address) & ~mask) | (u32(data, at + 4) & mask)) >>> 0;
      if (this.spi.owns(address)) this.spi.write(address, value);
      else if (!this.fixedRegisters.has(address)) this.writtenRegisters.set(address, value);
    }
    return {};
  }

  private readWord(address: number): number {
    if (address === CHIP_DETECT_MAGIC_REG_ADDR) return this.spec.magicValue;
    const fixed = this.fixedRegisters.get(address);
    if (fixed !== undefined) return fixed;
    if (this.spi.owns(address)) return this.spi.read(address);
    const divider = this.spec.uartClockDivider;
    // The ROM sets UART0's divider to the crystal over the baud rate it detected or was told.
    if (divider && address === divider.address) return Math.round(divider.crystalHz / this.baud);
    const written = this.writtenRegisters.get(address);
    if (written !== undefined) return written;
    for (const segment of this.ramSegments) {
      const offset = address - segment.address;
      if (offset >= 0 && offset + 4 <= segment.bytes.length) return u32(segment.bytes, offset);
    }
    return 0;
  }

  // ---- SPI flash set-up (SP: SPI Configuration Commands) ----------------------------------------

  /** The ROM takes a second, zero word (SP: SPI Attach command); esptool-js sends one word to both. */
  private spiAttach(data: Uint8Array): Reply {
    const rom = this.loaderMode === "rom";
    if (!(data.length === 4 || (rom && data.length === 8))) throw badLength;
    this.spi.attached = true;
    return {};
  }

  /** Six words: id, total size, block size, sector size, page size, status mask. */
  private spiSetParams(data: Uint8Array): Reply {
    if (data.length !== 24) throw badLength;
    this.configuredFlashSize = u32(data, 4);
    return {};
  }

  /** New baud rate and the old one (0 from a host talking to the ROM); the reply goes at the old rate. */
  private changeBaudrate(data: Uint8Array): Reply {
    if (data.length !== 8) throw badLength;
    const baud = u32(data, 0);
    if (baud === 0) throw badLength;
    return {
      after: () => {
        this.baud = baud;
        this.options.onBaudRateChange?.(baud);
      },
    };
  }

  // ---- Writing flash (SP: Writing Data) --------------------------------------------------------

  /**
   * FLASH_BEGIN / FLASH_DEFL_BEGIN: size, number of blocks, block size, offset; a ROM with flash
   * encryption (ESP32-S2 and later) also takes a fifth word, the encryption flag. esptool-js 0.7.0
   * sends that word with every ROM FLASH_BEGIN, the ESP32's included, so every ROM here accepts it. The ROM
   * erases the whole region now; the stub takes `size` as the exact byte count and erases sectors
   * just before it writes them.
   */
  private flashBegin(data: Uint8Array, compressed: boolean): Reply {
    const rom = this.loaderMode === "rom";
    if (!(data.length === 16 || (rom && data.length === 20))) throw badLength;
    const size = u32(data, 0);
    const blocks = u32(data, 4);
    const blockSize = u32(data, 8);
    const offset = u32(data, 12);
    if (blocks > 0 && blockSize === 0) this.refuse(StubError.BadBlocksize);
    if (!rom && blockSize > STUB_MAX_WRITE_BLOCK) this.refuse(StubError.BadBlocksize);
    // SP: "the ROM loader requires … SPI_ATTACH" before commands that use the flash.
    if (rom && !this.spi.attached && size > 0) this.refuse(StubError.FailedSpiOp, RomError.FailedToAct);
    if (!this.options.flash.contains(offset, size)) this.refuse(StubError.FailedSpiOp, RomError.FailedToAct);
    if (rom) this.options.flash.eraseRange(offset, size);
    this.flashSession = {
      compressed,
      offset,
      size,
      blocks,
      blockSize,
      nextSequence: 0,
      writeAt: offset,
      remaining: size,
      eraseNext: offset - (offset % FLASH_SECTOR_SIZE),
      eraseEnd: Math.ceil((offset + size) / FLASH_SECTOR_SIZE) * FLASH_SECTOR_SIZE,
      inflater: compressed ? new Inflate() : null,
    };
    return {};
  }

  /** FLASH_DATA / FLASH_DEFL_DATA (SP: Checksum for the data-command layout). */
  private flashData(data: Uint8Array, checksum: number, compressed: boolean): Reply {
    const payload = dataCommandPayload(data);
    const session = this.flashSession;
    if (!session || session.compressed !== compressed) this.refuse(StubError.NotInFlashMode, RomError.FailedToAct);
    checkSequence(data, session.nextSequence, session.blocks);
    if (payload.length > session.blockSize) this.refuse(StubError.BadBlocksize);
    if (xorChecksum(payload) !== checksum) this.refuse(StubError.BadDataChecksum, RomError.InvalidCrc);
    if (compressed) this.inflateInto(session, payload);
    else this.program(session, payload);
    session.nextSequence++;
    return {};
  }

  /** Plain data: the ROM writes the block (padding included) in its place; the stub writes only what it was promised. */
  private program(session: FlashSession, payload: Uint8Array): void {
    if (this.loaderMode === "rom") {
      this.writeFlash(session, session.offset + session.nextSequence * session.blockSize, payload);
      return;
    }
    const length = Math.min(payload.length, session.remaining);
    this.writeFlash(session, session.writeAt, payload.subarray(0, length));
    session.writeAt += length;
    session.remaining -= length;
  }

  private inflateInto(session: FlashSession, payload: Uint8Array): void {
    const inflater = session.inflater!;
    if (inflater.ended) this.refuse(StubError.TooMuchData, RomError.DeflateError);
    const chunks: Uint8Array[] = [];
    inflater.onData = (chunk) => chunks.push(chunk.slice());
    inflater.push(payload, Z_SYNC_FLUSH);
    if (inflater.err !== 0) this.refuse(StubError.InflateError, RomError.DeflateError);
    for (const chunk of chunks) {
      if (this.loaderMode !== "rom") {
        if (chunk.length > session.remaining) this.refuse(StubError.TooMuchData, RomError.DeflateError);
        session.remaining -= chunk.length;
      }
      this.writeFlash(session, session.writeAt, chunk);
      session.writeAt += chunk.length;
    }
  }

  private writeFlash(session: FlashSession, address: number, bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const flash = this.options.flash;
    if (!flash.contains(address, bytes.length)) this.refuse(StubError.FailedSpiOp, RomError.FailedToAct);
    if (this.loaderMode !== "rom") {
      // Just-in-time erase (SP: Writing Data): sectors up to the end of this write, within the session.
      while (session.eraseNext < Math.min(address + bytes.length, session.eraseEnd)) {
        flash.eraseSector(session.eraseNext);
        session.eraseNext += FLASH_SECTOR_SIZE;
      }
    }
    let data = bytes;
    if (this.corruptNextWrite) {
      this.corruptNextWrite = false;
      data = bytes.slice();
      data[data.length >> 1]! ^= 0x01;
    }
    flash.write(address, data);
  }

  /** FLASH_END / FLASH_DEFL_END: 0 reboots, 1 "runs user code" on the ROM and keeps the stub in its loader. */
  private flashEnd(data: Uint8Array, compressed: boolean): Reply {
    if (data.length !== 4) throw badLength;
    const stayInLoader = u32(data, 0) !== 0;
    const session = this.flashSession;
    if (this.loaderMode === "rom") {
      this.flashSession = null;
      this.options.flash.flush();
      return { after: () => this.leaveLoader() };
    }
    if (!session || session.compressed !== compressed) this.refuse(StubError.NotInFlashMode);
    this.flashSession = null;
    this.options.flash.flush();
    if (session.remaining > 0) this.refuse(StubError.NotEnoughData);
    return stayInLoader ? {} : { after: () => this.leaveLoader() };
  }

  // ---- Loading RAM (SP: Writing Data, RAM Download) --------------------------------------------

  private memBegin(data: Uint8Array): Reply {
    if (data.length !== 16) throw badLength;
    const size = u32(data, 0);
    const blocks = u32(data, 4);
    const blockSize = u32(data, 8);
    const address = u32(data, 12);
    if (blocks > 0 && blockSize === 0) this.refuse(StubError.BadBlocksize);
    const segment = { address, bytes: new Uint8Array(size), blocks, blockSize, nextSequence: 0 };
    this.ramSegments = this.ramSegments.filter((s) => s.address !== address);
    this.ramSegments.push(segment);
    this.currentSegment = segment;
    return {};
  }

  private memData(data: Uint8Array, checksum: number): Reply {
    const payload = dataCommandPayload(data);
    const segment = this.currentSegment;
    if (!segment) this.refuse(StubError.NotInFlashMode, RomError.FailedToAct);
    checkSequence(data, segment.nextSequence, segment.blocks);
    const at = segment.nextSequence * segment.blockSize;
    if (payload.length > segment.blockSize || at + payload.length > segment.bytes.length) {
      this.refuse(StubError.TooMuchData);
    }
    if (xorChecksum(payload) !== checksum) this.refuse(StubError.BadDataChecksum, RomError.InvalidCrc);
    segment.bytes.set(payload, at);
    segment.nextSequence++;
    return {};
  }

  /** Execute flag (0 = jump to the entry point) and entry point. */
  private memEnd(data: Uint8Array): Reply {
    if (data.length !== 8) throw badLength;
    const jump = u32(data, 0) === 0;
    const entry = u32(data, 4);
    this.currentSegment = null;
    if (!jump) return {};
    const loaded = this.ramSegments.find(
      (s) => entry >= s.address && entry < s.address + s.bytes.length && s.nextSequence === s.blocks,
    );
    // Code the emulation cannot tell from the stub becomes the stub; a jump into RAM that holds no
    // complete program crashes the chip, which then says nothing until it is reset.
    return { after: () => (loaded && this.loaderMode === "rom" ? this.startStub() : this.halt()) };
  }

  private startStub(): void {
    this.loaderMode = "stub";
    this.flashSession = null;
    // The stub attaches the SPI flash itself when it starts.
    this.spi.attached = true;
    this.options.write(slipEncode(STUB_GREETING));
  }

  // ---- Verifying, erasing, reading (SP: Verifying Uploaded Data; Reading Flash) -----------------

  /** Address, size, 0, 0. The ROM answers 32 hex ASCII characters, the stub 16 raw bytes. */
  private flashMd5(data: Uint8Array): Reply {
    if (data.length !== 16) throw badLength;
    const address = u32(data, 0);
    const size = u32(data, 4);
    const rom = this.loaderMode === "rom";
    if (rom && !this.spi.attached) this.refuse(StubError.FailedSpiOp, RomError.FailedToAct);
    if (!this.options.flash.contains(address, size)) this.refuse(StubError.FailedSpiOp, RomError.FlashReadLengthError);
    const digest = createHash("md5").update(this.options.flash.read(address, size)).digest();
    return { data: rom ? new TextEncoder().encode(digest.toString("hex")) : new Uint8Array(digest) };
  }

  private securityInfo(data: Uint8Array): Reply {
    if (data.length !== 0) throw badLength;
    return { data: encodeSecurityInfo(this.spec.securityInfo!) };
  }

  private eraseFlash(data: Uint8Array): Reply {
    if (data.length !== 0) throw badLength;
    this.options.flash.eraseAll();
    this.options.flash.flush();
    return {};
  }

  /** Offset and size, both whole sectors (SP: ERASE_REGION). */
  private eraseRegion(data: Uint8Array): Reply {
    if (data.length !== 8) throw badLength;
    const offset = u32(data, 0);
    const size = u32(data, 4);
    if (offset % FLASH_SECTOR_SIZE !== 0 || size % FLASH_SECTOR_SIZE !== 0) this.refuse(StubError.BadDataLen);
    if (!this.options.flash.contains(offset, size)) this.refuse(StubError.FailedSpiOp);
    this.options.flash.eraseRange(offset, size);
    this.options.flash.flush();
    return {};
  }

  /** Offset, length, packet size, packets in flight; the data follows the reply (SP: Reading Flash). */
  private readFlash(data: Uint8Array): Reply {
    if (data.length !== 16) throw badLength;
    const offset = u32(data, 0);
    const length = u32(data, 4);
    const packetSize = u32(data, 8);
    const maxInFlight = u32(data, 12);
    if (packetSize === 0 || maxInFlight === 0) this.refuse(StubError.BadDataLen);
    if (!this.options.flash.contains(offset, length)) this.refuse(StubError.FailedSpiOp);
    const read: FlashRead = {
      offset,
      length,
      packetSize,
      maxInFlight,
      sent: 0,
      acknowledged: 0,
      md5: createHash("md5"),
    };
    return {
      after: () => {
        this.flashRead = read;
        this.pumpFlashRead(read);
      },
    };
  }

  private pumpFlashRead(read: FlashRead): void {
    while (read.sent < read.length && read.sent - read.acknowledged < read.maxInFlight * read.packetSize) {
      const chunk = this.options.flash.read(
        read.offset + read.sent,
        Math.min(read.packetSize, read.length - read.sent),
      );
      read.md5.update(chunk);
      read.sent += chunk.length;
      this.options.write(slipEncode(chunk));
    }
  }

  /** The host acknowledges with the total number of bytes it has received, as a raw 4-byte packet. */
  private onReadFlashAck(packet: Uint8Array): void {
    const read = this.flashRead!;
    read.acknowledged = Math.max(read.acknowledged, u32(packet, 0));
    if (read.acknowledged >= read.length) {
      this.flashRead = null;
      this.options.write(slipEncode(new Uint8Array(read.md5.digest())));
      return;
    }
    this.pumpFlashRead(read);
  }

  // ---- Leaving the loader ----------------------------------------------------------------------

  /** RUN_USER_CODE: no reply; the stub jumps to the flashed firmware. */
  private runUserCode(): null {
    this.leaveLoader();
    return null;
  }

  private leaveLoader(): void {
    this.options.flash.flush();
    this.loaderMode = "user-code";
    this.flashSession = null;
    this.flashRead = null;
    this.options.onRunUserCode?.();
  }

  private halt(): void {
    this.loaderMode = "halted";
  }
}

function u32(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) | (bytes[offset + 3]! << 24)) >>> 0;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** SP: Checksum — 0xEF XORed with every byte of the data to write. */
export function xorChecksum(data: Uint8Array): number {
  let state = CHECKSUM_SEED;
  for (const byte of data) state ^= byte;
  return state;
}

/** The data to write of a *_DATA command, after checking its header's length word (SP: Checksum). */
function dataCommandPayload(data: Uint8Array): Uint8Array {
  if (data.length < DATA_HEADER_BYTES) throw badLength;
  const payload = data.subarray(DATA_HEADER_BYTES);
  if (u32(data, 0) !== payload.length) throw badLength;
  return payload;
}

/**
 * Blocks must come in order, 0 first, and no more than announced. The ROM calls anything else an
 * invalid message; the stub's error table has no code for it, so it answers as for a command it
 * cannot take.
 */
function checkSequence(data: Uint8Array, expected: number, blocks: number): void {
  const sequence = u32(data, 4);
  if (sequence !== expected || sequence >= blocks) throw new Refusal(RomError.InvalidMessage, StubError.InvalidCommand);
}
