// The hardware-in-the-loop suite: what every board must do, run against boards on serial ports —
// real ones on USB, or virtual ones behind pseudo-terminals, through the very same code paths:
// flash with esptool-js, boot banner, identity, ping over serial, radio exchanges at each integrity
// level between two boards, and statistics consistent with what was sent.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import type { BoardDefinition } from "../../boards/board.js";
import { flashImages } from "../flash/flasher.js";
import { imagesForBoard } from "../image/mesh-image.js";
import { packageVersion } from "../package-info.js";
import { BoardClient, type BootBanner } from "../serial/board-client.js";
import type { Identity, Received } from "../serial/messages.js";
import { openSerialPort, type SerialChannel } from "../serial/serial-port.js";
import { stackWasmPath } from "../wasm/load-stack.js";
import { IntegrityLevel, integrityLevelName, Status } from "../wasm/stack.js";

export interface HilTarget {
  /** Serial port of the board. */
  port: string;
  board: BoardDefinition;
  /** Virtual boards have no modem lines: esptool reaches their ROM by SYNC alone. */
  virtual: boolean;
}

export interface HilResult {
  name: string;
  ok: boolean;
  detail: string;
  milliseconds: number;
}

export interface HilOptions {
  /** Flash build/stack.wasm first (default true). */
  flash?: boolean;
  baud?: number;
  /** One line per finished test. */
  onResult?: (result: HilResult) => void;
  onProgress?: (text: string) => void;
}

/** Every integrity level, each exchanged over the radio. */
const RADIO_LEVELS = [IntegrityLevel.Crc32c, IntegrityLevel.Blake2b, IntegrityLevel.SipHash, IntegrityLevel.Ed25519];
/**
 * Sends per level before the exchange fails. A unicast to a destination whose announce has not come
 * yet floods unacknowledged (docs/routing.md), and on shared air another node's frame can start within
 * the same CAD window — the boards' own boot beacons, or a neighbouring mesh on a real desk — so one
 * lost frame is the radio's, not a fault; nothing arriving in three is.
 */
const RADIO_ATTEMPTS = 3;
/** Address-book entry the suite uses for the SipHash exchange on both boards. */
const HIL_CONTACT = 0;
const BOOT_TIMEOUT_MS = 15_000;
/** Reboot requests sent before the boot banner counts as missing, sharing BOOT_TIMEOUT_MS. */
const REBOOT_REQUESTS = 3;
const RECEIVE_TIMEOUT_MS = 10_000;

interface Connected {
  target: HilTarget;
  channel: SerialChannel;
  client: BoardClient;
  identity?: Identity;
  received: Received[];
  boots: BootBanner[];
}

class Failure extends Error {}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Failure(message);
}

export async function runHilSuite(targets: HilTarget[], options: HilOptions = {}): Promise<HilResult[]> {
  const results: HilResult[] = [];
  const record = async (name: string, body: () => Promise<string>) => {
    const started = performance.now();
    let result: HilResult;
    try {
      const detail = await body();
      result = { name, ok: true, detail, milliseconds: performance.now() - started };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      result = { name, ok: false, detail: message, milliseconds: performance.now() - started };
    }
    results.push(result);
    options.onResult?.(result);
    return result.ok;
  };

  const connected: Connected[] = [];
  try {
    if (options.flash ?? true) {
      const wasm = new Uint8Array(readFileSync(stackWasmPath()));
      for (const target of targets) {
        const ok = await record(`flash ${target.port}`, async () => {
          const images = imagesForBoard(target.board, wasm, { version: packageVersion() });
          const report = await flashImages({
            port: target.port,
            baud: options.baud ?? 460_800,
            chip: target.board.mcu,
            flashSizeBytes: target.board.flashBytes,
            images: images.map((image) => ({ name: image.name, address: image.offset, data: image.data })),
            before: target.virtual ? "no_reset" : "default_reset",
            onProgress: (fraction, detail) => options.onProgress?.(`flash ${Math.round(fraction * 100)}% ${detail}`),
          });
          return `${report.chipName}, ${report.images.map((i) => `${i.name} md5 ${i.md5}`).join(", ")}, started by ${report.started}`;
        });
        if (!ok) return results;
      }
    }

    for (const target of targets) {
      const channel = await openSerialPort(target.port, 115_200);
      const board: Connected = {
        target,
        channel,
        client: new BoardClient(channel, { timeoutMs: 3000 }),
        received: [],
        boots: [],
      };
      board.client.on("received", (r) => board.received.push(r));
      board.client.on("boot", (b) => board.boots.push(b));
      connected.push(board);
    }

    for (const board of connected) {
      const ok = await record(`boot banner ${board.target.port}`, async () => {
        // The board restarted after flashing while the flasher still held the port, so its banner
        // is gone: ask for a restart now that we listen (the answer may not come before it goes).
        // A request that arrives while the board is still starting is not heard (a virtual board
        // drops serial input until its firmware runs; a real one's UART is not read yet either): ask
        // again if no banner comes, within the same overall time.
        const booted = board.boots.length;
        let banner: BootBanner | undefined;
        for (let attempt = 1; banner === undefined; attempt++) {
          await board.client.request({ type: "reboot" }).catch(() => undefined);
          try {
            banner = await waitFor(
              () => (board.boots.length > booted ? board.boots.at(-1) : undefined),
              BOOT_TIMEOUT_MS / REBOOT_REQUESTS,
              `no boot banner after reboot request ${attempt} of ${REBOOT_REQUESTS}`,
            );
          } catch (error) {
            if (attempt >= REBOOT_REQUESTS) throw error;
          }
        }
        return `meshstack ${banner.firmwareVersion} board=${banner.boardName} key=${banner.fingerprint}`;
      });
      if (!ok) return results;
    }

    for (const board of connected) {
      await record(`identity ${board.target.port}`, async () => {
        const identity = await board.client.hello();
        check(identity.publicKey.length === 32, "public key is not 32 bytes");
        check(identity.boardName.length > 0, "board name is empty");
        board.identity = identity;
        return `${identity.boardName}, firmware ${identity.firmwareVersion}, MTU ${identity.mtu}`;
      });
      await record(`ping ${board.target.port}`, async () => {
        const data = new Uint8Array(randomBytes(48));
        const started = performance.now();
        const pong = await board.client.ping(data);
        check(Buffer.compare(Buffer.from(pong.data), Buffer.from(data)) === 0, "pong carried other bytes");
        return `48 bytes echoed in ${(performance.now() - started).toFixed(0)} ms`;
      });
    }

    if (connected.length >= 2) await exchangeOverRadio(connected[0], connected[1], record);
  } finally {
    for (const board of connected) {
      board.client.close();
      board.channel.close();
    }
  }
  return results;
}

async function exchangeOverRadio(
  sender: Connected,
  receiver: Connected,
  record: (name: string, body: () => Promise<string>) => Promise<boolean>,
): Promise<void> {
  const before = {
    sender: await sender.client.stats(),
    receiver: await receiver.client.stats(),
  };
  const sent = new Map<IntegrityLevel, Uint8Array[]>();
  // Both sides get the same fresh single-use key, each naming the other (docs/integrity.md); a key is
  // spent by its one send, so a resend needs a new one.
  const shareFreshKey = async (a: Identity, b: Identity) => {
    const key = new Uint8Array(randomBytes(16));
    await sender.client.setContact({ index: HIL_CONTACT, endpoint: b.publicKey, key });
    await receiver.client.setContact({ index: HIL_CONTACT, endpoint: a.publicKey, key });
  };
  const arrived = (payload: Uint8Array) =>
    receiver.received.filter((r) => Buffer.compare(Buffer.from(r.payload), Buffer.from(payload)) === 0);
  for (const level of RADIO_LEVELS) {
    await record(`radio ${integrityLevelName(level)} ${sender.target.port} → ${receiver.target.port}`, async () => {
      check(receiver.identity, "receiver identity unknown");
      const contact = level === IntegrityLevel.SipHash ? HIL_CONTACT : undefined;
      const payloads: Uint8Array[] = [];
      sent.set(level, payloads);
      let match: Received | undefined;
      while (match === undefined) {
        // A fresh payload per send, so a late first copy cannot pass for the second.
        const payload = new TextEncoder().encode(`hil ${integrityLevelName(level)} ${randomBytes(6).toString("hex")}`);
        if (contact !== undefined) {
          check(sender.identity, "sender identity unknown");
          await shareFreshKey(sender.identity, receiver.identity);
        }
        const result = await sender.client.send({ level, destination: receiver.identity.publicKey, payload, contact });
        check(result.status === Status.Ok, `send refused: ${Status[result.status]}`);
        payloads.push(payload);
        try {
          match = await waitFor(() => arrived(payload)[0], RECEIVE_TIMEOUT_MS, "nothing arrived over the radio");
        } catch (error) {
          if (!(error instanceof Failure) || payloads.length === RADIO_ATTEMPTS) {
            const sends = payloads.length === 1 ? "one send" : `${payloads.length} sends`;
            throw new Failure(`nothing arrived over the radio (${sends}, ${RECEIVE_TIMEOUT_MS} ms each)`);
          }
        }
      }
      check(match.level === level, `arrived at level ${integrityLevelName(match.level)}`);
      if (level === IntegrityLevel.SipHash) check(match.contact === HIL_CONTACT, "authenticated by another entry");
      if (level === IntegrityLevel.Ed25519) {
        check(match.signer && sender.identity, "no signer");
        check(
          Buffer.compare(Buffer.from(match.signer), Buffer.from(sender.identity.publicKey)) === 0,
          "signed by another key",
        );
      }
      const quality = match.rssiDbm !== undefined ? `, RSSI ${match.rssiDbm} dBm, SNR ${match.snrDb} dB` : "";
      const retried =
        payloads.length > 1 ? ` (send ${payloads.length} of ${RADIO_ATTEMPTS}; the earlier ones were lost on air)` : "";
      return `${match.payload.length} bytes arrived intact${quality}${retried}`;
    });
  }
  await record("stats consistent with what was sent", async () => {
    const after = { sender: await sender.client.stats(), receiver: await receiver.client.stats() };
    const names: Record<number, "Crc32c" | "Blake2b" | "SipHash" | "Ed25519"> = {
      [IntegrityLevel.Crc32c]: "Crc32c",
      [IntegrityLevel.Blake2b]: "Blake2b",
      [IntegrityLevel.SipHash]: "SipHash",
      [IntegrityLevel.Ed25519]: "Ed25519",
    };
    const lines: string[] = [];
    // Routing boards also send announces and beacons at BLAKE2b (docs/routing.md), so that level may
    // count more frames than the test sent; the Availability counters then count the test's packets.
    const routing = after.sender.availability !== undefined && before.sender.availability !== undefined;
    // The board reports a received packet before it answers the stats request that follows it on the
    // same serial line, so what the host has seen arrive is what the receiver's counters count.
    let totalSent = 0;
    let totalArrived = 0;
    for (const [level, payloads] of sent) {
      const name = names[level];
      const count = payloads.length;
      const delivered = payloads.reduce((n, payload) => n + arrived(payload).length, 0);
      totalSent += count;
      totalArrived += delivered;
      const sentDelta = after.sender.integrity[`sent${name}`] - before.sender.integrity[`sent${name}`];
      const acceptedDelta = after.receiver.integrity[`accepted${name}`] - before.receiver.integrity[`accepted${name}`];
      const exact = !(routing && level === IntegrityLevel.Blake2b);
      const fits = (delta: number, wanted: number) => (exact ? delta === wanted : delta >= wanted);
      const expected = (wanted: number) => (exact ? `${wanted}` : `at least ${wanted}`);
      check(fits(sentDelta, count), `sender counted ${sentDelta} ${name} frames sent, expected ${expected(count)}`);
      check(
        fits(acceptedDelta, delivered),
        `receiver counted ${acceptedDelta} ${name} frames accepted, expected ${expected(delivered)}`,
      );
      lines.push(`${name} ${delivered}/${count}`);
    }
    if (routing) {
      const a = (side: "sender" | "receiver", counter: "sentUnicast" | "deliveredUnicast") =>
        (after[side].availability?.[counter] ?? 0) - (before[side].availability?.[counter] ?? 0);
      check(
        a("sender", "sentUnicast") === totalSent,
        `sender's Availability layer sent ${a("sender", "sentUnicast")} unicasts, expected ${totalSent}`,
      );
      check(
        a("receiver", "deliveredUnicast") === totalArrived,
        `receiver's Availability layer delivered ${a("receiver", "deliveredUnicast")} unicasts, expected ${totalArrived}`,
      );
      lines.push(`routed ${totalArrived}/${totalSent}`);
    }
    const framesSent = after.sender.dataLink.framesSent - before.sender.dataLink.framesSent;
    check(framesSent >= sent.size, `sender's Data Link sent ${framesSent} frames for ${sent.size} packets`);
    return `${lines.join(", ")}; ${framesSent} frames on air`;
  });
}

async function waitFor<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Failure(`${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
