// Host-facing exports of the symmetric primitives (CRC-32C, BLAKE2b, SHA-512, SipHash-2-4, ChaCha20).
// Filled in by the symmetric-crypto work; see host/wasm/crypto.ts for the ABI it must match.
