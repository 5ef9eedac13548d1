/*
 * The wasm imports of stack.wasm (radio-drivers/bus.ts, firmware/serial/uart.ts, the datagram
 * drivers, env.abort), implemented over the HAL. wasm2c passes each import module's instance
 * pointer to its functions; here every module's instance is the same small record: the linear
 * memory that pointer arguments index.
 */
#ifndef MESHSTACK_IMPORTS_H
#define MESHSTACK_IMPORTS_H

#include "wasm-rt.h"

struct Z_bus_instance_t { wasm_rt_memory_t *memory; };
struct Z_env_instance_t { wasm_rt_memory_t *memory; };
struct Z_espnow_instance_t { wasm_rt_memory_t *memory; };
struct Z_system_instance_t { wasm_rt_memory_t *memory; };
struct Z_uart_instance_t { wasm_rt_memory_t *memory; };
struct Z_udp_instance_t { wasm_rt_memory_t *memory; };

struct native_imports {
  struct Z_bus_instance_t bus;
  struct Z_env_instance_t env;
  struct Z_espnow_instance_t espnow;
  struct Z_system_instance_t system;
  struct Z_uart_instance_t uart;
  struct Z_udp_instance_t udp;
};

/* Points every import module at `memory` (the instance's, before it is instantiated). */
void native_imports_bind(struct native_imports *imports, wasm_rt_memory_t *memory);

/* `length` bytes at wasm address `address`, or a trap (OOB) when they are not all inside memory. */
uint8_t *native_memory_span(const wasm_rt_memory_t *memory, uint32_t address, uint32_t length);

#endif
