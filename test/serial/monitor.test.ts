import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../../host/cli/main.js";
import { MonitorFormatter, MonitorSession, runMonitor } from "../../host/cli/monitor.js";
import { fingerprint } from "../../host/identity/fingerprint.js";
import { BoardClient, type ByteChannel } from "../../host/serial/board-client.js";
import { encodeFrame } from "../../host/serial/frame-codec.js";
import { encodeMessage, type MessageBody } from "../../host/serial/messages.js";
import { explainPortError, openSerialPort, PortError, type SerialChannel } from "../../host/serial/serial-port.js";
import { IntegrityLevel } from "../../host/wasm/stack.js";
import { runMesh } from "../support/run-mesh.js";
import { temporaryDirectory } from "../support/temporary-directory.js";
import { type ConsoleBoard, consoleBoard } from "./console-board.js";

const text = (s: string) => new TextEncoder().encode(s);
const frameOf = (message: MessageBody, requestId = 0) => encodeFrame(encodeMessage(message, requestId));
const FIXED_TIME = new Date(2026, 10, 27, 12, 0, 0, 5);
const tick = () => new Promise((resolve) => setImmediate(resolve));

afterEach(() => vi.restoreAllMocks());

/** A channel the test plays the board on: it pushes bytes and reads what the host wrote. */
class ScriptedChannel implements ByteChannel {
  readonly written: Uint8Array[] = [];
  private listener: ((bytes: Uint8Array) => void) | undefined;
  write(bytes: Uint8Array): void {
    this.written.push(bytes);
  }
  onData(listener: (bytes: Uint8Array) => void): void {
    this.listener = listener;
  }
  close(): void {}
  push(bytes: Uint8Array): void {
    this.listener?.(bytes);
  }
}

function session(options: { json: boolean; colour?: boolean }) {
  const lines: string[] = [];
  const monitor = new MonitorSession(
    { print: (line) => lines.push(...line.split("\n")) },
    new MonitorFormatter({ json: options.json, colour: options.colour ?? false }),
    () => FIXED_TIME,
  );
  return { monitor, lines };
}

const signer = new Uint8Array(32).fill(3);

/** Boot logs, frames and noise as a board might send them, with one frame split over three chunks. */
function boardStream(): Uint8Array[] {
  const received = frameOf({
    type: "received",
    layer: 3,
    level: IntegrityLevel.Ed25519,
    payload: text("hello"),
    signer,
    rssiDbm: -80.5,
    snrDb: 7.25,
  });
  const corrupt = frameOf({ type: "received", layer: 3, level: 1, payload: new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7]) });
  corrupt[20] ^= 0x40;
  // An answer to a request this monitor never made (another host's, or one that timed out).
  const stats = frameOf(
    {
      type: "stats-report",
      dataLink: { packetsSent: 2 } as never,
      integrity: { sentEd25519: 2 } as never,
      serial: { framesReceived: 4 } as never,
      unnamed: [],
    },
    42,
  );
  return [
    text("ets Jun  8 2016 00:22:57\r\nrst:0x1 (POWERON_RESET)\r\n"),
    text("meshstack 0.1.0 board=heltec-v3 key=abcd-efgh-ijkl-mnop\r\n"),
    frameOf({ type: "log", level: 2, text: "serial: host connected" }),
    received.subarray(0, 5),
    received.subarray(5, 30),
    Buffer.concat([received.subarray(30), corrupt.subarray(0, 11)]),
    Buffer.concat([corrupt.subarray(11), stats]),
    frameOf({ type: "log", level: 0, text: "radio: no answer" }),
  ];
}

describe("the monitor's view of a byte stream", () => {
  it("shows logs, frames split across chunks and corrupt frames in order, with timestamps", () => {
    const { monitor, lines } = session({ json: false });
    const channel = new ScriptedChannel();
    monitor.attach(new BoardClient(channel));
    for (const chunk of boardStream()) channel.push(chunk);
    monitor.close();
    expect(lines).toEqual([
      "12:00:00.005  text    ets Jun  8 2016 00:22:57",
      "12:00:00.005  text    rst:0x1 (POWERON_RESET)",
      "12:00:00.005  boot    meshstack 0.1.0 board=heltec-v3 key=abcd-efgh-ijkl-mnop",
      "12:00:00.005  info    serial: host connected",
      `12:00:00.005  rx      integrity/ed25519  5 B  "hello"  signer ${fingerprint(signer)}  rssi -80.5 dBm  snr 7.3 dB`,
      "12:00:00.005  garbage 2 bytes that were neither text nor a frame",
      "12:00:00.005  garbage 61 bytes that were neither text nor a frame",
      "12:00:00.005  stats   data link  packetsSent 2",
      "12:00:00.005          integrity  sentEd25519 2",
      "12:00:00.005          serial     framesReceived 4",
      "12:00:00.005  error   radio: no answer",
    ]);
  });

  it("--json prints one object per line with the decoded fields", () => {
    const { monitor, lines } = session({ json: true });
    const channel = new ScriptedChannel();
    monitor.attach(new BoardClient(channel));
    for (const chunk of boardStream()) channel.push(chunk);
    monitor.close();
    const events = lines.map((line) => JSON.parse(line));
    expect(events.every((e) => e.time === FIXED_TIME.toISOString())).toBe(true);
    expect(events.map((e) => e.event)).toEqual([
      "text",
      "text",
      "boot",
      "log",
      "received",
      "garbage",
      "garbage",
      "stats-report",
      "log",
    ]);
    expect(events[2]).toMatchObject({ boardName: "heltec-v3", fingerprint: "abcd-efgh-ijkl-mnop" });
    expect(events[4]).toMatchObject({
      layer: "integrity",
      level: "ed25519",
      length: 5,
      payloadHex: "68656c6c6f",
      text: "hello",
      signer: Buffer.from(signer).toString("hex"),
      signerFingerprint: fingerprint(signer),
      rssiDbm: -80.5,
      snrDb: 7.3,
    });
    expect(events[7].dataLink.packetsSent).toBe(2);
    expect(events[8]).toMatchObject({ level: "error", text: "radio: no answer" });
  });

  it("colours only a terminal", () => {
    const coloured = session({ json: false, colour: true });
    const plain = session({ json: false, colour: false });
    for (const { monitor } of [coloured, plain]) {
      const channel = new ScriptedChannel();
      monitor.attach(new BoardClient(channel));
      for (const chunk of boardStream()) channel.push(chunk);
      monitor.close();
    }
    expect(coloured.lines.find((l) => l.includes("integrity/ed25519"))).toContain("\x1b[32m");
    expect(plain.lines.join("\n")).not.toContain("\x1b[");
  });
});

describe("monitor commands on a board", () => {
  async function attached() {
    const board = await consoleBoard({ boardName: "bench" });
    const { monitor, lines } = session({ json: false });
    monitor.attach(new BoardClient(board.channel));
    await tick();
    return { board, monitor, lines };
  }

  it("says Hello on attach and runs ping, stats, identity, send, config, reboot", async () => {
    const { board, monitor, lines } = await attached();
    expect(lines.find((l) => l.includes("  board "))).toContain(
      `bench  firmware 0.1.0  key ${fingerprint(board.node.publicKey)}`,
    );
    expect(await monitor.command("ping hi there")).toBe(true);
    expect(lines.at(-1)).toMatch(/pong {4}8 B in \d+ ms$/);
    await monitor.command("send broadcast blake2b hello world");
    expect(lines.at(-1)).toMatch(/sent {4}queued at blake2b \(up to 1263 B\)$/);
    expect(board.udpFrames).toHaveLength(1);
    await monitor.command(`send ${Buffer.from(board.node.publicKey).toString("hex")} siphash:0 keyed`);
    expect(lines.at(-1)).toMatch(/not sent: no-key at siphash/);
    await monitor.command("stats");
    expect(lines.some((l) => /stats {3}data link {2}packetsSent 1, framesSent 1/.test(l))).toBe(true);
    await monitor.command("config preset SF9BW125");
    expect(lines.slice(-3).join("\n")).toMatch(/config {2}stored {3}region EU868 {2}preset SF9BW125 {2}power 14 dBm/);
    expect(lines.at(-1)).toContain("reboot required");
    await monitor.command("identity");
    expect(lines.at(-1)).toContain("public key ");
    await monitor.command("reboot");
    expect(lines.some((l) => l.includes("the board is restarting"))).toBe(true);
    expect(board.reboots).toBe(1);
    expect(await monitor.command("quit")).toBe(false);
    monitor.close();
  });

  it("answers a bad command with one error line and goes on", async () => {
    const { monitor, lines } = await attached();
    const bad = [
      ["frobnicate", /unknown command 'frobnicate' \(try help\)/],
      ["send nothex blake2b x", /neither 'broadcast' nor a 64-digit hex public key/],
      ["send broadcast rot13 x", /level 'rot13' is not one of default, crc32c/],
      ["send broadcast", /usage: send/],
      ["config power 99", /power '99' is not -9..30 dBm/],
      ["config region Mars", /region 'Mars' is not one of EU868, US915/],
      ["config volume 3", /'volume' is not region, preset or power/],
    ] as const;
    for (const [command, message] of bad) {
      const before = lines.length;
      expect(await monitor.command(command)).toBe(true);
      expect(lines.length - before, command).toBe(1);
      expect(lines.at(-1)).toMatch(message);
      expect(lines.at(-1)).toMatch(/ error {3}/);
    }
    await monitor.command("help");
    expect(lines.some((l) => l.includes("send <PUBLIC-KEY-HEX|broadcast>"))).toBe(true);
    monitor.close();
  });

  it("survives a board reset: the new banner brings a new Hello and the new board's identity", async () => {
    const first = await consoleBoard({ seed: 40, start: false });
    let current: ConsoleBoard = first;
    const listeners: ((bytes: Uint8Array) => void)[] = [];
    const channel: ByteChannel = {
      write: (bytes) => current.channel.write(bytes),
      onData: (listener) => listeners.push(listener),
      close: () => {},
    };
    const wire = (board: ConsoleBoard) =>
      board.channel.onData((bytes) => {
        if (board === current) for (const listener of listeners) listener(bytes);
      });
    wire(first);
    const { monitor, lines } = session({ json: true });
    monitor.attach(new BoardClient(channel));
    first.console.start();
    const keyOf = (board: ConsoleBoard) => Buffer.from(board.node.publicKey).toString("hex");
    const identities = () =>
      lines
        .map((l) => JSON.parse(l))
        .filter((e) => e.event === "identity")
        .map((e) => e.publicKey);
    await vi.waitFor(() => expect(identities()).toContain(keyOf(first)));
    const second = await consoleBoard({ seed: 41, start: false });
    current = second;
    wire(second);
    // The reset cut a frame short: half a Pong, then the new firmware's boot text.
    const cutFrame = frameOf({ type: "pong", data: new Uint8Array(50) }, 9).subarray(0, 20);
    for (const listener of listeners) listener(cutFrame);
    second.console.start();
    await vi.waitFor(() => expect(identities().at(-1)).toBe(keyOf(second)));
    expect(lines.map((l) => JSON.parse(l).event).filter((e) => e === "boot")).toHaveLength(2);
    monitor.close();
  });
});

describe("port errors people meet", () => {
  it("explains serialport's errors in one line that says what to do", () => {
    const cases: [string, RegExp][] = [
      [
        "Error: No such file or directory, cannot open /dev/ttyUSB7",
        /^port not found: \/dev\/ttyUSB7 \(is the board plugged in\?/,
      ],
      ["Error: Permission denied, cannot open /dev/ttyUSB7", /^permission denied: add yourself to the dialout group/],
      [
        "Error Resource temporarily unavailable Cannot lock port",
        /^port busy: \/dev\/ttyUSB7 is open in another program/,
      ],
      ["Error: Input/output error\nmore", /^\/dev\/ttyUSB7: Error: Input\/output error$/],
    ];
    for (const [message, expected] of cases) {
      const explained = explainPortError("/dev/ttyUSB7", new Error(message));
      expect(explained.message).toMatch(expected);
      expect(explained.message).not.toContain("\n");
    }
  });
});

describe("mesh monitor on the command line", () => {
  const mesh = async (...args: string[]) => {
    const { code, errLines } = await runMesh(...args);
    return { code, err: errLines };
  };

  const badArgs: [string, string[], RegExp][] = [
    ["no --port", [], /^mesh monitor: --port: required/],
    ["a bad baud rate", ["--port", "/dev/x", "--baud", "fast"], /^mesh monitor: --baud: expected an integer/],
    ["a stray argument", ["--port", "/dev/x", "extra"], /extra/],
    ["an unknown option", ["--port", "/dev/x", "--parity", "odd"], /--parity/],
  ];
  for (const [what, args, message] of badArgs) {
    it(`answers ${what} with one line and exit 2`, async () => {
      const { code, err } = await mesh("monitor", ...args);
      expect(code).toBe(2);
      expect(err).toHaveLength(1);
      expect(err[0]).toMatch(message);
    });
  }

  it("is listed in mesh --help", async () => {
    const out: string[] = [];
    vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void out.push(a.join(" ")));
    expect(await main(["--help"])).toBe(0);
    expect(out.join("\n")).toMatch(/^ {2}monitor /m);
  });

  it("a port that does not exist is one line naming it, exit 1", async () => {
    const { code, err } = await mesh("monitor", "--port", "/dev/ttyNOPE9");
    expect(code).toBe(1);
    expect(err).toEqual([
      "mesh monitor: port not found: /dev/ttyNOPE9 (is the board plugged in? `mesh ports` lists the serial ports)",
    ]);
  });

  it("reconnects when the port vanishes and comes back, and takes commands from stdin", async () => {
    let board = await consoleBoard({ seed: 50 });
    let present = true;
    let unplug: ((disconnected: boolean) => void) | undefined;
    const open = async (path: string): Promise<SerialChannel> => {
      if (!present) throw new PortError(`port not found: ${path}`, "not-found");
      const target = board;
      return {
        path,
        write: async (bytes) => target.channel.write(bytes),
        onData: (listener) => target.channel.onData(listener),
        onClose: (listener) => {
          unplug = listener;
        },
        close: () => {},
      };
    };
    const stdin = new PassThrough();
    const out: string[] = [];
    let stop!: () => void;
    const stopSignal = new Promise<void>((resolve) => {
      stop = resolve;
    });
    const running = runMonitor(["--port", "/dev/ttyFAKE0", "--json"], {
      stdin,
      stdout: { write: (s: string) => out.push(...s.trimEnd().split("\n")), isTTY: false },
      open,
      exists: () => present,
      stopSignal,
    });
    const events = () => out.map((l) => JSON.parse(l));
    await vi.waitFor(() => expect(events().some((e) => e.event === "identity")).toBe(true));

    present = false;
    unplug!(true);
    expect(events().at(-1)).toMatchObject({ event: "port", state: "waiting", path: "/dev/ttyFAKE0" });
    board = await consoleBoard({ seed: 51 });
    present = true;
    await vi.waitFor(() => expect(events().filter((e) => e.event === "identity")).toHaveLength(2), { timeout: 3000 });
    expect(events().some((e) => e.event === "port" && e.state === "reopened")).toBe(true);

    stdin.write("ping after reconnect\n");
    await vi.waitFor(() => expect(events().some((e) => e.event === "pong")).toBe(true));
    stop();
    expect(await running).toBe(0);
  });
});

const socatAvailable = spawnSync("socat", ["-V"]).status === 0;

describe.runIf(socatAvailable)("mesh monitor over a pseudo-terminal (socat)", () => {
  let socat: ChildProcess | undefined;
  afterEach(() => {
    socat?.kill();
  });

  async function startSocat(dir: string): Promise<{ host: string; board: string }> {
    const host = join(dir, "host");
    const board = join(dir, "board");
    socat = spawn("socat", [`pty,raw,echo=0,link=${host}`, `pty,raw,echo=0,link=${board}`], { stdio: "ignore" });
    await vi.waitFor(() => expect(existsSync(host) && existsSync(board)).toBe(true));
    return { host, board };
  }

  const boardPorts: SerialChannel[] = [];
  afterEach(() => {
    for (const port of boardPorts.splice(0)) port.close();
  });

  /** A console board whose UART is the far end of the pseudo-terminal. */
  async function boardOn(path: string, seed: number): Promise<ConsoleBoard> {
    const port = await openSerialPort(path, 115200);
    boardPorts.push(port);
    const board = await consoleBoard({ seed, start: false });
    port.onData((bytes) => board.feed(bytes));
    board.channel.onData((bytes) => void port.write(bytes).catch(() => {}));
    board.console.start();
    return board;
  }

  it("shows the boot banner, answers commands, and comes back after the port disappears", async () => {
    const dir = temporaryDirectory("mesh-monitor-");
    const paths = await startSocat(dir);
    const stdin = new PassThrough();
    const out: string[] = [];
    let stop!: () => void;
    const stopSignal = new Promise<void>((resolve) => {
      stop = resolve;
    });
    const running = runMonitor(["--port", paths.host, "--json"], {
      stdin,
      stdout: { write: (s: string) => out.push(...s.trimEnd().split("\n")), isTTY: false },
      stopSignal,
    });
    const events = () => out.map((l) => JSON.parse(l));
    await vi.waitFor(() => expect(events().some((e) => e.event === "port")).toBe(true));
    const first = await boardOn(paths.board, 60);
    await vi.waitFor(() => expect(events().some((e) => e.event === "identity")).toBe(true), { timeout: 4000 });
    expect(events().find((e) => e.event === "boot")).toMatchObject({ fingerprint: fingerprint(first.node.publicKey) });

    stdin.write("send broadcast crc32c over a real tty\n");
    await vi.waitFor(() => expect(events().some((e) => e.event === "send-result" && e.status === "ok")).toBe(true));
    expect(first.udpFrames).toHaveLength(1);

    socat!.kill();
    await vi.waitFor(() => expect(events().some((e) => e.event === "port" && e.state === "waiting")).toBe(true), {
      timeout: 4000,
    });
    await startSocat(dir);
    const second = await boardOn(paths.board, 61);
    await vi.waitFor(
      () =>
        expect(
          events().some(
            (e) => e.event === "identity" && e.publicKey === Buffer.from(second.node.publicKey).toString("hex"),
          ),
        ).toBe(true),
      { timeout: 6000 },
    );
    stop();
    expect(await running).toBe(0);
    // Every line the monitor printed was one JSON object.
    expect(out.every((line) => typeof JSON.parse(line).event === "string")).toBe(true);
  }, 20_000);
});
