/*
 * The HAL on a PC, for the x86-64 harness (harness.c): the console is stdout, time is the monotonic
 * clock, entropy is getrandom. It has no radio, storage or WiFi: the harness never builds a node, and
 * a call that needs one is a trap with a clear reason rather than a silent fake (WiFi: hal/no-wifi.c).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "hal.h"
#include "wasm-rt.h"

void hal_init(void) {}

void hal_uart_write(const uint8_t *bytes, size_t length) {
  fwrite(bytes, 1, length, stdout);
  fflush(stdout);
}

size_t hal_uart_read(uint8_t *buffer, size_t capacity) {
  (void)buffer;
  (void)capacity;
  return 0;
}

uint64_t hal_millis(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (uint64_t)now.tv_sec * 1000u + (uint64_t)now.tv_nsec / 1000000u;
}

void hal_sleep_until(uint64_t deadline_ms) {
  uint64_t now = hal_millis();
  if (deadline_ms > now) usleep((useconds_t)((deadline_ms - now) * 1000u));
}

void hal_spi_transfer(uint32_t bus, const uint8_t *tx, uint8_t *rx, size_t length) {
  (void)bus;
  (void)tx;
  (void)rx;
  (void)length;
  native_trap("harness", "no radio on the PC harness");
}

void hal_gpio_write(uint32_t bus, uint32_t pin, uint32_t level) {
  (void)bus;
  (void)pin;
  (void)level;
  native_trap("harness", "no radio on the PC harness");
}

uint32_t hal_gpio_read(uint32_t bus, uint32_t pin) {
  (void)bus;
  (void)pin;
  native_trap("harness", "no radio on the PC harness");
}

void hal_delay_us(uint32_t bus, uint32_t microseconds) {
  (void)bus;
  usleep(microseconds);
}

void hal_random(uint8_t *out, size_t length) {
  while (length > 0) {
    ssize_t got = getrandom(out, length, 0);
    if (got <= 0) native_trap("harness", "getrandom failed");
    out += got;
    length -= (size_t)got;
  }
}

size_t hal_storage_read(uint32_t slot, uint8_t *out, size_t capacity) {
  (void)slot;
  (void)out;
  (void)capacity;
  return 0;
}

bool hal_storage_write(uint32_t slot, const uint8_t *bytes, size_t length) {
  (void)slot;
  (void)bytes;
  (void)length;
  return false;
}

void hal_restart(void) {
  /* A PC process cannot reset; the harness's callers treat this exit status as "restarted". */
  fflush(stdout);
  exit(75);
}
