import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { STACK_PARTITION_LABEL } from "../../boards/board.js";
import { findBoard } from "../../boards/index.js";
import { main } from "../../host/cli/main.js";
import { imagesForBoard } from "../../host/image/mesh-image.js";
import { BoardClient } from "../../host/serial/board-client.js";
import { openSerialPort, type SerialChannel } from "../../host/serial/serial-port.js";
import { SharedAir } from "../../host/vboard/shared-air.js";
import { addSimulatedNeighbours } from "../../host/vboard/simulated-neighbours.js";
import { VirtualBoard } from "../../host/vboard/virtual-board.js";
import { stackWasmPath } from "../../host/wasm/load-stack.js";
import { temporaryDirectory } from "../support/temporary-directory.js";

const board = findBoard("virtual")!;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startBoard(prepare?: (vb: VirtualBoard) => void) {
  const air = new SharedAir();
  air.start();
  const vb = await VirtualBoard.start({ board, air });
  cleanups.push(async () => {
    await vb.close();
    air.stop();
  });
  await vb.settled();
  if (prepare) {
    prepare(vb);
    vb.reset("power on");
  }
  return vb;
}

/** Opens the host side and collects the text lines the board prints. */
async function listen(vb: VirtualBoard): Promise<{ channel: SerialChannel; client: BoardClient; lines: string[] }> {
  const channel = await openSerialPort(vb.hostPath, 115_200);
  const client = new BoardClient(channel);
  const lines: string[] = [];
  client.on("text", (line) => lines.push(line));
  cleanups.push(() => {
    client.close();
    channel.close();
  });
  return { channel, client, lines };
}

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function writeStack(vb: VirtualBoard, mutate?: (image: Uint8Array) => void): void {
  for (const image of imagesForBoard(board, new Uint8Array(readFileSync(stackWasmPath())), { version: "test" })) {
    const data = image.name === STACK_PARTITION_LABEL && mutate ? image.data.slice() : image.data;
    if (image.name === STACK_PARTITION_LABEL && mutate) mutate(data);
    vb.flash.eraseRange(image.offset, data.length);
    vb.flash.write(image.offset, data);
  }
}

describe("a virtual board", () => {
  it("with erased flash prints a boot error like a real board and stays halted", async () => {
    const vb = await startBoard();
    const { lines } = await listen(vb);
    vb.reset("power on");
    await until(() => lines.some((l) => l.includes("no partition table")), "the boot error");
    expect(lines.some((l) => l.startsWith("ESP-ROM:"))).toBe(true);
    expect(vb.mode).toBe("halted");
  });

  it("keeps a flash file it was given and removes the temporary one it made", async () => {
    const air = new SharedAir();
    const kept = join(temporaryDirectory("meshstack-vboard-"), "flash.bin");
    const given = await VirtualBoard.start({ board, air, flashPath: kept });
    const made = await VirtualBoard.start({ board, air });
    expect(existsSync(made.flashPath)).toBe(true);
    await given.close();
    await made.close();
    expect(existsSync(kept)).toBe(true);
    expect(existsSync(dirname(made.flashPath))).toBe(false);
  });

  it("with a corrupt stack image names what is wrong and does not run it", async () => {
    const vb = await startBoard((b) => writeStack(b, (image) => (image[100] ^= 0x01)));
    const { lines } = await listen(vb);
    vb.reset("power on");
    await until(() => lines.some((l) => l.includes("cannot load the stack image")), "the image error");
    expect(lines.find((l) => l.includes("cannot load"))).toMatch(/digest/i);
    expect(vb.mode).toBe("halted");
  });

  it("boots the image in its flash and keeps its identity across a reboot", async () => {
    const vb = await startBoard((b) => writeStack(b));
    const { client } = await listen(vb);
    await until(() => vb.mode === "running", "the stack to run");
    const before = await client.hello();
    const banners: string[] = [];
    client.on("boot", (b) => banners.push(b.fingerprint));
    await client.request({ type: "reboot" }).catch(() => undefined);
    await until(() => banners.length > 0, "the boot banner");
    await until(() => vb.mode === "running", "the restart");
    const after = await client.hello();
    expect(Buffer.from(after.publicKey).equals(Buffer.from(before.publicKey))).toBe(true);
  });
});

describe("virtual boards and simulated nodes on one air", () => {
  it("hear each other: a board receives a simulated neighbour's signed hello", async () => {
    const air = new SharedAir();
    air.start();
    const vb = await VirtualBoard.start({ board, air, position: { xMetres: 0, yMetres: 0 } });
    cleanups.push(async () => {
      await vb.close();
      air.stop();
    });
    await vb.settled();
    writeStack(vb);
    vb.reset("power on");
    await until(() => vb.mode === "running", "the stack to run");
    const heardByNeighbours: string[] = [];
    const neighbours = await addSimulatedNeighbours(air, {
      count: 1,
      startXMetres: 150,
      spacingMetres: 100,
      // Rare enough that the neighbour (half duplex, ~0.3 s on air per signed hello at SF7) is mostly
      // listening when the board answers.
      everySeconds: 3,
      onReceive: (_node, received) => heardByNeighbours.push(new TextDecoder().decode(received.payload)),
    });
    const { client } = await listen(vb);
    const received: string[] = [];
    client.on("received", (r) => received.push(new TextDecoder().decode(r.payload)));
    await client.hello();
    await until(() => received.some((t) => t.startsWith("hello from sim-1")), "the neighbour's hello", 20_000);
    const neighbourKey = neighbours[0].publicKey;
    const identity = await client.hello();
    await client.send({ level: 4, destination: neighbourKey, payload: new TextEncoder().encode("hi neighbour") });
    await until(() => heardByNeighbours.includes("hi neighbour"), "the board's answer at the neighbour", 20_000);
    expect(identity.publicKey).toHaveLength(32);
  });
});

describe("mesh vboard arguments", () => {
  it("rejects a bad count or an unknown board with one line and exit 2", async () => {
    const errors: string[] = [];
    const original = console.error;
    console.error = (...a: unknown[]) => void errors.push(a.join(" "));
    try {
      expect(await main(["vboard", "--count", "99"])).toBe(2);
      expect(await main(["vboard", "--board", "nope"])).toBe(2);
    } finally {
      console.error = original;
    }
    expect(errors).toEqual([
      "mesh vboard: --count: expected an integer from 1 to 8, got '99'",
      "mesh vboard: --board: no board 'nope' (see `mesh boards`)",
    ]);
  });
});
