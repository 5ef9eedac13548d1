// Where the messages of the settled churn run go (docs/routing.md, "Tried and not kept in the fifth
// session"): the run of `npm run bench -- routing-load --every 3600 --warm 2400 --churn` for one seed,
// with every routed or flooded copy of every message traced on the simulated air. Prints delivery of
// messages between nodes that stay up, bucketed by send time (the half hour before the failure, then
// 0–5, 5–10 and 10+ minutes after it), and for each lost message the fate of its last transmission:
// origin flood (the origin had or had not heard the destination's announce), and for routed copies
// whether the last next hop received it (ok), lost it to a collision (coll), was busy or out of range
// (busy/deaf), or had failed (dead); "toDest" when that next hop was the destination, "+dead" when a
// failed node was asked on the way, "+hops" when the last copy had one hop left.
//
// A diagnostic, not a benchmark: it reads the simulator's frames by their layout
// (firmware/availability/header.ts behind the one-byte Data Link and Integrity prefixes) and patches
// LoRaChannel to see them. Usage: npm run build && node scripts/churn-fates.mjs [--seed N] [--every S]
// [--warm S]
import { parseArgs } from "node:util";
import { failingNodes, routingScenario } from "../dist/host/bench/routing-bench.js";
import { LoRaChannel } from "../dist/host/sim/channel/lora-channel.js";
import { runSimulation } from "../dist/host/sim/simulation.js";
import { randomGeometricTopology } from "../dist/host/sim/topology.js";
import { loadLoRaTables } from "../dist/host/wasm/lora-tables.js";

const { values } = parseArgs({
  options: {
    seed: { type: "string", default: "1" },
    every: { type: "string", default: "3600" },
    warm: { type: "string", default: "2400" },
  },
});
const seed = Number(values.seed);
const everyS = Number(values.every);
const warmS = Number(values.warm);
const durationS = 3600;
for (const [name, value] of [
  ["seed", seed],
  ["every", everyS],
  ["warm", warmS],
]) {
  if (!Number.isInteger(value) || value <= 0) {
    console.error(`churn-fates: --${name} must be a positive integer`);
    process.exit(2);
  }
}

// Offsets in a traced frame: Data Link byte, Integrity level byte, then the Availability header.
const AT = 2;
const TYPE = AT + 0;
const HOP_LIMIT = AT + 1;
const HOP_COUNT = AT + 2;
const PACKET_ID = AT + 3;
const TRANSMITTER = AT + 7;
const NEXT_HOP = AT + 11;
const DESTINATION = AT + 23;
const SOURCE = AT + 39;
const HEADER_END = AT + 55;
const UNICAST = 2;
const ANNOUNCE = 4;
const BEACON = 5;

const hex = (frame, from, to) => Buffer.from(frame.subarray(from, to)).toString("hex");
const u32 = (frame, at) => (frame[at] | (frame[at + 1] << 8) | (frame[at + 2] << 16) | (frame[at + 3] << 24)) >>> 0;

const tables = await loadLoRaTables();
const topology = randomGeometricTopology(200, { seed }, tables);
const failAtS = warmS + durationS / 2;
const failedIds = new Set(failingNodes(topology, seed));
const failed = new Set(topology.nodes.flatMap((node, index) => (failedIds.has(node.id) ? [index] : [])));

const nodeOfShortId = new Map();
const nodeOfAddress = new Map();
const heardAnnounce = new Set();
const messages = new Map();
const finish = LoRaChannel.prototype.finish;
LoRaChannel.prototype.finish = function (transmission) {
  const frame = transmission.frame;
  const nowS = transmission.startMicroseconds / 1e6;
  if (frame[0] === 0 && frame.length > HEADER_END + 1) {
    const sender = transmission.sender.node;
    nodeOfShortId.set(u32(frame, TRANSMITTER), sender);
    const type = frame[TYPE];
    if (type === BEACON) nodeOfAddress.set(hex(frame, SOURCE, SOURCE + 16), sender);
    if (type === ANNOUNCE) {
      const source = hex(frame, SOURCE, SOURCE + 16);
      for (const reception of transmission.receptions)
        if (reception.corruptedAtMicroseconds === Number.POSITIVE_INFINITY)
          heardAnnounce.add(`${reception.state.node}:${source}`);
    }
    if (type === UNICAST && nowS >= warmS) {
      const key = hex(frame, SOURCE, SOURCE + 8) + u32(frame, PACKET_ID);
      const destination = hex(frame, DESTINATION, DESTINATION + 16);
      let message = messages.get(key);
      if (!message) {
        message = { destination, sentS: nowS, source: sender, copies: [] };
        messages.set(key, message);
      }
      message.destinationNode = nodeOfAddress.get(destination);
      const heardBy = (node) => {
        if (node !== undefined && failed.has(node) && nowS >= failAtS) return "dead";
        const reception = transmission.receptions.find((r) => r.state.node === node);
        if (!reception) {
          if (node === undefined) return "?";
          const receivedDbm = transmission.powerDbm - this.linkLossDb(sender, node);
          return receivedDbm >= transmission.decodeThresholdDbm ? "busy" : "deaf";
        }
        return reception.corruptedAtMicroseconds === Number.POSITIVE_INFINITY ? "ok" : "coll";
      };
      if (heardBy(message.destinationNode) === "ok") message.delivered = true;
      const nextHop = u32(frame, NEXT_HOP);
      const nextNode = nextHop === 0 ? undefined : nodeOfShortId.get(nextHop);
      message.copies.push({
        from: sender,
        flood: nextHop === 0,
        nextNode,
        heard: nextHop === 0 ? "-" : heardBy(nextNode),
        hopLimit: frame[HOP_LIMIT],
        hopCount: frame[HOP_COUNT],
      });
    }
  }
  return finish.call(this, transmission);
};

const events = [...failedIds].map((node) => ({ atS: failAtS, kind: "fail", node }));
const result = await runSimulation(
  routingScenario(topology, { strategy: "electric", durationS, warmUpS: warmS, events, seed, everyS }),
);

const bucketOf = (sentS) =>
  sentS < failAtS ? "before" : sentS < failAtS + 300 ? "0-5 min" : sentS < failAtS + 600 ? "5-10 min" : "10+ min";
const buckets = {};
for (const message of messages.values()) {
  if (failed.has(message.source) && message.sentS >= failAtS) continue;
  if (message.destinationNode !== undefined && failed.has(message.destinationNode) && message.sentS >= failAtS - 60)
    continue;
  const name = bucketOf(message.sentS);
  buckets[name] ??= { sent: 0, lost: 0, fates: {} };
  const bucket = buckets[name];
  bucket.sent++;
  if (message.delivered) continue;
  bucket.lost++;
  const first = message.copies[0];
  const last = message.copies[message.copies.length - 1];
  let fate;
  if (first.flood)
    fate = heardAnnounce.has(`${first.from}:${message.destination}`) ? "originFloodKnown" : "originFloodUnknown";
  else {
    fate = last.flood
      ? "endsInFlood"
      : `last:${last.heard}${last.nextNode === message.destinationNode ? ":toDest" : ""}`;
    if (message.copies.some((copy) => copy.heard === "dead")) fate += "+dead";
    if (last.hopLimit <= 1) fate += "+hops";
  }
  bucket.fates[fate] = (bucket.fates[fate] ?? 0) + 1;
}
console.log(`seed ${seed}: delivered ${(100 * result.messages.deliveryRatio).toFixed(1)} % of all messages`);
console.log(JSON.stringify(buckets));
