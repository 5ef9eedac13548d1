/*
 * mtime/mtimecmp (RISC-V privileged spec v1.12 §3.2.1, "Machine Timer Registers") and wfi (§3.3.3).
 * Interrupts stay globally disabled (mstatus.MIE = 0) and are only enabled in mie: "WFI is also
 * required to resume execution for locally enabled interrupts pending at any privilege level,
 * regardless of the global interrupt enable", so the hart wakes without taking a trap and the
 * firmware needs no interrupt handler at all. The UART line reaches mip.MEIP through the PLIC.
 */
#include "clock.h"

#include "platform.h"
#include "uart.h"

#define MIE_MTIE (1u << 7)
#define MIE_MEIE (1u << 11)

void clock_init(void) {
  MMIO32(PLIC_PRIORITY(UART0_IRQ)) = 1;
  MMIO32(PLIC_ENABLE_CONTEXT0) = 1u << UART0_IRQ;
  MMIO32(PLIC_THRESHOLD_CONTEXT0) = 0;
  __asm__ volatile("csrs mie, %0" ::"r"(MIE_MTIE | MIE_MEIE));
}

uint64_t clock_ticks(void) {
  /* rv32 reads the 64-bit counter in halves; re-read if the high half moved in between (§3.2.1). */
  uint32_t high, low;
  do {
    high = MMIO32(CLINT_MTIME + 4);
    low = MMIO32(CLINT_MTIME);
  } while (high != MMIO32(CLINT_MTIME + 4));
  return (uint64_t)high << 32 | low;
}

static void set_timer(uint64_t ticks) {
  /* The spec's sequence for rv32: park the low half at its maximum so no intermediate value fires
   * early, then write the high half, then the low. */
  MMIO32(CLINT_MTIMECMP) = 0xFFFFFFFFu;
  MMIO32(CLINT_MTIMECMP + 4) = (uint32_t)(ticks >> 32);
  MMIO32(CLINT_MTIMECMP) = (uint32_t)ticks;
}

void clock_wait_for_interrupt(uint64_t ticks) {
  set_timer(ticks);
  /* Claim and complete whatever the PLIC holds, so a handled UART interrupt does not keep MEIP
   * pending (which would make wfi return at once, forever). */
  uint32_t claimed = MMIO32(PLIC_CLAIM_CONTEXT0);
  if (claimed != 0) MMIO32(PLIC_CLAIM_CONTEXT0) = claimed;
  /* A byte that arrived after the caller last drained the UART raised the interrupt just
   * acknowledged: look before sleeping, or the wake-up is lost until the timer. A byte arriving
   * after this check raises the line again and wakes the wfi. */
  if (uart_data_ready()) return;
  __asm__ volatile("wfi");
}
