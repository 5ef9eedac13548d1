/*
 * The devices of QEMU's `virt` RISC-V machine this board uses, at the addresses of QEMU 7.2
 * hw/riscv/virt.c (virt_memmap): ns16550a UART0, the SiFive test finisher, the CLINT and the PLIC.
 */
#ifndef MESHSTACK_QEMU_PLATFORM_H
#define MESHSTACK_QEMU_PLATFORM_H

#include <stdint.h>

#define MMIO8(address) (*(volatile uint8_t *)(uintptr_t)(address))
#define MMIO32(address) (*(volatile uint32_t *)(uintptr_t)(address))

/* SiFive test finisher: a 32-bit write of one of these codes ends or resets the machine. */
#define TEST_FINISHER 0x00100000u
#define TEST_FINISHER_FAIL 0x3333u
#define TEST_FINISHER_PASS 0x5555u
#define TEST_FINISHER_RESET 0x7777u

/* CLINT (SiFive Core-Local Interruptor layout): mtimecmp of hart 0 and mtime, 64-bit each. */
#define CLINT_MTIMECMP 0x02004000u
#define CLINT_MTIME 0x0200BFF8u
/* mtime ticks per second on virt (RISCV_ACLINT_DEFAULT_TIMEBASE_FREQ). */
#define MTIME_HZ 10000000u

/* PLIC (SiFive PLIC layout, as QEMU's virt wires it): UART0 is interrupt source 10; context 0 is
 * hart 0 in machine mode. */
#define PLIC_BASE 0x0C000000u
#define PLIC_PRIORITY(source) (PLIC_BASE + 4u * (source))
#define PLIC_ENABLE_CONTEXT0 (PLIC_BASE + 0x2000u)
#define PLIC_THRESHOLD_CONTEXT0 (PLIC_BASE + 0x200000u)
#define PLIC_CLAIM_CONTEXT0 (PLIC_BASE + 0x200004u)
#define UART0_IRQ 10u

#define UART0_BASE 0x10000000u

/* Ends QEMU (the bench firmware): PASS exits with status 0, FAIL with 1. */
__attribute__((noreturn)) void board_power_off(int failed);

#endif
