// Boards whose node runs the Availability layer: the console sends to an endpoint across the mesh,
// reports who sent a packet and over how many hops (Received from layer 4), keeps SipHash to one
// hop, and reports the Availability counters in Stats.
import { describe, expect, it } from "vitest";
import { BoardClient } from "../../host/serial/board-client.js";
import type { Identity, Received } from "../../host/serial/messages.js";
import { Availability } from "../../host/wasm/availability.js";
import { IntegrityLevel, Status } from "../../host/wasm/stack.js";
import { type ConsoleBoard, consoleBoard } from "./console-board.js";

const text = (s: string) => new TextEncoder().encode(s);

/** Three boards in a line over UDP: 0 hears 1, 1 hears 0 and 2, 2 hears 1. */
async function line(routing: "nexthop" | "electric") {
  const outboxes: Uint8Array[][] = [[], [], []];
  const boards: ConsoleBoard[] = [];
  for (let i = 0; i < 3; i++) {
    boards.push(
      await consoleBoard({
        seed: 40 + i,
        boardName: `line-${i}`,
        routing,
        onUdpSend: (frame) => {
          outboxes[i].push(frame);
          return true;
        },
      }),
    );
  }
  const neighbours = [[1], [0, 2], [1]];
  /** Moves time on by `ms` in 10 ms steps, carrying every frame to the sender's neighbours. */
  const run = (ms: number) => {
    for (let t = 0; t < ms; t += 10) {
      for (const board of boards) {
        board.nowMs += 10;
        board.poll();
      }
      for (let i = 0; i < 3; i++) {
        for (const frame of outboxes[i].splice(0)) {
          for (const j of neighbours[i]) boards[j].stack.receiveFrame(boards[j].node.dataLink, frame);
        }
      }
    }
  };
  const clients = boards.map((board) => new BoardClient(board.channel));
  const identities: Identity[] = [];
  for (const client of clients) identities.push(await client.hello());
  // Every board announces within its first two minutes.
  run(130_000);
  return { boards, clients, identities, run };
}

describe.each(["nexthop", "electric"] as const)("a board routing by %s", (routing) => {
  it("sends across two hops and reports the source and the hops", async () => {
    const { boards, clients, identities, run } = await line(routing);
    expect(identities[0].mtu).toBe(1183 - 55);
    const heard = new Promise<Received>((resolve) => clients[2].once("received", resolve));
    const result = await clients[0].send({
      level: IntegrityLevel.Blake2b,
      destination: identities[2].publicKey,
      payload: text("two hops"),
    });
    // BLAKE2b carries 1263 bytes over a 1280-byte Data Link (docs/integrity.md); the routed header takes 55.
    expect(result).toMatchObject({ status: Status.Ok, level: IntegrityLevel.Blake2b, mtu: 1263 - 55 });
    run(2_000);
    const received = await heard;
    expect(received.layer).toBe(4);
    expect(received.hops).toBe(2);
    expect(received.payload).toEqual(text("two hops"));
    const availability = new Availability(boards[0].stack);
    expect(received.source).toEqual(availability.address(identities[0].publicKey));
    const stats = await clients[0].stats();
    expect(stats.availability).toMatchObject({ sentUnicast: 1, noRoute: 0 });
    expect(stats.availability?.announcesAccepted).toBeGreaterThanOrEqual(2);
  });

  it("keeps SipHash to one hop: the pairwise key is the neighbour's", async () => {
    const { boards, clients, identities, run } = await line(routing);
    const key = new Uint8Array(16).fill(9);
    await clients[0].setContact({ index: 0, endpoint: identities[1].publicKey, key, reusable: true });
    await clients[1].setContact({ index: 0, endpoint: identities[0].publicKey, key, reusable: true });
    const heard = new Promise<Received>((resolve) => clients[1].once("received", resolve));
    const result = await clients[0].send({
      level: IntegrityLevel.SipHash,
      destination: identities[1].publicKey,
      payload: text("pairwise"),
    });
    expect(result.status).toBe(Status.Ok);
    run(1_000);
    const received = await heard;
    expect(received).toMatchObject({ layer: 4, hops: 1, level: IntegrityLevel.SipHash, contact: 0 });
    // Node 2 never saw it relayed: a one-hop packet is not passed on.
    const far = await clients[2].stats();
    expect(far.availability?.deliveredUnicast ?? 0).toBe(0);
    expect(boards.length).toBe(3);
  });
});
