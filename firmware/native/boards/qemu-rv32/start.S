/*
 * Reset entry of the QEMU virt board (`-bios none`: QEMU's reset vector jumps to 0x80000000 with
 * a0 = hart id). Sets up gp, sp and the trap vector, copies .data from its load address, zeroes
 * .bss, and enters the firmware. Harts other than 0 park in wfi (virt starts one hart by default).
 * CSRs: RISC-V privileged spec v1.12 §3.1 (mtvec, mcause, mepc, mtval).
 */
  .section .text.start, "ax"
  .globl _start
_start:
  .option push
  .option norelax
  la gp, __global_pointer$
  .option pop
  csrr t0, mhartid
  bnez t0, park
  la sp, __stack_top
  la t0, fault_entry
  csrw mtvec, t0
  la tp, __tls_base

  la t0, __data_load
  la t1, __data_start
  la t2, __data_end
1:
  bgeu t1, t2, 2f
  lw t3, 0(t0)
  sw t3, 0(t1)
  addi t0, t0, 4
  addi t1, t1, 4
  j 1b
2:
  la t1, __bss_start
  la t2, __bss_end
3:
  bgeu t1, t2, 4f
  sw zero, 0(t1)
  addi t1, t1, 4
  j 3b
4:
  /* Stack guard (privileged spec §3.7, "Physical Memory Protection"): entry 0 covers the 1 KiB
   * below the stack as a naturally aligned power-of-two region (pmpaddr = base/4 | (size/8 - 1))
   * with no R/W/X and the lock bit, which makes it bind machine mode too. Reset unlocks it. */
  la t0, __stack_guard
  srli t0, t0, 2
  ori t0, t0, (1024 / 8 - 1)
  csrw pmpaddr0, t0
  li t0, 0x98 /* L | A=NAPOT | no permissions */
  csrw pmpcfg0, t0
  call board_main
park:
  wfi
  j park

/* Synchronous exceptions (the firmware enables no interrupt in mstatus, so only these arrive):
 * a fault in C code, not a wasm trap. Report it and reset; mtvec needs 4-byte alignment (§3.1.7). */
  .balign 4
fault_entry:
  la sp, __stack_top
  csrr a0, mcause
  csrr a1, mepc
  csrr a2, mtval
  call board_fault
  j park
