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
    hopLimit: options.hopLimit,
    seed: options.seed,
    strategy: options.strategy,
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
