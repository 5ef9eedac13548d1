/* Time and sleep on QEMU virt: the CLINT's mtime (10 MHz) and wfi woken by the timer or the UART. */
#ifndef MESHSTACK_QEMU_CLOCK_H
#define MESHSTACK_QEMU_CLOCK_H

#include <stdint.h>

void clock_init(void);
uint64_t clock_ticks(void);
/* Sets the timer to fire at `ticks` and waits for it or a UART byte; returns at once if a byte is
 * already waiting. Callers drain the UART before and after. */
void clock_wait_for_interrupt(uint64_t ticks);

#endif
