// Which verified endpoints subscribe to which topics and hold which services (docs/routing.md,
// "Multicast" and "Anycast"). Filled only from announces that verified (and, for services, whose
// proof verified), replaced wholesale by each newer announce of the endpoint; fixed size.
import { endpointAddressOf, ADDRESS_SIZE } from "./address";
import {
  AppDataKind,
  appDataWellFormed,
  entryKind,
  entryLength,
  entryValue,
  nextEntry,
  SERVICE_PROOF_SIZE,
  serviceProofValid,
  TOPIC_SIZE,
} from "./app-data";
import { sameAddress } from "./header";

export class MembershipTable {
  /** Topic id or service address per entry, 16 bytes each. */
  private readonly groups: usize;
  private readonly endpoints: StaticArray<i32>;
  private readonly kinds: StaticArray<u8>;
  /** Entries refused because the table was full (the rest of the mesh is unaffected). */
  dropped: u32 = 0;
  /** Service proofs that did not verify. */
  badProofs: u32 = 0;

  constructor(readonly capacity: i32) {
    this.groups = heap.alloc(<usize>(capacity * ADDRESS_SIZE));
    this.endpoints = new StaticArray<i32>(capacity);
    this.kinds = new StaticArray<u8>(capacity);
  }

  @inline private group(slot: i32): usize {
    return this.groups + <usize>(slot * ADDRESS_SIZE);
  }

  /** Forgets every membership of endpoint `index` (its slot was taken over, or it announced anew). */
  removeEndpoint(index: i32): void {
    for (let i = 0; i < this.capacity; i++) {
      if (unchecked(this.kinds[i]) != 0 && unchecked(this.endpoints[i]) == index) unchecked((this.kinds[i] = 0));
    }
  }

  /**
   * Replaces endpoint `index`'s memberships with those in its announce's app data. Service proofs are
   * checked against `holderAddress` (the endpoint's address) before they count.
   */
  replaceFor(index: i32, appData: usize, length: i32, holderAddress: usize): void {
    this.removeEndpoint(index);
    if (!appDataWellFormed(appData, length)) return;
    let offset = 0;
    while (offset < length) {
      const kind = entryKind(appData, offset);
      const size = entryLength(appData, offset);
      const value = entryValue(appData, offset);
      if (kind == AppDataKind.Topic && size == TOPIC_SIZE) {
        this.add(AppDataKind.Topic, value, index);
      } else if (kind == AppDataKind.Service && size == SERVICE_PROOF_SIZE) {
        if (serviceProofValid(value, holderAddress)) {
          // The service is named like an endpoint: the address of its public key.
          const slot = this.freeSlot();
          if (slot < 0) {
            this.dropped++;
          } else {
            endpointAddressOf(this.group(slot), value);
            unchecked((this.endpoints[slot] = index));
            unchecked((this.kinds[slot] = <u8>AppDataKind.Service));
          }
        } else {
          this.badProofs++;
        }
      }
      offset = nextEntry(appData, length, offset);
    }
  }

  /**
   * Writes the endpoint indexes that are members of (`kind`, `group`) to `out`, up to its length;
   * returns how many.
   */
  members(kind: AppDataKind, group: usize, out: StaticArray<i32>): i32 {
    let count = 0;
    for (let i = 0; i < this.capacity && count < out.length; i++) {
      if (unchecked(this.kinds[i]) != <u8>kind || !sameAddress(this.group(i), group)) continue;
      unchecked((out[count] = unchecked(this.endpoints[i])));
      count++;
    }
    return count;
  }

  /** Memberships held (≤ capacity). */
  size(): i32 {
    let used = 0;
    for (let i = 0; i < this.capacity; i++) if (unchecked(this.kinds[i]) != 0) used++;
    return used;
  }

  private add(kind: AppDataKind, group: usize, index: i32): void {
    const slot = this.freeSlot();
    if (slot < 0) {
      this.dropped++;
      return;
    }
    memory.copy(this.group(slot), group, <usize>ADDRESS_SIZE);
    unchecked((this.endpoints[slot] = index));
    unchecked((this.kinds[slot] = <u8>kind));
  }

  private freeSlot(): i32 {
    for (let i = 0; i < this.capacity; i++) if (unchecked(this.kinds[i]) == 0) return i;
    return -1;
  }
}
