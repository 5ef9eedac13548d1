// Host-facing API of a whole node (firmware/node/): one per WASM instance, as on a board. The node's
// parts are registered in the shared handle tables, so the generic link, Data Link and Integrity
// calls drive it.
import { setCurrentNode } from "../node/current-node";
import { MeshNode } from "../node/mesh-node";
import { NodeError, NodeRouting, NodeSettings } from "../node/node-settings";
import { addAddressBook, addIdentity, addLink, addPool } from "./handles";
import { ioArgsPointer } from "./io-window";

let node: MeshNode | null = null;
const settings = new NodeSettings();

/**
 * Chooses, before nodeCreate, whether the node runs the Availability layer and how it routes: -1 none
 * (Integrity on top), 0 managed flooding, 1 next hop, 2 electric; and the last announce sequence the
 * board persisted. Returns 0 or NodeError.BadArgument.
 */
export function nodeSetRouting(routing: i32, lastAnnounceSequence: u32): i32 {
  if (node !== null) return NodeError.AlreadyCreated;
  if (routing < NodeRouting.None || routing > NodeRouting.Electric) return NodeError.BadArgument;
  settings.routing = <NodeRouting>routing;
  settings.lastAnnounceSequence = lastAnnounceSequence;
  return NodeError.Ok;
}

/**
 * Builds and starts this instance's node. The identity seed (32 bytes) is read from `identitySeed`.
 * Returns 0 and writes six i32 handles to the argument area — pool, Data Link, Integrity link,
 * identity, address book, Availability link (-1 when the node does not route) — or a negative
 * NodeError.
 */
export function nodeCreate(
  radioKind: i32,
  bus: i32,
  presetIndex: i32,
  regionIndex: i32,
  frequencyHz: u32,
  txPowerDbm: i32,
  tcxoMillivolts: i32,
  flags: i32,
  poolSize: i32,
  seed: u32,
  identitySeed: usize,
): i32 {
  if (node !== null) return NodeError.AlreadyCreated;
  settings.radioKind = radioKind;
  settings.bus = bus;
  settings.presetIndex = presetIndex;
  settings.regionIndex = regionIndex;
  settings.frequencyHz = frequencyHz;
  settings.txPowerDbm = txPowerDbm;
  settings.tcxoMillivolts = tcxoMillivolts;
  settings.flags = flags;
  settings.poolSize = poolSize;
  settings.seed = seed;
  const created = MeshNode.create(settings, identitySeed);
  if (created === null) return MeshNode.lastError;
  node = created;
  setCurrentNode(created, settings);
  const out = ioArgsPointer();
  store<i32>(out, addPool(created.pool));
  store<i32>(out + 4, addLink(created.dataLink));
  store<i32>(out + 8, addLink(created.integrity));
  store<i32>(out + 12, addIdentity(created.identity));
  store<i32>(out + 16, addAddressBook(created.addressBook));
  const availability = created.availability;
  store<i32>(out + 20, availability !== null ? addLink(availability) : -1);
  return NodeError.Ok;
}

/** The transmit power the node uses after the region's limit, dBm (LoRa), or −1000 without LoRa. */
export function nodeTxPowerDbm(): i32 {
  const n = node;
  if (n === null) return -1000;
  const config = n.loraConfig;
  return config !== null ? config.txPowerDbm : -1000;
}

/** The carrier frequency in use (LoRa), Hz, or 0. */
export function nodeFrequencyHz(): u32 {
  const n = node;
  if (n === null) return 0;
  const config = n.loraConfig;
  return config !== null ? config.frequencyHz : 0;
}
