// An endpoint's identity: its Ed25519 key pair (DESIGN.md, "Identity and keys"). The seed never
// leaves this object; the public key names the endpoint.
import { ed25519PublicKey } from "../crypto/ed25519";

export const SEED_SIZE: i32 = 32;
export const PUBLIC_KEY_SIZE: i32 = 32;

export class Identity {
  /** 32-byte secret seed followed by the 32-byte public key, in one allocation made at start-up. */
  private readonly keys: usize = heap.alloc(<usize>(SEED_SIZE + PUBLIC_KEY_SIZE));

  constructor(seed: usize) {
    memory.copy(this.keys, seed, <usize>SEED_SIZE);
    ed25519PublicKey(this.publicKey(), this.keys);
  }

  /** Address of the secret seed. Only signing code reads it. */
  @inline seed(): usize {
    return this.keys;
  }

  /** Address of the 32-byte public key. */
  @inline publicKey(): usize {
    return this.keys + <usize>SEED_SIZE;
  }
}
