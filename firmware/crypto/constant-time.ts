// Constant-time helpers shared by every primitive and layer: comparing tags and wiping secrets.
// Monocypher's crypto_verify16/crypto_wipe: no early exit, no data-dependent branch.

/** Returns true when the `length` bytes at `a` and `b` are equal. Time depends only on `length`. */
export function constantTimeEqual(a: usize, b: usize, length: usize): bool {
  let difference: u32 = 0;
  for (let i: usize = 0; i < length; i++) {
    difference |= <u32>(load<u8>(a + i) ^ load<u8>(b + i));
  }
  // (difference - 1) >> 31 is 1 only when difference == 0; no branch on the secret value.
  return <bool>(((difference - 1) >>> 8) & 1);
}

/** Overwrites `length` bytes at `pointer` with zeros (secrets must not outlive their use). */
export function wipe(pointer: usize, length: usize): void {
  memory.fill(pointer, 0, length);
}
