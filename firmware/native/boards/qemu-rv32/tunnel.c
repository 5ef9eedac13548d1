/*
 * Bus tunnel over the console UART (tunnel.h). The receive side is a byte-at-a-time demultiplexer
 * built on the serial protocol's frame format (docs/serial-protocol.md, "Frames"):
 *   - outside a candidate frame every byte goes to the console queue, except FE, which opens one;
 *   - the header is checked as the console's own reader does (FF, length ^ check = FFFF, ≤ 1400);
 *     a header that fails is given to the console byte by byte and reread from the byte after the
 *     FE, so a tunnel frame starting inside it is still found;
 *   - once the first payload byte is in, a frame of any other type is handed to the console whole
 *     without being parsed further, so console payloads (a Ping's bytes, say) cannot inject tunnel
 *     messages;
 *   - a D0/51 frame is collected and its CRC checked; a bad one goes to the console, whose reader
 *     counts and drops it.
 */
#include "tunnel.h"

#include <string.h>

#include "clock.h"
#include "crc32c.h"
#include "platform.h"
#include "uart.h"
#include "wasm-rt.h"

#define MAGIC_0 0xFEu
#define MAGIC_1 0xFFu
#define HEADER_BYTES 6u
#define CRC_BYTES 4u
#define MAX_PAYLOAD 1400u
#define BUS_REQUEST 0x50u
#define BUS_REPLY 0xD0u
#define BUS_INTERRUPT 0x51u

/* ---- console queue: bytes for the wasm console, kept while the board waits for a reply ---- */

#define CONSOLE_QUEUE_BYTES 2048u /* more than one whole frame (1410) */
static uint8_t console_queue[CONSOLE_QUEUE_BYTES];
static size_t queue_head, queue_count;

static void to_console(uint8_t byte) {
  /* Full only if the host sent more than a frame of console bytes while a reply was awaited; the
   * console's reader then sees a broken frame, counts it and resynchronises. */
  if (queue_count == CONSOLE_QUEUE_BYTES) return;
  console_queue[(queue_head + queue_count++) % CONSOLE_QUEUE_BYTES] = byte;
}

size_t tunnel_console_read(uint8_t *buffer, size_t capacity) {
  tunnel_poll();
  size_t count = 0;
  while (count < capacity && queue_count > 0) {
    buffer[count++] = console_queue[queue_head];
    queue_head = (queue_head + 1) % CONSOLE_QUEUE_BYTES;
    queue_count--;
  }
  return count;
}

bool tunnel_console_pending(void) {
  return queue_count > 0;
}

/* ---- receive demultiplexer ---- */

static uint8_t frame[HEADER_BYTES + MAX_PAYLOAD + CRC_BYTES];
static size_t collected;         /* bytes of the current candidate in `frame` */
static size_t frame_total;       /* its whole length, once the header is valid */
static size_t passthrough_left;  /* bytes of a console frame still to pass on unparsed */

static bool reply_ready;
static uint8_t awaited_seq;
static bool interrupt_pending;

static void demux(uint8_t byte);

static void dispatch(const uint8_t *payload, size_t length) {
  if (payload[0] == BUS_INTERRUPT) {
    /* 51 pin level: the driver reads the line itself; this only wakes the main loop. */
    interrupt_pending = true;
  } else if (length >= 3 && payload[1] == awaited_seq && !reply_ready) {
    reply_ready = true; /* the payload stays in `frame` until tunnel_request copies it */
    return;
  }
  /* A reply nobody waits for (late, or from before a reset) is dropped. */
}

/* The candidate failed its header checks: the FE is text, and the bytes after it are read again. */
static void reject_header(void) {
  uint8_t again[HEADER_BYTES];
  size_t count = collected - 1;
  memcpy(again, frame + 1, count);
  collected = 0;
  to_console(MAGIC_0);
  for (size_t i = 0; i < count; i++) demux(again[i]);
}

static void release_candidate(void) {
  for (size_t i = 0; i < collected; i++) to_console(frame[i]);
  collected = 0;
}

static void demux(uint8_t byte) {
  if (passthrough_left > 0) {
    passthrough_left--;
    to_console(byte);
    return;
  }
  if (reply_ready) {
    /* The awaited reply still sits in `frame`; the next poll happens after it was taken. */
    to_console(byte);
    return;
  }
  if (collected == 0) {
    if (byte == MAGIC_0) frame[collected++] = byte;
    else to_console(byte);
    return;
  }
  frame[collected++] = byte;
  if (collected == 2 && byte != MAGIC_1) return reject_header();
  if (collected < HEADER_BYTES) return;
  if (collected == HEADER_BYTES) {
    uint16_t length = (uint16_t)(frame[2] | frame[3] << 8);
    uint16_t check = (uint16_t)(frame[4] | frame[5] << 8);
    if ((length ^ check) != 0xFFFFu || length > MAX_PAYLOAD) return reject_header();
    frame_total = HEADER_BYTES + length + CRC_BYTES;
    return;
  }
  if (collected == HEADER_BYTES + 1) {
    uint8_t type = byte;
    bool ours = frame_total > HEADER_BYTES + CRC_BYTES && (type == BUS_REPLY || type == BUS_INTERRUPT);
    if (!ours) {
      passthrough_left = frame_total - collected;
      release_candidate();
    }
    return;
  }
  if (collected < frame_total) return;
  uint32_t expected = crc32c_final(crc32c_update(CRC32C_INITIAL, frame + 2, frame_total - CRC_BYTES - 2));
  const uint8_t *crc = frame + frame_total - CRC_BYTES;
  uint32_t received = (uint32_t)crc[0] | (uint32_t)crc[1] << 8 | (uint32_t)crc[2] << 16 | (uint32_t)crc[3] << 24;
  if (received != expected) return release_candidate();
  collected = 0;
  dispatch(frame + HEADER_BYTES, frame_total - HEADER_BYTES - CRC_BYTES);
}

void tunnel_poll(void) {
  /* Stop reading while a reply waits to be taken: the UART (and QEMU behind it) holds the rest. */
  for (int byte; !reply_ready && (byte = uart_read_byte()) >= 0;) demux((uint8_t)byte);
}

bool tunnel_take_interrupt(void) {
  tunnel_poll();
  bool pending = interrupt_pending;
  interrupt_pending = false;
  return pending;
}

/* ---- requests ---- */

static uint8_t next_seq = 1;

static void put_le16(uint8_t *out, uint16_t value) {
  out[0] = (uint8_t)value;
  out[1] = (uint8_t)(value >> 8);
}

static void send_request(uint8_t seq, uint8_t op, const uint8_t *head, size_t head_length, const uint8_t *tail,
                         size_t tail_length) {
  uint16_t length = (uint16_t)(3 + head_length + tail_length);
  uint8_t header[HEADER_BYTES + 3] = {MAGIC_0, MAGIC_1};
  put_le16(header + 2, length);
  put_le16(header + 4, (uint16_t)(length ^ 0xFFFFu));
  header[6] = BUS_REQUEST;
  header[7] = seq;
  header[8] = op;
  uint32_t crc = crc32c_update(CRC32C_INITIAL, header + 2, sizeof header - 2);
  crc = crc32c_update(crc, head, head_length);
  crc = crc32c_final(crc32c_update(crc, tail, tail_length));
  uint8_t trailer[CRC_BYTES] = {(uint8_t)crc, (uint8_t)(crc >> 8), (uint8_t)(crc >> 16), (uint8_t)(crc >> 24)};
  uart_write(header, sizeof header);
  uart_write(head, head_length);
  uart_write(tail, tail_length);
  uart_write(trailer, sizeof trailer);
}

static const char hex_digits[] = "0123456789abcdef";

uint8_t tunnel_request(uint8_t op, const uint8_t *head, size_t head_length, const uint8_t *tail, size_t tail_length,
                       uint8_t *reply, size_t capacity, size_t *reply_length) {
  if (3 + head_length + tail_length > MAX_PAYLOAD) native_trap("bus tunnel: request too long", 0);
  uint8_t seq = next_seq++;
  awaited_seq = seq;
  reply_ready = false;
  send_request(seq, op, head, head_length, tail, tail_length);
  uint64_t give_up = clock_ticks() + (uint64_t)TUNNEL_TIMEOUT_MS * (MTIME_HZ / 1000u);
  for (;;) {
    tunnel_poll();
    if (reply_ready) break;
    uint64_t now = clock_ticks();
    if (now >= give_up) {
      static char detail[] = "no reply to op 00 within 5 s";
      detail[15] = hex_digits[op >> 4];
      detail[16] = hex_digits[op & 15u];
      native_trap("bus tunnel", detail);
    }
    clock_wait_for_interrupt(give_up);
  }
  const uint8_t *payload = frame + HEADER_BYTES;
  size_t data_length = frame_total - HEADER_BYTES - CRC_BYTES - 3;
  if (data_length > capacity) data_length = capacity;
  memcpy(reply, payload + 3, data_length);
  if (reply_length != 0) *reply_length = data_length;
  uint8_t status = payload[2];
  reply_ready = false;
  return status;
}
