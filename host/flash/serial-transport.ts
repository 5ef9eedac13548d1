// The Web Serial port esptool-js expects (W3C Web Serial API: SerialPort open/close, readable and
// writable streams, setSignals, getInfo), built on the `serialport` package so esptool-js runs
// unmodified in Node. Beyond the standard it offers setBaudRate(), which esptool-js 0.7.0's
// Transport.changeBaudrate() prefers to closing and reopening the port.
//
// Two departures from a browser, both for the sake of the person at the keyboard:
// - DTR/RTS that the port cannot drive (a pseudo-terminal answers ENOTTY) are reported once and
//   otherwise ignored, so `--before no_reset` and virtual boards work; a board that really needs
//   the reset pulse then fails to answer, which the flasher explains.
// - After the device is lost, `writable` hands out streams whose writes fail at once (Web Serial
//   would return null, and esptool-js would then wait out its read timeout before noticing).
import { realpath } from "node:fs/promises";
import { SerialPort } from "serialport";

export type PortOpenFailure = "not-found" | "permission" | "busy" | "other";

export class PortOpenError extends Error {
  override name = "PortOpenError";
  constructor(
    readonly path: string,
    readonly failure: PortOpenFailure,
    message: string,
  ) {
    super(message);
  }
}

/** The port went away while open: unplugged, a cable fault, the far end of a pseudo-terminal closed. */
export class PortLostError extends Error {
  override name = "PortLostError";
}

/** Web Serial's SerialOptions, as esptool-js passes them. */
export interface WebSerialOpenOptions {
  baudRate: number;
  dataBits?: number;
  stopBits?: number;
  parity?: "none" | "even" | "odd";
  bufferSize?: number;
  flowControl?: "none" | "hardware";
}

/** Web Serial's SerialOutputSignals. */
export interface WebSerialSignals {
  dataTerminalReady?: boolean;
  requestToSend?: boolean;
  break?: boolean;
}

/** Web Serial's SerialPortInfo. */
export interface WebSerialPortInfo {
  usbVendorId?: number;
  usbProductId?: number;
}

export interface NodeSerialPortOptions {
  path: string;
  /** USB ids for getInfo(); WebSerialPort.create() looks them up. */
  info?: WebSerialPortInfo;
  /** Called once, the first time the port cannot drive DTR/RTS. */
  onSignalsUnsupported?: (error: Error) => void;
}

type PortState = "closed" | "open" | "lost";

export class WebSerialPort {
  private port: SerialPort | null = null;
  private state: PortState = "closed";
  private readableStream: ReadableStream<Uint8Array> | null = null;
  private readController: ReadableStreamDefaultController<Uint8Array> | null = null;
  private writableStream: WritableStream<Uint8Array> | null = null;
  private signals = { dtr: true, rts: true, brk: false };
  private signalsReported = false;
  private lostError: PortLostError | null = null;
  private readonly lostListeners = new Set<(error: PortLostError) => void>();
  /** False once the port has refused DTR/RTS. */
  signalsSupported = true;

  constructor(private readonly options: NodeSerialPortOptions) {}

  /** An adapter for `path` whose getInfo() reports the USB ids the system lists for it. */
  static async create(
    path: string,
    options: Omit<NodeSerialPortOptions, "path" | "info"> = {},
  ): Promise<WebSerialPort> {
    return new WebSerialPort({ ...options, path, info: await usbInfo(path) });
  }

  get path(): string {
    return this.options.path;
  }

  get readable(): ReadableStream<Uint8Array> | null {
    if (this.state !== "open") return null;
    this.readableStream ??= this.makeReadable();
    return this.readableStream;
  }

  get writable(): WritableStream<Uint8Array> | null {
    if (this.state === "lost") return this.makeFailingWritable();
    if (this.state !== "open") return null;
    this.writableStream ??= this.makeWritable();
    return this.writableStream;
  }

  /** The error the port was lost with, or null while it is fine. */
  get lost(): PortLostError | null {
    return this.lostError;
  }

  /** Calls `listener` when the port is lost (at once if it already is); returns the unsubscribe. */
  onLost(listener: (error: PortLostError) => void): () => void {
    if (this.lostError) {
      listener(this.lostError);
      return () => {};
    }
    this.lostListeners.add(listener);
    return () => this.lostListeners.delete(listener);
  }

  getInfo(): WebSerialPortInfo {
    return { ...this.options.info };
  }

  async open(options: WebSerialOpenOptions): Promise<void> {
    if (this.state === "open") throw new DOMException("The port is already open.", "InvalidStateError");
    const path = this.options.path;
    const port = new SerialPort({
      path,
      baudRate: options.baudRate,
      dataBits: (options.dataBits ?? 8) as 5 | 6 | 7 | 8,
      stopBits: (options.stopBits ?? 1) as 1 | 2,
      parity: options.parity ?? "none",
      rtscts: options.flowControl === "hardware",
      autoOpen: false,
    });
    await new Promise<void>((resolve, reject) =>
      port.open((error) => (error ? reject(openError(path, error)) : resolve())),
    );
    this.port = port;
    this.state = "open";
    this.lostError = null;
    this.signals = { dtr: true, rts: true, brk: false };
    port.on("data", (chunk: Buffer) => this.onData(chunk));
    port.on("close", (error?: Error & { disconnected?: boolean }) => {
      if (this.port === port && this.state === "open") this.onLostPort(error);
    });
    // Errors on an open port arrive with the close that follows; keep them from being unhandled.
    port.on("error", () => {});
  }

  async close(): Promise<void> {
    const port = this.port;
    const wasOpen = this.state === "open";
    // A lost port stays lost: its streams keep failing at once for whoever still holds on to it.
    if (this.state !== "lost") this.state = "closed";
    this.port = null;
    this.readController = null;
    this.readableStream = null;
    this.writableStream = null;
    if (!port || !wasOpen || !port.isOpen) return;
    await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  async setSignals(signals: WebSerialSignals): Promise<void> {
    const port = this.requireOpen();
    // serialport's set() resets every signal it is not given, Web Serial leaves them alone: merge.
    if (signals.dataTerminalReady !== undefined) this.signals.dtr = signals.dataTerminalReady;
    if (signals.requestToSend !== undefined) this.signals.rts = signals.requestToSend;
    if (signals.break !== undefined) this.signals.brk = signals.break;
    if (!this.signalsSupported) return;
    try {
      await new Promise<void>((resolve, reject) =>
        port.set({ ...this.signals }, (error) => (error ? reject(error) : resolve())),
      );
    } catch (error) {
      if (!isUnsupportedIoctl(error)) throw error;
      this.signalsSupported = false;
      if (!this.signalsReported) {
        this.signalsReported = true;
        this.options.onSignalsUnsupported?.(error as Error);
      }
    }
  }

  /** Changes the host side's baud rate without closing the port (esptool-js uses this when present). */
  async setBaudRate(baudRate: number): Promise<void> {
    const port = this.requireOpen();
    await new Promise<void>((resolve, reject) =>
      port.update({ baudRate }, (error) => (error ? reject(error) : resolve())),
    );
  }

  private requireOpen(): SerialPort {
    if (this.state === "lost") throw this.lostError!;
    if (this.state !== "open" || !this.port) throw new DOMException("The port is closed.", "InvalidStateError");
    return this.port;
  }

  private makeReadable(): ReadableStream<Uint8Array> {
    const stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.readController = controller;
        },
        pull: () => {
          this.port?.resume();
        },
        cancel: () => {
          if (this.readableStream === stream) {
            this.readableStream = null;
            this.readController = null;
          }
        },
      },
      { highWaterMark: 64 },
    );
    return stream;
  }

  private onData(chunk: Buffer): void {
    // Bytes that arrive while no stream exists would be lost; make one to queue them.
    if (!this.readableStream) void this.readable;
    const controller = this.readController;
    if (!controller) return;
    controller.enqueue(new Uint8Array(chunk));
    if ((controller.desiredSize ?? 1) <= 0) this.port?.pause();
  }

  private makeWritable(): WritableStream<Uint8Array> {
    const port = this.port!;
    const stream: WritableStream<Uint8Array> = new WritableStream<Uint8Array>({
      write: (chunk) =>
        new Promise<void>((resolve, reject) => {
          if (this.state !== "open") {
            reject(this.lostError ?? new DOMException("The port is closed.", "InvalidStateError"));
            return;
          }
          port.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength), (error) =>
            error ? reject(this.lostError ?? error) : resolve(),
          );
        }),
      close: () =>
        new Promise<void>((resolve) => {
          if (this.writableStream === stream) this.writableStream = null;
          if (this.state === "open") port.drain(() => resolve());
          else resolve();
        }),
      abort: () => {
        if (this.writableStream === stream) this.writableStream = null;
      },
    });
    return stream;
  }

  private makeFailingWritable(): WritableStream<Uint8Array> {
    const error = this.lostError!;
    return new WritableStream<Uint8Array>({ write: () => Promise.reject(error) });
  }

  private onLostPort(cause?: Error): void {
    const error = new PortLostError(`${this.options.path} closed${cause ? ` (${cause.message})` : ""}`);
    this.state = "lost";
    this.lostError = error;
    // A lost device is a NetworkError on the readable (Web Serial: "handle closing the port").
    this.readController?.error(new DOMException("The device has been lost.", "NetworkError"));
    this.readController = null;
    this.readableStream = null;
    this.writableStream = null;
    for (const listener of this.lostListeners) listener(error);
    this.lostListeners.clear();
  }
}

function openError(path: string, error: Error): PortOpenError {
  const message = error.message;
  if (/No such file or directory|ENOENT/i.test(message)) return new PortOpenError(path, "not-found", message);
  if (/Permission denied|EACCES/i.test(message)) return new PortOpenError(path, "permission", message);
  if (/Cannot lock port|Resource temporarily unavailable|Device or resource busy|EBUSY|EAGAIN/i.test(message)) {
    return new PortOpenError(path, "busy", message);
  }
  return new PortOpenError(path, "other", message);
}

/** DTR/RTS requests a pseudo-terminal (or a bridge without modem lines) does not support. */
function isUnsupportedIoctl(error: unknown): boolean {
  return error instanceof Error && /Inappropriate ioctl|ENOTTY|Operation not supported|EOPNOTSUPP/i.test(error.message);
}

/** USB vendor and product id of the port at `path`, as the system lists it (none for a pty). */
async function usbInfo(path: string): Promise<WebSerialPortInfo> {
  try {
    const real = await realpath(path).catch(() => path);
    const ports = await SerialPort.list();
    const match = ports.find((p) => p.path === path || p.path === real);
    if (!match?.vendorId || !match.productId) return {};
    return { usbVendorId: Number.parseInt(match.vendorId, 16), usbProductId: Number.parseInt(match.productId, 16) };
  } catch {
    return {};
  }
}
