/*
 * The stack's wasm imports over the HAL (imports.h). Pointer arguments come from the wasm side, so
 * each is checked against linear memory before C touches it: a bad pointer is a trap, as it would
 * be inside wasm, not a write into the C heap.
 */
#include "imports.h"

#include "hal.h"
#include "stack.h"

void native_imports_bind(struct native_imports *imports, wasm_rt_memory_t *memory) {
  imports->bus.memory = memory;
  imports->env.memory = memory;
  imports->espnow.memory = memory;
  imports->system.memory = memory;
  imports->uart.memory = memory;
  imports->udp.memory = memory;
}

uint8_t *native_memory_span(const wasm_rt_memory_t *memory, uint32_t address, uint32_t length) {
  if ((uint64_t)address + length > memory->size) wasm_rt_trap(WASM_RT_TRAP_OOB);
  return memory->data + address;
}

/* ---- bus (radio-drivers/bus.ts) ---- */

void Z_busZ_spiTransfer(struct Z_bus_instance_t *self, u32 bus, u32 tx, u32 rx, u32 length) {
  const uint8_t *out = native_memory_span(self->memory, tx, length);
  uint8_t *in = native_memory_span(self->memory, rx, length);
  hal_spi_transfer(bus, out, in, length);
}

void Z_busZ_gpioWrite(struct Z_bus_instance_t *self, u32 bus, u32 pin, u32 level) {
  (void)self;
  hal_gpio_write(bus, pin, level);
}

u32 Z_busZ_gpioRead(struct Z_bus_instance_t *self, u32 bus, u32 pin) {
  (void)self;
  return hal_gpio_read(bus, pin);
}

void Z_busZ_delayMicroseconds(struct Z_bus_instance_t *self, u32 bus, u32 microseconds) {
  (void)self;
  hal_delay_us(bus, microseconds);
}

/* ---- uart (firmware/serial/uart.ts) and system ---- */

void Z_uartZ_write(struct Z_uart_instance_t *self, u32 pointer, u32 length) {
  hal_uart_write(native_memory_span(self->memory, pointer, length), length);
}

void Z_systemZ_reboot(struct Z_system_instance_t *self) {
  (void)self;
  hal_restart();
}

/* ---- datagram transports (radio-drivers/espnow, radio-drivers/udp) ---- */

u32 Z_espnowZ_send(struct Z_espnow_instance_t *self, u32 pointer, u32 length) {
  return hal_espnow_send(native_memory_span(self->memory, pointer, length), length) ? 1 : 0;
}

u32 Z_udpZ_send(struct Z_udp_instance_t *self, u32 pointer, u32 length) {
  return hal_udp_send(native_memory_span(self->memory, pointer, length), length) ? 1 : 0;
}

/* ---- env.abort: AssemblyScript's abort(message, file, line, column) ----
 * Strings are AssemblyScript objects: UTF-16LE code units, their byte length in the u32 just before
 * the pointer (the object header's rtSize; AssemblyScript std/assembly/rt/common.ts). Decoded to
 * ASCII ('?' for anything else) into a static line, so the trap report needs no allocation. */

static char abort_detail[160];
static size_t abort_length;

static void append_char(char c) {
  if (abort_length + 1 < sizeof abort_detail) abort_detail[abort_length++] = c;
}

static void append_text(const char *text) {
  while (*text) append_char(*text++);
}

static void append_string(const wasm_rt_memory_t *memory, u32 pointer) {
  if (pointer < 4 || (uint64_t)pointer > memory->size) return append_text("(bad string)");
  uint32_t bytes;
  memcpy(&bytes, memory->data + pointer - 4, 4);
  if ((uint64_t)pointer + bytes > memory->size) return append_text("(bad string)");
  for (uint32_t i = 0; i + 1 < bytes; i += 2) {
    uint16_t unit = (uint16_t)(memory->data[pointer + i] | memory->data[pointer + i + 1] << 8);
    append_char(unit >= 0x20 && unit < 0x7F ? (char)unit : '?');
  }
}

static void append_decimal(u32 value) {
  char digits[10];
  int count = 0;
  do digits[count++] = (char)('0' + value % 10); while ((value /= 10) != 0);
  while (count > 0) append_char(digits[--count]);
}

void Z_envZ_abort(struct Z_env_instance_t *self, u32 message, u32 file, u32 line, u32 column) {
  abort_length = 0;
  if (message != 0) append_string(self->memory, message);
  else append_text("(no message)");
  if (file != 0) {
    append_text(" at ");
    append_string(self->memory, file);
    append_char(':');
    append_decimal(line);
    append_char(':');
    append_decimal(column);
  }
  abort_detail[abort_length] = 0;
  native_trap("abort", abort_detail);
}
