// Handle tables shared by the host-facing APIs: small integers naming pools, links, identities and
// address books inside one WASM instance. Fixed size, filled at start-up; this module is not itself
// exported to the host.
import { Identity } from "../identity/identity";
import { AddressBook } from "../integrity/address-book";
import { Link } from "../link/link";
import { PacketPool } from "../link/packet-pool";

/** Returned instead of a handle when creation fails (bad argument or table full). */
export const INVALID_HANDLE: i32 = -1;
const TABLE_SIZE: i32 = 16;

const pools = new StaticArray<PacketPool | null>(TABLE_SIZE);
const links = new StaticArray<Link | null>(TABLE_SIZE);
const identities = new StaticArray<Identity | null>(TABLE_SIZE);
const addressBooks = new StaticArray<AddressBook | null>(TABLE_SIZE);
let poolCount: i32 = 0;
let linkCount: i32 = 0;
let identityCount: i32 = 0;
let addressBookCount: i32 = 0;

export function addPool(pool: PacketPool): i32 {
  if (poolCount == TABLE_SIZE) return INVALID_HANDLE;
  pools[poolCount] = pool;
  return poolCount++;
}

export function addLink(link: Link): i32 {
  if (linkCount == TABLE_SIZE) return INVALID_HANDLE;
  links[linkCount] = link;
  return linkCount++;
}

export function addIdentity(identity: Identity): i32 {
  if (identityCount == TABLE_SIZE) return INVALID_HANDLE;
  identities[identityCount] = identity;
  return identityCount++;
}

export function addAddressBook(book: AddressBook): i32 {
  if (addressBookCount == TABLE_SIZE) return INVALID_HANDLE;
  addressBooks[addressBookCount] = book;
  return addressBookCount++;
}

/** Room for `count` more links. */
export function linkRoom(count: i32): bool {
  return linkCount + count <= TABLE_SIZE;
}

export function poolAt(handle: i32): PacketPool | null {
  return handle >= 0 && handle < poolCount ? pools[handle] : null;
}

export function linkAt(handle: i32): Link | null {
  return handle >= 0 && handle < linkCount ? links[handle] : null;
}

export function identityAt(handle: i32): Identity | null {
  return handle >= 0 && handle < identityCount ? identities[handle] : null;
}

export function addressBookAt(handle: i32): AddressBook | null {
  return handle >= 0 && handle < addressBookCount ? addressBooks[handle] : null;
}
