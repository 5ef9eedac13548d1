/*
 * The bus tunnel: the radio's SPI/GPIO, entropy and key storage carried to the host over the console
 * UART, in serial-protocol frames multiplexed with the console (docs/native.md, "Tunnel").
 *   board → host BusRequest   50 seq op data…
 *   host → board BusReply     D0 seq status data…   (status 0 ok)
 *   host → board BusInterrupt 51 pin level          (a radio IRQ line changed)
 * Frames whose payload starts with D0 or 51 are taken here; every other byte goes to the console,
 * unchanged and in order.
 */
#ifndef MESHSTACK_QEMU_TUNNEL_H
#define MESHSTACK_QEMU_TUNNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum tunnel_op {
  TUNNEL_SPI_TRANSFER = 0x01,
  TUNNEL_GPIO_WRITE = 0x02,
  TUNNEL_GPIO_READ = 0x03,
  TUNNEL_DELAY = 0x04,
  TUNNEL_ENTROPY = 0x05,
  TUNNEL_STORAGE_READ = 0x06,
  TUNNEL_STORAGE_WRITE = 0x07,
};

/* How long a request waits for its reply before the board gives up and restarts. */
#define TUNNEL_TIMEOUT_MS 5000u

/* Reads every byte the UART holds and sorts it: tunnel frames here, the rest to the console queue. */
void tunnel_poll(void);

/* Console bytes queued so far, at most `capacity`; and whether any are waiting. */
size_t tunnel_console_read(uint8_t *buffer, size_t capacity);
bool tunnel_console_pending(void);

/* True once per BusInterrupt received since the last call. */
bool tunnel_take_interrupt(void);

/*
 * Sends BusRequest `op` with data `head` ‖ `tail` and waits for its BusReply. Returns the reply's
 * status (0 ok) and copies at most `capacity` data bytes to `reply`, their count to `*reply_length`.
 * No reply within TUNNEL_TIMEOUT_MS is a trap: the board logs it and restarts.
 */
uint8_t tunnel_request(uint8_t op, const uint8_t *head, size_t head_length, const uint8_t *tail, size_t tail_length,
                       uint8_t *reply, size_t capacity, size_t *reply_length);

#endif
