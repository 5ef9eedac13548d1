// When two LoRa settings meet on the air: which frames a receiver can demodulate, and which frames
// interfere with each other. Chip models should answer RadioPort.isListening(frameModulation) with
// receiverCanDemodulate(theirOwnModulation, frameModulation), so every chip applies the same rule.
import type { LoRaModulation } from "../radio-medium.js";

/**
 * Largest carrier offset, as a fraction of the bandwidth, at which two settings count as the same
 * channel. Our assumption, of the order of the offsets LoRa demodulators are reported to tolerate; it
 * also absorbs the synthesiser step (61 Hz on SX127x, ~1 Hz on SX126x), so two chips set to the "same"
 * frequency through different register formats still meet.
 */
export const CHANNEL_OFFSET_TOLERANCE = 0.25;

/** Same bandwidth and centre frequencies within the tolerance. */
export function onSameChannel(a: LoRaModulation, b: LoRaModulation): boolean {
  return (
    a.bandwidthHz === b.bandwidthHz &&
    Math.abs(a.frequencyHz - b.frequencyHz) <= CHANNEL_OFFSET_TOLERANCE * a.bandwidthHz
  );
}

/**
 * Frames that collide: same channel and same SF. Different SFs are treated as fully orthogonal, a
 * simplification: they are only quasi-orthogonal, an interferer of another SF destroying a frame once it
 * is roughly 8–25 dB louder (Croce et al., "Impact of LoRa Imperfect Orthogonality", IEEE Communications
 * Letters 2018). Inverted and normal IQ frames are not separated here: their energy is on the same channel.
 */
export function interferes(a: LoRaModulation, b: LoRaModulation): boolean {
  return a.spreadingFactor === b.spreadingFactor && onSameChannel(a, b);
}

/**
 * Whether a receiver set to `receiver` decodes a frame sent with `frame`: same channel, SF, sync word,
 * IQ polarity, header mode and low data rate optimisation (it changes the symbol mapping). With an
 * implicit header the receiver must also know the coding rate and CRC setting the header would carry.
 * The preamble length need not match: a receiver finds any preamble of at least its few detection symbols.
 */
export function receiverCanDemodulate(receiver: LoRaModulation, frame: LoRaModulation): boolean {
  return (
    interferes(receiver, frame) &&
    receiver.syncWord === frame.syncWord &&
    receiver.invertIq === frame.invertIq &&
    receiver.explicitHeader === frame.explicitHeader &&
    receiver.lowDataRateOptimize === frame.lowDataRateOptimize &&
    (frame.explicitHeader ||
      (receiver.codingRateDenominator === frame.codingRateDenominator && receiver.crcOn === frame.crcOn))
  );
}

/** What channel activity detection recognises: chirps of this SF and bandwidth and polarity on this channel. */
export function activityDetectable(detector: LoRaModulation, frame: LoRaModulation): boolean {
  return interferes(detector, frame) && detector.invertIq === frame.invertIq;
}
