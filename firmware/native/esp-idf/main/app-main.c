/* ESP-IDF's entry point: the shared main loop (firmware/native/main.c) in app_main's task, whose
 * stack sdkconfig.defaults sizes for it. meshstack_main only returns if the loop ever ends; the
 * board then restarts, as board_main does on QEMU. */
#include "hal.h"

void meshstack_main(void);
void app_main(void);

void app_main(void) {
  meshstack_main();
  hal_restart();
}
