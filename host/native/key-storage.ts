// The QEMU board's key storage (tunnel ops 06/07): numbered slots of bytes kept in one file per
// board, as NVS keeps them on an ESP32, so a board's identity (slot 0) survives reboots and restarts
// of `mesh vboard`. The file is JSON — slot number to hex — small and readable by people.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export interface KeyStorage {
  /** The slot's bytes; empty when nothing is stored there. */
  read(slot: number): Uint8Array;
  /** Stores `bytes` in the slot (empty bytes erase it). */
  write(slot: number, bytes: Uint8Array): void;
}

/** Slots in memory only (tests). */
export class MemoryKeyStorage implements KeyStorage {
  private readonly slots = new Map<number, Uint8Array>();

  read(slot: number): Uint8Array {
    return this.slots.get(slot)?.slice() ?? new Uint8Array(0);
  }

  write(slot: number, bytes: Uint8Array): void {
    if (bytes.length === 0) this.slots.delete(slot);
    else this.slots.set(slot, bytes.slice());
  }
}

/** The storage file cannot be used; `message` is one line. */
export class KeyStorageError extends Error {
  override name = "KeyStorageError";
}

export class FileKeyStorage implements KeyStorage {
  private readonly slots = new Map<number, Uint8Array>();

  /** Opens (or will create, on first write) the storage file at `path`. */
  constructor(readonly path: string) {
    if (!existsSync(path)) return;
    const text = readFileSync(path, "utf8");
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new KeyStorageError(`${path} is not a meshstack key-storage file (JSON); name another file`);
    }
    const slots = (parsed as { slots?: Record<string, string> }).slots ?? {};
    for (const [slot, hex] of Object.entries(slots)) {
      if (/^\d+$/.test(slot) && /^([0-9a-f]{2})*$/i.test(hex))
        this.slots.set(Number(slot), new Uint8Array(Buffer.from(hex, "hex")));
    }
  }

  read(slot: number): Uint8Array {
    return this.slots.get(slot)?.slice() ?? new Uint8Array(0);
  }

  write(slot: number, bytes: Uint8Array): void {
    if (bytes.length === 0) this.slots.delete(slot);
    else this.slots.set(slot, bytes.slice());
    this.save();
  }

  /** Written to a temporary file and renamed, so a crash mid-write never leaves half a key. */
  private save(): void {
    const slots: Record<string, string> = {};
    for (const [slot, bytes] of [...this.slots].sort(([a], [b]) => a - b)) {
      slots[String(slot)] = Buffer.from(bytes).toString("hex");
    }
    mkdirSync(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.tmp`;
    writeFileSync(temporary, `${JSON.stringify({ format: "meshstack key storage", slots }, null, 2)}\n`, {
      mode: 0o600,
    });
    renameSync(temporary, this.path);
  }
}
