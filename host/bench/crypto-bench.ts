// `npm run bench -- crypto`: every primitive of stack.wasm against @noble/* and node:crypto, in one
// run, with ratios. Targets (issue #2): faster than @noble everywhere; ChaCha20 and BLAKE2b ≥ 0.5×
// node:crypto; Ed25519 sign, verify and X25519 ≥ 3× @noble.
import {
  createCipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  sign,
  verify,
} from "node:crypto";
import { statSync } from "node:fs";
import * as zlib from "node:zlib";
import { chacha20 } from "@noble/ciphers/chacha.js";
import { ed25519, x25519 } from "@noble/curves/ed25519.js";
import { blake2b } from "@noble/hashes/blake2.js";
import { sha512 } from "@noble/hashes/sha2.js";
import { loadCrypto } from "../wasm/crypto.js";
import { stackWasmPath } from "../wasm/load-stack.js";
import { type Candidate, measure } from "./measure.js";

interface Row {
  primitive: string;
  unit: "MB/s" | "ops/s";
  bytes: number;
  ours: number;
  noble?: number;
  node?: number;
  nodeLabel?: string;
  target: string;
  met?: boolean;
}

const pkcs8Ed25519Prefix = Buffer.from("302e020100300506032b657004220420", "hex");
const spkiEd25519Prefix = Buffer.from("302a300506032b6570032100", "hex");
const pkcs8X25519Prefix = Buffer.from("302e020100300506032b656e04220420", "hex");
const spkiX25519Prefix = Buffer.from("302a300506032b656e032100", "hex");

function bytes(length: number, fill: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 31 + fill) & 0xff);
}

export async function runCryptoBench(options: { quick?: boolean } = {}): Promise<Row[]> {
  const ours = await loadCrypto();
  const rounds = options.quick ? 3 : 7;
  const roundMs = options.quick ? 60 : 200;
  const rows: Row[] = [];

  const add = (
    primitive: string,
    unit: Row["unit"],
    size: number,
    candidates: { ours: Candidate["run"]; noble?: Candidate["run"]; node?: Candidate["run"]; nodeLabel?: string },
    target: string,
    check?: (row: Row) => boolean,
  ) => {
    const list: Candidate[] = [{ name: "ours", run: candidates.ours }];
    if (candidates.noble) list.push({ name: "noble", run: candidates.noble });
    if (candidates.node) list.push({ name: "node", run: candidates.node });
    const result = Object.fromEntries(measure(list, { rounds, roundMs }).map((m) => [m.name, m.opsPerSecond]));
    const scale = unit === "MB/s" ? size / 1e6 : 1;
    const row: Row = {
      primitive,
      unit,
      bytes: size,
      ours: result.ours * scale,
      noble: result.noble !== undefined ? result.noble * scale : undefined,
      node: result.node !== undefined ? result.node * scale : undefined,
      nodeLabel: candidates.nodeLabel,
      target,
    };
    if (check) row.met = check(row);
    rows.push(row);
    process.stderr.write(".");
  };
  const fasterThanNoble = (r: Row) => r.noble === undefined || r.ours > r.noble;
  const halfOfNode = (r: Row) => fasterThanNoble(r) && (r.node === undefined || r.ours >= 0.5 * r.node);
  const thriceNoble = (r: Row) => r.noble !== undefined && r.ours >= 3 * r.noble;

  for (const size of [64, 1024, 16384]) {
    const data = bytes(size, 1);
    add(
      "CRC-32C",
      "MB/s",
      size,
      {
        ours: () => ours.crc32c(data),
        ...(typeof zlib.crc32 === "function" ? { node: () => zlib.crc32(data), nodeLabel: "zlib.crc32 (IEEE)" } : {}),
      },
      "—",
    );
    add(
      "BLAKE2b-512",
      "MB/s",
      size,
      {
        ours: () => ours.blake2b(data),
        noble: () => blake2b(data),
        node: () => createHash("blake2b512").update(data).digest(),
      },
      "> noble, ≥ 0.5× node",
      halfOfNode,
    );
    add(
      "SHA-512",
      "MB/s",
      size,
      {
        ours: () => ours.sha512(data),
        noble: () => sha512(data),
        node: () => createHash("sha512").update(data).digest(),
      },
      "> noble",
      fasterThanNoble,
    );
    const sipKey = bytes(16, 3);
    add("SipHash-2-4", "MB/s", size, { ours: () => ours.sipHash24(sipKey, data) }, "—");
    const key = bytes(32, 5);
    const nonce = bytes(12, 7);
    const nodeIv = Buffer.concat([Buffer.from([1, 0, 0, 0]), Buffer.from(nonce)]);
    add(
      "ChaCha20",
      "MB/s",
      size,
      {
        ours: () => ours.chacha20(key, nonce, 1, data),
        noble: () => chacha20(key, nonce, data, undefined, 1),
        node: () => createCipheriv("chacha20", key, nodeIv).update(data),
      },
      "> noble, ≥ 0.5× node",
      halfOfNode,
    );
  }

  const seed = bytes(32, 9);
  const message = bytes(100, 11);
  const publicKey = ours.ed25519PublicKey(seed);
  const signature = ours.ed25519Sign(message, seed);
  const nodePrivate = createPrivateKey({
    key: Buffer.concat([pkcs8Ed25519Prefix, seed]),
    format: "der",
    type: "pkcs8",
  });
  const nodePublic = createPublicKey({
    key: Buffer.concat([spkiEd25519Prefix, publicKey]),
    format: "der",
    type: "spki",
  });
  add(
    "Ed25519 public key",
    "ops/s",
    0,
    {
      ours: () => ours.ed25519PublicKey(seed),
      noble: () => ed25519.getPublicKey(seed),
      node: () =>
        createPublicKey(
          createPrivateKey({ key: Buffer.concat([pkcs8Ed25519Prefix, seed]), format: "der", type: "pkcs8" }),
        ),
    },
    "> noble",
    fasterThanNoble,
  );
  add(
    "Ed25519 sign (100 B)",
    "ops/s",
    0,
    {
      ours: () => ours.ed25519Sign(message, seed),
      noble: () => ed25519.sign(message, seed),
      node: () => sign(null, message, nodePrivate),
    },
    "≥ 3× noble",
    thriceNoble,
  );
  add(
    "Ed25519 verify (100 B)",
    "ops/s",
    0,
    {
      ours: () => ours.ed25519Verify(signature, message, publicKey),
      noble: () => ed25519.verify(signature, message, publicKey),
      node: () => verify(null, message, nodePublic, signature),
    },
    "≥ 3× noble",
    thriceNoble,
  );
  const scalar = bytes(32, 13);
  const point = x25519.getPublicKey(bytes(32, 15));
  const nodeX = createPrivateKey({ key: Buffer.concat([pkcs8X25519Prefix, scalar]), format: "der", type: "pkcs8" });
  const nodeXPublic = createPublicKey({ key: Buffer.concat([spkiX25519Prefix, point]), format: "der", type: "spki" });
  add(
    "X25519",
    "ops/s",
    0,
    {
      ours: () => ours.x25519(scalar, point),
      noble: () => x25519.getSharedSecret(scalar, point),
      node: () => diffieHellman({ privateKey: nodeX, publicKey: nodeXPublic }),
    },
    "≥ 3× noble",
    thriceNoble,
  );
  process.stderr.write("\n");
  return rows;
}

function format(value: number | undefined, unit: Row["unit"]): string {
  if (value === undefined) return "—";
  return unit === "MB/s" ? value.toFixed(1) : Math.round(value).toString();
}

function ratio(a: number, b: number | undefined): string {
  return b === undefined ? "—" : `${(a / b).toFixed(2)}×`;
}

export function printCryptoTable(rows: Row[]): void {
  const header = ["primitive", "size", "unit", "ours", "@noble", "node", "ours/noble", "ours/node", "target", "met"];
  const lines = rows.map((r) => [
    r.primitive,
    r.bytes ? `${r.bytes} B` : "",
    r.unit,
    format(r.ours, r.unit),
    format(r.noble, r.unit),
    format(r.node, r.unit) + (r.nodeLabel ? "*" : ""),
    ratio(r.ours, r.noble),
    ratio(r.ours, r.node),
    r.target,
    r.met === undefined ? "" : r.met ? "yes" : "NO",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const render = (cells: string[]) =>
    cells.map((c, i) => (i < 3 || i >= 8 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  console.log(render(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const l of lines) console.log(render(l));
  const labels = [...new Set(rows.filter((r) => r.nodeLabel).map((r) => r.nodeLabel))];
  for (const label of labels) console.log(`* node column is ${label}`);
  const size = statSync(stackWasmPath()).size;
  console.log(`\nbuild/stack.wasm (release): ${size} bytes (${(size / 1024).toFixed(1)} KiB)`);
}
