// Packet buffers with headroom, as in DESIGN.md: each layer prepends its header into the headroom on
// the way down and strips it on the way up, so a payload is never copied between layers.
// Buffers come from a PacketPool sized at start-up; nothing is allocated on the packet path.

/** Bytes of headroom every buffer starts with: room for the headers of every layer above the Data Link. */
export const HEADROOM: i32 = 160;
/** Bytes of the per-packet key slot (the signer's or contact's Ed25519 public key). */
export const PEER_KEY_SIZE: i32 = 32;
/** No address-book contact. */
export const NO_CONTACT: i32 = -1;

export class PacketBuffer {
  /** Offset of the first payload byte within the storage. */
  start: i32 = HEADROOM;
  /** Payload bytes from `start`. */
  length: i32 = 0;

  // Metadata travelling beside the payload. On transmit the sender fills it in to choose the
  // protection; on receive each layer records what it verified.
  /** Integrity level: requested (0 = the link's default profile) on transmit, verified on receive. */
  integrityLevel: u8 = 0;
  /** Address-book entry used for SipHash (transmit: chosen; receive: the one that verified). */
  contact: i32 = NO_CONTACT;
  /** True when `peerKey()` holds a public key that signed this packet (receive, level 4). */
  hasPeerKey: bool = false;
  /** Receive: the radio measured this packet (the last frame of it, if it was fragmented). */
  hasRadioQuality: bool = false;
  /** Receive: RSSI in dBm and SNR in dB of that frame, when hasRadioQuality. */
  rssiDbm: f32 = 0;
  snrDb: f32 = 0;
  /** Whether the buffer is currently handed out by its pool (guards double release). */
  taken: bool = false;

  constructor(
    /** Address of `capacity` bytes of payload storage followed by PEER_KEY_SIZE bytes of key slot. */
    readonly storage: usize,
    readonly capacity: i32,
    /** Index in the owning pool. */
    readonly index: i32,
  ) {}

  /** Address of the first payload byte. */
  @inline pointer(): usize {
    return this.storage + <usize>this.start;
  }

  /** Address of the 32-byte peer key slot. */
  @inline peerKey(): usize {
    return this.storage + <usize>this.capacity;
  }

  @inline headroom(): i32 {
    return this.start;
  }

  @inline tailroom(): i32 {
    return this.capacity - this.start - this.length;
  }

  /** Grows the payload at the front by `count` bytes and returns their address, or 0 without headroom. */
  prepend(count: i32): usize {
    if (count < 0 || count > this.start) return 0;
    this.start -= count;
    this.length += count;
    return this.pointer();
  }

  /** Grows the payload at the end by `count` bytes and returns their address, or 0 without tailroom. */
  append(count: i32): usize {
    if (count < 0 || count > this.tailroom()) return 0;
    const at = this.pointer() + <usize>this.length;
    this.length += count;
    return at;
  }

  /** Removes `count` bytes from the front (a header). Returns false if the payload is shorter. */
  stripFront(count: i32): bool {
    if (count < 0 || count > this.length) return false;
    this.start += count;
    this.length -= count;
    return true;
  }

  /** Removes `count` bytes from the end (a trailer). Returns false if the payload is shorter. */
  stripBack(count: i32): bool {
    if (count < 0 || count > this.length) return false;
    this.length -= count;
    return true;
  }

  /** Makes the buffer an empty payload with full headroom and no metadata. */
  reset(): void {
    this.start = HEADROOM;
    this.length = 0;
    this.integrityLevel = 0;
    this.contact = NO_CONTACT;
    this.hasPeerKey = false;
    this.hasRadioQuality = false;
  }

  /** Copies payload and metadata of `other` into this buffer (same layout); false if it cannot fit. */
  copyFrom(other: PacketBuffer): bool {
    if (other.start + other.length > this.capacity) return false;
    this.start = other.start;
    this.length = other.length;
    memory.copy(this.pointer(), other.pointer(), <usize>other.length);
    this.integrityLevel = other.integrityLevel;
    this.contact = other.contact;
    this.hasPeerKey = other.hasPeerKey;
    this.hasRadioQuality = other.hasRadioQuality;
    this.rssiDbm = other.rssiDbm;
    this.snrDb = other.snrDb;
    memory.copy(this.peerKey(), other.peerKey(), <usize>PEER_KEY_SIZE);
    return true;
  }
}
