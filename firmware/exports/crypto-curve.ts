// Host-facing exports of the curve primitives (Ed25519, X25519).
// Filled in by the curve-crypto work; see host/wasm/crypto.ts for the ABI it must match.
