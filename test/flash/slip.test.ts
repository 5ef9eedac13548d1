// SLIP framing as the ESP serial bootloader uses it (esptool "Serial Protocol", Low Level Protocol),
// checked against esptool-js's own encoder as an independent implementation.
import { Transport } from "esptool-js";
import { describe, expect, it } from "vitest";
import { SlipDecoder, type SlipDropReason, slipEncode } from "../../host/vboard/slip.js";
import { SeededRandom } from "../support/seeded-random.js";

function decodeAll(chunks: Uint8Array[], options: { maxPacketBytes?: number } = {}) {
  const packets: number[][] = [];
  const drops: SlipDropReason[] = [];
  const decoder = new SlipDecoder((p) => packets.push([...p]), { ...options, onDrop: (r) => drops.push(r) });
  for (const chunk of chunks) decoder.push(chunk);
  return { packets, drops };
}

const bytes = (...values: number[]) => Uint8Array.from(values);

/** Random packets rich in the two bytes SLIP must escape. */
function randomPacket(random: SeededRandom): Uint8Array {
  const packet = random.bytes(random.between(1, 300));
  for (let i = 0; i < packet.length; i++) {
    const roll = random.below(8);
    if (roll === 0) packet[i] = 0xc0;
    else if (roll === 1) packet[i] = 0xdb;
  }
  return packet;
}

describe("slipEncode", () => {
  it("frames with 0xC0 and escapes 0xC0 and 0xDB as the protocol table says", () => {
    expect([...slipEncode(bytes(0x01, 0xc0, 0x02, 0xdb, 0x03))]).toEqual([
      0xc0, 0x01, 0xdb, 0xdc, 0x02, 0xdb, 0xdd, 0x03, 0xc0,
    ]);
    expect([...slipEncode(bytes())]).toEqual([0xc0, 0xc0]);
  });

  it("matches esptool-js's encoder on seeded random packets", () => {
    const transport = new Transport({} as ConstructorParameters<typeof Transport>[0]);
    const random = new SeededRandom(4);
    for (let i = 0; i < 200; i++) {
      const packet = randomPacket(random);
      expect(slipEncode(packet)).toEqual(transport.slipWriter(packet));
    }
  });
});

describe("SlipDecoder", () => {
  it("decodes what slipEncode framed, whatever the chunking", () => {
    const random = new SeededRandom(7);
    const packets = Array.from({ length: 50 }, () => randomPacket(random));
    const stream = Uint8Array.from(packets.flatMap((p) => [...slipEncode(p)]));
    const oneShot = decodeAll([stream]);
    expect(oneShot.packets).toEqual(packets.map((p) => [...p]));
    for (let trial = 0; trial < 20; trial++) {
      const chunks: Uint8Array[] = [];
      for (let at = 0; at < stream.length; ) {
        const length = random.between(1, 17);
        chunks.push(stream.subarray(at, at + length));
        at += length;
      }
      expect(decodeAll(chunks).packets).toEqual(oneShot.packets);
    }
  });

  it("skips bytes outside frames, such as a boot log before the first packet", () => {
    const log = new TextEncoder().encode(
      "rst:0x1 (POWERON_RESET),boot:0x3 (DOWNLOAD_BOOT(UART0/UART1/SDIO_REI_REO_V2))\r\n",
    );
    const { packets } = decodeAll([log, slipEncode(bytes(1, 2)), bytes(0x0d, 0x0a), slipEncode(bytes(3))]);
    expect(packets).toEqual([[1, 2], [3]]);
  });

  it("falls back into step when it starts listening in the middle of a packet", () => {
    const first = slipEncode(bytes(9, 9, 9));
    const { packets } = decodeAll([first.subarray(2), slipEncode(bytes(1, 2)), slipEncode(bytes(3))]);
    // The tail of the cut packet ends at its closing END; nothing is lost after it.
    expect(packets.slice(-2)).toEqual([[1, 2], [3]]);
  });

  it("drops a frame with a bad escape and keeps the next one", () => {
    const { packets, drops } = decodeAll([bytes(0xc0, 0x01, 0xdb, 0x42, 0x02, 0xc0), slipEncode(bytes(7))]);
    expect(packets).toEqual([[7]]);
    expect(drops).toEqual(["bad-escape"]);
  });

  it("drops a frame longer than the limit whole", () => {
    const { packets, drops } = decodeAll([slipEncode(new Uint8Array(40)), slipEncode(bytes(5))], {
      maxPacketBytes: 32,
    });
    expect(packets).toEqual([[5]]);
    expect(drops).toEqual(["too-long"]);
  });
});
