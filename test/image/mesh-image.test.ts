import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { STACK_PARTITION_SIZE, stackPartition } from "../../boards/board.js";
import { boards, findBoard } from "../../boards/index.js";
import {
  buildMeshImage,
  imagesForBoard,
  MESH_IMAGE_HEADER_LENGTH,
  MeshImageFlag,
  parseMeshImage,
} from "../../host/image/mesh-image.js";
import { decodePartitionTable } from "../../host/image/partition-table.js";
import { loadCrypto } from "../../host/wasm/crypto.js";
import { stackWasmPath } from "../../host/wasm/load-stack.js";
import { hex, SeededRandom } from "../support/seeded-random.js";

const stackWasm = new Uint8Array(readFileSync(stackWasmPath()));
/** The smallest valid module: preamble only. */
const EMPTY_MODULE = Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);

describe("round trip", () => {
  it("wraps build/stack.wasm and gives it back byte for byte", () => {
    const image = buildMeshImage(stackWasm, { version: "0.1.0+3f2a9c1" });
    expect(image.length).toBe(MESH_IMAGE_HEADER_LENGTH + stackWasm.length);
    const parsed = parseMeshImage(image);
    if (!parsed.ok) throw new Error(parsed.message);
    expect(hex(parsed.image.wasm)).toBe(hex(stackWasm));
    expect(parsed.image).toMatchObject({
      formatVersion: 1,
      flags: 0,
      buildId: "0.1.0+3f2a9c1",
      imageLength: image.length,
    });
  });

  it("lays the header out as docs/images.md says", () => {
    const image = buildMeshImage(EMPTY_MODULE, { version: "1.2.3", debug: true });
    expect(hex(image.subarray(0, 12))).toBe("6d657368" + "0100" + "0100" + "08000000");
    expect(Buffer.from(image.subarray(12, 32)).toString("latin1")).toBe(`1.2.3${"\0".repeat(15)}`);
    expect(hex(image.subarray(64))).toBe(hex(EMPTY_MODULE));
    const parsed = parseMeshImage(image);
    expect(parsed.ok && parsed.image.flags).toBe(MeshImageFlag.DebugBuild);
  });

  it("stores the digest the stack's own BLAKE2b computes (the board's check)", async () => {
    const image = buildMeshImage(stackWasm, { version: "0.1.0" });
    const crypto = await loadCrypto();
    const signed = new Uint8Array(32 + stackWasm.length);
    signed.set(image.subarray(0, 32));
    signed.set(stackWasm, 32);
    expect(hex(image.subarray(32, 64))).toBe(hex(crypto.blake2b(signed, 32)));
  });

  it("reads an image from a whole partition read back from flash, ignoring the erased rest", () => {
    const partition = new Uint8Array(STACK_PARTITION_SIZE).fill(0xff);
    partition.set(buildMeshImage(stackWasm, { version: "0.1.0" }));
    const parsed = parseMeshImage(partition);
    expect(parsed.ok && hex(parsed.image.wasm)).toBe(hex(stackWasm));
  });
});

describe("every error kind", () => {
  const image = () => buildMeshImage(EMPTY_MODULE, { version: "0.1.0" });
  const kind = (bytes: Uint8Array) => {
    const parsed = parseMeshImage(bytes);
    return parsed.ok ? "ok" : parsed.error;
  };

  it("empty: nothing, or erased flash", () => {
    expect(kind(new Uint8Array(0))).toBe("empty");
    expect(kind(new Uint8Array(STACK_PARTITION_SIZE).fill(0xff))).toBe("empty");
  });

  it("bad-magic: a raw .wasm, an ESP app image, zeros", () => {
    expect(kind(stackWasm)).toBe("bad-magic");
    expect(kind(Uint8Array.of(0xe9, 0x03, 0x02, 0x20, 0, 0, 0, 0))).toBe("bad-magic");
    expect(kind(new Uint8Array(100))).toBe("bad-magic");
  });

  it("unsupported-version", () => {
    const bytes = image();
    bytes[4] = 2;
    expect(kind(bytes)).toBe("unsupported-version");
  });

  it("truncated: header or WASM cut short", () => {
    const bytes = buildMeshImage(stackWasm, { version: "0.1.0" });
    expect(kind(bytes.subarray(0, 2))).toBe("truncated");
    expect(kind(bytes.subarray(0, 40))).toBe("truncated");
    expect(kind(bytes.subarray(0, bytes.length - 1))).toBe("truncated");
  });

  it("digest-mismatch: a flipped bit in the WASM, the build id, the flags or the digest; a shorter length", () => {
    const mutations: [string, (bytes: Uint8Array) => void][] = [
      ["WASM byte", (b) => (b[MESH_IMAGE_HEADER_LENGTH + 3] ^= 0x01)],
      ["build id", (b) => (b[12] ^= 0x01)],
      ["flags", (b) => (b[6] ^= 0x80)],
      ["digest", (b) => (b[40] ^= 0x01)],
      // One byte shorter still fits the bytes present, so only the digest can catch it.
      ["length", (b) => new DataView(b.buffer).setUint32(8, stackWasm.length - 1, true)],
    ];
    for (const [what, mutate] of mutations) {
      const bytes = buildMeshImage(stackWasm, { version: "0.1.0" });
      mutate(bytes);
      expect(kind(bytes), what).toBe("digest-mismatch");
    }
  });

  it("not-webassembly: a correctly digested payload that is not a module", async () => {
    // buildMeshImage refuses non-WASM, so forge one as a foreign builder could: valid preamble,
    // then a section that does not parse, re-digested.
    const forged = buildMeshImage(Uint8Array.of(...EMPTY_MODULE, 0x01, 0xff, 0xff), { version: "0.1.0" });
    const { blake2b } = await import("@noble/hashes/blake2.js");
    forged.set(blake2b.create({ dkLen: 32 }).update(forged.subarray(0, 32)).update(forged.subarray(64)).digest(), 32);
    expect(kind(forged)).toBe("not-webassembly");
  });

  it("builder refuses what it must not wrap", () => {
    expect(() => buildMeshImage(Uint8Array.of(1, 2, 3), { version: "0.1.0" })).toThrow(RangeError);
    expect(() => buildMeshImage(EMPTY_MODULE, { version: "" })).toThrow(RangeError);
    expect(() => buildMeshImage(EMPTY_MODULE, { version: "x".repeat(21) })).toThrow(RangeError);
    expect(() => buildMeshImage(EMPTY_MODULE, { version: "tab\there" })).toThrow(RangeError);
  });
});

describe("fuzz", () => {
  it("never throws on random bytes, truncations or corruptions (seeded)", () => {
    const random = new SeededRandom(0x1a6e);
    const valid = buildMeshImage(stackWasm, { version: "0.1.0" });
    for (let round = 0; round < 2000; round++) {
      let input: Uint8Array;
      switch (round % 3) {
        case 0:
          input = random.bytes(random.below(200));
          // Half of them start with the magic so the later checks run too.
          if (round % 2 === 0 && input.length >= 6) input.set([0x6d, 0x65, 0x73, 0x68, 1, 0]);
          break;
        case 1:
          input = valid.subarray(0, random.below(valid.length + 1));
          break;
        default:
          input = valid.slice();
          input[random.below(input.length)] ^= 1 + random.below(255);
      }
      const parsed = parseMeshImage(input);
      if (!parsed.ok) expect(parsed.message.length).toBeGreaterThan(0);
      // Any accepted input is the valid image itself (a flip inside the WASM is always caught).
      else expect(parsed.image.wasm.length).toBe(stackWasm.length);
    }
  });
});

describe("imagesForBoard", () => {
  it("writes the partition table at 0x8000 and the image at the meshstack partition, nothing else", () => {
    for (const board of boards) {
      const images = imagesForBoard(board, stackWasm, { version: "0.1.0" });
      expect(images.map((i) => [i.name, i.offset])).toEqual([
        ["partition-table", 0x8000],
        ["meshstack", stackPartition(board).offset],
      ]);
      const table = decodePartitionTable(images[0].data);
      expect(table.ok && table.entries).toEqual(board.flash.partitions);
      const parsed = parseMeshImage(images[1].data);
      expect(parsed.ok && hex(parsed.image.wasm)).toBe(hex(stackWasm));
      // Key storage is never written: a reflash keeps the node's identity.
      const nvs = board.flash.partitions.find((p) => p.label === "nvs")!;
      for (const image of images) {
        const end = image.offset + image.data.length;
        expect(end <= nvs.offset || image.offset >= nvs.offset + nvs.size).toBe(true);
      }
    }
  });

  it("refuses an image bigger than the partition", () => {
    const huge = new Uint8Array(STACK_PARTITION_SIZE);
    huge.set(EMPTY_MODULE);
    expect(() => imagesForBoard(findBoard("virtual")!, huge, { version: "0.1.0" })).toThrow(/holds 256 KiB/);
  });
});
