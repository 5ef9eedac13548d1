/*
 * The hardware a meshstack board offers the stack: what the wasm imports (imports.c) and the main
 * loop (main.c) are written against. One implementation per board: boards/qemu-rv32/ (QEMU virt,
 * radio and storage tunnelled to the host), esp-idf/ (ESP32 family, ESP-IDF drivers).
 * All calls are made from the single main loop; none is called from an interrupt handler.
 */
#ifndef MESHSTACK_HAL_H
#define MESHSTACK_HAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Brings up the clock, console UART and radio buses. Called once, first thing after reset. */
void hal_init(void);

/* ---- Console UART (the serial protocol, docs/serial-protocol.md) ---- */

/* Blocks until every byte is handed to the UART (a whole line or frame per call keeps the host's
 * reader in step). */
void hal_uart_write(const uint8_t *bytes, size_t length);
/* Console bytes received since the last call, at most `capacity`, without blocking. */
size_t hal_uart_read(uint8_t *buffer, size_t capacity);

/* ---- Time ---- */

/* Milliseconds since reset, monotonic. */
uint64_t hal_millis(void);
/* Sleeps until `deadline_ms` (hal_millis time), or sooner when a console byte or a radio interrupt
 * arrives. Returns at once if one is already pending. */
void hal_sleep_until(uint64_t deadline_ms);

/* ---- Radio buses (radio-drivers/bus.ts: one SPI bus and its lines per radio) ---- */

/* The logical lines of a radio, as radio-drivers/bus.ts `Pin`; the HAL maps them to pads. */
enum hal_radio_pin {
  HAL_PIN_RESET = 0,
  HAL_PIN_BUSY = 1,
  HAL_PIN_IRQ = 2,
  HAL_PIN_RX_ENABLE = 3,
  HAL_PIN_TX_ENABLE = 4,
};

/* Full-duplex: NSS low, shift `length` bytes out of `tx` while filling `rx`, NSS high. */
void hal_spi_transfer(uint32_t bus, const uint8_t *tx, uint8_t *rx, size_t length);
void hal_gpio_write(uint32_t bus, uint32_t pin, uint32_t level);
uint32_t hal_gpio_read(uint32_t bus, uint32_t pin);
void hal_delay_us(uint32_t bus, uint32_t microseconds);

/* ---- Entropy and key storage ---- */

/* Fills `out` from the hardware random number generator. */
void hal_random(uint8_t *out, size_t length);

/* Storage slots that survive reboot and reflash of the app (NVS on ESP32). */
enum hal_storage_slot {
  /* The 32-byte Ed25519 seed of the node's identity. */
  HAL_SLOT_IDENTITY_SEED = 0,
  /* Radio settings: region index u8, preset index u8, transmit power dBm s8. */
  HAL_SLOT_RADIO_SETTINGS = 1,
  /* Announce sequence lease (u32 LE): the node's announces go above it after a reset (main.c). */
  HAL_SLOT_ANNOUNCE_SEQUENCE = 2,
};
#define HAL_STORAGE_MAX 64
/* Bytes stored in `slot` (at most `capacity`), 0 when the slot is empty. */
size_t hal_storage_read(uint32_t slot, uint8_t *out, size_t capacity);
/* True once the bytes are durably stored. */
bool hal_storage_write(uint32_t slot, const uint8_t *bytes, size_t length);

/* ---- Datagram transports (ESP-NOW broadcast, UDP to the IP overlay) ---- */

/* False when the transport cannot take the frame now (or the board has none). */
bool hal_espnow_send(const uint8_t *frame, size_t length);
bool hal_udp_send(const uint8_t *frame, size_t length);
/* A frame received since the last call (copied to `frame`, at most `capacity`), or 0. */
size_t hal_espnow_receive(uint8_t *frame, size_t capacity);
size_t hal_udp_receive(uint8_t *frame, size_t capacity);

/* ---- Reset ---- */

/* Drains the console UART and restarts the board from reset, as after power-on. */
__attribute__((noreturn)) void hal_restart(void);

#endif
