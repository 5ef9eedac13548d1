// Host binding of the stack API (firmware/exports/stack-api.ts): builds pools, loopback wires,
// identities, address books and Integrity links inside one stack.wasm instance and drives them.
import type { BusDevice } from "../sim/radio-medium.js";
import { type BusImportOptions, createBusImports } from "./bus-imports.js";
import { instantiateStack, instantiateStackBytes, type StackBuild, type StackInstance } from "./load-stack.js";

/** Integrity paranoia levels (firmware/integrity/wire.ts). */
export enum IntegrityLevel {
  Default = 0,
  Crc32c = 1,
  Blake2b = 2,
  SipHash = 3,
  Ed25519 = 4,
}

export const integrityLevelNames: Record<string, IntegrityLevel> = {
  crc32c: IntegrityLevel.Crc32c,
  blake2b: IntegrityLevel.Blake2b,
  siphash: IntegrityLevel.SipHash,
  ed25519: IntegrityLevel.Ed25519,
};

export function integrityLevelName(level: number): string {
  return Object.keys(integrityLevelNames).find((name) => integrityLevelNames[name] === level) ?? `level-${level}`;
}

/** Link push() results (firmware/link/status.ts). */
export enum Status {
  Ok = 0,
  Full = 1,
  TooBig = 2,
  NoBuffer = 3,
  NoKey = 4,
  KeySpent = 5,
  BadArgument = 6,
  /** Availability: no subscriber of the topic or holder of the service is known. */
  NoRoute = 7,
}

/** Names of the Integrity layer's counters, in the order of firmware/integrity/counters.ts. */
export const integrityCounterNames = [
  "sentCrc32c",
  "sentBlake2b",
  "sentSipHash",
  "sentEd25519",
  "acceptedCrc32c",
  "acceptedBlake2b",
  "acceptedSipHash",
  "acceptedEd25519",
  "rejectedCrc32c",
  "rejectedBlake2b",
  "rejectedSipHash",
  "rejectedEd25519",
  "truncated",
  "unknownLevel",
  "unknownKey",
  "spentKey",
] as const;
export type IntegrityCounters = Record<(typeof integrityCounterNames)[number], number>;

/** Names of the loopback wire's counters, in the order of firmware/link/loopback.ts. */
export const loopbackCounterNames = [
  "framesSent",
  "framesDelivered",
  "dropped",
  "duplicated",
  "bitsFlipped",
  "truncated",
  "reordered",
  "receiveOverflow",
] as const;
export type LoopbackCounters = Record<(typeof loopbackCounterNames)[number], number>;

/** Names of the Data Link counters, in the order of radio-drivers/datalink/counters.ts. */
export const dataLinkCounterNames = [
  "packetsSent",
  "packetsReceived",
  "framesSent",
  "framesReceived",
  "bytesSent",
  "bytesReceived",
  "airtimeMicroseconds",
  "channelBusy",
  "dutyCycleWaits",
  "droppedGarbage",
  "droppedRadioError",
  "droppedReassemblyTimeout",
  "droppedReassemblyEvicted",
  "droppedNoBuffer",
  "droppedReceiveQueueFull",
  "duplicateFragments",
] as const;
export type DataLinkCounters = Record<(typeof dataLinkCounterNames)[number], number>;

export enum DatagramKind {
  EspNowV1 = 0,
  EspNowV2 = 1,
  Udp = 2,
}

/** Where a stack instance's datagram links send their frames. */
export interface StackOptions {
  build?: StackBuild;
  /** A stack image to run instead of build/: the WASM bytes a virtual board found in its flash. */
  wasmBytes?: Uint8Array;
  /** ESP-NOW broadcast of one frame; return false when the WiFi driver cannot take it now. */
  onEspNowSend?: (frame: Uint8Array) => boolean;
  /** UDP datagram to the overlay; return false when it cannot be sent now. */
  onUdpSend?: (frame: Uint8Array) => boolean;
  /** Radio chips (or models) on each SPI bus, for LoRa nodes and drivers. */
  busDevices?: Map<number, BusDevice>;
  busOptions?: BusImportOptions;
  /** Further import modules (a board's UART, reboot, …) by module name. */
  extraImports?: Record<string, Record<string, WebAssembly.ImportValue>>;
  /** Bytes the serial console writes to its UART (firmware/serial/uart.ts). */
  onUartWrite?: (bytes: Uint8Array) => void;
  /** The serial console asked the board to restart. */
  onReboot?: () => void;
}

export enum RadioKind {
  Sx1262 = 0,
  Sx1276 = 1,
  EspNowV1 = 2,
  EspNowV2 = 3,
  Udp = 4,
}

/** firmware/node/node-settings.ts NodeError. */
export const nodeErrors: Record<number, string> = {
  [-1]: "bad argument",
  [-2]: "frequency not allowed in the region",
  [-3]: "radio chip did not answer",
  [-4]: "this instance already runs a node",
};

export interface NodeOptions {
  radio: RadioKind;
  identitySeed: Uint8Array;
  bus?: number;
  presetIndex?: number;
  regionIndex?: number;
  /** 0 or undefined: the region's default. */
  frequencyHz?: number;
  txPowerDbm?: number;
  tcxoMillivolts?: number;
  dio2AsRfSwitch?: boolean;
  mcuRfSwitch?: boolean;
  highPowerPa?: boolean;
  poolSize?: number;
  seed?: number;
  /**
   * Runs the Availability layer above Integrity with this strategy (docs/routing.md); without it
   * Integrity is the node's top layer.
   */
  routing?: "flooding" | "nexthop" | "electric";
  /** The last announce sequence this identity sent (a board persists it across reboots). */
  lastAnnounceSequence?: number;
}

/** nodeSetRouting's codes, in the order of firmware/node/node-settings.ts NodeRouting. */
const nodeRoutingCodes = { flooding: 0, nexthop: 1, electric: 2 } as const;

/** Handles of a node's parts inside its instance. */
export interface NodeHandles {
  pool: number;
  dataLink: number;
  integrity: number;
  identity: number;
  addressBook: number;
  /** The Availability link when the node routes, else -1. */
  availability: number;
}

/** Fault probabilities per frame, each 0..1. */
export interface Faults {
  drop?: number;
  duplicate?: number;
  bitFlip?: number;
  truncate?: number;
  reorder?: number;
}

export interface PushOptions {
  /** Protection level; Default (0) lets the link's profile choose. */
  level?: IntegrityLevel;
  /** Address-book entry to key SipHash with. */
  contact?: number;
}

export interface Received {
  payload: Uint8Array;
  /** The level that was verified (0 below the Integrity layer). */
  level: IntegrityLevel;
  /** Address-book entry that authenticated a SipHash frame, or -1. */
  contact: number;
  /** Public key that signed an Ed25519 frame. */
  signer?: Uint8Array;
}

interface StackApiExports {
  ioDataPointer(): number;
  ioDataSize(): number;
  ioArgsPointer(): number;
  packetBufferCapacity(): number;
  heapTop(): number;
  poolCreate(count: number): number;
  poolAvailable(pool: number): number;
  loopbackCreatePair(pool: number, mtu: number, queueLength: number, seed: number): number;
  loopbackSetFaults(
    link: number,
    drop: number,
    duplicate: number,
    bitFlip: number,
    truncate: number,
    reorder: number,
  ): number;
  loopbackCounter(link: number, which: number): number;
  identityCreate(seed: number): number;
  identityPublicKey(identity: number, out: number): number;
  addressBookCreate(capacity: number): number;
  addressBookSet(book: number, index: number, endpoint: number, key: number, reusable: number): number;
  addressBookRemove(book: number, index: number): number;
  addressBookIsSpent(book: number, index: number): number;
  integrityCreate(lower: number, pool: number, identity: number, book: number): number;
  integritySetDefaultLevel(link: number, level: number): number;
  integrityMtuForLevel(link: number, level: number): number;
  integrityCounter(link: number, which: number): number;
  linkMtu(link: number): number;
  linkPush(link: number, pool: number, length: number, level: number, contact: number): number;
  linkPop(link: number, pool: number): number;
  linkPoll(link: number, now: number): number;
  datagramLinkCreate(kind: number, pool: number, maxFrameLength: number, seed: number): number;
  dataLinkReceiveFrame(link: number, length: number): number;
  dataLinkCounter(link: number, which: number): number;
  dataLinkBacklog(link: number): number;
  dataLinkMaxFrameLength(link: number): number;
  nodeCreate(
    radioKind: number,
    bus: number,
    presetIndex: number,
    regionIndex: number,
    frequencyHz: number,
    txPowerDbm: number,
    tcxoMillivolts: number,
    flags: number,
    poolSize: number,
    seed: number,
    identitySeed: number,
  ): number;
  nodeTxPowerDbm(): number;
  nodeFrequencyHz(): number;
  nodeSetRouting(routing: number, lastAnnounceSequence: number): number;
}

function probability(name: string, value: number | undefined): number {
  if (value === undefined) return 0;
  if (!(value >= 0 && value <= 1)) throw new RangeError(`${name}: expected a probability from 0 to 1, got ${value}`);
  return Math.round(value * 65536);
}

function created(what: string, handle: number): number {
  if (handle < 0) throw new Error(`stack: could not create ${what} (bad argument or table full)`);
  return handle;
}

/** One stack.wasm instance and the objects built inside it. */
export class Stack {
  private readonly x: StackApiExports;
  private readonly dataPointer: number;
  private readonly dataSize: number;
  private readonly argsPointer: number;

  private constructor(readonly instance: StackInstance) {
    this.x = instance.exports as unknown as StackApiExports;
    this.dataPointer = this.x.ioDataPointer();
    this.dataSize = this.x.ioDataSize();
    this.argsPointer = this.x.ioArgsPointer();
  }

  static async load(options: StackOptions | StackBuild = {}): Promise<Stack> {
    const settings: StackOptions = typeof options === "string" ? { build: options } : options;
    let instance: StackInstance | undefined;
    const sender = (send: ((frame: Uint8Array) => boolean) | undefined, what: string) => ({
      send(pointer: number, length: number): number {
        if (!send) throw new Error(`${what}: this stack instance has no ${what} transport`);
        return send(instance!.bytes().slice(pointer, pointer + length)) ? 1 : 0;
      },
    });
    const onUartWrite = settings.onUartWrite;
    const bytesAt = (pointer: number, length: number) => instance!.bytes().slice(pointer, pointer + length);
    const imports = {
      espnow: sender(settings.onEspNowSend, "espnow"),
      udp: sender(settings.onUdpSend, "udp"),
      ...(onUartWrite
        ? { uart: { write: (pointer: number, length: number) => onUartWrite(bytesAt(pointer, length)) } }
        : {}),
      ...(settings.onReboot ? { system: { reboot: settings.onReboot } } : {}),
      ...(settings.busDevices
        ? { bus: createBusImports(() => instance!.memory, settings.busDevices, settings.busOptions) }
        : {}),
      ...(settings.extraImports ?? {}),
    };
    instance = settings.wasmBytes
      ? await instantiateStackBytes(settings.wasmBytes, imports)
      : await instantiateStack(settings.build ?? "release", imports);
    return new Stack(instance);
  }

  /** Bytes of linear memory the instance has (whole 64 KiB pages). */
  memoryBytes(): number {
    return this.instance.memory.buffer.byteLength;
  }

  /** Bytes of linear memory in use: static data plus every object allocated so far. */
  heapBytes(): number {
    return this.x.heapTop();
  }

  createPool(count: number): number {
    return created("a packet pool", this.x.poolCreate(count));
  }

  poolAvailable(pool: number): number {
    return this.x.poolAvailable(pool);
  }

  /** Two Data Link ends joined by an in-memory wire. */
  createLoopbackPair(
    pool: number,
    options: { mtu?: number; queueLength?: number; seed?: number } = {},
  ): [number, number] {
    const first = created(
      "a loopback pair",
      this.x.loopbackCreatePair(pool, options.mtu ?? 1280, options.queueLength ?? 16, (options.seed ?? 1) >>> 0),
    );
    return [first, first + 1];
  }

  /** Faults applied to frames sent from `link`. */
  setFaults(link: number, faults: Faults): void {
    const ok = this.x.loopbackSetFaults(
      link,
      probability("drop", faults.drop),
      probability("duplicate", faults.duplicate),
      probability("bitFlip", faults.bitFlip),
      probability("truncate", faults.truncate),
      probability("reorder", faults.reorder),
    );
    if (!ok) throw new Error(`stack: link ${link} is not a loopback link`);
  }

  loopbackCounters(link: number): LoopbackCounters {
    return this.counters(loopbackCounterNames, (i) => this.x.loopbackCounter(link, i), "loopback", link);
  }

  /** An identity from a 32-byte seed; returns its handle and public key. */
  createIdentity(seed: Uint8Array): { handle: number; publicKey: Uint8Array } {
    if (!(seed instanceof Uint8Array) || seed.length !== 32) throw new RangeError("seed: expected 32 bytes");
    this.bytes().set(seed, this.argsPointer);
    const handle = created("an identity", this.x.identityCreate(this.argsPointer));
    this.bytes().fill(0, this.argsPointer, this.argsPointer + 32);
    this.x.identityPublicKey(handle, this.argsPointer);
    return { handle, publicKey: this.bytes().slice(this.argsPointer, this.argsPointer + 32) };
  }

  createAddressBook(capacity: number): number {
    return created("an address book", this.x.addressBookCreate(capacity));
  }

  /** Stores or renews a contact's SipHash key; single-use unless `reusable`. */
  setContact(book: number, index: number, endpoint: Uint8Array, key: Uint8Array, reusable = false): void {
    if (endpoint.length !== 32) throw new RangeError("endpoint: expected a 32-byte public key");
    if (key.length !== 16) throw new RangeError("key: expected 16 bytes");
    this.bytes().set(endpoint, this.argsPointer);
    this.bytes().set(key, this.argsPointer + 32);
    const ok = this.x.addressBookSet(book, index, this.argsPointer, this.argsPointer + 32, reusable ? 1 : 0);
    this.bytes().fill(0, this.argsPointer + 32, this.argsPointer + 48);
    if (!ok) throw new RangeError(`index: no entry ${index} in address book ${book}`);
  }

  removeContact(book: number, index: number): void {
    if (!this.x.addressBookRemove(book, index))
      throw new RangeError(`index: no entry ${index} in address book ${book}`);
  }

  /** true spent, false usable, undefined absent. */
  isContactSpent(book: number, index: number): boolean | undefined {
    const state = this.x.addressBookIsSpent(book, index);
    return state < 0 ? undefined : state === 1;
  }

  createIntegrity(lower: number, pool: number, identity: number | undefined, book: number): number {
    return created("an integrity link", this.x.integrityCreate(lower, pool, identity ?? -1, book));
  }

  setDefaultLevel(link: number, level: IntegrityLevel): void {
    if (!this.x.integritySetDefaultLevel(link, level))
      throw new RangeError(`level: ${level} is not a level of link ${link}`);
  }

  mtu(link: number): number {
    return this.x.linkMtu(link);
  }

  mtuForLevel(link: number, level: IntegrityLevel): number {
    return this.x.integrityMtuForLevel(link, level);
  }

  integrityCounters(link: number): IntegrityCounters {
    return this.counters(integrityCounterNames, (i) => this.x.integrityCounter(link, i), "integrity", link);
  }

  push(link: number, pool: number, payload: Uint8Array, options: PushOptions = {}): Status {
    if (payload.length > this.dataSize) return Status.TooBig;
    this.bytes().set(payload, this.dataPointer);
    return this.x.linkPush(link, pool, payload.length, options.level ?? IntegrityLevel.Default, options.contact ?? -1);
  }

  pop(link: number, pool: number): Received | undefined {
    const length = this.x.linkPop(link, pool);
    if (length < 0) return undefined;
    const memory = this.bytes();
    const meta = this.argsPointer;
    const view = new DataView(memory.buffer, meta, 40);
    const received: Received = {
      payload: memory.slice(this.dataPointer, this.dataPointer + length),
      level: view.getUint8(0),
      contact: view.getInt32(4, true),
    };
    if (view.getUint8(1) === 1) received.signer = memory.slice(meta + 8, meta + 40);
    return received;
  }

  poll(link: number, now: number): number {
    return this.x.linkPoll(link, now);
  }

  /** Builds this instance's node (one per instance, as on a board); throws with the reason if it cannot. */
  createNode(options: NodeOptions): NodeHandles & { publicKey: Uint8Array } {
    if (options.identitySeed.length !== 32) throw new RangeError("identitySeed: expected 32 bytes");
    const flags =
      (options.dio2AsRfSwitch ? 1 : 0) | (options.mcuRfSwitch ? 2 : 0) | ((options.highPowerPa ?? true) ? 4 : 0);
    if (options.routing !== undefined) {
      const code = nodeRoutingCodes[options.routing];
      if (code === undefined) throw new RangeError(`routing: expected flooding, nexthop or electric`);
      const set = this.x.nodeSetRouting(code, (options.lastAnnounceSequence ?? 0) >>> 0);
      if (set !== 0) throw new Error(`node: ${nodeErrors[set] ?? `error ${set}`}`);
    }
    this.bytes().set(options.identitySeed, this.dataPointer);
    const result = this.x.nodeCreate(
      options.radio,
      options.bus ?? 0,
      options.presetIndex ?? 0,
      options.regionIndex ?? 0,
      (options.frequencyHz ?? 0) >>> 0,
      options.txPowerDbm ?? 14,
      options.tcxoMillivolts ?? 0,
      flags,
      options.poolSize ?? 16,
      (options.seed ?? 1) >>> 0,
      this.dataPointer,
    );
    this.bytes().fill(0, this.dataPointer, this.dataPointer + 32);
    if (result !== 0) throw new Error(`node: ${nodeErrors[result] ?? `error ${result}`}`);
    const view = new DataView(this.bytes().buffer, this.argsPointer, 24);
    const handles: NodeHandles = {
      pool: view.getInt32(0, true),
      dataLink: view.getInt32(4, true),
      integrity: view.getInt32(8, true),
      identity: view.getInt32(12, true),
      addressBook: view.getInt32(16, true),
      availability: view.getInt32(20, true),
    };
    this.x.identityPublicKey(handles.identity, this.argsPointer);
    return { ...handles, publicKey: this.bytes().slice(this.argsPointer, this.argsPointer + 32) };
  }

  /** Transmit power after the region's limit (LoRa nodes). */
  nodeTxPowerDbm(): number {
    return this.x.nodeTxPowerDbm();
  }

  /** An ESP-NOW or UDP Data Link; `maxFrameLength` 0 (default) takes the transport's own frame size. */
  createDatagramLink(
    kind: DatagramKind,
    pool: number,
    options: { maxFrameLength?: number; seed?: number } = {},
  ): number {
    return created(
      "a datagram link",
      this.x.datagramLinkCreate(kind, pool, options.maxFrameLength ?? 0, (options.seed ?? 1) >>> 0),
    );
  }

  /** Hands a frame received from the transport to a datagram link. */
  receiveFrame(link: number, frame: Uint8Array): void {
    if (frame.length > this.dataSize) throw new RangeError(`frame: longer than ${this.dataSize} bytes`);
    this.bytes().set(frame, this.dataPointer);
    if (this.x.dataLinkReceiveFrame(link, frame.length) < 0)
      throw new Error(`stack: link ${link} is not a datagram link`);
  }

  dataLinkCounters(link: number): DataLinkCounters {
    return this.counters(dataLinkCounterNames, (i) => this.x.dataLinkCounter(link, i), "data", link);
  }

  /** Packets waiting to be sent on a Data Link, including one in progress. */
  backlog(link: number): number {
    return this.x.dataLinkBacklog(link);
  }

  maxFrameLength(link: number): number {
    return this.x.dataLinkMaxFrameLength(link);
  }

  private bytes(): Uint8Array {
    return this.instance.bytes();
  }

  private counters<Names extends readonly string[]>(
    names: Names,
    read: (index: number) => number,
    kind: string,
    link: number,
  ): Record<Names[number], number> {
    const out = {} as Record<string, number>;
    names.forEach((name, index) => {
      const value = read(index);
      if (value < 0) throw new Error(`stack: link ${link} is not a ${kind} link`);
      out[name] = value;
    });
    return out as Record<Names[number], number>;
  }
}
