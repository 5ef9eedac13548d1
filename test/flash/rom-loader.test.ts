// The emulated ROM loader and flasher stub, command by command, as esptool's "Serial Protocol" page
// specifies them (SP: …). A test host frames requests and reads the replies straight off the emulator.
import { createHash } from "node:crypto";
import { deflateSync } from "node:zlib";
import { getStubJsonByChipName } from "esptool-js";
import { describe, expect, it } from "vitest";
import { CHIP_DETECT_MAGIC_REG_ADDR, type ChipName, chipSpec } from "../../host/vboard/chips.js";
import { FlashMemory } from "../../host/vboard/flash-memory.js";
import { Command, RomError, RomLoaderEmulator, StubError, xorChecksum } from "../../host/vboard/rom-loader.js";
import { SlipDecoder, slipEncode } from "../../host/vboard/slip.js";
import { SeededRandom } from "../support/seeded-random.js";

const MB = 1024 * 1024;

interface Response {
  command: number;
  value: number;
  /** Data before the status bytes. */
  data: Uint8Array;
  status: number;
  error: number;
  statusBytes: number;
}

function u32le(...words: number[]): Uint8Array {
  const out = new Uint8Array(words.length * 4);
  const view = new DataView(out.buffer);
  for (const [i, word] of words.entries()) view.setUint32(i * 4, word >>> 0, true);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** The 16-byte data-command header, then the data (SP: Checksum). */
function dataPayload(data: Uint8Array, sequence: number): Uint8Array {
  return concat(u32le(data.length, sequence, 0, 0), data);
}

const SYNC = Uint8Array.from([0x07, 0x07, 0x12, 0x20, ...new Array<number>(32).fill(0x55)]);

class TestHost {
  readonly emulator: RomLoaderEmulator;
  readonly flash: FlashMemory;
  private packets: Uint8Array[] = [];
  private readonly decoder = new SlipDecoder((packet) => this.packets.push(packet));
  ranUserCode = 0;
  baud: number | null = null;

  constructor(
    readonly chip: ChipName,
    options: { flashBytes?: number; corruptFlashWrite?: boolean } = {},
  ) {
    this.flash = FlashMemory.inMemory(options.flashBytes ?? 4 * MB);
    this.emulator = new RomLoaderEmulator({
      chip,
      flash: this.flash,
      write: (bytes) => this.decoder.push(bytes),
      onRunUserCode: () => this.ranUserCode++,
      onBaudRateChange: (baud) => {
        this.baud = baud;
      },
      faults: { corruptFlashWrite: options.corruptFlashWrite },
    });
  }

  /** Sends one request and returns every packet that came back, raw. */
  raw(command: number, data: Uint8Array = new Uint8Array(0), checksum = 0, size = data.length): Uint8Array[] {
    const header = new Uint8Array(8);
    const view = new DataView(header.buffer);
    header[0] = 0x00;
    header[1] = command;
    view.setUint16(2, size, true);
    view.setUint32(4, checksum, true);
    return this.exchange(concat(header, data));
  }

  /** Sends any packet, framed, and returns what came back. */
  exchange(packet: Uint8Array): Uint8Array[] {
    this.packets = [];
    this.emulator.receive(slipEncode(packet));
    return this.packets;
  }

  /** Sends one request and parses the replies (SP: Response Packet). */
  send(command: number, data?: Uint8Array, checksum?: number, size?: number): Response[] {
    const statusBytes = this.emulator.inStub ? 2 : chipSpec(this.chip).romStatusBytes;
    return this.raw(command, data, checksum, size).map((packet) => {
      const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
      expect(packet[0]).toBe(0x01);
      const length = view.getUint16(2, true);
      expect(packet.length).toBe(8 + length);
      const body = packet.subarray(8);
      return {
        command: packet[1]!,
        value: view.getUint32(4, true),
        data: body.subarray(0, length - statusBytes),
        status: body[length - statusBytes]!,
        error: body[length - statusBytes + 1]!,
        statusBytes,
      };
    });
  }

  /** One reply expected. */
  one(command: number, data?: Uint8Array, checksum?: number, size?: number): Response {
    const replies = this.send(command, data, checksum, size);
    expect(replies).toHaveLength(1);
    return replies[0]!;
  }

  ok(command: number, data?: Uint8Array, checksum?: number): Response {
    const reply = this.one(command, data, checksum);
    expect([reply.command, reply.status, reply.error]).toEqual([command, 0, 0]);
    return reply;
  }

  dataCommand(command: number, data: Uint8Array, sequence: number, checksum = xorChecksum(data)): Response {
    return this.one(command, dataPayload(data, sequence), checksum);
  }

  readReg(address: number): number {
    return this.ok(Command.ReadReg, u32le(address)).value;
  }

  /** Uploads esptool-js 0.7.0's flasher stub for this chip and starts it; returns the greeting packet. */
  async startStub(): Promise<Uint8Array[]> {
    const stub = (await getStubJsonByChipName(chipSpec(this.chip).displayName))!;
    for (const [address, bytes] of [
      [stub.text_start, stub.decodedText],
      [stub.data_start, stub.decodedData],
    ] as const) {
      const blockSize = 0x1800;
      const blocks = Math.ceil(bytes.length / blockSize);
      this.ok(Command.MemBegin, u32le(bytes.length, blocks, blockSize, address));
      for (let seq = 0; seq < blocks; seq++) {
        const block = bytes.subarray(seq * blockSize, (seq + 1) * blockSize);
        const reply = this.dataCommand(Command.MemData, block, seq);
        expect([reply.status, reply.error]).toEqual([0, 0]);
      }
    }
    const packets = this.raw(Command.MemEnd, u32le(0, stub.entry));
    expect(this.emulator.inStub).toBe(true);
    return packets;
  }

  md5(address: number, size: number): Response {
    return this.ok(Command.SpiFlashMd5, u32le(address, size, 0, 0));
  }

  /** FLASH_DEFL_BEGIN/DATA/END through the stub, 16 KiB blocks. */
  writeCompressed(address: number, data: Uint8Array): void {
    const compressed = new Uint8Array(deflateSync(data, { level: 9 }));
    const blockSize = 0x4000;
    const blocks = Math.ceil(compressed.length / blockSize);
    this.ok(Command.FlashDeflBegin, u32le(data.length, blocks, blockSize, address));
    for (let seq = 0; seq < blocks; seq++) {
      const reply = this.dataCommand(
        Command.FlashDeflData,
        compressed.subarray(seq * blockSize, (seq + 1) * blockSize),
        seq,
      );
      expect([reply.status, reply.error]).toEqual([0, 0]);
    }
    this.ok(Command.FlashDeflEnd, u32le(1));
  }
}

const md5hex = (data: Uint8Array) => createHash("md5").update(data).digest("hex");

describe("SYNC (SP: Initial Synchronisation)", () => {
  it("the ROM answers eight times with the sync word in the value field and four status bytes", () => {
    const host = new TestHost("esp32");
    const replies = host.send(Command.Sync, SYNC);
    expect(replies).toHaveLength(8);
    for (const reply of replies) {
      expect(reply).toMatchObject({ command: Command.Sync, value: 0x20120707, status: 0, error: 0, statusBytes: 4 });
      expect(reply.data).toHaveLength(0);
    }
  });

  it("the stub answers once, with value 0 — how esptool tells them apart", async () => {
    const host = new TestHost("esp32s3");
    await host.startStub();
    const reply = host.one(Command.Sync, SYNC);
    expect(reply).toMatchObject({ command: Command.Sync, value: 0, status: 0, statusBytes: 2 });
  });

  it("a SYNC without the 0x55 run is an invalid message", () => {
    const host = new TestHost("esp32c3");
    const reply = host.one(Command.Sync, SYNC.subarray(0, 20));
    expect([reply.status, reply.error]).toEqual([1, RomError.InvalidMessage]);
  });
});

describe("chip identification", () => {
  it("each chip answers the detect-magic word esptool-js maps to it", () => {
    expect(new TestHost("esp32").readReg(CHIP_DETECT_MAGIC_REG_ADDR)).toBe(0x00f01d83);
    expect(new TestHost("esp32s3").readReg(CHIP_DETECT_MAGIC_REG_ADDR)).toBe(0x09);
    expect(new TestHost("esp32c3").readReg(CHIP_DETECT_MAGIC_REG_ADDR)).toBe(0x1b31506f);
  });

  it("ESP32-S3 and ESP32-C3 answer GET_SECURITY_INFO with 20 bytes carrying their chip id", () => {
    for (const [chip, chipId] of [
      ["esp32s3", 9],
      ["esp32c3", 5],
    ] as const) {
      const reply = new TestHost(chip).ok(Command.GetSecurityInfo);
      expect(reply.data).toHaveLength(20);
      expect(new DataView(reply.data.buffer, reply.data.byteOffset).getUint32(12, true)).toBe(chipId);
    }
  });

  it("the ESP32 ROM does not know GET_SECURITY_INFO: repeated invalid-message replies under another command byte", () => {
    const host = new TestHost("esp32");
    host.send(Command.Sync, SYNC);
    const replies = host.send(Command.GetSecurityInfo);
    expect(replies.length).toBeGreaterThan(1);
    for (const reply of replies) {
      expect(reply.command).not.toBe(Command.GetSecurityInfo);
      expect([reply.status, reply.error]).toEqual([1, RomError.InvalidMessage]);
    }
  });

  it("the ESP32's eFuse words give esptool's banner: D0WD-V3, revision 3, and the MAC", () => {
    const host = new TestHost("esp32");
    const word3 = host.readReg(0x3ff5a00c);
    expect((word3 >> 9) & 7).toBe(1); // package D0WD
    expect((word3 >> 15) & 1).toBe(1);
    expect((host.readReg(0x3ff5a014) >> 20) & 1).toBe(1);
    expect(host.readReg(0x3ff6607c) >>> 31).toBe(1);
    expect(host.readReg(0x3ff5a004)).toBe(0xc4000001);
    expect(host.readReg(0x3ff5a008) & 0xffff).toBe(0x240a);
  });

  it("reads the JEDEC id through the SPI user-command registers, sized like the flash", async () => {
    for (const [flashBytes, capacity] of [
      [4 * MB, 0x16],
      [8 * MB, 0x17],
      [16 * MB, 0x18],
    ] as const) {
      const host = new TestHost("esp32s3", { flashBytes });
      await host.startStub();
      // esptool-js runSpiflashCommand(0x9F, [], 24) for an ESP32-S3: base 0x60002000.
      const base = 0x60002000;
      const write = (address: number, value: number) => host.ok(Command.WriteReg, u32le(address, value, 0xffffffff, 0));
      write(base + 0x28, 23); // MISO_DLEN
      write(base + 0x18, (1 << 31) | (1 << 28)); // USR: COMMAND | MISO
      write(base + 0x20, (7 << 28) | 0x9f); // USR2: 8-bit command 0x9F
      write(base + 0x58, 0); // W0
      write(base, 1 << 18); // CMD: USR
      expect(host.readReg(base) & (1 << 18)).toBe(0);
      expect(host.readReg(base + 0x58)).toBe(0xc8 | (0x40 << 8) | (capacity << 16));
    }
  });
});

describe("the stub (SP: Initial Synchronisation; Software Loader Status & Error)", () => {
  it("starts after MEM_END jumps into the uploaded code and sends its OHAI greeting", async () => {
    const host = new TestHost("esp32");
    const packets = await host.startStub();
    expect(packets).toHaveLength(2);
    expect(packets[0]![1]).toBe(Command.MemEnd);
    expect(new TextDecoder().decode(packets[1]!)).toBe("OHAI");
  });

  it("a jump into RAM that holds no complete program halts the chip: no greeting, no answers", () => {
    const host = new TestHost("esp32c3");
    host.ok(Command.MemBegin, u32le(0x100, 1, 0x1800, 0x40380000));
    const packets = host.raw(Command.MemEnd, u32le(0, 0x40380010));
    expect(packets).toHaveLength(1);
    expect(host.emulator.mode).toBe("halted");
    expect(host.raw(Command.Sync, SYNC)).toHaveLength(0);
  });

  it("answers a command it does not know with 0xC3 under the same command byte", async () => {
    const host = new TestHost("esp32");
    await host.startStub();
    const reply = host.one(0x55);
    expect([reply.command, reply.status, reply.error]).toEqual([0x55, 1, StubError.InvalidCommand]);
  });

  it("CHANGE_BAUDRATE replies first, then switches", async () => {
    const host = new TestHost("esp32s3");
    await host.startStub();
    host.ok(Command.ChangeBaudrate, u32le(921600, 115200));
    expect(host.baud).toBe(921600);
    expect(host.emulator.baudRate).toBe(921600);
  });
});

describe("writing flash: data-command checks", () => {
  const block = new Uint8Array(0x400).fill(0x5a);

  it("a wrong checksum: ROM 0x07, stub 0xC1", async () => {
    const rom = new TestHost("esp32");
    rom.ok(Command.SpiAttach, u32le(0, 0));
    rom.ok(Command.FlashBegin, u32le(0x1000, 4, 0x400, 0x10000, 0));
    const romReply = rom.dataCommand(Command.FlashData, block, 0, xorChecksum(block) ^ 1);
    expect([romReply.status, romReply.error]).toEqual([1, RomError.InvalidCrc]);

    const stub = new TestHost("esp32");
    await stub.startStub();
    stub.ok(Command.FlashBegin, u32le(0x1000, 4, 0x400, 0x10000));
    const stubReply = stub.dataCommand(Command.FlashData, block, 0, xorChecksum(block) ^ 1);
    expect([stubReply.status, stubReply.error]).toEqual([1, StubError.BadDataChecksum]);
  });

  it("a block out of sequence: ROM 0x05, stub 0xC3; the right block then goes through", async () => {
    const rom = new TestHost("esp32s3");
    rom.ok(Command.SpiAttach, u32le(0, 0));
    rom.ok(Command.FlashBegin, u32le(0x1000, 4, 0x400, 0x10000, 0));
    expect(rom.dataCommand(Command.FlashData, block, 1).error).toBe(RomError.InvalidMessage);
    expect(rom.dataCommand(Command.FlashData, block, 0).status).toBe(0);
    expect(rom.dataCommand(Command.FlashData, block, 0).error).toBe(RomError.InvalidMessage);

    const stub = new TestHost("esp32s3");
    await stub.startStub();
    stub.ok(Command.FlashDeflBegin, u32le(0x1000, 1, 0x4000, 0x10000));
    const reply = stub.dataCommand(Command.FlashDeflData, new Uint8Array(deflateSync(block)), 3);
    expect([reply.status, reply.error]).toEqual([1, StubError.InvalidCommand]);
  });

  it("a length word that disagrees with the data, or a size field that disagrees with the packet: ROM 0x05, stub 0xC0", async () => {
    const rom = new TestHost("esp32c3");
    rom.ok(Command.SpiAttach, u32le(0, 0));
    rom.ok(Command.FlashBegin, u32le(0x1000, 4, 0x400, 0x10000, 0));
    const lying = concat(u32le(block.length + 4, 0, 0, 0), block);
    expect(rom.one(Command.FlashData, lying, xorChecksum(block)).error).toBe(RomError.InvalidMessage);
    expect(rom.one(Command.ReadReg, u32le(CHIP_DETECT_MAGIC_REG_ADDR), 0, 8).error).toBe(RomError.InvalidMessage);

    const stub = new TestHost("esp32c3");
    await stub.startStub();
    stub.ok(Command.FlashBegin, u32le(0x1000, 4, 0x400, 0x10000));
    expect(stub.one(Command.FlashData, lying, xorChecksum(block)).error).toBe(StubError.BadDataLen);
    expect(stub.one(Command.ReadReg, u32le(0), 0, 3).error).toBe(StubError.BadDataLen);
  });

  it("data without a FLASH_BEGIN: the stub says it is not in flash mode (0xC6)", async () => {
    const stub = new TestHost("esp32");
    await stub.startStub();
    expect(stub.dataCommand(Command.FlashData, block, 0).error).toBe(StubError.NotInFlashMode);
  });

  it("a region past the end of the flash is refused: ROM 0x06, stub 0xC4", async () => {
    const rom = new TestHost("esp32", { flashBytes: 4 * MB });
    rom.ok(Command.SpiAttach, u32le(0, 0));
    expect(rom.one(Command.FlashBegin, u32le(0x2000, 8, 0x400, 4 * MB - 0x1000, 0)).error).toBe(RomError.FailedToAct);
    expect(rom.one(Command.SpiFlashMd5, u32le(4 * MB - 16, 32, 0, 0)).error).toBe(RomError.FlashReadLengthError);

    const stub = new TestHost("esp32");
    await stub.startStub();
    expect(stub.one(Command.FlashDeflBegin, u32le(0x2000, 1, 0x4000, 4 * MB - 0x1000)).error).toBe(
      StubError.FailedSpiOp,
    );
    expect(stub.one(Command.EraseRegion, u32le(4 * MB, 0x1000)).error).toBe(StubError.FailedSpiOp);
  });

  it("the ROM refuses flash work before SPI_ATTACH (SP: SPI Attach command)", () => {
    const rom = new TestHost("esp32s3");
    expect(rom.one(Command.FlashBegin, u32le(0x1000, 4, 0x400, 0x10000, 0)).error).toBe(RomError.FailedToAct);
    rom.ok(Command.SpiAttach, u32le(0, 0));
    rom.ok(Command.FlashBegin, u32le(0x1000, 4, 0x400, 0x10000, 0));
  });

  it("the stub refuses blocks larger than its 16 KiB buffer (0xC2)", async () => {
    const stub = new TestHost("esp32s3");
    await stub.startStub();
    expect(stub.one(Command.FlashBegin, u32le(0x10000, 2, 0x8000, 0x10000)).error).toBe(StubError.BadBlocksize);
  });

  it("compressed data that does not inflate (0xC7), too much (0xC9) and too little (0xC8)", async () => {
    const stub = new TestHost("esp32s3");
    await stub.startStub();
    stub.ok(Command.FlashDeflBegin, u32le(0x1000, 1, 0x4000, 0x10000));
    expect(stub.dataCommand(Command.FlashDeflData, Uint8Array.of(0x78, 0x9c, 0xff, 0xff, 0xff), 0).error).toBe(
      StubError.InflateError,
    );

    stub.ok(Command.FlashDeflBegin, u32le(0x100, 1, 0x4000, 0x10000));
    expect(stub.dataCommand(Command.FlashDeflData, new Uint8Array(deflateSync(new Uint8Array(0x200))), 0).error).toBe(
      StubError.TooMuchData,
    );

    stub.ok(Command.FlashDeflBegin, u32le(0x2000, 1, 0x4000, 0x10000));
    stub.dataCommand(Command.FlashDeflData, new Uint8Array(deflateSync(new Uint8Array(0x1000))), 0);
    expect(stub.one(Command.FlashDeflEnd, u32le(1)).error).toBe(StubError.NotEnoughData);
  });
});

describe("writing flash: what lands where", () => {
  it("the stub writes the inflated bytes, erases only the sectors it writes, and keeps the rest", async () => {
    const host = new TestHost("esp32c3");
    // Flash that is not erased around the target, to see exactly what the stub erases.
    host.flash.write(0, new Uint8Array(host.flash.sizeBytes).fill(0x00));
    await host.startStub();
    const data = new SeededRandom(1).bytes(40_000);
    host.writeCompressed(0x20000, data);
    expect(host.flash.read(0x20000, data.length)).toEqual(data);
    const lastSectorEnd = 0x20000 + Math.ceil(data.length / 0x1000) * 0x1000;
    expect(host.flash.read(0x20000 + data.length, lastSectorEnd - 0x20000 - data.length).every((b) => b === 0xff)).toBe(
      true,
    );
    expect(host.flash.read(lastSectorEnd, 0x1000).every((b) => b === 0x00)).toBe(true);
    expect(host.flash.read(0x1f000, 0x1000).every((b) => b === 0x00)).toBe(true);
  });

  it("the ROM erases at FLASH_BEGIN and writes plain blocks in place", () => {
    const host = new TestHost("esp32");
    host.ok(Command.SpiAttach, u32le(0, 0));
    const data = new SeededRandom(2).bytes(0x900);
    host.ok(Command.FlashBegin, u32le(0x1000, 3, 0x400, 0x10000, 0));
    for (let seq = 0; seq < 3; seq++) {
      const block = new Uint8Array(0x400).fill(0xff);
      block.set(data.subarray(seq * 0x400, (seq + 1) * 0x400));
      host.dataCommand(Command.FlashData, block, seq);
    }
    expect(host.flash.read(0x10000, data.length)).toEqual(data);
  });

  it("SPI_FLASH_MD5: the ROM sends 32 hex characters, the stub 16 raw bytes, both of the written region", async () => {
    const host = new TestHost("esp32s3");
    host.ok(Command.SpiAttach, u32le(0, 0));
    const data = new SeededRandom(3).bytes(5000);
    host.flash.write(0x30000, data);
    const romReply = host.md5(0x30000, data.length);
    expect(new TextDecoder().decode(romReply.data)).toBe(md5hex(data));
    await host.startStub();
    const stubReply = host.md5(0x30000, data.length);
    expect(Buffer.from(stubReply.data).toString("hex")).toBe(md5hex(data));
  });

  it("with corruptFlashWrite one byte lands wrong, and the MD5 shows it", async () => {
    const host = new TestHost("esp32s3", { corruptFlashWrite: true });
    await host.startStub();
    const data = new SeededRandom(5).bytes(20_000);
    host.writeCompressed(0x10000, data);
    const flashed = host.flash.read(0x10000, data.length);
    expect(flashed.reduce((n, b, i) => n + (b === data[i] ? 0 : 1), 0)).toBe(1);
    expect(Buffer.from(host.md5(0x10000, data.length).data).toString("hex")).not.toBe(md5hex(data));
  });

  it("ERASE_FLASH and ERASE_REGION (whole sectors only) are stub commands the ROM does not know", async () => {
    const host = new TestHost("esp32");
    host.flash.write(0, new Uint8Array(0x3000));
    expect(host.send(Command.EraseFlash).every((r) => r.error === RomError.InvalidMessage)).toBe(true);
    await host.startStub();
    expect(host.one(Command.EraseRegion, u32le(0x800, 0x1000)).error).toBe(StubError.BadDataLen);
    host.ok(Command.EraseRegion, u32le(0x1000, 0x1000));
    expect([...host.flash.read(0xfff, 3)]).toEqual([0x00, 0xff, 0xff]);
    host.ok(Command.EraseFlash);
    expect(host.flash.read(0, 0x3000).every((b) => b === 0xff)).toBe(true);
  });
});

describe("reading flash and leaving the loader", () => {
  it("READ_FLASH streams packets within the in-flight limit, acknowledged by byte count, then the MD5", async () => {
    const host = new TestHost("esp32");
    const data = new SeededRandom(6).bytes(10_000);
    host.flash.write(0x40000, data);
    await host.startStub();
    const first = host.raw(Command.ReadFlash, u32le(0x40000, data.length, 1024, 2));
    expect(first).toHaveLength(3); // the reply, then two packets in flight
    const received: number[] = [...first[1]!, ...first[2]!];
    let md5: Uint8Array | undefined;
    while (!md5) {
      // Acks are raw 4-byte SLIP packets: the total received so far (SP: Reading Flash).
      for (const packet of host.exchange(u32le(received.length))) {
        if (received.length === data.length) md5 = packet;
        else received.push(...packet);
      }
    }
    expect(Uint8Array.from(received)).toEqual(data);
    expect(Buffer.from(md5).toString("hex")).toBe(md5hex(data));
  });

  it("RUN_USER_CODE hands over without a reply, and the loader falls silent", async () => {
    const host = new TestHost("esp32s3");
    await host.startStub();
    expect(host.raw(Command.RunUserCode)).toHaveLength(0);
    expect(host.ranUserCode).toBe(1);
    expect(host.raw(Command.Sync, SYNC)).toHaveLength(0);
    host.emulator.reset();
    expect(host.raw(Command.Sync, SYNC)).toHaveLength(8);
  });

  it("FLASH_DEFL_END with 0 reboots into the firmware; with 1 the stub stays", async () => {
    const host = new TestHost("esp32c3");
    await host.startStub();
    host.writeCompressed(0x10000, new Uint8Array(100));
    expect(host.emulator.inStub).toBe(true);
    host.ok(Command.FlashDeflBegin, u32le(4, 1, 0x4000, 0x11000));
    host.dataCommand(Command.FlashDeflData, new Uint8Array(deflateSync(new Uint8Array(4))), 0);
    host.ok(Command.FlashDeflEnd, u32le(0));
    expect(host.ranUserCode).toBe(1);
    expect(host.emulator.mode).toBe("user-code");
  });
});
