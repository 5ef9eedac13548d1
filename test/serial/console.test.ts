import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fingerprint } from "../../host/identity/fingerprint.js";
import { BoardClient, BoardError } from "../../host/serial/board-client.js";
import { encodeFrame, FrameStreamDecoder, type StreamItem } from "../../host/serial/frame-codec.js";
import { decodeMessage, ErrorCode, type Message, type Received } from "../../host/serial/messages.js";
import { WasmConsole } from "../../host/serial/wasm-console.js";
import { Sx1262Model } from "../../host/sim/chips/sx1262-model.js";
import { LoopbackTestMedium } from "../../host/sim/chips/test-medium.js";
import { IntegrityLevel, RadioKind, Stack, Status } from "../../host/wasm/stack.js";
import { SeededRandom } from "../support/seeded-random.js";
import { type ConsoleBoard, consoleBoard, seedFor } from "./console-board.js";

const text = (s: string) => new TextEncoder().encode(s);
const packageVersion = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).version;

function items(bytes: Uint8Array): StreamItem[] {
  const decoder = new FrameStreamDecoder();
  return [...decoder.push(bytes), ...decoder.flush()];
}

function textLines(bytes: Uint8Array): string[] {
  return items(bytes).flatMap((i) => (i.kind === "text" ? [i.line] : []));
}

function messages(bytes: Uint8Array): Message[] {
  return items(bytes).flatMap((i) => {
    if (i.kind !== "frame") return [];
    const decoded = decodeMessage(i.payload);
    return decoded.ok ? [decoded.message] : [];
  });
}

/** A board with a BoardClient that has said Hello, and the board's output since then. */
async function connected(options: Parameters<typeof consoleBoard>[0] = {}) {
  const board = await consoleBoard(options);
  const client = new BoardClient(board.channel);
  const identity = await client.hello();
  return { board, client, identity };
}

describe("before the host speaks", () => {
  it("prints the boot banner as plain text, with the fingerprint mesh shows everywhere", async () => {
    const board = await consoleBoard({ boardName: "heltec-v3" });
    const output = board.output();
    expect(output.includes(0xfe)).toBe(false);
    const lines = textLines(output);
    expect(lines[0]).toBe(`meshstack ${packageVersion} board=heltec-v3 key=${fingerprint(board.node.publicKey)}`);
    expect(lines[1]).toBe("radio=udp mtu=1183");
    expect(Buffer.from(output).toString()).toMatch(/^meshstack [^\r\n]+\r\n/);
  });

  it("prints only the banner without boot logs, and names an unnamed board so", async () => {
    const board = await consoleBoard({ bootLogs: false });
    expect(textLines(board.output())).toEqual([
      `meshstack ${packageVersion} board=unnamed key=${fingerprint(board.node.publicKey)}`,
    ]);
  });

  it("logs a received packet as a line and releases its buffer", async () => {
    const sender = await connected({ seed: 2 });
    const receiver = await consoleBoard({ seed: 3, bootLogs: false });
    await sender.client.send({ level: IntegrityLevel.Blake2b, destination: "broadcast", payload: text("hello there") });
    const poolBefore = receiver.stack.poolAvailable(receiver.node.pool);
    receiver.stack.receiveFrame(receiver.node.dataLink, sender.board.udpFrames[0]);
    receiver.poll();
    expect(textLines(receiver.output()).at(-1)).toBe('rx 11 B blake2b "hello there"');
    expect(receiver.stack.poolAvailable(receiver.node.pool)).toBe(poolBefore);

    await sender.client.send({
      level: IntegrityLevel.Ed25519,
      destination: "broadcast",
      payload: new Uint8Array([0, 1, 2]),
    });
    receiver.stack.receiveFrame(receiver.node.dataLink, sender.board.udpFrames[1]);
    receiver.poll();
    expect(textLines(receiver.output()).at(-1)).toBe(
      `rx 3 B ed25519 signer=${fingerprint(sender.board.node.publicKey)} hex=000102`,
    );
  });
});

describe("requests", () => {
  it("Hello: the node's identity, firmware and board", async () => {
    const { board, identity } = await connected({ boardName: "t-beam" });
    expect(identity).toMatchObject({
      type: "identity",
      protocolVersion: 1,
      radio: RadioKind.Udp,
      mtu: board.stack.mtu(board.node.integrity),
      firmwareVersion: packageVersion,
      boardName: "t-beam",
    });
    expect(identity.publicKey).toEqual(board.node.publicKey);
    // The raw fingerprint digest shows as the same groups the banner printed.
    expect(textLines(board.output())[0]).toContain(`key=${fingerprint(identity.publicKey)}`);
  });

  it("Ping: echoes any bytes, from none to the largest body", async () => {
    const { client } = await connected();
    const random = new SeededRandom(1);
    for (const length of [0, 1, 100, 1397]) {
      const data = random.bytes(length);
      expect((await client.ping(data)).data).toEqual(data);
    }
  });

  it("Send: each level leaves as a UDP frame carrying the Integrity frame of the payload", async () => {
    const { board, client } = await connected();
    const payload = text("over the air");
    for (const level of [IntegrityLevel.Crc32c, IntegrityLevel.Blake2b, IntegrityLevel.Ed25519]) {
      const result = await client.send({ level, destination: "broadcast", payload });
      expect(result).toMatchObject({
        status: Status.Ok,
        level,
        mtu: board.stack.mtuForLevel(board.node.integrity, level),
      });
      const frame = board.udpFrames.at(-1)!;
      // Data Link whole-packet header 00, then the Integrity type byte (docs/datalink.md, docs/integrity.md).
      expect(frame[0]).toBe(0);
      expect(frame[1]).toBe(level);
      expect(Buffer.from(frame).includes(Buffer.from(payload))).toBe(true);
    }
    const stats = await client.stats();
    expect(stats.dataLink.packetsSent).toBe(3);
    expect(stats.integrity).toMatchObject({ sentCrc32c: 1, sentBlake2b: 1, sentEd25519: 1 });
  });

  it("Send: the profile's level, SipHash by destination or by contact, and the refusals", async () => {
    const { board, client } = await connected();
    const peer = seedFor("peer key");
    const destination = new Uint8Array(32).fill(9);
    const none = await client.send({ level: IntegrityLevel.SipHash, destination, payload: text("x") });
    expect(none.status).toBe(Status.NoKey);
    board.stack.setContact(board.node.addressBook, 2, destination, peer.subarray(0, 16));
    const byDestination = await client.send({ level: IntegrityLevel.SipHash, destination, payload: text("x") });
    expect(byDestination.status).toBe(Status.Ok);
    // The entry was single-use: a second send under it is refused, naming it explicitly or not.
    const spent = await client.send({
      level: IntegrityLevel.SipHash,
      destination: "broadcast",
      contact: 2,
      payload: text("x"),
    });
    expect(spent.status).toBe(Status.KeySpent);
    const profile = await client.send({ level: IntegrityLevel.Default, destination: "broadcast", payload: text("x") });
    expect(profile).toMatchObject({ status: Status.Ok, level: IntegrityLevel.Ed25519 });
    const tooBig = await client.send({
      level: IntegrityLevel.Ed25519,
      destination: "broadcast",
      payload: new Uint8Array(1184),
    });
    expect(tooBig).toMatchObject({ status: Status.TooBig, mtu: 1183 });
    const unknownLevel = await client.send({
      level: 9 as IntegrityLevel,
      destination: "broadcast",
      payload: text("x"),
    });
    expect(unknownLevel).toMatchObject({ status: Status.BadArgument, level: 0 });
    expect(board.stack.poolAvailable(board.node.pool)).toBe(16);
  });

  it("Stats: Data Link, Integrity and serial counters", async () => {
    const { client } = await connected();
    await client.ping(text("1"));
    const stats = await client.stats();
    expect(stats.serial).toMatchObject({ framesReceived: 3, badCrc: 0, garbageBytes: 0, unknownMessages: 0 });
    // Hello's answer, the "host connected" log and Pong went out before the report.
    expect(stats.serial.framesSent).toBe(3);
    expect(stats.unnamed).toEqual([]);
  });

  it("ConfigGet/ConfigSet: stored values, reboot required, all or nothing", async () => {
    const { board, client } = await connected();
    const before = await client.config();
    expect(before).toMatchObject({
      stored: { regionIndex: 0, presetIndex: 0, txPowerDbm: 14 },
      running: { regionIndex: 0, presetIndex: 0, txPowerDbm: 14 },
      rebootRequired: false,
      storedRegionName: "EU868",
      storedPresetName: "SF7BW125",
    });
    expect(before.effectiveTxPowerDbm).toBeUndefined(); // a UDP node has no LoRa radio

    const set = await client.request({ type: "config-set", regionIndex: 1, presetIndex: 2, txPowerDbm: 20 });
    expect(set).toMatchObject({
      stored: { regionIndex: 1, presetIndex: 2, txPowerDbm: 20 },
      running: { regionIndex: 0, presetIndex: 0, txPowerDbm: 14 },
      rebootRequired: true,
      storedRegionName: "US915",
      storedPresetName: "SF9BW125",
    });
    await expect(client.request({ type: "config-set", regionIndex: 0, txPowerDbm: 31 })).rejects.toMatchObject({
      code: ErrorCode.BadValue,
    });
    await expect(client.request({ type: "config-set", presetIndex: 200 })).rejects.toBeInstanceOf(BoardError);
    // The refused requests changed nothing, not even their valid fields.
    expect((await client.config()).stored).toEqual({ regionIndex: 1, presetIndex: 2, txPowerDbm: 20 });
    const back = await client.request({ type: "config-set", regionIndex: 0, presetIndex: 0, txPowerDbm: 14 });
    expect(back.rebootRequired).toBe(false);
    expect(board.reboots).toBe(0);
  });

  it("Reboot: answers first, then asks the board to restart at the next poll", async () => {
    const board = await consoleBoard();
    const frames = encodeFrame(new Uint8Array([0x07, 5, 0]));
    board.console.receive(frames);
    expect(messages(board.output())).toContainEqual({ type: "reboot-ack", requestId: 5 });
    expect(board.reboots).toBe(0);
    board.poll();
    expect(board.reboots).toBe(1);
    board.poll();
    expect(board.reboots).toBe(1);
  });

  it("answers what it cannot serve with Error, and counts it", async () => {
    const board = await consoleBoard({ bootLogs: false });
    board.uart.length = 0;
    board.feed(encodeFrame(new Uint8Array([0x30, 7, 0])));
    board.feed(encodeFrame(new Uint8Array([0x02])));
    board.feed(encodeFrame(new Uint8Array([0x02, 8, 0, 1, 1])));
    board.feed(encodeFrame(new Uint8Array([0x05, 9, 0, 1])));
    board.feed(encodeFrame(new Uint8Array([0x81, 10, 0])));
    const errors = messages(board.output()).filter((m) => m.type === "error");
    expect(errors.map((e) => [e.requestId, e.type === "error" && e.code])).toEqual([
      [7, ErrorCode.UnknownMessage],
      [0, ErrorCode.Malformed],
      [8, ErrorCode.Malformed],
      [9, ErrorCode.Malformed],
      [10, ErrorCode.UnknownMessage],
    ]);
    const client = new BoardClient(board.channel);
    expect((await client.stats()).serial).toMatchObject({ unknownMessages: 2, malformedMessages: 3 });
  });
});

describe("after the host speaks", () => {
  it("logs are Log frames and nothing is plain text any more", async () => {
    const { board, client } = await connected();
    board.uart.length = 0;
    await client.request({ type: "config-set", txPowerDbm: 10 });
    await client.request({ type: "reboot" });
    const output = board.output();
    expect(items(output).every((i) => i.kind === "frame")).toBe(true);
    const logs = messages(output).filter((m) => m.type === "log");
    expect(logs.map((l) => l.type === "log" && [l.level, l.text])).toEqual([
      [2, "config: stored; the radio uses it after a reboot"],
      [1, "rebooting at the host's request"],
    ]);
  });

  it("a received packet is a Received event with what the Integrity layer verified", async () => {
    const alice = await connected({ seed: 10 });
    const bob = await connected({ seed: 11 });
    const events: Received[] = [];
    bob.client.on("received", (event) => events.push(event));
    for (const level of [IntegrityLevel.Crc32c, IntegrityLevel.Ed25519]) {
      await alice.client.send({ level, destination: bob.identity.publicKey, payload: text(`at ${level}`) });
      bob.board.stack.receiveFrame(bob.board.node.dataLink, alice.board.udpFrames.at(-1)!);
      bob.board.poll();
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ layer: 3, level: IntegrityLevel.Crc32c, payload: text("at 1") });
    expect(events[0].signer).toBeUndefined();
    expect(events[0].rssiDbm).toBeUndefined(); // UDP has no radio to measure
    expect(events[1]).toMatchObject({ layer: 3, level: IntegrityLevel.Ed25519, payload: text("at 4") });
    expect(events[1].signer).toEqual(alice.board.node.publicKey);
    // A tampered frame is dropped by the Integrity layer: no event, one rejection.
    const tampered = alice.board.udpFrames.at(-1)!.slice();
    tampered[40] ^= 1;
    bob.board.stack.receiveFrame(bob.board.node.dataLink, tampered);
    bob.board.poll();
    const stats = await bob.client.stats();
    expect(events).toHaveLength(2);
    expect(stats.integrity).toMatchObject({ acceptedCrc32c: 1, acceptedEd25519: 1, rejectedEd25519: 1 });
  });

  it("a LoRa node reports the RSSI and SNR of the packet", async () => {
    const medium = new LoopbackTestMedium();
    medium.rssiDbm = -87.5;
    medium.snrDb = 6.25;
    const uart: Uint8Array[] = [];
    const loraNode = async (index: number, onUartWrite?: (bytes: Uint8Array) => void) => {
      const model = new Sx1262Model(medium, { nodeIndex: index, boardTcxoMillivolts: 1800 });
      medium.attach(model);
      const stack = await Stack.load({ busDevices: new Map([[0, model]]), onUartWrite });
      const node = stack.createNode({
        radio: RadioKind.Sx1262,
        identitySeed: seedFor(`lora ${index}`),
        tcxoMillivolts: 1800,
        dio2AsRfSwitch: true,
        seed: index + 1,
      });
      return { stack, node };
    };
    const sender = await loraNode(0);
    const receiver = await loraNode(1, (bytes) => uart.push(bytes));
    const receiverConsole = new WasmConsole(receiver.stack);
    receiverConsole.start(true);
    expect(textLines(new Uint8Array(Buffer.concat(uart)))[1]).toBe(
      "radio=sx1262 region=EU868 preset=SF7BW125 frequency=869525000Hz txPower=14dBm mtu=1183",
    );
    receiverConsole.receive(encodeFrame(new Uint8Array([0x01, 1, 0, 1])));
    uart.length = 0;
    expect(
      sender.stack.push(sender.node.integrity, sender.node.pool, text("over LoRa"), { level: IntegrityLevel.Crc32c }),
    ).toBe(Status.Ok);
    for (let step = 0; step < 400 && uart.length === 0; step++) {
      sender.stack.poll(sender.node.integrity, medium.now() / 1000);
      receiverConsole.poll(medium.now() / 1000);
      medium.runFor(5000);
    }
    const received = messages(new Uint8Array(Buffer.concat(uart))).find((m) => m.type === "received");
    expect(received).toMatchObject({ payload: text("over LoRa"), level: IntegrityLevel.Crc32c, rssiDbm: -87.5 });
    expect(received?.type === "received" && received.snrDb).toBeCloseTo(6.25, 1);

    // Packets carry their own radio quality: two arriving between polls, one of them fragmented over
    // two LoRa frames, are both reported with the RSSI of the frame that carried (or completed) them.
    uart.length = 0;
    const long = new Uint8Array(400).fill(0x61);
    sender.stack.push(sender.node.integrity, sender.node.pool, long, { level: IntegrityLevel.Blake2b });
    sender.stack.push(sender.node.integrity, sender.node.pool, text("short"), { level: IntegrityLevel.Blake2b });
    medium.rssiDbm = -101;
    for (let step = 0; step < 2000; step++) {
      sender.stack.poll(sender.node.integrity, medium.now() / 1000);
      // The receiver's radio is serviced (as its IRQ would), but its console reports only at the end.
      receiver.stack.poll(receiver.node.dataLink, medium.now() / 1000);
      medium.runFor(5000);
      if (sender.stack.backlog(sender.node.dataLink) === 0 && step > 200) break;
    }
    receiverConsole.poll(medium.now() / 1000);
    const both = messages(new Uint8Array(Buffer.concat(uart))).filter((m) => m.type === "received");
    expect(both.map((m) => m.type === "received" && m.payload.length)).toEqual([400, 5]);
    for (const m of both) expect(m).toMatchObject({ rssiDbm: -101 });
  });

  it("two nodes talk through their consoles over UDP", async () => {
    // Each node's UDP frames reach the other, as on the IP overlay; delivery is asynchronous, like a network.
    let alice: ConsoleBoard | undefined;
    let bob: ConsoleBoard | undefined;
    const deliver = (to: () => ConsoleBoard | undefined) => (frame: Uint8Array) => {
      setImmediate(() => {
        const target = to()!;
        target.stack.receiveFrame(target.node.dataLink, frame);
        target.poll();
      });
      return true;
    };
    alice = await consoleBoard({ seed: 20, boardName: "alice", onUdpSend: deliver(() => bob) });
    bob = await consoleBoard({ seed: 21, boardName: "bob", onUdpSend: deliver(() => alice) });
    const aliceClient = new BoardClient(alice.channel);
    const bobClient = new BoardClient(bob.channel);
    const [aliceId, bobId] = await Promise.all([aliceClient.hello(), bobClient.hello()]);
    const heard = new Promise<Received>((resolve) => bobClient.once("received", resolve));
    const result = await aliceClient.send({
      level: IntegrityLevel.Ed25519,
      destination: bobId.publicKey,
      payload: text("hello bob"),
    });
    expect(result.status).toBe(Status.Ok);
    const received = await heard;
    expect(received.payload).toEqual(text("hello bob"));
    expect(received.signer).toEqual(aliceId.publicKey);
    const reply = new Promise<Received>((resolve) => aliceClient.once("received", resolve));
    await bobClient.send({ level: IntegrityLevel.Blake2b, destination: aliceId.publicKey, payload: text("hi alice") });
    expect((await reply).payload).toEqual(text("hi alice"));
  });
});

describe("bad input is dropped and counted, never trapped", () => {
  it("counts garbage, bad CRCs, bad headers and oversize lengths, and answers the next good frame", async () => {
    const { board, client } = await connected();
    const badCrc = encodeFrame(new Uint8Array([0x06, 1, 0, 1, 2, 3]));
    badCrc[8] ^= 4;
    board.feed(text("hello board\r\n")); // 13 bytes of garbage: a board expects frames only
    board.feed(badCrc);
    board.feed(new Uint8Array([0xfe, 0xff, 0x10, 0x00, 0x10, 0x00])); // length check wrong
    board.feed(new Uint8Array([0xfe, 0xff, 0xff, 0xff, 0x00, 0x00])); // 65535: consistent, oversize
    const pong = await client.ping(text("still here"));
    expect(pong.data).toEqual(text("still here"));
    const stats = await client.stats();
    // Garbage: the text; all 16 bytes of the bad-CRC frame (its magic, then the rest read again,
    // holding no other magic); each bad header's magic and its 4 length bytes.
    expect(stats.serial).toMatchObject({
      badCrc: 1,
      badHeader: 1,
      oversize: 1,
      garbageBytes: 13 + 16 + 6 + 6,
      framesReceived: 3,
    });
  });

  it("refuses a bad board name, a second start, a start without a node and input before start", async () => {
    const board = await consoleBoard({ start: false });
    for (const name of ["", "has space", "x".repeat(33), "tab\there", "del\u007f"]) {
      expect(() => board.console.setBoardName(name), name).toThrow(RangeError);
    }
    board.console.setBoardName("ok-name");
    expect(() => board.console.receive(text("x"))).toThrow(/not started/);
    expect(board.console.poll(0)).toBe(-1);
    board.console.start();
    expect(() => board.console.start()).toThrow(/already started/);
    expect(textLines(board.output())[0]).toContain("board=ok-name");

    const bare = await Stack.load({ onUartWrite: () => {} });
    expect(() => new WasmConsole(bare).start()).toThrow(/no node/);
  });

  it("takes a time that is not a number without trapping", async () => {
    const board = await consoleBoard();
    for (const now of [Number.NaN, Number.POSITIVE_INFINITY, -5, 1e300]) expect(board.console.poll(now)).toBe(-1);
    expect(board.console.poll(10)).toBeGreaterThan(0);
  });

  it("costs about 3 KiB, allocated once at start, and the node still fits in 2 pages", async () => {
    const board = await consoleBoard({ start: false });
    const before = board.stack.heapBytes();
    board.console.start();
    // Two frame buffers (in and out, 1410 bytes each) and small change.
    expect(board.stack.heapBytes() - before).toBeLessThan(4096);
    expect(board.stack.memoryBytes()).toBeLessThanOrEqual(2 * 65536);
  });

  it("allocates nothing while it works", async () => {
    const { board, client } = await connected();
    const peer = await consoleBoard({ seed: 30 });
    const random = new SeededRandom(8);
    const exercise = async () => {
      await client.stats();
      await client.config();
      await client.ping(random.bytes(random.between(0, 1397)));
      await client.send({ level: IntegrityLevel.Ed25519, destination: "broadcast", payload: random.bytes(200) });
      await client.request({ type: "config-set", txPowerDbm: random.between(-9, 30) });
      const frame = peer.udpFrames.at(-1);
      if (frame) {
        board.stack.receiveFrame(board.node.dataLink, frame);
        board.poll();
      }
      board.feed(random.bytes(300));
    };
    await new BoardClient(peer.channel).send({
      level: IntegrityLevel.Ed25519,
      destination: "broadcast",
      payload: text("p"),
    });
    await exercise();
    const heap = board.stack.heapBytes();
    for (let i = 0; i < 50; i++) await exercise();
    expect(board.stack.heapBytes()).toBe(heap);
    expect(board.stack.poolAvailable(board.node.pool)).toBe(16);
  });
});
