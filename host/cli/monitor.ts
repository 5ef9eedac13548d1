// `mesh monitor`: the serial console for people (docs/serial-protocol.md). Shows a board's boot logs,
// its framed logs and events, and answers to commands typed on stdin; keeps going through board
// resets and through the port disappearing and coming back.
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { fingerprint } from "../identity/fingerprint.js";
import { BoardClient, type BootBanner, parseBootBanner } from "../serial/board-client.js";
import {
  type Config,
  type DecodeError,
  errorCodeNames,
  type Identity,
  layerNames,
  logLevelName,
  type Message,
  type Received,
  radioNames,
  type SendResult,
  type StatsReport,
} from "../serial/messages.js";
import { openSerialPort, PortError, type SerialChannel } from "../serial/serial-port.js";
import { loadLoRaTables } from "../wasm/lora-tables.js";
import { IntegrityLevel, integrityLevelName, integrityLevelNames, Status } from "../wasm/stack.js";
import type { Command } from "./command.js";
import { UsageError } from "./errors.js";

const DEFAULT_BAUD = 115200;
/** How often a vanished port is looked for. */
const REOPEN_INTERVAL_MS = 500;
/** A text line the board left unfinished is shown after this much quiet. */
const PARTIAL_LINE_QUIET_MS = 300;
const REQUEST_TIMEOUT_MS = 2000;

const usage = `Usage: mesh monitor --port PATH [--baud N] [--json]

The serial console of a board running meshstack: prints its boot logs, then speaks the serial
protocol (docs/serial-protocol.md) — Hello on connect and after every board reset — and shows
framed logs, received packets with their layer and integrity level, and answers to commands. If the
port disappears (unplugged, board reset over USB), it waits for it and reconnects.

Commands typed on stdin:
  send <PUBLIC-KEY-HEX|broadcast> <LEVEL>[:<CONTACT>] <TEXT>
                  send TEXT at LEVEL (crc32c, blake2b, siphash, ed25519, default); CONTACT is an
                  address-book entry for siphash
  ping [TEXT]     echo TEXT through the board, with the round-trip time
  stats           Data Link, Integrity and serial counters
  identity        public key, fingerprint, firmware, board
  config          stored and running radio settings
  config region NAME|INDEX, config preset NAME|INDEX, config power DBM
                  store a setting (the radio uses it after a reboot)
  reboot          restart the board
  help            this list
  quit            leave (so does Ctrl-D)

Options:
  --port PATH  serial port, e.g. /dev/ttyUSB0 (\`mesh ports\` lists them)
  --baud N     baud rate (default ${DEFAULT_BAUD})
  --json       one JSON object per line (the default when stdout is not a terminal)`;

const commandHelp = usage.slice(usage.indexOf("Commands typed on stdin:"), usage.indexOf("\nOptions:")).trimEnd();

// ---- what the monitor shows ----

/** Everything the monitor prints, before formatting. */
export type MonitorEvent =
  | { event: "text"; line: string }
  | { event: "boot"; line: string; banner: BootBanner }
  | { event: "garbage"; bytes: number }
  | { event: "message"; message: Message; roundTripMs?: number }
  | { event: "decode-error"; error: DecodeError }
  | { event: "port"; state: "open" | "closed" | "waiting" | "reopened"; path: string; detail?: string }
  | { event: "note"; text: string }
  | { event: "error"; text: string };

const ANSI = {
  reset: "\x1b[0m",
  dim: "\x1b[2m",
  bold: "\x1b[1m",
  red: "\x1b[31m",
  green: "\x1b[32m",
  yellow: "\x1b[33m",
  cyan: "\x1b[36m",
  magenta: "\x1b[35m",
};
type Colour = keyof typeof ANSI;

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

/** The payload as text when it is printable UTF-8, else undefined. */
function printableText(payload: Uint8Array): string | undefined {
  const text = new TextDecoder("utf-8", { fatal: false }).decode(payload);
  return /^[^\p{Cc}\uFFFD]*$/u.test(text) ? text : undefined;
}

function statusName(status: number): string {
  const name = Status[status] as string | undefined;
  return name
    ? name.replace(/[A-Z]/g, (c, i) => (i === 0 ? c.toLowerCase() : `-${c.toLowerCase()}`))
    : `status-${status}`;
}

function levelLabel(level: number): string {
  return level === IntegrityLevel.Default ? "default" : integrityLevelName(level);
}

function nonZero(counters: Record<string, number>): string {
  const entries = Object.entries(counters).filter(([, value]) => value !== 0);
  return entries.length === 0 ? "(all zero)" : entries.map(([name, value]) => `${name} ${value}`).join(", ");
}

/** Turns monitor events into lines: readable (optionally coloured) or one JSON object each. */
export class MonitorFormatter {
  constructor(private readonly options: { json: boolean; colour: boolean }) {}

  format(item: MonitorEvent, time: Date): string {
    return this.options.json
      ? JSON.stringify({ time: time.toISOString(), ...this.json(item) })
      : this.human(item, time);
  }

  private paint(colour: Colour, text: string): string {
    return this.options.colour ? `${ANSI[colour]}${text}${ANSI.reset}` : text;
  }

  private line(time: Date, tag: string, colour: Colour, text: string): string {
    const clock = `${time.toTimeString().slice(0, 8)}.${String(time.getMilliseconds()).padStart(3, "0")}`;
    return `${this.paint("dim", clock)}  ${this.paint(colour, tag.padEnd(7))} ${text}`;
  }

  private human(item: MonitorEvent, time: Date): string {
    switch (item.event) {
      case "text":
        return this.line(time, "text", "reset", item.line);
      case "boot":
        return this.line(time, "boot", "magenta", item.line);
      case "garbage":
        return this.line(
          time,
          "garbage",
          "dim",
          this.paint("dim", `${item.bytes} bytes that were neither text nor a frame`),
        );
      case "decode-error":
        return this.line(time, "error", "red", `undecodable frame: ${item.error.detail}`);
      case "port": {
        const text = {
          open: `${item.path} open`,
          reopened: `${item.path} is back`,
          closed: `${item.path} closed`,
          waiting: `${item.path} disappeared; waiting for it to come back`,
        }[item.state];
        return this.line(time, "port", "cyan", item.detail ? `${text} (${item.detail})` : text);
      }
      case "note":
        return this.line(time, "note", "dim", item.text);
      case "error":
        return this.line(time, "error", "red", item.text);
      case "message":
        return this.humanMessage(item.message, time, item.roundTripMs);
    }
  }

  private humanMessage(message: Message, time: Date, roundTripMs?: number): string {
    switch (message.type) {
      case "received":
        return this.line(time, "rx", "green", this.describeReceived(message));
      case "log": {
        const colour: Colour = message.level === 0 ? "red" : message.level === 1 ? "yellow" : "reset";
        return this.line(time, logLevelName(message.level), colour, message.text);
      }
      case "identity":
        return this.line(time, "board", "cyan", this.describeIdentity(message));
      case "send-result":
        return this.line(
          time,
          "sent",
          message.status === Status.Ok ? "green" : "red",
          this.describeSendResult(message),
        );
      case "stats-report":
        return this.describeStats(message)
          .map((text, index) => this.line(time, index === 0 ? "stats" : "", "cyan", text))
          .join("\n");
      case "config":
        return this.describeConfig(message)
          .map((text, index) => this.line(time, index === 0 ? "config" : "", "cyan", text))
          .join("\n");
      case "pong":
        return this.line(
          time,
          "pong",
          "green",
          `${message.data.length} B${roundTripMs !== undefined ? ` in ${roundTripMs} ms` : ""}`,
        );
      case "reboot-ack":
        return this.line(time, "reboot", "yellow", "the board is restarting");
      case "error":
        return this.line(
          time,
          "error",
          "red",
          `board: ${errorCodeNames[message.code] ?? message.code}: ${message.text}`,
        );
      default:
        return this.line(time, message.type, "dim", JSON.stringify(this.json({ event: "message", message })));
    }
  }

  private describeReceived(message: Received): string {
    const layer = layerNames[message.layer] ?? `layer-${message.layer}`;
    const parts = [`${layer}/${levelLabel(message.level)}`, `${message.payload.length} B`];
    const text = printableText(message.payload);
    parts.push(text !== undefined ? JSON.stringify(text) : `hex ${hex(message.payload)}`);
    if (message.source)
      parts.push(`from ${hex(message.source)}`, `${message.hops} hop${message.hops === 1 ? "" : "s"}`);
    if (message.signer) parts.push(`signer ${fingerprint(message.signer)}`);
    if (message.contact !== undefined) parts.push(`contact ${message.contact}`);
    if (message.rssiDbm !== undefined)
      parts.push(`rssi ${message.rssiDbm.toFixed(1)} dBm`, `snr ${message.snrDb?.toFixed(1)} dB`);
    return parts.join("  ");
  }

  private describeIdentity(message: Identity): string {
    return [
      message.boardName,
      `firmware ${message.firmwareVersion}`,
      `key ${fingerprint(message.publicKey)}`,
      `radio ${radioNames[message.radio] ?? message.radio}`,
      `mtu ${message.mtu}`,
      `public key ${hex(message.publicKey)}`,
    ].join("  ");
  }

  private describeSendResult(message: SendResult): string {
    const level = message.level === 0 ? "" : ` at ${levelLabel(message.level)} (up to ${message.mtu} B)`;
    return message.status === Status.Ok ? `queued${level}` : `not sent: ${statusName(message.status)}${level}`;
  }

  private describeStats(message: StatsReport): string[] {
    const lines = [
      `data link  ${nonZero(message.dataLink)}`,
      `integrity  ${nonZero(message.integrity)}`,
      `serial     ${nonZero(message.serial)}`,
    ];
    if (message.unnamed.length > 0) {
      lines.push(`other      ${message.unnamed.map((u) => `${u.group}.${u.index} ${u.value}`).join(", ")}`);
    }
    return lines;
  }

  private describeConfig(message: Config): string[] {
    const { stored, running } = message;
    const lines = [
      `stored   region ${message.storedRegionName || stored.regionIndex}  preset ${message.storedPresetName || stored.presetIndex}  power ${stored.txPowerDbm} dBm`,
      `running  region #${running.regionIndex}  preset #${running.presetIndex}  power ${running.txPowerDbm} dBm` +
        (message.effectiveTxPowerDbm !== undefined
          ? ` (${message.effectiveTxPowerDbm} dBm after the region's limit)`
          : ""),
    ];
    if (message.rebootRequired) lines.push("reboot required: the radio uses the stored settings after `reboot`");
    return lines;
  }

  private json(item: MonitorEvent): Record<string, unknown> {
    switch (item.event) {
      case "message":
        return {
          event: item.message.type,
          ...this.jsonMessage(item.message),
          ...(item.roundTripMs !== undefined ? { roundTripMs: item.roundTripMs } : {}),
        };
      case "boot":
        return { event: "boot", line: item.line, ...item.banner };
      case "decode-error":
        return { event: "decode-error", ...item.error };
      default:
        return { ...item };
    }
  }

  private jsonMessage(message: Message): Record<string, unknown> {
    switch (message.type) {
      case "received": {
        const text = printableText(message.payload);
        return {
          requestId: message.requestId,
          layer: layerNames[message.layer] ?? message.layer,
          level: levelLabel(message.level),
          length: message.payload.length,
          payloadHex: hex(message.payload),
          ...(text !== undefined ? { text } : {}),
          ...(message.source ? { source: hex(message.source), hops: message.hops } : {}),
          ...(message.signer ? { signer: hex(message.signer), signerFingerprint: fingerprint(message.signer) } : {}),
          ...(message.contact !== undefined ? { contact: message.contact } : {}),
          ...(message.rssiDbm !== undefined ? { rssiDbm: message.rssiDbm, snrDb: message.snrDb } : {}),
        };
      }
      case "log":
        return { level: logLevelName(message.level), text: message.text };
      case "identity":
        return {
          requestId: message.requestId,
          boardName: message.boardName,
          firmwareVersion: message.firmwareVersion,
          publicKey: hex(message.publicKey),
          fingerprint: fingerprint(message.publicKey),
          radio: radioNames[message.radio] ?? message.radio,
          mtu: message.mtu,
          protocolVersion: message.protocolVersion,
        };
      case "send-result":
        return {
          requestId: message.requestId,
          status: statusName(message.status),
          level: levelLabel(message.level),
          mtu: message.mtu,
        };
      case "pong":
        return { requestId: message.requestId, length: message.data.length, dataHex: hex(message.data) };
      case "error":
        return { requestId: message.requestId, code: errorCodeNames[message.code] ?? message.code, text: message.text };
      default: {
        const { type: _type, ...rest } = message as Message & Record<string, unknown>;
        return Object.fromEntries(
          Object.entries(rest).map(([key, value]) => [key, value instanceof Uint8Array ? hex(value) : value]),
        );
      }
    }
  }
}

// ---- the session: one board, one formatter, commands ----

export interface MonitorOutput {
  print(line: string): void;
}

/** Parses and runs commands, and prints what a BoardClient reports. One per monitor; boards come and go. */
export class MonitorSession {
  private client: BoardClient | undefined;
  private identitiesSeen = 0;
  private readonly flushTimer: NodeJS.Timeout;

  constructor(
    private readonly output: MonitorOutput,
    private readonly formatter: MonitorFormatter,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.flushTimer = setInterval(() => {
      const client = this.client;
      if (client && Date.now() - client.lastDataAt >= PARTIAL_LINE_QUIET_MS) client.flush();
    }, PARTIAL_LINE_QUIET_MS);
    this.flushTimer.unref();
  }

  show(item: MonitorEvent): void {
    this.output.print(this.formatter.format(item, this.now()));
  }

  /** Starts talking to a board over `client` and says Hello. */
  attach(client: BoardClient): void {
    this.client = client;
    client.on("text", (line) => {
      // The banner is shown by the boot handler, with its own tag.
      if (!parseBootBanner(line)) this.show({ event: "text", line });
    });
    client.on("boot", (banner) => {
      this.show({
        event: "boot",
        line: `meshstack ${banner.firmwareVersion} board=${banner.boardName} key=${banner.fingerprint}`,
        banner,
      });
      // A restarted board prints plain text until a host speaks: say Hello again.
      void this.hello(true);
    });
    client.on("garbage", (bytes) => this.show({ event: "garbage", bytes: bytes.length }));
    client.on("received", (message) => this.show({ event: "message", message }));
    client.on("log", (message) => this.show({ event: "message", message }));
    client.on("decode-error", (error) => this.show({ event: "decode-error", error }));
    client.on("unmatched", (message) => this.show({ event: "message", message }));
    void this.hello(true);
  }

  detach(): void {
    this.client?.close();
    this.client = undefined;
  }

  close(): void {
    clearInterval(this.flushTimer);
    this.detach();
  }

  /** Runs one command line; returns false for `quit`. */
  async command(line: string): Promise<boolean> {
    const words = line
      .trim()
      .split(/\s+/)
      .filter((w) => w !== "");
    if (words.length === 0) return true;
    const [name, ...args] = words;
    try {
      switch (name) {
        case "help":
          for (const text of commandHelp.split("\n")) this.show({ event: "note", text });
          return true;
        case "quit":
        case "exit":
          return false;
        case "identity":
          await this.hello(false);
          return true;
        case "ping":
          await this.ping(line.trim().slice(name.length).trim());
          return true;
        case "stats":
          await this.ask({ type: "stats" });
          return true;
        case "config":
          await this.config(args);
          return true;
        case "reboot":
          await this.ask({ type: "reboot" });
          return true;
        case "send":
          await this.send(line.trim().slice(name.length).trim());
          return true;
        default:
          this.show({ event: "error", text: `unknown command '${name}' (try help)` });
          return true;
      }
    } catch (error) {
      this.show({ event: "error", text: (error as Error).message.split("\n")[0] });
      return true;
    }
  }

  private board(): BoardClient {
    if (!this.client) throw new Error("no board connected (waiting for the port)");
    return this.client;
  }

  private async ask(request: Parameters<BoardClient["request"]>[0]): Promise<void> {
    const response = await this.board().request(request, { timeoutMs: REQUEST_TIMEOUT_MS });
    this.show({ event: "message", message: response as Message });
  }

  private async hello(quietOnTimeout: boolean): Promise<void> {
    const client = this.client;
    if (!client) {
      this.show({ event: "error", text: "no board connected (waiting for the port)" });
      return;
    }
    const identitiesBefore = this.identitiesSeen;
    try {
      const identity = await client.hello();
      this.identitiesSeen++;
      this.show({ event: "message", message: identity });
    } catch (error) {
      if (!quietOnTimeout) throw error;
      // A Hello sent while the board was still booting goes unanswered; the one its banner triggers
      // may already have succeeded, and then there is nothing to say.
      if (client === this.client && this.identitiesSeen === identitiesBefore) {
        this.show({ event: "note", text: "no answer to hello yet; listening for the board's banner" });
      }
    }
  }

  private async ping(text: string): Promise<void> {
    const started = performance.now();
    const response = await this.board().ping(new TextEncoder().encode(text || "ping"));
    this.show({ event: "message", message: response, roundTripMs: Math.round(performance.now() - started) });
  }

  private async send(rest: string): Promise<void> {
    const match = /^(\S+)\s+(\S+)\s+([\s\S]+)$/.exec(rest);
    if (!match) throw new Error("usage: send <PUBLIC-KEY-HEX|broadcast> <LEVEL>[:<CONTACT>] <TEXT>");
    const [, target, levelText, text] = match;
    let destination: Uint8Array | "broadcast";
    if (target === "broadcast") destination = "broadcast";
    else if (/^[0-9a-fA-F]{64}$/.test(target)) destination = new Uint8Array(Buffer.from(target, "hex"));
    else throw new Error(`send: '${target}' is neither 'broadcast' nor a 64-digit hex public key`);
    const [levelName, contactText] = levelText.split(":");
    const level = levelName === "default" ? IntegrityLevel.Default : integrityLevelNames[levelName];
    if (level === undefined) {
      throw new Error(
        `send: level '${levelName}' is not one of default, ${Object.keys(integrityLevelNames).join(", ")}`,
      );
    }
    let contact: number | undefined;
    if (contactText !== undefined) {
      contact = Number(contactText);
      if (!Number.isInteger(contact) || contact < 0 || contact > 0xffff) {
        throw new Error(`send: contact '${contactText}' is not an address-book index`);
      }
    }
    const payload = new TextEncoder().encode(text);
    const result = await this.board().send({
      level,
      destination,
      payload,
      ...(contact !== undefined ? { contact } : {}),
    });
    this.show({ event: "message", message: result });
  }

  private async config(args: string[]): Promise<void> {
    if (args.length === 0) {
      await this.ask({ type: "config-get" });
      return;
    }
    const [field, value] = args;
    if (value === undefined || args.length > 2)
      throw new Error("usage: config [region NAME|INDEX | preset NAME|INDEX | power DBM]");
    const tables = await loadLoRaTables();
    const pick = (what: string, names: { index: number; name: string }[]): number => {
      const found = names.find(
        (entry) => entry.name.toLowerCase() === value.toLowerCase() || String(entry.index) === value,
      );
      if (!found) throw new Error(`config: ${what} '${value}' is not one of ${names.map((n) => n.name).join(", ")}`);
      return found.index;
    };
    switch (field) {
      case "region":
        await this.ask({ type: "config-set", regionIndex: pick("region", tables.regions) });
        return;
      case "preset":
        await this.ask({ type: "config-set", presetIndex: pick("preset", tables.presets) });
        return;
      case "power": {
        const power = Number(value);
        if (!Number.isInteger(power) || power < -9 || power > 30)
          throw new Error(`config: power '${value}' is not -9..30 dBm`);
        await this.ask({ type: "config-set", txPowerDbm: power });
        return;
      }
      default:
        throw new Error(`config: '${field}' is not region, preset or power`);
    }
  }
}

// ---- the command ----

export interface MonitorIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: { write(text: string): unknown; isTTY?: boolean };
  /** Opens the port (tests substitute a fake). */
  open?: (path: string, baudRate: number) => Promise<SerialChannel>;
  /** Whether the port's path exists again after it vanished (tests substitute a fake). */
  exists?: (path: string) => boolean;
  /** Resolves when the monitor should stop (SIGINT by default). */
  stopSignal?: Promise<void>;
}

function parseMonitorArgs(args: string[]): { port: string; baud: number; json: boolean } {
  const { values } = parseArgs({
    args,
    options: { port: { type: "string" }, baud: { type: "string" }, json: { type: "boolean", default: false } },
    strict: true,
    allowPositionals: false,
  });
  if (values.port === undefined || values.port === "")
    throw new UsageError("--port: required (e.g. --port /dev/ttyUSB0)");
  let baud = DEFAULT_BAUD;
  if (values.baud !== undefined) {
    baud = Number(values.baud);
    if (!Number.isInteger(baud) || baud < 300 || baud > 4_000_000) {
      throw new UsageError(`--baud: expected an integer from 300 to 4000000, got '${values.baud}'`);
    }
  }
  return { port: values.port, baud, json: values.json ?? false };
}

function sigint(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

/** Runs the monitor until quit; returns the exit code. Bad arguments throw UsageError (exit 2). */
export async function runMonitor(args: string[], io: MonitorIo): Promise<number> {
  const { port, baud, json } = parseMonitorArgs(args);
  const open = io.open ?? openSerialPort;
  const exists = io.exists ?? existsSync;
  const asJson = json || !io.stdout.isTTY;
  const colour = !asJson && Boolean(io.stdout.isTTY) && !process.env.NO_COLOR;
  const session = new MonitorSession(
    { print: (line) => io.stdout.write(`${line}\n`) },
    new MonitorFormatter({ json: asJson, colour }),
  );

  let channel: SerialChannel;
  try {
    channel = await open(port, baud);
  } catch (error) {
    session.close();
    console.error(`mesh monitor: ${error instanceof PortError ? error.message : (error as Error).message}`);
    return 1;
  }

  let stopping = false;
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  void (io.stopSignal ?? sigint()).then(() => stop());

  const connect = (opened: SerialChannel, state: "open" | "reopened") => {
    session.show({ event: "port", state, path: port, detail: `${baud} baud` });
    opened.onClose((disconnected) => {
      session.detach();
      if (stopping) return;
      session.show({ event: "port", state: disconnected ? "waiting" : "closed", path: port });
      void reopen();
    });
    session.attach(new BoardClient(opened, { timeoutMs: REQUEST_TIMEOUT_MS }));
  };

  // Polls for the port to come back: a board on native USB re-enumerates when it resets.
  const reopen = async () => {
    let lastProblem = "";
    while (!stopping) {
      await new Promise((resolve) => setTimeout(resolve, REOPEN_INTERVAL_MS));
      if (stopping || !exists(port)) continue;
      try {
        channel = await open(port, baud);
        if (stopping) {
          channel.close();
          return;
        }
        connect(channel, "reopened");
        return;
      } catch (error) {
        const problem = (error as Error).message;
        // Say it once, not every half second.
        if (problem !== lastProblem) session.show({ event: "error", text: problem });
        lastProblem = problem;
      }
    }
  };

  connect(channel, "open");

  const lines = createInterface({ input: io.stdin, terminal: false });
  const commands = (async () => {
    for await (const line of lines) {
      if (!(await session.command(line))) {
        stop();
        return;
      }
    }
    // Ctrl-D on a terminal ends the monitor; an input that simply ends (a pipe, /dev/null) does not:
    // monitoring goes on until a signal.
    if (io.stdin.isTTY) stop();
  })();
  void commands;

  await stopped;
  stopping = true;
  lines.close();
  session.close();
  channel.close();
  return 0;
}

export const monitorCommand: Command = {
  name: "monitor",
  summary: "serial console of a board: logs, received packets, commands (send, ping, stats, …)",
  usage,
  run: (args) => runMonitor(args, { stdin: process.stdin, stdout: process.stdout }),
};
