// The host's window into linear memory: a fixed region where a host binding copies arguments in and
// results out. Fixed at build time so calling into the stack never allocates.

/** Bytes in the data area; hosts stream longer inputs through it in chunks. */
export const IO_DATA_SIZE: i32 = 4096;
/** Bytes in the argument area (keys, nonces, signatures, public keys, digests). */
export const IO_ARGS_SIZE: i32 = 512;

const ioData: usize = memory.data(IO_DATA_SIZE, 16);
const ioArgs: usize = memory.data(IO_ARGS_SIZE, 16);

/** Address of the data area (`ioDataSize()` bytes). */
export function ioDataPointer(): usize {
  return ioData;
}

export function ioDataSize(): i32 {
  return IO_DATA_SIZE;
}

/** Address of the argument area (`ioArgsSize()` bytes). */
export function ioArgsPointer(): usize {
  return ioArgs;
}

export function ioArgsSize(): i32 {
  return IO_ARGS_SIZE;
}
