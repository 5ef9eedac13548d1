// A serial port (the `serialport` package) as a ByteChannel, with the failures people actually meet
// — wrong path, missing dialout membership, another program holding the port — turned into one line
// that says what to do.
import type { SerialPort } from "serialport";
import type { ByteChannel } from "./board-client.js";

/** Opening or using the port failed; `message` is one line for people. */
export class PortError extends Error {
  override name = "PortError";
  constructor(
    message: string,
    readonly reason: "not-found" | "permission" | "busy" | "other",
  ) {
    super(message);
  }
}

/**
 * The one-line explanation of an error `serialport` gave for `path`. Its native binding reports
 * errno text ("No such file or directory, cannot open …", "Permission denied, cannot open …",
 * "Resource temporarily unavailable Cannot lock port") without a code, so the text is matched.
 */
export function explainPortError(path: string, error: unknown): PortError {
  const text = error instanceof Error ? error.message : String(error);
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ENOENT" || /no such file|not found|ENOENT/i.test(text)) {
    return new PortError(
      `port not found: ${path} (is the board plugged in? \`mesh ports\` lists the serial ports)`,
      "not-found",
    );
  }
  if (code === "EACCES" || /permission denied|EACCES/i.test(text)) {
    return new PortError(
      `permission denied: add yourself to the dialout group to open ${path} (sudo usermod -aG dialout $USER, then log in again)`,
      "permission",
    );
  }
  if (code === "EBUSY" || /cannot lock|resource busy|temporarily unavailable|EBUSY/i.test(text)) {
    return new PortError(`port busy: ${path} is open in another program (a monitor, a flasher?)`, "busy");
  }
  return new PortError(`${path}: ${text.split("\n")[0]}`, "other");
}

/** An open port. `onClose` fires once, when it closes for any reason (unplugged: `disconnected`). */
export interface SerialChannel extends ByteChannel {
  /** Resolves when the bytes are handed to the operating system; rejects with a PortError. */
  write(bytes: Uint8Array): Promise<void>;
  onClose(listener: (disconnected: boolean) => void): void;
  readonly path: string;
}

/** Opens `path` at `baudRate`; rejects with a PortError. */
export async function openSerialPort(path: string, baudRate: number): Promise<SerialChannel> {
  const { SerialPort } = await import("serialport");
  const port: SerialPort = new SerialPort({ path, baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) =>
    port.open((error) => (error ? reject(explainPortError(path, error)) : resolve())),
  );
  // USB bridges wire DTR/RTS to the ESP32's reset and boot pins; release both so opening the port
  // neither holds the board in reset nor starts its bootloader. Pseudo-terminals refuse the
  // ioctl, which is fine.
  await new Promise<void>((resolve) => port.set({ dtr: false, rts: false }, () => resolve()));
  const closeListeners: ((disconnected: boolean) => void)[] = [];
  let closed = false;
  port.on("close", (error: (Error & { disconnected?: boolean }) | null) => {
    if (closed) return;
    closed = true;
    for (const listener of closeListeners) listener(Boolean(error?.disconnected));
  });
  // Errors after opening end in a close event; without a listener they would crash the process.
  port.on("error", () => {});
  return {
    path,
    write(bytes: Uint8Array): Promise<void> {
      return new Promise((resolve, reject) =>
        port.write(Buffer.from(bytes), (error) => (error ? reject(explainPortError(path, error)) : resolve())),
      );
    },
    onData(listener: (bytes: Uint8Array) => void): void {
      port.on("data", (data: Buffer) => listener(new Uint8Array(data)));
    },
    onClose(listener: (disconnected: boolean) => void): void {
      closeListeners.push(listener);
    },
    close(): void {
      if (port.isOpen) port.close(() => {});
    },
  };
}
