// What the routing benchmark's traffic asks of the channel before any protocol overhead: every
// message sent once per hop along a shortest path (fewest reliable links; flow split evenly over
// equally short next hops), no announces, beacons, acknowledgements or collisions. A node's channel
// carries its own transmissions and those of every node it can hear; in Erlang (1 = busy all the
// time). Where the busiest channel needs ≥ 1, no hop-by-hop routing can deliver all the traffic
// along shortest paths, and ALOHA-style LoRa (listen-before-talk cannot see hidden nodes) loses
// frames well below that (Gupta & Kumar, "The capacity of wireless networks", 2000: per-node
// throughput falls as 1/√(n log n)).
import { hopDistances } from "../sim/connectivity.js";

export interface ChannelLoad {
  /** Offered load on the busiest node's channel, and the median node's, in Erlang. */
  busiestErlang: number;
  medianErlang: number;
  /** The largest share of time one node would transmit (its duty cycle) on shortest paths. */
  busiestTransmitShare: number;
  /** Mean shortest-path hops between ordered pairs of nodes. */
  meanHops: number;
}

/**
 * `reliable` routes, `audible` says who hears whom (both undirected neighbour lists); every node sends
 * `messagesPerSecond` to uniformly random other nodes, each hop taking `frameAirtimeS` on air.
 */
export function shortestPathChannelLoad(
  reliable: number[][],
  audible: number[][],
  messagesPerSecond: number,
  frameAirtimeS: number,
): ChannelLoad {
  const n = reliable.length;
  // Transmissions per second each node makes, summed over every destination's shortest-path tree.
  const transmissions = new Float64Array(n);
  let hopSum = 0;
  let pairs = 0;
  for (let destination = 0; destination < n; destination++) {
    const distance = hopDistances(reliable, destination);
    // Farthest first, so a node's flow is complete before it is passed on towards the destination.
    const order = [...distance.keys()].filter((v) => distance[v] > 0).sort((a, b) => distance[b] - distance[a]);
    const flow = new Float64Array(n);
    for (const node of order) {
      flow[node] += messagesPerSecond / (n - 1);
      transmissions[node] += flow[node];
      hopSum += distance[node];
      pairs++;
      const closer = reliable[node].filter((next) => distance[next] === distance[node] - 1);
      for (const next of closer) flow[next] += flow[node] / closer.length;
    }
  }
  const load = audible.map(
    (heard, node) =>
      (transmissions[node] + heard.reduce((sum, other) => sum + transmissions[other], 0)) * frameAirtimeS,
  );
  const sorted = [...load].sort((a, b) => a - b);
  return {
    busiestErlang: sorted[n - 1] ?? 0,
    medianErlang: sorted[Math.floor(n / 2)] ?? 0,
    busiestTransmitShare: Math.max(0, ...transmissions) * frameAirtimeS,
    meanHops: pairs > 0 ? hopSum / pairs : 0,
  };
}
