/*
 * The HAL (hal/hal.h) of the QEMU virt board. QEMU gives it a UART, a timer and a reset; everything
 * else a real board has on its pins — the radio, the RNG, flash for keys — is reached through the
 * bus tunnel to the host (tunnel.h), where `mesh vboard --board qemu-rv32` attaches the SX1262 chip
 * model and the key store. It has no WiFi (hal/no-wifi.c).
 */
#include "hal.h"

#include "clock.h"
#include "platform.h"
#include "tunnel.h"
#include "uart.h"
#include "wasm-rt.h"

#define TICKS_PER_MS (MTIME_HZ / 1000u)

void hal_init(void) {
  uart_init();
  clock_init();
}

void hal_uart_write(const uint8_t *bytes, size_t length) {
  uart_write(bytes, length);
}

size_t hal_uart_read(uint8_t *buffer, size_t capacity) {
  return tunnel_console_read(buffer, capacity);
}

uint64_t hal_millis(void) {
  return clock_ticks() / TICKS_PER_MS;
}

void hal_sleep_until(uint64_t deadline_ms) {
  uint64_t deadline = deadline_ms * TICKS_PER_MS;
  for (;;) {
    if (tunnel_take_interrupt() || tunnel_console_pending()) return;
    if (clock_ticks() >= deadline) return;
    clock_wait_for_interrupt(deadline);
  }
}

/* ---- radio bus, through the tunnel ---- */

static void require_ok(uint8_t status, const char *what) {
  if (status != 0) native_trap("bus tunnel: the host reported an error for", what);
}

void hal_spi_transfer(uint32_t bus, const uint8_t *tx, uint8_t *rx, size_t length) {
  uint8_t head[1] = {(uint8_t)bus};
  size_t answered = 0;
  require_ok(tunnel_request(TUNNEL_SPI_TRANSFER, head, 1, tx, length, rx, length, &answered), "spi transfer");
  if (answered != length) native_trap("bus tunnel", "spi reply length differs from the request");
}

void hal_gpio_write(uint32_t bus, uint32_t pin, uint32_t level) {
  uint8_t data[3] = {(uint8_t)bus, (uint8_t)pin, (uint8_t)(level != 0)};
  require_ok(tunnel_request(TUNNEL_GPIO_WRITE, data, sizeof data, 0, 0, 0, 0, 0), "gpio write");
}

uint32_t hal_gpio_read(uint32_t bus, uint32_t pin) {
  uint8_t data[2] = {(uint8_t)bus, (uint8_t)pin};
  uint8_t level = 0;
  size_t answered = 0;
  require_ok(tunnel_request(TUNNEL_GPIO_READ, data, sizeof data, 0, 0, &level, 1, &answered), "gpio read");
  if (answered != 1) native_trap("bus tunnel", "gpio read reply has no level");
  return level;
}

void hal_delay_us(uint32_t bus, uint32_t microseconds) {
  /* The chip model keeps the radio's time, so the delay is the host's to apply. */
  uint8_t data[5] = {(uint8_t)bus, (uint8_t)microseconds, (uint8_t)(microseconds >> 8),
                     (uint8_t)(microseconds >> 16), (uint8_t)(microseconds >> 24)};
  require_ok(tunnel_request(TUNNEL_DELAY, data, sizeof data, 0, 0, 0, 0, 0), "delay");
}

/* ---- entropy and key storage, through the tunnel (QEMU virt has no TRNG and no flash here) ---- */

void hal_random(uint8_t *out, size_t length) {
  while (length > 0) {
    uint8_t count = length > 255 ? 255 : (uint8_t)length;
    size_t answered = 0;
    require_ok(tunnel_request(TUNNEL_ENTROPY, &count, 1, 0, 0, out, count, &answered), "entropy");
    if (answered != count) native_trap("bus tunnel", "short entropy reply");
    out += count;
    length -= count;
  }
}

size_t hal_storage_read(uint32_t slot, uint8_t *out, size_t capacity) {
  uint8_t slot_byte = (uint8_t)slot;
  size_t answered = 0;
  if (tunnel_request(TUNNEL_STORAGE_READ, &slot_byte, 1, 0, 0, out, capacity, &answered) != 0) return 0;
  return answered;
}

bool hal_storage_write(uint32_t slot, const uint8_t *bytes, size_t length) {
  uint8_t slot_byte = (uint8_t)slot;
  return tunnel_request(TUNNEL_STORAGE_WRITE, &slot_byte, 1, bytes, length, 0, 0, 0) == 0;
}

/* ---- reset ---- */

void hal_restart(void) {
  uart_drain();
  /* A machine reset: QEMU reloads the ELF's segments and starts again at the reset vector. */
  MMIO32(TEST_FINISHER) = TEST_FINISHER_RESET;
  for (;;) __asm__ volatile("wfi");
}

void board_power_off(int failed) {
  uart_drain();
  MMIO32(TEST_FINISHER) = failed ? (TEST_FINISHER_FAIL | (1u << 16)) : TEST_FINISHER_PASS;
  for (;;) __asm__ volatile("wfi");
}
