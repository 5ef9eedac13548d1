// The Integrity layer (DESIGN.md layer 3): a Link over any lower Link that proves each payload arrived
// as sent, at a paranoia level the sender picks per message: CRC-32C, BLAKE2b, SipHash-2-4 with an
// address-book key, or BLAKE2b + Ed25519. Receive checks run cheapest first (length → type → key id
// → tag → signature) and nothing is remembered about a frame before it authenticates.
import { blake2b } from "../crypto/blake2b";
import { constantTimeEqual } from "../crypto/constant-time";
import { crc32c } from "../crypto/crc32c";
import { ed25519Sign, ed25519Verify } from "../crypto/ed25519";
import { sipHash24 } from "../crypto/siphash";
import { Identity } from "../identity/identity";
import { Link } from "../link/link";
import { NO_CONTACT, PacketBuffer } from "../link/packet-buffer";
import { PacketPool } from "../link/packet-pool";
import { Status } from "../link/status";
import { AddressBook, NO_ENTRY } from "./address-book";
import { acceptedCounter, IntegrityCounter, rejectedCounter, sentCounter } from "./counters";
import {
  BLAKE2B_DIGEST_SIZE,
  CRC_SIZE,
  headerSize,
  IntegrityLevel,
  isKnownLevel,
  MAXIMUM_OVERHEAD,
  overhead,
  SIGNATURE_SIZE,
  SIGNED_DIGEST_SIZE,
  SIGNER_KEY_SIZE,
  SIPHASH_TAG_SIZE,
  trailerSize,
  TYPE_SIZE,
} from "./wire";

/** "meshstack/integrity/v1": BLAKE2b key for the level-4 digest, so these signatures mean nothing elsewhere. */
const SIGNING_CONTEXT: usize = memory.data<u8>([
  0x6d, 0x65, 0x73, 0x68, 0x73, 0x74, 0x61, 0x63, 0x6b, 0x2f, 0x69, 0x6e, 0x74, 0x65, 0x67, 0x72, 0x69, 0x74, 0x79,
  0x2f, 0x76, 0x31,
]);
const SIGNING_CONTEXT_SIZE: i32 = 22;

export class IntegrityLink extends Link {
  /** Level used when a packet asks for none and names no contact. */
  defaultLevel: IntegrityLevel;
  private readonly counters: StaticArray<u32> = new StaticArray<u32>(IntegrityCounter.Count);
  /** Scratch for check values computed on receive (largest: the 64-byte signed digest). */
  private readonly scratch: usize = heap.alloc(<usize>SIGNED_DIGEST_SIZE);

  constructor(
    private readonly lower: Link,
    private readonly pool: PacketPool,
    /** Signs level-4 frames; null on a node that only verifies. */
    private readonly identity: Identity | null,
    readonly addressBook: AddressBook,
  ) {
    super();
    // The default profile is the strongest protection this node can give (DESIGN.md, "profile").
    this.defaultLevel = identity !== null ? IntegrityLevel.Ed25519 : IntegrityLevel.Blake2b;
  }

  /** The payload size every level can carry. */
  mtu(): i32 {
    return this.lower.mtu() - MAXIMUM_OVERHEAD;
  }

  /** The payload size `level` can carry (lighter levels carry more). */
  mtuForLevel(level: i32): i32 {
    return this.lower.mtu() - overhead(level);
  }

  counter(which: IntegrityCounter): u32 {
    return this.counters[which];
  }

  poll(now: i64): i64 {
    return this.lower.poll(now);
  }

  push(packet: PacketBuffer): Status {
    const level = this.chooseLevel(packet);
    if (!isKnownLevel(level)) return Status.BadArgument;
    if (packet.length > this.mtuForLevel(level)) return Status.TooBig;
    if (packet.headroom() < headerSize(level) || packet.tailroom() < trailerSize(level)) return Status.TooBig;
    const contact = packet.contact;
    if (level == IntegrityLevel.SipHash) {
      if (!this.addressBook.isPresent(contact)) return Status.NoKey;
      if (this.addressBook.isSpent(contact)) return Status.KeySpent;
    }
    const identity = this.identity;
    if (level == IntegrityLevel.Ed25519 && identity === null) return Status.NoKey;

    this.protect(packet, level);
    const status = this.lower.push(packet);
    if (status != Status.Ok) {
      // Hand the payload back exactly as it came, so the caller can retry.
      packet.stripFront(headerSize(level));
      packet.stripBack(trailerSize(level));
      return status;
    }
    if (level == IntegrityLevel.SipHash) this.addressBook.spend(contact);
    this.count(sentCounter(level));
    return Status.Ok;
  }

  pop(): PacketBuffer | null {
    let frame = this.lower.pop();
    while (frame !== null) {
      if (this.verify(frame)) return frame;
      this.pool.release(frame);
      frame = this.lower.pop();
    }
    return null;
  }

  private chooseLevel(packet: PacketBuffer): i32 {
    const requested = <i32>packet.integrityLevel;
    if (requested != IntegrityLevel.Default) return requested;
    return packet.contact != NO_CONTACT ? IntegrityLevel.SipHash : this.defaultLevel;
  }

  /** Writes header and trailer around the payload. The caller has checked room, keys and level. */
  private protect(packet: PacketBuffer, level: i32): void {
    const payloadLength = packet.length;
    const header = packet.prepend(headerSize(level));
    store<u8>(header, <u8>level);
    // Everything from the type byte to the end of the payload is covered by the check value.
    const coveredLength = <usize>(headerSize(level) + payloadLength);
    switch (level) {
      case IntegrityLevel.Crc32c: {
        const crc = crc32c(header, coveredLength);
        store<u32>(packet.append(CRC_SIZE), crc);
        break;
      }
      case IntegrityLevel.Blake2b: {
        const digest = packet.append(BLAKE2B_DIGEST_SIZE);
        blake2b(digest, BLAKE2B_DIGEST_SIZE, header, coveredLength);
        break;
      }
      case IntegrityLevel.SipHash: {
        const book = this.addressBook;
        store<u32>(header + TYPE_SIZE, book.keyId(packet.contact));
        const tag = packet.append(SIPHASH_TAG_SIZE);
        sipHash24(tag, book.key(packet.contact), header, coveredLength);
        break;
      }
      case IntegrityLevel.Ed25519: {
        const identity = this.identity!;
        memory.copy(header + TYPE_SIZE, identity.publicKey(), <usize>SIGNER_KEY_SIZE);
        const digest = this.scratch;
        blake2b(digest, SIGNED_DIGEST_SIZE, header, coveredLength, SIGNING_CONTEXT, SIGNING_CONTEXT_SIZE);
        const signature = packet.append(SIGNATURE_SIZE);
        ed25519Sign(signature, digest, <usize>SIGNED_DIGEST_SIZE, identity.seed(), identity.publicKey());
        break;
      }
    }
  }

  /** Checks a received frame; on success strips header and trailer and records what was verified. */
  private verify(frame: PacketBuffer): bool {
    if (frame.length < TYPE_SIZE) return this.drop(IntegrityCounter.Truncated);
    const header = frame.pointer();
    const level = <i32>load<u8>(header);
    if (!isKnownLevel(level)) return this.drop(IntegrityCounter.UnknownLevel);
    if (frame.length < overhead(level)) return this.drop(IntegrityCounter.Truncated);

    const coveredLength = <usize>(frame.length - trailerSize(level));
    const trailer = header + coveredLength;
    let contact = NO_CONTACT;
    switch (level) {
      case IntegrityLevel.Crc32c: {
        if (crc32c(header, coveredLength) != load<u32>(trailer)) return this.drop(rejectedCounter(level));
        break;
      }
      case IntegrityLevel.Blake2b: {
        blake2b(this.scratch, BLAKE2B_DIGEST_SIZE, header, coveredLength);
        if (!constantTimeEqual(this.scratch, trailer, <usize>BLAKE2B_DIGEST_SIZE)) {
          return this.drop(rejectedCounter(level));
        }
        break;
      }
      case IntegrityLevel.SipHash: {
        contact = this.findSipHashContact(header, coveredLength, trailer);
        if (contact == NO_ENTRY) return false; // counted by findSipHashContact
        break;
      }
      case IntegrityLevel.Ed25519: {
        const signer = header + TYPE_SIZE;
        blake2b(this.scratch, SIGNED_DIGEST_SIZE, header, coveredLength, SIGNING_CONTEXT, SIGNING_CONTEXT_SIZE);
        if (!ed25519Verify(trailer, this.scratch, <usize>SIGNED_DIGEST_SIZE, signer)) {
          return this.drop(rejectedCounter(level));
        }
        memory.copy(frame.peerKey(), signer, <usize>SIGNER_KEY_SIZE);
        frame.hasPeerKey = true;
        break;
      }
    }
    frame.stripFront(headerSize(level));
    frame.stripBack(trailerSize(level));
    frame.integrityLevel = <u8>level;
    frame.contact = contact;
    this.count(acceptedCounter(level));
    return true;
  }

  /**
   * Level 3: tries each entry whose key id matches (ids are 32 bits, so two entries may share one).
   * Returns the entry that authenticated the frame and spends it, or NO_ENTRY after counting why.
   */
  private findSipHashContact(header: usize, coveredLength: usize, tag: usize): i32 {
    const book = this.addressBook;
    const keyId = load<u32>(header + TYPE_SIZE);
    let entry = book.findByKeyId(keyId, 0);
    if (entry == NO_ENTRY) {
      this.drop(IntegrityCounter.UnknownKey);
      return NO_ENTRY;
    }
    let authenticSpent = false;
    while (entry != NO_ENTRY) {
      sipHash24(this.scratch, book.key(entry), header, coveredLength);
      if (constantTimeEqual(this.scratch, tag, <usize>SIPHASH_TAG_SIZE)) {
        if (!book.isSpent(entry)) {
          book.spend(entry);
          return entry;
        }
        authenticSpent = true;
      }
      entry = book.findByKeyId(keyId, entry + 1);
    }
    this.drop(authenticSpent ? IntegrityCounter.SpentKey : rejectedCounter(IntegrityLevel.SipHash));
    return NO_ENTRY;
  }

  /** Counts a dropped frame under `reason`; always false so callers can `return this.drop(…)`. */
  private drop(reason: IntegrityCounter): bool {
    this.count(reason);
    return false;
  }

  @inline private count(which: IntegrityCounter): void {
    unchecked((this.counters[which] = this.counters[which] + 1));
  }
}
