/* Entry points of the QEMU board that are not HAL: the C entry from start.S and the fault report. */
#include "hal.h"
#include "log.h"

void meshstack_main(void);
void board_main(void);
void board_fault(uint32_t cause, uint32_t pc, uint32_t value);

void board_main(void) {
  meshstack_main();
  hal_restart();
}

static char *hex32(char *out, uint32_t value) {
  static const char digits[] = "0123456789abcdef";
  out[0] = '0';
  out[1] = 'x';
  for (int i = 0; i < 8; i++) out[2 + i] = digits[(value >> (28 - 4 * i)) & 15u];
  out[10] = 0;
  return out;
}

/* mcause codes (privileged spec v1.12 table 3.6) are shown raw: the log is for developers. */
void board_fault(uint32_t cause, uint32_t pc, uint32_t value) {
  char cause_text[11], pc_text[11], value_text[11];
  native_log("fault: mcause=", hex32(cause_text, cause), " mepc=", hex32(pc_text, pc));
  native_log("fault: mtval=", hex32(value_text, value), "; restarting", 0);
  hal_restart();
}
