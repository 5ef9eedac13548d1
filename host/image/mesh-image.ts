// The meshstack image: build/stack.wasm wrapped in a 64-byte header, as stored in a board's stack
// partition (boards/board.ts STACK_PARTITION_TYPE). Byte table and reasons: docs/images.md.
//
//   0  magic "mesh" (6D 65 73 68)   4  format version (u16 LE) = 1   6  flags (u16 LE)
//   8  WASM length (u32 LE)        12  build id (20 bytes ASCII, NUL-padded)
//  32  BLAKE2b-256 over bytes 0–31 followed by the WASM
//  64  the WASM
//
// Also: imagesForBoard, the images `mesh flash` writes to a board by default.
import { blake2b } from "@noble/hashes/blake2.js";
import { type BoardDefinition, STACK_PARTITION_LABEL, stackPartition } from "../../boards/board.js";
import { encodePartitionTable, formatSize, validatePartitionTable } from "./partition-table.js";

export const MESH_IMAGE_MAGIC = Uint8Array.of(0x6d, 0x65, 0x73, 0x68); // "mesh"
export const MESH_IMAGE_FORMAT_VERSION = 1;
export const MESH_IMAGE_HEADER_LENGTH = 64;
export const MESH_IMAGE_BUILD_ID_LENGTH = 20;
export const MESH_IMAGE_DIGEST_LENGTH = 32;

const VERSION_AT = 4;
const FLAGS_AT = 6;
const LENGTH_AT = 8;
const BUILD_ID_AT = 12;
const DIGEST_AT = 32;

export const MeshImageFlag = {
  /** Built with asserts on (build/stack.debug.wasm). */
  DebugBuild: 1 << 0,
} as const;

/** "\0asm" and binary format version 1 (WebAssembly Core Specification §5.5.16, Modules). */
const WASM_PREAMBLE = Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);

export interface MeshImage {
  formatVersion: number;
  flags: number;
  /** Version or build id the image was made from, e.g. "0.1.0" or "0.1.0+3f2a9c1". */
  buildId: string;
  wasm: Uint8Array;
  /** BLAKE2b-256 as stored in (and checked against) the header. */
  digest: Uint8Array;
  /** Header plus WASM: the bytes of the partition the image occupies; the rest is not read. */
  imageLength: number;
}

export type MeshImageErrorKind =
  | "empty"
  | "bad-magic"
  | "unsupported-version"
  | "truncated"
  | "digest-mismatch"
  | "not-webassembly";

export type ParsedMeshImage =
  | { ok: true; image: MeshImage }
  | { ok: false; error: MeshImageErrorKind; message: string };

export interface BuildOptions {
  /** Build id stored in the header: printable ASCII, at most 20 bytes (package version, git hash). */
  version: string;
  /** Sets MeshImageFlag.DebugBuild. */
  debug?: boolean;
}

/** Wraps `wasm` in the image header. Throws RangeError for input that is not WebAssembly or a bad build id. */
export function buildMeshImage(wasm: Uint8Array, options: BuildOptions): Uint8Array {
  if (!startsWith(wasm, WASM_PREAMBLE)) throw new RangeError("buildMeshImage: input is not a WebAssembly binary");
  if (!/^[\x20-\x7e]{1,20}$/.test(options.version)) {
    throw new RangeError(`buildMeshImage: version '${options.version}' must be 1–20 printable ASCII characters`);
  }
  const image = new Uint8Array(MESH_IMAGE_HEADER_LENGTH + wasm.length);
  const view = new DataView(image.buffer);
  image.set(MESH_IMAGE_MAGIC, 0);
  view.setUint16(VERSION_AT, MESH_IMAGE_FORMAT_VERSION, true);
  view.setUint16(FLAGS_AT, options.debug ? MeshImageFlag.DebugBuild : 0, true);
  view.setUint32(LENGTH_AT, wasm.length, true);
  for (let i = 0; i < options.version.length; i++) image[BUILD_ID_AT + i] = options.version.charCodeAt(i);
  image.set(wasm, MESH_IMAGE_HEADER_LENGTH);
  image.set(imageDigest(image.subarray(0, DIGEST_AT), wasm), DIGEST_AT);
  return image;
}

/**
 * Reads an image from the start of `bytes` (typically the whole stack partition read back from
 * flash; bytes after the image are ignored). Never throws: every failure is a kind plus one line.
 * Checks run cheapest first, and the digest before anything trusts the WASM.
 */
export function parseMeshImage(bytes: Uint8Array): ParsedMeshImage {
  const fail = (error: MeshImageErrorKind, message: string): ParsedMeshImage => ({ ok: false, error, message });
  const head = bytes.subarray(0, MESH_IMAGE_HEADER_LENGTH);
  if (head.length === 0 || head.every((b) => b === 0xff)) {
    return fail("empty", "no image: the partition is empty (erased flash)");
  }
  const magicSeen = head.subarray(0, MESH_IMAGE_MAGIC.length);
  if (!startsWith(MESH_IMAGE_MAGIC, magicSeen)) {
    return fail("bad-magic", `not a meshstack image: starts ${hexBytes(magicSeen)}, expected 6D 65 73 68 ("mesh")`);
  }
  if (head.length < MESH_IMAGE_HEADER_LENGTH) {
    return fail("truncated", `image header cut short: ${head.length} of ${MESH_IMAGE_HEADER_LENGTH} bytes`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, MESH_IMAGE_HEADER_LENGTH);
  const formatVersion = view.getUint16(VERSION_AT, true);
  if (formatVersion !== MESH_IMAGE_FORMAT_VERSION) {
    return fail(
      "unsupported-version",
      `image format version ${formatVersion}; this mesh reads version ${MESH_IMAGE_FORMAT_VERSION}`,
    );
  }
  const wasmLength = view.getUint32(LENGTH_AT, true);
  const imageLength = MESH_IMAGE_HEADER_LENGTH + wasmLength;
  if (bytes.length < imageLength) {
    return fail(
      "truncated",
      `image cut short: header says ${wasmLength} bytes of WASM, ${bytes.length - MESH_IMAGE_HEADER_LENGTH} present`,
    );
  }
  const wasm = bytes.subarray(MESH_IMAGE_HEADER_LENGTH, imageLength);
  const digest = bytes.subarray(DIGEST_AT, DIGEST_AT + MESH_IMAGE_DIGEST_LENGTH);
  if (!equalBytes(imageDigest(bytes.subarray(0, DIGEST_AT), wasm), digest)) {
    return fail("digest-mismatch", "image digest mismatch: the header or the WASM is corrupt");
  }
  // Past the digest, the bytes are what the builder wrote; a builder other than buildMeshImage
  // could still have wrapped something that is not a module.
  // The copy handed out is also what gets validated (WebAssembly.validate wants an unshared buffer).
  const payload = wasm.slice();
  if (!startsWith(payload, WASM_PREAMBLE) || !WebAssembly.validate(payload)) {
    return fail("not-webassembly", "the image's payload is not a valid WebAssembly module");
  }
  return {
    ok: true,
    image: {
      formatVersion,
      flags: view.getUint16(FLAGS_AT, true),
      buildId: decodeBuildId(bytes.subarray(BUILD_ID_AT, BUILD_ID_AT + MESH_IMAGE_BUILD_ID_LENGTH)),
      wasm: payload,
      digest: digest.slice(),
      imageLength,
    },
  };
}

function imageDigest(headerBeforeDigest: Uint8Array, wasm: Uint8Array): Uint8Array {
  // BLAKE2b because the stack already carries it (firmware/crypto/blake2b.ts): a board checks its
  // image with a primitive it has anyway. 256 bits: collision resistance, so an image's digest can
  // also name a build (2^128 birthday bound).
  return blake2b.create({ dkLen: MESH_IMAGE_DIGEST_LENGTH }).update(headerBeforeDigest).update(wasm).digest();
}

// ---- What `mesh flash` writes ------------------------------------------------------------------------

export interface FlashImage {
  /** What it is, for progress lines: "partition-table", "meshstack". */
  name: string;
  offset: number;
  data: Uint8Array;
}

/**
 * The images `mesh flash` writes to `board` by default: the partition table at 0x8000 and the
 * meshstack image at the stack partition's offset. The bootloader and the factory app come from
 * the ESP-IDF build of firmware/native, which does not exist yet; until it does, a board flashed
 * with these two has a table and a stack image but nothing that boots them. NVS (the node's keys) is
 * never written, so reflashing keeps the node's identity. Throws RangeError when the board's table
 * is unsound or the image does not fit its partition.
 */
export function imagesForBoard(board: BoardDefinition, stackWasm: Uint8Array, options: BuildOptions): FlashImage[] {
  const problems = validatePartitionTable(board.flash.partitions, {
    flashBytes: board.flashBytes,
    tableOffset: board.flash.partitionTable.offset,
  });
  if (problems.length > 0) throw new RangeError(`board ${board.name}: ${problems.join("; ")}`);
  const stack = stackPartition(board);
  const image = buildMeshImage(stackWasm, options);
  if (image.length > stack.size) {
    throw new RangeError(
      `meshstack image is ${formatSize(image.length)}; the ${STACK_PARTITION_LABEL} partition of ${board.name} holds ${formatSize(stack.size)}`,
    );
  }
  return [
    {
      name: "partition-table",
      offset: board.flash.partitionTable.offset,
      data: encodePartitionTable(board.flash.partitions),
    },
    { name: STACK_PARTITION_LABEL, offset: stack.offset, data: image },
  ];
}

// ---- Helpers -------------------------------------------------------------------------------------

function decodeBuildId(field: Uint8Array): string {
  const end = field.indexOf(0);
  let text = "";
  // Only printable ASCII survives: a build id from a foreign builder must not carry control bytes
  // into a terminal.
  for (const byte of end === -1 ? field : field.subarray(0, end))
    text += byte >= 0x20 && byte <= 0x7e ? String.fromCharCode(byte) : "?";
  return text;
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  return bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  // Not secret: the digest guards against corruption, not forgery, so no constant-time compare.
  return a.every((byte, i) => byte === b[i]);
}

function hexBytes(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).toUpperCase().padStart(2, "0")).join(" ") || "(nothing)";
}
