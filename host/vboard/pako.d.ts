// The part of pako 2 (the zlib port esptool-js compresses with, and a dependency of it) that the
// emulated flasher stub inflates with. pako ships no types of its own.
declare module "pako" {
  export interface InflateOptions {
    /** Output buffer size. */
    chunkSize?: number;
    /** true: raw DEFLATE (RFC 1951) instead of the zlib wrapper (RFC 1950). */
    raw?: boolean;
  }

  export class Inflate {
    constructor(options?: InflateOptions);
    /** Feeds input; `flushMode` is a zlib flush constant (2 = Z_SYNC_FLUSH) or true for Z_FINISH. */
    push(data: Uint8Array, flushMode?: number | boolean): boolean;
    onData(chunk: Uint8Array): void;
    onEnd(status: number): void;
    /** zlib status of the failure (0 = Z_OK). */
    err: number;
    msg: string;
    /** Set once the stream's end marker was seen, or on an error. */
    ended: boolean;
  }
}
