// Runs a scenario: one stack.wasm instance per node, each with a chip model (SX1262/SX1276) on a
// shared LoRa channel, or an ESP-NOW station, all driven by one discrete-event engine. Everything is
// derived from the scenario's seed, so a run is reproducible.
import { blake2b } from "@noble/hashes/blake2.js";
import type { AvailabilityLinkCounters } from "../wasm/availability.js";
import type { StackBuild } from "../wasm/load-stack.js";
import { type LoRaTables, loadLoRaTables } from "../wasm/lora-tables.js";
import { integrityLevelNames, type NodeHandles, RadioKind, Stack, Status } from "../wasm/stack.js";
import { presetTimeOnAirMicroseconds } from "./channel/airtime.js";
import { EspNowChannel } from "./channel/espnow-channel.js";
import { LoRaChannel } from "./channel/lora-channel.js";
import { Sx1262Model } from "./chips/sx1262-model.js";
import { Sx1276Model } from "./chips/sx1276-model.js";
import { scenarioLinkBudget } from "./connectivity.js";
import { SimulationEngine } from "./engine.js";
import { airtimePerDeliveredMs, busiestNode, deliveryWindows, hopSummary } from "./metrics.js";
import { NodeEvents } from "./node-events.js";
import { DeterministicRandom } from "./random.js";
import { type NodeResult, percentile, type RoutingSummary, type SimulationResult } from "./result.js";
import { createRoutedLink, popRoutedDelivery, type RoutedEndpoint } from "./routed-link.js";
import { RANDOM_DESTINATION, type Scenario, type ScenarioTraffic } from "./scenario.js";
import { type Delivery, SimNode } from "./sim-node.js";

export interface SimulationOptions {
  /** Called as simulated time advances: fraction done and simulated seconds. */
  onProgress?: (fraction: number, simulatedSeconds: number) => void;
  build?: StackBuild;
}

/** The simulator's application message header: id (u32), from (u16), to (u16), sent-at ms (u32). */
const MESSAGE_HEADER_BYTES = 12;
/** The message header's `to` for a multicast message (its records name each subscriber). */
const TO_TOPIC = 0xffff;
/** The message header's `to` for an anycast message (any holder of the service delivers it). */
const TO_SERVICE = 0xfffe;

/** A topic's 16-byte id: BLAKE2b-128 of its name (the simulator's convention; the layer takes any id). */
export function topicId(name: string): Uint8Array {
  return blake2b(new TextEncoder().encode(`meshstack topic ${name}`), { dkLen: 16 });
}
/** Width of the windows of the churn measure (connected-pair delivery over time). */
const DELIVERY_WINDOW_S = 60;
/** TCXO supply of the simulated SX1262 boards (Heltec V3-like: DIO3 TCXO at 1.8 V, DIO2 RF switch). */
const SIMULATED_TCXO_MILLIVOLTS = 1800;

interface MessageRecord {
  from: number;
  to: number;
  sentAtMicroseconds: number;
  deliveredAtMicroseconds?: number;
  /** Hops it took to arrive (1 without routing). */
  hops?: number;
  /** Its destination was powered off when it was sent. */
  toPoweredOff: boolean;
  /** Both endpoints powered and connected by reliable links when sent (tracked with node events). */
  connected?: boolean;
  /** Anycast: the service whose holders may deliver it (`to` becomes the one that did). */
  service?: string;
}

function derivedBytes(seed: number, label: string, length: number): Uint8Array {
  return blake2b(new TextEncoder().encode(`meshstack sim ${seed} ${label}`), { dkLen: length });
}

export async function runSimulation(scenario: Scenario, options: SimulationOptions = {}): Promise<SimulationResult> {
  const wallStart = performance.now();
  const tables = await loadLoRaTables();
  const engine = new SimulationEngine();
  const random = new DeterministicRandom(scenario.seed);
  const messages: MessageRecord[] = [];
  const overheard = new Map<number, number>();
  const sentBy = new Array<number>(scenario.nodes.length).fill(0);
  const deliveredTo = new Array<number>(scenario.nodes.length).fill(0);
  const refused = new Map<string, number>();
  let notSentSenderOff = 0;

  const onReceive = (node: SimNode, received: Delivery) => {
    if (received.payload.length < MESSAGE_HEADER_BYTES) return;
    const view = new DataView(received.payload.buffer, received.payload.byteOffset, MESSAGE_HEADER_BYTES);
    const id = view.getUint32(0, true);
    const to = view.getUint16(6, true);
    let message: MessageRecord | undefined = messages[id];
    if (to === TO_TOPIC) {
      // A multicast's records follow its first one, one per subscriber.
      const records = multicastRecords.get(id) ?? [];
      const own = records.find((r) => messages[r].to === node.index);
      message = own === undefined ? undefined : messages[own];
    } else if (to === TO_SERVICE) {
      if (message !== undefined && !holders.get(message.service ?? "")?.includes(node.index)) message = undefined;
      if (message !== undefined && message.deliveredAtMicroseconds === undefined) message.to = node.index;
    } else if (to !== node.index) {
      message = undefined;
    }
    if (message === undefined) {
      overheard.set(node.index, (overheard.get(node.index) ?? 0) + 1);
      return;
    }
    if (message.deliveredAtMicroseconds === undefined) {
      message.deliveredAtMicroseconds = engine.now();
      message.hops = received.hopCount ?? 1;
      deliveredTo[node.index]++;
    }
  };

  const { nodes, loraChannel, espNowChannel, endpoints } = await buildNodes(
    scenario,
    tables,
    engine,
    onReceive,
    options.build,
  );
  setUpSipHashContacts(scenario, nodes);
  const { holders, serviceAddresses } = setUpGroups(scenario, nodes, endpoints);
  const multicastRecords = new Map<number, number[]>();
  const radio = scenario.radio;
  const trackConnectivity = radio.kind === "lora" && scenario.events.length > 0;
  const nodeEvents = new NodeEvents(
    scenario.events,
    nodes,
    loraChannel,
    trackConnectivity && radio.kind === "lora" ? scenarioLinkBudget(radio, tables) : undefined,
  );
  nodeEvents.start(engine);

  // Application traffic: each flow sends on its own period from its own start.
  const indexOf = new Map(scenario.nodes.map((n, i) => [n.id, i]));
  const durationMicroseconds = scenario.durationS * 1e6;
  for (const flow of scenario.traffic) {
    const from = nodes[indexOf.get(flow.from)!];
    const fixedTo = flow.to === RANDOM_DESTINATION || flow.to === "" ? -1 : indexOf.get(flow.to)!;
    // Only random flows draw from the run's stream for it, so fixed flows keep the draws they had.
    const destinationRandom = flow.to === RANDOM_DESTINATION ? new DeterministicRandom(random.nextU32()) : undefined;
    const level = integrityLevelNames[flow.integrity];
    const contact = flow.integrity === "siphash" ? contactIndex(scenario, flow) : -1;
    const fillerRandom = new DeterministicRandom(random.nextU32());
    const filler = Uint8Array.from({ length: flow.bytes }, () => fillerRandom.nextU32() & 0xff);
    const scheduleNext = () => {
      const next = engine.now() + flow.everyS * 1e6;
      if (next < durationMicroseconds) engine.schedule(next, send);
    };
    const send = () => {
      // Drawn even when the sender is off, so a failure does not shift the flow's later destinations.
      const drawn = destinationRandom?.integerBelow(nodes.length - 1) ?? 0;
      const to = fixedTo >= 0 ? fixedTo : drawn >= from.index ? drawn + 1 : drawn;
      if (!from.isPowered) {
        notSentSenderOff++;
        scheduleNext();
        return;
      }
      const id = messages.length;
      const payload = filler.slice();
      const view = new DataView(payload.buffer);
      view.setUint32(0, id, true);
      view.setUint16(4, from.index, true);
      view.setUint16(6, flow.topic ? TO_TOPIC : flow.service ? TO_SERVICE : to, true);
      view.setUint32(8, Math.floor(engine.now() / 1000) >>> 0, true);
      const endpoint = endpoints[from.index];
      const pool = from.handles.pool;
      let status: Status;
      if (!endpoint) {
        // Without routing every message is one broadcast hop; the receivers pick theirs out.
        status = from.stack.push(from.handles.integrity, pool, payload, { level, contact });
      } else if (flow.topic) {
        status = endpoint.availability.pushToTopic(endpoint.link, pool, payload, topicId(flow.topic), { level });
      } else if (flow.service) {
        const service = serviceAddresses.get(flow.service) as Uint8Array;
        status = endpoint.availability.pushToService(endpoint.link, pool, payload, service, { level });
      } else {
        status = endpoint.availability.pushTo(endpoint.link, pool, payload, endpoints[to]!.address, { level, contact });
      }
      // One record per recipient the message is meant for: each subscriber of a topic (the sender
      // excepted), the one node of a unicast, any one holder of a service (the first holder stands in
      // for connectivity until one delivers it).
      const recipients = flow.topic
        ? nodes
            .filter((n) => n.index !== from.index && scenario.nodes[n.index].subscribe?.includes(flow.topic as string))
            .map((n) => n.index)
        : flow.service
          ? [(holders.get(flow.service) ?? []).find((h) => h !== from.index) ?? from.index]
          : [to];
      const records: number[] = [];
      for (const recipient of recipients) {
        records.push(messages.length);
        messages.push({
          from: from.index,
          to: recipient,
          sentAtMicroseconds: engine.now(),
          toPoweredOff: !nodeEvents.isPowered(recipient),
          connected: nodeEvents.connected(from.index, recipient),
          ...(flow.service ? { service: flow.service } : {}),
        });
      }
      if (flow.topic) multicastRecords.set(id, records);
      sentBy[from.index]++;
      if (status !== Status.Ok) {
        const reason = `refused${Status[status]}`;
        refused.set(reason, (refused.get(reason) ?? 0) + 1);
      }
      from.requestWake();
      scheduleNext();
    };
    const start = flow.startS !== undefined ? flow.startS : random.uniform() * flow.everyS;
    engine.schedule(start * 1e6, send);
  }
  for (const node of nodes) node.requestWake();

  engine.runUntil(durationMicroseconds, (now, end) => options.onProgress?.(now / end, now / 1e6));
  options.onProgress?.(1, scenario.durationS);

  return collectResult(scenario, {
    nodes,
    messages,
    sentBy,
    deliveredTo,
    refused,
    notSentSenderOff,
    loraChannel,
    espNowChannel,
    wallStart,
    endpoints,
    trackConnectivity,
  });
}

/**
 * The node's top link: its Integrity link without routing, else an Availability link of the scenario's
 * strategy (endpoints[i] is then node i's). A strategy the stack does not build throws a RangeError.
 */
function topLinkFor(
  scenario: Scenario,
  stack: Stack,
  handles: NodeHandles & { publicKey: Uint8Array },
  seed: number,
  endpoints: Array<RoutedEndpoint | undefined>,
  frameAirtimeUs: number | undefined,
): { link: number; popTop?: () => Delivery | undefined } {
  if (scenario.routing === "none") {
    endpoints.push(undefined);
    return { link: handles.integrity };
  }
  const endpoint = createRoutedLink(stack, handles, {
    strategy: scenario.routing,
    hopLimit: scenario.hopLimit,
    seed,
    nodeCount: scenario.nodes.length,
    fullFrameAirtimeUs: frameAirtimeUs,
  });
  endpoints.push(endpoint);
  return { link: endpoint.link, popTop: () => popRoutedDelivery(endpoint, handles.pool) };
}

/** Routed nodes hold relay copies and copies awaiting acknowledgement on top of their queues. */
const ROUTED_POOL_SIZE = 32;

/** Time on air of a 255-byte LoRa frame with the preset (the routing timings scale with it). */
function fullFrameAirtimeUs(preset: LoRaTables["presets"][number] | undefined): number | undefined {
  return preset ? presetTimeOnAirMicroseconds(preset, 255) : undefined;
}

async function buildNodes(
  scenario: Scenario,
  tables: LoRaTables,
  engine: SimulationEngine,
  onReceive: (node: SimNode, received: Delivery) => void,
  build: StackBuild | undefined,
) {
  const nodes: SimNode[] = [];
  const endpoints: Array<RoutedEndpoint | undefined> = [];
  let loraChannel: LoRaChannel | undefined;
  let espNowChannel: EspNowChannel | undefined;
  let frameAirtimeUs: number | undefined;
  const radio = scenario.radio;
  if (radio.kind === "lora") {
    loraChannel = new LoRaChannel({
      environment: radio.environment,
      seed: scenario.seed,
      engine,
      shadowingSigmaDb: radio.shadowingSigmaDb,
    });
    const presetIndex = tables.presets.findIndex((p) => p.name === radio.preset);
    frameAirtimeUs = fullFrameAirtimeUs(tables.presets[presetIndex]);
    const regionIndex = tables.regions.findIndex((r) => r.name === radio.region);
    for (const [index, spec] of scenario.nodes.entries()) {
      const position = { xMetres: spec.x, yMetres: spec.y };
      const sx1262 = spec.chip === "sx1262";
      const model = sx1262
        ? new Sx1262Model(loraChannel, { nodeIndex: index, boardTcxoMillivolts: SIMULATED_TCXO_MILLIVOLTS })
        : new Sx1276Model(loraChannel, index);
      loraChannel.attach(model, position);
      const stack = await Stack.load({ build, busDevices: new Map([[0, model]]) });
      const handles = stack.createNode({
        radio: sx1262 ? RadioKind.Sx1262 : RadioKind.Sx1276,
        identitySeed: derivedBytes(scenario.seed, `identity ${spec.id}`, 32),
        presetIndex,
        regionIndex,
        frequencyHz: radio.frequencyHz,
        txPowerDbm: radio.txPowerDbm,
        tcxoMillivolts: sx1262 ? SIMULATED_TCXO_MILLIVOLTS : 0,
        dio2AsRfSwitch: sx1262,
        seed: new DataView(derivedBytes(scenario.seed, `seed ${spec.id}`, 4).buffer).getUint32(0, true),
        poolSize: scenario.routing === "none" ? undefined : ROUTED_POOL_SIZE,
      });
      const seed = new DataView(derivedBytes(scenario.seed, `relay ${spec.id}`, 4).buffer).getUint32(0, true);
      const top = topLinkFor(scenario, stack, handles, seed, endpoints, frameAirtimeUs);
      const node = new SimNode(
        index,
        spec.id,
        stack,
        handles,
        handles.publicKey,
        loraChannel,
        onReceive,
        top.link,
        top.popTop,
      );
      model.onInterrupt = () => node.requestWake();
      nodes.push(node);
    }
  } else {
    const channel = new EspNowChannel({
      seed: scenario.seed,
      engine,
      maximumPayloadBytes: radio.version === 2 ? 1470 : 250,
    });
    espNowChannel = channel;
    for (const [index, spec] of scenario.nodes.entries()) {
      let node: SimNode | undefined;
      const stack = await Stack.load({
        build,
        onEspNowSend: (frame) => {
          channel.send(index, frame);
          return true;
        },
      });
      const handles = stack.createNode({
        radio: radio.version === 2 ? RadioKind.EspNowV2 : RadioKind.EspNowV1,
        identitySeed: derivedBytes(scenario.seed, `identity ${spec.id}`, 32),
        seed: new DataView(derivedBytes(scenario.seed, `seed ${spec.id}`, 4).buffer).getUint32(0, true),
      });
      channel.attach(
        {
          nodeIndex: index,
          receive: (frame) => {
            if (!node!.isPowered) return;
            stack.receiveFrame(handles.dataLink, frame);
            node!.requestWake();
          },
        },
        { xMetres: spec.x, yMetres: spec.y },
      );
      const seed = new DataView(derivedBytes(scenario.seed, `relay ${spec.id}`, 4).buffer).getUint32(0, true);
      const top = topLinkFor(scenario, stack, handles, seed, endpoints, frameAirtimeUs);
      node = new SimNode(index, spec.id, stack, handles, handles.publicKey, engine, onReceive, top.link, top.popTop);
      nodes.push(node);
    }
  }
  return { nodes, loraChannel, espNowChannel, endpoints };
}

function relayCounters(c: AvailabilityLinkCounters): NonNullable<NodeResult["relays"]> {
  return {
    scheduled: c.relaysScheduled,
    sent: c.relaysSent,
    cancelled: c.relaysCancelled,
    duplicates: c.duplicates,
    hopLimitReached: c.hopLimitReached,
  };
}

/**
 * Subscribes nodes to their topics and gives the holders of each service its key pair (derived from
 * the scenario's seed and the service's name, so every holder holds the same key). Returns, per
 * service, its holders and its address.
 */
function setUpGroups(
  scenario: Scenario,
  nodes: SimNode[],
  endpoints: Array<RoutedEndpoint | undefined>,
): { holders: Map<string, number[]>; serviceAddresses: Map<string, Uint8Array> } {
  const holders = new Map<string, number[]>();
  const serviceAddresses = new Map<string, Uint8Array>();
  for (const [index, spec] of scenario.nodes.entries()) {
    const endpoint = endpoints[index];
    for (const name of spec.subscribe ?? []) endpoint?.availability.subscribe(endpoint.link, topicId(name));
    for (const name of spec.services ?? []) {
      holders.set(name, [...(holders.get(name) ?? []), index]);
      const key = nodes[index].stack.createIdentity(derivedBytes(scenario.seed, `service ${name}`, 32));
      if (endpoint) {
        endpoint.availability.offerService(endpoint.link, key.handle);
        serviceAddresses.set(name, endpoint.availability.address(key.publicKey));
      }
    }
  }
  return { holders, serviceAddresses };
}

/** Address-book entry used for a SipHash flow: entry k on both sides for the k-th such pair. */
function contactIndex(scenario: Scenario, flow: ScenarioTraffic): number {
  const pairs = sipHashPairs(scenario);
  return pairs.findIndex(([a, b]) => (a === flow.from && b === flow.to) || (a === flow.to && b === flow.from));
}

function sipHashPairs(scenario: Scenario): [string, string][] {
  const pairs: [string, string][] = [];
  for (const flow of scenario.traffic) {
    if (flow.integrity !== "siphash") continue;
    const known = pairs.some(([a, b]) => (a === flow.from && b === flow.to) || (a === flow.to && b === flow.from));
    if (!known) pairs.push([flow.from, flow.to]);
  }
  return pairs;
}

/**
 * Gives every SipHash pair a shared key on both sides. The entries are made reusable on purpose: the
 * simulated application sends many messages per pair and does not run a key-renewal protocol.
 */
function setUpSipHashContacts(scenario: Scenario, nodes: SimNode[]): void {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  sipHashPairs(scenario).forEach(([a, b], entry) => {
    const key = derivedBytes(scenario.seed, `siphash ${a} ${b}`, 16);
    const nodeA = byId.get(a)!;
    const nodeB = byId.get(b)!;
    nodeA.stack.setContact(nodeA.handles.addressBook, entry, nodeB.publicKey, key, true);
    nodeB.stack.setContact(nodeB.handles.addressBook, entry, nodeA.publicKey, key, true);
  });
}

/** What a finished run hands to collectResult. */
interface RunRecord {
  nodes: SimNode[];
  messages: MessageRecord[];
  sentBy: number[];
  deliveredTo: number[];
  refused: Map<string, number>;
  notSentSenderOff: number;
  loraChannel: LoRaChannel | undefined;
  espNowChannel: EspNowChannel | undefined;
  wallStart: number;
  endpoints: Array<RoutedEndpoint | undefined>;
  trackConnectivity: boolean;
}

/** Link counters that mean "no route", and those that mean "gave up on the packet". */
const UNROUTABLE_COUNTER = /^(unroutable|noRoute)/;
const DROPPED_COUNTER = /^(dropped|hopLimitReached|relayTableFull|relayNoBuffer|relayRefused)/;

function routingSummary(scenario: Scenario, linkCounters: AvailabilityLinkCounters[]): RoutingSummary {
  const counters: Record<string, number> = {};
  for (const node of linkCounters) {
    for (const [name, value] of Object.entries(node)) counters[name] = (counters[name] ?? 0) + value;
  }
  const sum = (pattern: RegExp) =>
    Object.entries(counters)
      .filter(([name]) => pattern.test(name))
      .reduce((total, [, value]) => total + value, 0);
  return {
    strategy: scenario.routing,
    hopLimit: scenario.hopLimit,
    unroutable: sum(UNROUTABLE_COUNTER),
    dropped: sum(DROPPED_COUNTER),
    counters,
  };
}

const ROUTING_NOTES: Record<Scenario["routing"], string> = {
  none: "no routing (Availability layer off): a message counts as delivered only when its destination heard the sender directly; nothing is relayed.",
  flooding: "routing: managed flooding (Availability layer)",
  nexthop: "routing: learned next-hop routes (Availability layer)",
  electric: "routing: electric routing (Availability layer)",
};

function collectResult(scenario: Scenario, run: RunRecord): SimulationResult {
  const { nodes, messages, loraChannel, espNowChannel, endpoints } = run;
  const drops: Record<string, number> = Object.fromEntries(run.refused);
  const linkCounters: AvailabilityLinkCounters[] = [];
  const nodeResults: NodeResult[] = nodes.map((node) => {
    const link = node.stack.dataLinkCounters(node.handles.dataLink);
    const integrity = node.stack.integrityCounters(node.handles.integrity);
    const nodeDrops: Record<string, number> = {};
    for (const [name, value] of Object.entries({ ...link, ...integrity })) {
      const isDrop =
        name.startsWith("dropped") ||
        name.startsWith("rejected") ||
        ["truncated", "unknownLevel", "unknownKey", "spentKey"].includes(name);
      if (isDrop && value > 0) {
        nodeDrops[name] = value;
        drops[name] = (drops[name] ?? 0) + value;
      }
    }
    const endpoint = endpoints[node.index];
    const routed = endpoint ? endpoint.availability.linkCounters(endpoint.link) : undefined;
    if (routed) linkCounters.push(routed);
    return {
      id: node.id,
      airtimeMs: link.airtimeMicroseconds / 1000,
      dutyCyclePercent: (link.airtimeMicroseconds / (scenario.durationS * 1e6)) * 100,
      framesSent: link.framesSent,
      framesReceived: link.framesReceived,
      messagesSent: run.sentBy[node.index],
      messagesDelivered: run.deliveredTo[node.index],
      ...(routed ? { relays: relayCounters(routed), availability: routed } : {}),
      channelBusy: link.channelBusy,
      dutyCycleWaits: link.dutyCycleWaits,
      drops: nodeDrops,
    };
  });
  const deliveredMessages = messages.filter((m) => m.deliveredAtMicroseconds !== undefined);
  const latencies = deliveredMessages
    .map((m) => (m.deliveredAtMicroseconds! - m.sentAtMicroseconds) / 1000)
    .sort((a, b) => a - b);
  const delivered = latencies.length;
  const toPoweredOffNode = messages.filter((m) => m.toPoweredOff).length;
  const addressedToPowered = messages.length - toPoweredOffNode;
  let frames: SimulationResult["frames"];
  if (loraChannel) {
    const total = loraChannel.totalStatistics();
    frames = {
      sent: total.framesSent,
      received: total.framesReceived,
      collided: total.lostToCollision,
      nearMisses: total.lostBelowSensitivity,
      halfDuplex: total.lostToHalfDuplex,
      stoppedListening: total.lostStoppedListening,
    };
  } else {
    const total = espNowChannel!.totalStatistics();
    frames = {
      sent: total.framesSent,
      received: total.framesReceived,
      collided: total.lostToCollision,
      nearMisses: 0,
      lostRandomly: total.lostRandomly,
      halfDuplex: total.lostToHalfDuplex,
    };
  }
  const radio = scenario.radio;
  const airtimeMs = nodeResults.reduce((sum, n) => sum + n.airtimeMs, 0);
  const routing = scenario.routing === "none" ? undefined : routingSummary(scenario, linkCounters);
  const notes = [
    scenario.routing === "none"
      ? ROUTING_NOTES.none
      : `${ROUTING_NOTES[scenario.routing]}, hop limit ${scenario.hopLimit}.`,
  ];
  if (scenario.events.length > 0) {
    notes.push(
      `${scenario.events.length} node event(s); messages to a powered-off node (${toPoweredOffNode}) are not counted in the delivery ratio.`,
    );
  }
  return {
    seed: scenario.seed,
    durationS: scenario.durationS,
    radio:
      radio.kind === "lora"
        ? `LoRa ${radio.preset} ${radio.region} ${radio.txPowerDbm} dBm, ${radio.environment} environment`
        : `ESP-NOW v${radio.version}`,
    nodeCount: nodes.length,
    messages: {
      sent: messages.length,
      delivered,
      deliveryRatio: addressedToPowered > 0 ? delivered / addressedToPowered : 0,
      latencyMs: { median: percentile(latencies, 0.5), p95: percentile(latencies, 0.95) },
      toPoweredOffNode,
      notSentSenderOff: run.notSentSenderOff,
      hops: hopSummary(deliveredMessages.map((m) => m.hops ?? 1)),
    },
    airtimeMs,
    airtimePerDeliveredMs: airtimePerDeliveredMs(airtimeMs, delivered),
    busiestNode: busiestNode(nodeResults, scenario.durationS * 1000),
    ...(routing ? { routing } : {}),
    ...(run.trackConnectivity
      ? {
          connectedDelivery: {
            windowS: DELIVERY_WINDOW_S,
            windows: deliveryWindows(
              messages.map((m) => ({
                sentAtS: m.sentAtMicroseconds / 1e6,
                connected: m.connected === true,
                delivered: m.deliveredAtMicroseconds !== undefined,
              })),
              DELIVERY_WINDOW_S,
              scenario.durationS,
            ),
          },
        }
      : {}),
    frames,
    drops,
    nodes: nodeResults,
    notes,
    wallSeconds: (performance.now() - run.wallStart) / 1000,
  };
}
