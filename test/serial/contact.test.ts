import { describe, expect, it } from "vitest";
import { BoardClient, BoardError } from "../../host/serial/board-client.js";
import { decodeMessage, encodeMessage } from "../../host/serial/messages.js";
import { IntegrityLevel, Status } from "../../host/wasm/stack.js";
import { consoleBoard } from "./console-board.js";

describe("ContactSet over the serial protocol", () => {
  it("round-trips through the host codec", () => {
    const endpoint = new Uint8Array(32).fill(7);
    const key = new Uint8Array(16).fill(9);
    const decoded = decodeMessage(encodeMessage({ type: "contact-set", index: 3, endpoint, key, reusable: true }, 42));
    expect(decoded).toMatchObject({ ok: true });
    expect(decoded.ok && decoded.message).toMatchObject({
      type: "contact-set",
      requestId: 42,
      index: 3,
      endpoint,
      key,
      reusable: true,
    });
    expect(() => encodeMessage({ type: "contact-set", index: 0, endpoint, key: new Uint8Array(15) }, 1)).toThrow(/key/);
  });

  it("installs a single-use SipHash key the board then sends with, once", async () => {
    const board = await consoleBoard({ seed: 31 });
    const client = new BoardClient(board.channel);
    const peer = new Uint8Array(32).fill(0x42);
    const ack = await client.setContact({ index: 2, endpoint: peer, key: new Uint8Array(16).fill(1) });
    expect(ack.index).toBe(2);
    const payload = new TextEncoder().encode("keyed");
    const first = await client.send({ level: IntegrityLevel.SipHash, destination: peer, payload });
    expect(first.status).toBe(Status.Ok);
    const second = await client.send({ level: IntegrityLevel.SipHash, destination: peer, payload });
    expect(second.status).toBe(Status.KeySpent);
    const stats = await client.stats();
    expect(stats.integrity.sentSipHash).toBe(1);
    client.close();
  });

  it("answers an entry outside the address book with BadValue, and a short body with Malformed", async () => {
    const board = await consoleBoard({ seed: 32 });
    const client = new BoardClient(board.channel);
    const endpoint = new Uint8Array(32);
    await expect(client.setContact({ index: 999, endpoint, key: new Uint8Array(16) })).rejects.toThrow(BoardError);
    await expect(client.setContact({ index: 999, endpoint, key: new Uint8Array(16) })).rejects.toThrow(
      /bad.value|no such/i,
    );
    // A short body, hand-made: the header and two bytes.
    const short = encodeMessage({ type: "contact-ack", index: 0 }, 5);
    short[0] = 0x08;
    const errors: unknown[] = [];
    client.on("unmatched", (m) => errors.push(m));
    const { encodeFrame } = await import("../../host/serial/frame-codec.js");
    board.channel.write(encodeFrame(short));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(errors).toContainEqual(expect.objectContaining({ type: "error", requestId: 5 }));
    client.close();
  });
});
