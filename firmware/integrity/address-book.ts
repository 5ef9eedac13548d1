// The address book of trusted contacts for Integrity level 3: endpoint public key → 16-byte SipHash
// key. Entries are single-use unless made reusable on purpose: the first payload sent with an entry,
// and the first payload accepted with it, spend it until the application renews it. A spent key can
// therefore not be used to replay or forge a second message, whatever an attacker has seen.
import { blake2b } from "../crypto/blake2b";
import { wipe } from "../crypto/constant-time";

export const ADDRESS_BOOK_KEY_SIZE: i32 = 16;
export const ENDPOINT_SIZE: i32 = 32;
export const NO_ENTRY: i32 = -1;

const FLAG_PRESENT: u8 = 1;
const FLAG_REUSABLE: u8 = 2;
const FLAG_SPENT: u8 = 4;

/** "meshstack key id" — BLAKE2b key of the key-id derivation (domain separation). */
const KEY_ID_CONTEXT: usize = memory.data<u8>([
  0x6d, 0x65, 0x73, 0x68, 0x73, 0x74, 0x61, 0x63, 0x6b, 0x20, 0x6b, 0x65, 0x79, 0x20, 0x69, 0x64,
]);

export class AddressBook {
  /** Per entry: endpoint (32) then key (16), in one region allocated at start-up. */
  private readonly records: usize;
  private readonly flags: StaticArray<u8>;
  private readonly keyIds: StaticArray<u32>;

  constructor(readonly capacity: i32) {
    const size = <usize>capacity * <usize>(ENDPOINT_SIZE + ADDRESS_BOOK_KEY_SIZE);
    const records = heap.alloc(size);
    memory.fill(records, 0, size);
    this.records = records;
    this.flags = new StaticArray<u8>(capacity);
    this.keyIds = new StaticArray<u32>(capacity);
  }

  @inline private record(index: i32): usize {
    return this.records + <usize>index * <usize>(ENDPOINT_SIZE + ADDRESS_BOOK_KEY_SIZE);
  }

  @inline isValidIndex(index: i32): bool {
    return index >= 0 && index < this.capacity;
  }

  /**
   * Stores (or renews) entry `index`: the contact `endpoint` (32-byte public key) and its 16-byte `key`.
   * A renewed entry is unspent. Returns false for an index out of range.
   */
  set(index: i32, endpoint: usize, key: usize, reusable: bool): bool {
    if (!this.isValidIndex(index)) return false;
    const record = this.record(index);
    memory.copy(record, endpoint, <usize>ENDPOINT_SIZE);
    memory.copy(record + <usize>ENDPOINT_SIZE, key, <usize>ADDRESS_BOOK_KEY_SIZE);
    // The key id tells a receiver which entry to try without revealing anything about the key.
    const idBytes = memory.data(4, 4);
    blake2b(idBytes, 4, KEY_ID_CONTEXT, 16, record + <usize>ENDPOINT_SIZE, ADDRESS_BOOK_KEY_SIZE);
    unchecked((this.keyIds[index] = load<u32>(idBytes)));
    unchecked((this.flags[index] = FLAG_PRESENT | (reusable ? FLAG_REUSABLE : 0)));
    return true;
  }

  /** Forgets entry `index` and wipes its key. */
  remove(index: i32): void {
    if (!this.isValidIndex(index)) return;
    wipe(this.record(index), <usize>(ENDPOINT_SIZE + ADDRESS_BOOK_KEY_SIZE));
    unchecked((this.flags[index] = 0));
    unchecked((this.keyIds[index] = 0));
  }

  isPresent(index: i32): bool {
    return this.isValidIndex(index) && (unchecked(this.flags[index]) & FLAG_PRESENT) != 0;
  }

  isSpent(index: i32): bool {
    return this.isValidIndex(index) && (unchecked(this.flags[index]) & FLAG_SPENT) != 0;
  }

  isReusable(index: i32): bool {
    return this.isValidIndex(index) && (unchecked(this.flags[index]) & FLAG_REUSABLE) != 0;
  }

  /** Marks a single-use entry spent; reusable entries stay usable. */
  spend(index: i32): void {
    if (!this.isPresent(index) || this.isReusable(index)) return;
    unchecked((this.flags[index] = this.flags[index] | FLAG_SPENT));
  }

  @inline keyId(index: i32): u32 {
    return unchecked(this.keyIds[index]);
  }

  @inline key(index: i32): usize {
    return this.record(index) + <usize>ENDPOINT_SIZE;
  }

  @inline endpoint(index: i32): usize {
    return this.record(index);
  }

  /** The next present entry at or after `from` whose key id is `keyId`, or NO_ENTRY. */
  findByKeyId(keyId: u32, from: i32): i32 {
    for (let i = max(from, 0); i < this.capacity; i++) {
      if ((unchecked(this.flags[i]) & FLAG_PRESENT) != 0 && unchecked(this.keyIds[i]) == keyId) return i;
    }
    return NO_ENTRY;
  }
}
