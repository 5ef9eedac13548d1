// A host's end of the serial protocol (docs/serial-protocol.md) over any byte channel — a serial port,
// a pseudo-terminal, a WASM console in a test: requests with ids and timeouts, and events for what
// the board reports on its own (received packets, logs, boot text).
import { EventEmitter } from "node:events";
import { encodeFrame, type FrameDecoderCounters, FrameStreamDecoder } from "./frame-codec.js";
import {
  type Config,
  type ContactAck,
  type ContactSet,
  type DecodeError,
  decodeMessage,
  type ErrorCode,
  EVENT_REQUEST_ID,
  encodeMessage,
  errorCodeNames,
  type Identity,
  isRequest,
  type Log,
  MAX_REQUEST_ID,
  type Message,
  type Pong,
  PROTOCOL_VERSION,
  type Received,
  type Request,
  type ResponseTo,
  responseTypeOf,
  type SendResult,
  type StatsReport,
  type WithRequestId,
} from "./messages.js";

/** Whatever carries bytes to and from a board. */
export interface ByteChannel {
  write(bytes: Uint8Array): void | Promise<void>;
  onData(listener: (bytes: Uint8Array) => void): void;
  close(): void;
}

/** The board answered a request with Error. */
export class BoardError extends Error {
  override name = "BoardError";
  constructor(
    readonly code: ErrorCode,
    readonly requestId: number,
    text: string,
  ) {
    super(`board: ${errorCodeNames[code] ?? `error ${code}`}: ${text}`);
  }
}

/** No answer in time: the board is busy, rebooting, or not running the stack. */
export class BoardTimeoutError extends Error {
  override name = "BoardTimeoutError";
}

/** The first line the stack prints after a (re)start. */
export interface BootBanner {
  firmwareVersion: string;
  boardName: string;
  fingerprint: string;
}

// Not anchored at the start: after a reset in the middle of a frame, the frame's remains can share
// the banner's line.
const BANNER = /meshstack (\S+) board=(\S+) key=([a-z2-7]{4}(?:-[a-z2-7]{4}){3})$/;

/** The banner in a text line, if the line ends with one. */
export function parseBootBanner(line: string): BootBanner | undefined {
  const match = BANNER.exec(line.trim());
  return match ? { firmwareVersion: match[1], boardName: match[2], fingerprint: match[3] } : undefined;
}

export interface BoardClientEvents {
  /** Every message the board sent, responses included, with its request id. */
  message: [Message];
  received: [Received & { requestId: number }];
  log: [Log & { requestId: number }];
  /** A plain-text line outside frames (boot logs, and everything before the host spoke). */
  text: [string];
  /** The stack's banner: the board has (re)started and prints plain text until spoken to. */
  boot: [BootBanner];
  /** Bytes that were neither text nor a valid frame. */
  garbage: [Uint8Array];
  /** A valid frame that holds no message this host knows. */
  "decode-error": [DecodeError];
  /** A response no request is waiting for: it timed out, or the board could not read the request's id. */
  unmatched: [Message];
}

interface Pending {
  expected: string;
  resolve: (message: Message) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export interface BoardClientOptions {
  /** How long a request waits for its response (default 2000 ms). */
  timeoutMs?: number;
}

export class BoardClient extends EventEmitter<BoardClientEvents> {
  private readonly decoder = new FrameStreamDecoder();
  private readonly pending = new Map<number, Pending>();
  private nextRequestId = 1;
  private readonly timeoutMs: number;
  private closed = false;

  constructor(
    private readonly channel: ByteChannel,
    options: BoardClientOptions = {},
  ) {
    super();
    this.timeoutMs = options.timeoutMs ?? 2000;
    channel.onData((bytes) => {
      this.lastDataAt = Date.now();
      this.handle(this.decoder.push(bytes));
    });
  }

  /** When bytes last arrived (Date.now()), 0 before any. */
  lastDataAt = 0;

  /** What the host's frame decoder has counted. */
  get counters(): Readonly<FrameDecoderCounters> {
    return this.decoder.counters;
  }

  /** Sends `request` and resolves with its response; rejects with BoardError or BoardTimeoutError. */
  request<T extends Request>(request: T, options: { timeoutMs?: number } = {}): Promise<ResponseTo[T["type"]]> {
    if (this.closed) return Promise.reject(new Error("board client: closed"));
    const requestId = this.allocateRequestId();
    let frame: Uint8Array;
    try {
      frame = encodeFrame(encodeMessage(request, requestId));
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<ResponseTo[T["type"]]>((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? this.timeoutMs;
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        reject(new BoardTimeoutError(`board: no answer to ${request.type} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(requestId, {
        expected: responseTypeOf[request.type],
        resolve: resolve as unknown as (message: Message) => void,
        reject,
        timer,
      });
      const fail = (error: unknown) => this.settle(requestId, undefined, error as Error);
      try {
        const written = this.channel.write(frame);
        if (written instanceof Promise) written.catch(fail);
      } catch (error) {
        fail(error);
      }
    });
  }

  hello(): Promise<WithRequestId<Identity>> {
    return this.request({ type: "hello", protocolVersion: PROTOCOL_VERSION });
  }

  stats(): Promise<WithRequestId<StatsReport>> {
    return this.request({ type: "stats" });
  }

  config(): Promise<WithRequestId<Config>> {
    return this.request({ type: "config-get" });
  }

  ping(data: Uint8Array): Promise<WithRequestId<Pong>> {
    return this.request({ type: "ping", data });
  }

  send(message: Omit<Extract<Request, { type: "send" }>, "type">): Promise<WithRequestId<SendResult>> {
    return this.request({ type: "send", ...message });
  }

  /** Emits a text line the board left unfinished (call when it has been quiet for a while). */
  /** Installs an address-book entry (SipHash key shared with `endpoint`). */
  setContact(contact: Omit<ContactSet, "type">): Promise<WithRequestId<ContactAck>> {
    return this.request({ type: "contact-set", ...contact });
  }

  flush(): void {
    this.handle(this.decoder.flush());
  }

  /** Rejects what is waiting and closes the channel. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const id of [...this.pending.keys()]) this.settle(id, undefined, new Error("board client: closed"));
    this.channel.close();
  }

  private allocateRequestId(): number {
    // Ids run 1..65535 and skip any still waiting, so a late answer is never taken for a new one.
    for (;;) {
      const id = this.nextRequestId;
      this.nextRequestId = id === MAX_REQUEST_ID ? 1 : id + 1;
      if (!this.pending.has(id)) return id;
    }
  }

  private settle(requestId: number, message: Message | undefined, error?: Error): void {
    const waiting = this.pending.get(requestId);
    if (!waiting) return;
    this.pending.delete(requestId);
    clearTimeout(waiting.timer);
    if (error) waiting.reject(error);
    else waiting.resolve(message!);
  }

  private handle(items: ReturnType<FrameStreamDecoder["push"]>): void {
    for (const item of items) {
      if (item.kind === "text") {
        this.emit("text", item.line);
        const banner = parseBootBanner(item.line);
        if (banner) this.emit("boot", banner);
      } else if (item.kind === "garbage") {
        this.emit("garbage", item.bytes);
      } else {
        const decoded = decodeMessage(item.payload);
        if (!decoded.ok) this.emit("decode-error", decoded.error);
        else this.dispatch(decoded.message);
      }
    }
  }

  private dispatch(message: Message): void {
    this.emit("message", message);
    if (message.type === "received") {
      this.emit("received", message);
      return;
    }
    if (message.type === "log") {
      this.emit("log", message);
      return;
    }
    // A request echoed back (a loop-back wire) is nobody's response.
    if (isRequest(message)) return;
    const waiting = message.requestId === EVENT_REQUEST_ID ? undefined : this.pending.get(message.requestId);
    if (!waiting) {
      this.emit("unmatched", message);
      return;
    }
    if (message.type === "error") {
      this.settle(message.requestId, undefined, new BoardError(message.code, message.requestId, message.text));
    } else if (message.type !== waiting.expected) {
      this.settle(
        message.requestId,
        undefined,
        new Error(`board: answered ${message.type} where ${waiting.expected} was expected`),
      );
    } else {
      this.settle(message.requestId, message);
    }
  }
}
