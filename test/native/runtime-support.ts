// Shared by the native firmware tests (test/native/runtime*, budgets*, trap*): toolchain checks,
// the cached native build (scripts/build-native.mjs), and a QEMU board with a minimal bus-tunnel
// responder (docs/native.md, "Tunnel") driving the real SX1262 chip model — just enough host to boot
// the firmware; the full host side is host/native/.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { encodeFrame, FrameStreamDecoder } from "../../host/serial/frame-codec.js";
import { Sx1262Model } from "../../host/sim/chips/sx1262-model.js";
import { SharedAir } from "../../host/vboard/shared-air.js";

export const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
export const qemuBuild = join(root, "build/native/qemu-rv32");
export const hostBuild = join(root, "build/native/host");

/** The tools a board's tests need that are not installed (Debian packages in docs/native.md). */
export function missingTools(tools: string[]): string[] {
  return tools.filter((tool) => spawnSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" }).status !== 0);
}

export const QEMU_TOOLS = ["wasm2c", "riscv64-unknown-elf-gcc", "qemu-system-riscv32"];
export const HOST_TOOLS = ["wasm2c", "gcc"];

export interface BuildResult {
  status: number;
  output: string;
}

/** Runs the native build (cached in build/native/: only the first call per input set compiles). */
export function buildNative(board: "qemu-rv32" | "host", extra: string[] = []): BuildResult {
  const result = spawnSync(process.execPath, [join(root, "scripts/build-native.mjs"), "--board", board, ...extra], {
    cwd: root,
    encoding: "utf8",
  });
  return { status: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
}

const BUS_REQUEST = 0x50;
const BUS_REPLY = 0xd0;
const BUS_INTERRUPT = 0x51;
/** radio-drivers/bus.ts Pin.Irq. */
const RADIO_IRQ_PIN = 2;

/**
 * qemu-system-riscv32 running a firmware ELF, its UART on stdio: tunnel requests are answered from
 * an SX1262 model and an in-memory key store; console text lines and frames are collected.
 */
export class TunnelledQemu {
  readonly lines: string[] = [];
  readonly consoleFrames: Uint8Array[] = [];
  readonly requestsByOp = new Map<number, number>();
  readonly storage = new Map<number, Uint8Array>();
  private readonly process: ChildProcess;
  private readonly decoder = new FrameStreamDecoder();
  private readonly chip: Sx1262Model;
  private readonly air: SharedAir;
  private waiters: (() => void)[] = [];
  exitCode: number | null = null;
  private stopped = false;

  /** `air`: the shared channel to put the board's radio on (default: one of its own). */
  constructor(elf: string, options: { air?: SharedAir; position?: { xMetres: number; yMetres: number } } = {}) {
    this.air = options.air ?? new SharedAir({ seed: 7 });
    this.chip = new Sx1262Model(this.air.channel, { nodeIndex: this.air.allocateNode(), boardTcxoMillivolts: 1800 });
    this.air.channel.attach(this.chip, options.position ?? { xMetres: 0, yMetres: 0 });
    // BusInterrupt (51 pin level): the radio raised its IRQ line, so a sleeping board wakes.
    this.chip.onInterrupt = () => this.write(encodeFrame(Uint8Array.of(BUS_INTERRUPT, RADIO_IRQ_PIN, 1)));
    const args = ["-M", "virt", "-bios", "none", "-nographic", "-monitor", "none"];
    args.push("-chardev", "stdio,id=uart,signal=off", "-serial", "chardev:uart");
    args.push("-kernel", elf);
    this.process = spawn("qemu-system-riscv32", args, { stdio: ["pipe", "pipe", "pipe"] });
    // Writes racing the board's exit (a reply to its last request) are of no interest.
    this.process.stdin?.on("error", () => {});
    this.process.stdout?.on("data", (chunk: Buffer) => this.receive(new Uint8Array(chunk)));
    this.process.stderr?.on("data", (chunk: Buffer) => this.lines.push(`[qemu] ${chunk.toString().trim()}`));
    this.process.on("exit", (code) => {
      this.exitCode = code ?? -1;
      this.notify();
    });
  }

  /** Sends one console frame (a serial-protocol message) to the board. */
  sendFrame(payload: Uint8Array): void {
    this.write(encodeFrame(payload));
  }

  /** Resolves once `predicate` holds, checked after every output; rejects after `timeoutMs`. */
  waitFor(what: string, predicate: () => boolean, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (predicate()) {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((w) => w !== check);
          resolve();
        }
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`timed out waiting for ${what}; board printed:\n${this.lines.join("\n")}`));
      }, timeoutMs);
      this.waiters.push(check);
      check();
    });
  }

  /** Lines matching `pattern` so far. */
  count(pattern: RegExp): number {
    return this.lines.filter((line) => pattern.test(line)).length;
  }

  stop(): void {
    this.stopped = true;
    this.chip.onInterrupt = undefined;
    if (this.exitCode === null) this.process.kill("SIGKILL");
  }

  private write(bytes: Uint8Array): void {
    if (!this.stopped && this.exitCode === null) this.process.stdin?.write(bytes);
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  private receive(chunk: Uint8Array): void {
    for (const item of this.decoder.push(chunk)) {
      if (item.kind === "text") this.lines.push(item.line);
      else if (item.kind === "frame" && item.payload[0] === BUS_REQUEST) this.answer(item.payload);
      else if (item.kind === "frame") this.consoleFrames.push(item.payload);
    }
    this.notify();
  }

  private answer(request: Uint8Array): void {
    const [, seq, op] = request;
    const data = request.subarray(3);
    this.requestsByOp.set(op, (this.requestsByOp.get(op) ?? 0) + 1);
    this.air.catchUp();
    let reply: Uint8Array = new Uint8Array(0);
    let status = 0;
    switch (op) {
      case 0x01:
        reply = this.chip.spiTransfer(data.slice(1));
        break;
      case 0x02:
        this.chip.gpioWrite(data[1], data[2]);
        break;
      case 0x03:
        reply = Uint8Array.of(this.chip.gpioRead(data[1]));
        break;
      case 0x04:
        this.chip.delayMicroseconds(new DataView(data.buffer, data.byteOffset + 1, 4).getUint32(0, true));
        break;
      case 0x05:
        reply = new Uint8Array(randomBytes(data[0]));
        break;
      case 0x06:
        reply = this.storage.get(data[0]) ?? new Uint8Array(0);
        break;
      case 0x07:
        this.storage.set(data[0], data.slice(1));
        break;
      default:
        status = 1;
    }
    this.write(encodeFrame(Uint8Array.of(BUS_REPLY, seq, status, ...reply)));
  }
}
