// Host-facing API for building and driving stacks inside one WASM instance: packet pools, loopback
// wires, identities, address books and Integrity links, named by small integer handles.
// The handle tables are the binding's own bookkeeping, fixed in size at start-up; every object a
// layer uses is passed to it explicitly. Bad handles and arguments return an error code, never trap.
import { Identity } from "../identity/identity";
import { AddressBook } from "../integrity/address-book";
import { IntegrityCounter } from "../integrity/counters";
import { IntegrityLink } from "../integrity/integrity-link";
import { isKnownLevel } from "../integrity/wire";
import { DATALINK_MTU } from "../link/datalink";
import { LoopbackCounter, LoopbackLink } from "../link/loopback";
import { HEADROOM, PEER_KEY_SIZE } from "../link/packet-buffer";
import { PacketPool } from "../link/packet-pool";
import { Status } from "../link/status";
import {
  addAddressBook,
  addIdentity,
  addLink,
  addPool,
  addressBookAt,
  identityAt,
  INVALID_HANDLE,
  linkAt,
  linkRoom,
  poolAt,
} from "./handles";
import { IO_DATA_SIZE, ioArgsPointer, ioDataPointer } from "./io-window";

function integrityAt(handle: i32): IntegrityLink | null {
  const link = linkAt(handle);
  return link instanceof IntegrityLink ? changetype<IntegrityLink>(link) : null;
}

function loopbackAt(handle: i32): LoopbackLink | null {
  const link = linkAt(handle);
  return link instanceof LoopbackLink ? changetype<LoopbackLink>(link) : null;
}

/** Bytes of storage each pool buffer has: headroom for every layer's header plus a Data Link MTU. */
export function packetBufferCapacity(): i32 {
  return HEADROOM + DATALINK_MTU;
}

/** Creates a pool of `count` packet buffers (1..64). */
export function poolCreate(count: i32): i32 {
  if (count < 1 || count > 64) return INVALID_HANDLE;
  return addPool(new PacketPool(count, packetBufferCapacity()));
}

export function poolAvailable(pool: i32): i32 {
  const p = poolAt(pool);
  return p !== null ? p.available() : -1;
}

/**
 * Creates two loopback Data Link ends joined to each other; returns the first handle (the second is
 * that handle + 1). `mtu` 1..1280, `queueLength` 1..64.
 */
export function loopbackCreatePair(pool: i32, mtu: i32, queueLength: i32, seed: u32): i32 {
  const p = poolAt(pool);
  if (p === null || mtu < 1 || mtu > DATALINK_MTU || queueLength < 1 || queueLength > 64) return INVALID_HANDLE;
  if (!linkRoom(2)) return INVALID_HANDLE;
  const a = new LoopbackLink(p, mtu, queueLength, seed);
  const b = new LoopbackLink(p, mtu, queueLength, seed ^ 0x5bd1e995);
  LoopbackLink.connect(a, b);
  const first = addLink(a);
  addLink(b);
  return first;
}

/** Sets fault probabilities (parts per 65,536 per frame) on frames sent from `link`. */
export function loopbackSetFaults(link: i32, drop: u32, duplicate: u32, bitFlip: u32, truncate: u32, reorder: u32): bool {
  const l = loopbackAt(link);
  if (l === null) return false;
  l.faults.drop = drop;
  l.faults.duplicate = duplicate;
  l.faults.bitFlip = bitFlip;
  l.faults.truncate = truncate;
  l.faults.reorder = reorder;
  return true;
}

export function loopbackCounter(link: i32, which: i32): f64 {
  const l = loopbackAt(link);
  if (l === null || which < 0 || which >= LoopbackCounter.Count) return -1;
  return <f64>l.counter(<LoopbackCounter>which);
}

/** Creates an identity from the 32-byte seed at `seed`. */
export function identityCreate(seed: usize): i32 {
  return addIdentity(new Identity(seed));
}

/** Copies the identity's 32-byte public key to `out`. */
export function identityPublicKey(identity: i32, out: usize): bool {
  const id = identityAt(identity);
  if (id === null) return false;
  memory.copy(out, id.publicKey(), 32);
  return true;
}

export function addressBookCreate(capacity: i32): i32 {
  if (capacity < 1 || capacity > 256) return INVALID_HANDLE;
  return addAddressBook(new AddressBook(capacity));
}

/** Stores or renews entry `index` (endpoint public key at `endpoint`, 16-byte key at `key`). */
export function addressBookSet(book: i32, index: i32, endpoint: usize, key: usize, reusable: bool): bool {
  const b = addressBookAt(book);
  return b !== null && b.set(index, endpoint, key, reusable);
}

export function addressBookRemove(book: i32, index: i32): bool {
  const b = addressBookAt(book);
  if (b === null || !b.isValidIndex(index)) return false;
  b.remove(index);
  return true;
}

/** 1 spent, 0 usable, -1 absent or bad handle. */
export function addressBookIsSpent(book: i32, index: i32): i32 {
  const b = addressBookAt(book);
  if (b === null || !b.isPresent(index)) return -1;
  return b.isSpent(index) ? 1 : 0;
}

/** Creates an Integrity link over `lower`; `identity` may be -1 (no signing). */
export function integrityCreate(lower: i32, pool: i32, identity: i32, book: i32): i32 {
  const l = linkAt(lower);
  const p = poolAt(pool);
  const b = addressBookAt(book);
  if (l === null || p === null || b === null) return INVALID_HANDLE;
  let id: Identity | null = null;
  if (identity != -1) {
    id = identityAt(identity);
    if (id === null) return INVALID_HANDLE;
  }
  return addLink(new IntegrityLink(l, p, id, b));
}

export function integritySetDefaultLevel(link: i32, level: i32): bool {
  const l = integrityAt(link);
  if (l === null || !isKnownLevel(level)) return false;
  l.defaultLevel = level;
  return true;
}

export function integrityMtuForLevel(link: i32, level: i32): i32 {
  const l = integrityAt(link);
  if (l === null || !isKnownLevel(level)) return -1;
  return l.mtuForLevel(level);
}

export function integrityCounter(link: i32, which: i32): f64 {
  const l = integrityAt(link);
  if (l === null || which < 0 || which >= IntegrityCounter.Count) return -1;
  return <f64>l.counter(<IntegrityCounter>which);
}

export function linkMtu(link: i32): i32 {
  const l = linkAt(link);
  return l !== null ? l.mtu() : -1;
}

/**
 * Pushes the `length` bytes at the start of the I/O data area down `link`, asking for integrity
 * `level` (0 = profile) and address-book `contact` (-1 = none). Returns a Status.
 */
export function linkPush(link: i32, pool: i32, length: i32, level: i32, contact: i32): i32 {
  const l = linkAt(link);
  const p = poolAt(pool);
  if (l === null || p === null || length < 0 || length > IO_DATA_SIZE || level < 0 || level > 255) {
    return Status.BadArgument;
  }
  const packet = p.take();
  if (packet === null) return Status.NoBuffer;
  const payload = packet.append(length);
  if (payload == 0) {
    p.release(packet);
    return Status.TooBig;
  }
  memory.copy(payload, ioDataPointer(), <usize>length);
  packet.integrityLevel = <u8>level;
  packet.contact = contact;
  const status = l.push(packet);
  if (status != Status.Ok) p.release(packet);
  return status;
}

/**
 * Pops the next received payload from `link` into the I/O data area and returns its length, or -1
 * when there is none. Metadata goes to the argument area: level (u8), has-peer-key (u8), 2 bytes
 * zero, contact (i32), then the 32-byte peer key.
 */
export function linkPop(link: i32, pool: i32): i32 {
  const l = linkAt(link);
  const p = poolAt(pool);
  if (l === null || p === null) return -1;
  const packet = l.pop();
  if (packet === null) return -1;
  const length = min(packet.length, IO_DATA_SIZE);
  memory.copy(ioDataPointer(), packet.pointer(), <usize>length);
  const meta = ioArgsPointer();
  store<u8>(meta, packet.integrityLevel);
  store<u8>(meta + 1, packet.hasPeerKey ? 1 : 0);
  store<u16>(meta + 2, 0);
  store<i32>(meta + 4, packet.contact);
  memory.copy(meta + 8, packet.peerKey(), <usize>PEER_KEY_SIZE);
  p.release(packet);
  return length;
}

/** Advances `link` to `now` (ms); returns the next deadline in ms (Infinity-like 9.2e18 if none). */
export function linkPoll(link: i32, now: f64): f64 {
  const l = linkAt(link);
  if (l === null) return -1;
  return <f64>l.poll(<i64>now);
}

/**
 * Bytes of linear memory in use: the top of the bump allocator (static data and every object made so
 * far). The packet path must leave it unchanged; tests check that it does.
 */
export function heapTop(): usize {
  // With the stub runtime, freeing the most recent block rewinds the allocator, so this probe
  // leaves no trace.
  const probe = heap.alloc(0);
  heap.free(probe);
  return probe;
}
