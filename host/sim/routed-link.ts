// A simulated node's Availability link for one routing strategy: created over its Integrity link,
// addressed by its endpoint address, read with the routed header (for the hop count).
import { Availability, type AvailabilityLinkOptions, type RoutingStrategyName } from "../wasm/availability.js";
import { IntegrityLevel, type NodeHandles, type Stack } from "../wasm/stack.js";
import type { Delivery } from "./sim-node.js";

/** Strategies the Availability link implements (scenario `routing` other than "none"). */
export type LinkStrategy = RoutingStrategyName;

/** The stack cannot create a link of this strategy (createLink refused it with a RangeError). */
export class StrategyNotBuiltError extends RangeError {
  override name = "StrategyNotBuiltError";
}

export interface RoutedEndpoint {
  availability: Availability;
  address: Uint8Array;
  link: number;
}

export interface RoutedLinkOptions {
  strategy: LinkStrategy;
  hopLimit: number;
  seed: number;
  /** Nodes in the scenario: the routing tables hold every one of them. */
  nodeCount?: number;
  /** Time on air of a 255-byte frame (µs) on the scenario's radio; ESP-NOW and UDP give none. */
  fullFrameAirtimeUs?: number;
}

/**
 * How simulated nodes route (docs/simulator.md, "Routing settings"). Every strategy cancels a pending
 * relay on hearing one other relay (Meshtastic's rule). Flooding relays within two full frames; the
 * routed strategies flood only announces and fallbacks, within eight frames, so the first node that
 * puts a fallback flood back on a routed path is heard by the others before they act (announces wait
 * longer still: availability-link.ts). Acknowledgements are awaited for twenty frames (queues and
 * listen-before-talk back-off under load). Announces every three hours — Meshtastic's default
 * NodeInfo interval — with the first ones spread over up to ten minutes; beacons every five minutes
 * holding 24 potentials (with the heard-neighbour filter, one 255-byte frame at BLAKE2b). Measured on
 * the routing benchmark (docs/routing.md, "Measured"): hourly announces and two-minute beacons took
 * over half of a 200-node mesh's airtime.
 */
/** Full frames a routed copy waits for its acknowledgement: queues and duty-cycle waits under load. */
const ACK_TIMEOUT_FRAMES = 20;
/** Full frames over which relays are spread: flooding, and the routed strategies' fallback floods. */
const FLOOD_RELAY_WINDOW_FRAMES = 2;
const FALLBACK_RELAY_WINDOW_FRAMES = 8;
const ANNOUNCE_INTERVAL_MS = 3 * 3_600_000;
const BEACON_INTERVAL_MS = 300_000;

export function simulatedLinkOptions(options: RoutedLinkOptions): AvailabilityLinkOptions {
  const frameUs = options.fullFrameAirtimeUs ?? 5_000;
  const nodes = options.nodeCount ?? 64;
  const routed = options.strategy !== "flooding";
  return {
    hopLimit: options.hopLimit,
    seed: options.seed,
    strategy: options.strategy,
    ringCapacity: 256,
    relayTableCapacity: 16,
    relayWindowMs: Math.max(
      50,
      Math.round(((routed ? FALLBACK_RELAY_WINDOW_FRAMES : FLOOD_RELAY_WINDOW_FRAMES) * frameUs) / 1000),
    ),
    cancelThreshold: 1,
    destinationCapacity: Math.min(1024, nodes + 16),
    neighbourCapacity: 32,
    announceIntervalMs: ANNOUNCE_INTERVAL_MS,
    firstAnnounceWithinMs: Math.min(600_000, Math.max(30_000, nodes * 3_000)),
    beaconIntervalMs: BEACON_INTERVAL_MS,
    beaconEntries: 24,
    ackTimeoutMs: Math.max(500, Math.round((ACK_TIMEOUT_FRAMES * frameUs) / 1000)),
    airtimeUsPerByte: Math.max(1, Math.round(frameUs / 255)),
  };
}

/**
 * Builds the node's Availability link. A strategy the stack does not build makes createLink throw a
 * RangeError (the binding's contract); it comes out as a StrategyNotBuiltError, so the routing
 * benchmark can say "not built" instead of inventing numbers.
 */
export function createRoutedLink(
  stack: Stack,
  handles: NodeHandles & { publicKey: Uint8Array },
  options: RoutedLinkOptions,
): RoutedEndpoint {
  const availability = new Availability(stack);
  const address = availability.address(handles.publicKey);
  const linkOptions: AvailabilityLinkOptions = {
    ...simulatedLinkOptions(options),
    // Next-hop and electric routing sign the node's announces with it; flooding ignores it.
    identity: handles.identity,
  };
  let link: number;
  try {
    link = availability.createLink(handles.integrity, handles.pool, address, linkOptions);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new StrategyNotBuiltError(`${options.strategy} routing: ${error.message}`);
  }
  return { availability, address, link };
}

/** Reads the next packet for the node off its routed link, keeping the hop count it took. */
export function popRoutedDelivery(endpoint: RoutedEndpoint, pool: number): Delivery | undefined {
  const packet = endpoint.availability.popRouted(endpoint.link, pool);
  if (packet === undefined) return undefined;
  // The routed pop does not report the Integrity level; the simulator only reads payload and hops.
  return { payload: packet.payload, level: IntegrityLevel.Default, contact: -1, hopCount: packet.hopCount };
}
