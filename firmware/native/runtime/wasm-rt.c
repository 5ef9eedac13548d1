/*
 * meshstack's wasm2c runtime (declarations and rationale in wasm-rt.h). Every resource is static and
 * sized at build time, so a board's RAM use is known before it runs: the linear-memory arena, the
 * function-table pool and the function-signature table. Nothing here calls malloc.
 */
#include "wasm-rt.h"

#include <stdarg.h>

#define WASM_PAGE_BYTES 65536u

#if WASM_RT_USE_STACK_DEPTH_COUNT
uint32_t wasm_rt_call_stack_depth;
#endif

/* Linear memory. Aligned to 16 so the widest access (i64/f64) is aligned whenever its wasm address
 * is. It lives in .bss: zero at boot, as wasm requires of fresh memory. */
static uint8_t arena[WASM_RT_ARENA_PAGES * WASM_PAGE_BYTES] __attribute__((aligned(16)));
static bool arena_taken;
static bool grow_refused;

static bool initialized;

void wasm_rt_init(void) {
  initialized = true;
}

bool wasm_rt_is_initialized(void) {
  return initialized;
}

void wasm_rt_free(void) {
  initialized = false;
}

const char *wasm_rt_strerror(wasm_rt_trap_t trap) {
  switch (trap) {
    case WASM_RT_TRAP_NONE: return "no trap";
    case WASM_RT_TRAP_OOB: return "out-of-bounds memory or table access";
    case WASM_RT_TRAP_INT_OVERFLOW: return "integer overflow";
    case WASM_RT_TRAP_DIV_BY_ZERO: return "integer divide by zero";
    case WASM_RT_TRAP_INVALID_CONVERSION: return "invalid conversion to integer";
    case WASM_RT_TRAP_UNREACHABLE: return "unreachable executed";
    case WASM_RT_TRAP_CALL_INDIRECT: return "indirect call type mismatch";
    case WASM_RT_TRAP_UNCAUGHT_EXCEPTION: return "uncaught exception";
    case WASM_RT_TRAP_EXHAUSTION: return "call stack exhausted";
  }
  return "unknown trap";
}

void wasm_rt_trap(wasm_rt_trap_t trap) {
  /* AssemblyScript's stub runtime answers a refused memory.grow with `unreachable`: say why. */
  const char *detail = trap == WASM_RT_TRAP_UNREACHABLE && grow_refused ? "out of memory (arena full)" : 0;
  native_trap(wasm_rt_strerror(trap), detail);
}

/* ---- Function types ----------------------------------------------------------------------------
 * call_indirect compares the callee's registered type index with the expected one, so equal
 * signatures must get equal indices. A signature is stored as its counts and its value types packed
 * 3 bits each (6 kinds fit), which bounds a signature to 21 values; a larger one is refused at
 * start-up rather than mis-compared. */
#define MAX_PACKED_VALUES 21
typedef struct {
  uint8_t params, results;
  uint64_t packed;
} func_type_t;
static func_type_t func_types[WASM_RT_MAX_FUNC_TYPES];
static uint32_t func_type_count;

uint32_t wasm_rt_register_func_type(uint32_t params, uint32_t results, ...) {
  if (params + results > MAX_PACKED_VALUES) native_trap("function type has too many values", 0);
  func_type_t type = {(uint8_t)params, (uint8_t)results, 0};
  va_list values;
  va_start(values, results);
  for (uint32_t i = 0; i < params + results; i++) {
    /* Enums are promoted to int through `...` (C11 6.5.2.2p7). */
    type.packed |= (uint64_t)((unsigned)va_arg(values, int) & 7u) << (3u * i);
  }
  va_end(values);
  for (uint32_t i = 0; i < func_type_count; i++) {
    const func_type_t *known = &func_types[i];
    if (known->params == type.params && known->results == type.results && known->packed == type.packed) return i;
  }
  if (func_type_count == WASM_RT_MAX_FUNC_TYPES) native_trap("too many function types", "raise WASM_RT_MAX_FUNC_TYPES");
  func_types[func_type_count] = type;
  return func_type_count++;
}

/* ---- Linear memory ---------------------------------------------------------------------------- */

void wasm_rt_allocate_memory(wasm_rt_memory_t *memory, uint32_t initial_pages, uint32_t max_pages) {
  if (arena_taken) native_trap("second linear memory", "the arena holds one");
  if (initial_pages > WASM_RT_ARENA_PAGES) native_trap("initial memory larger than the arena", "raise WASM_RT_ARENA_PAGES");
  arena_taken = true;
  grow_refused = false;
  memory->data = arena;
  memory->pages = initial_pages;
  memory->max_pages = max_pages;
  memory->size = initial_pages * WASM_PAGE_BYTES;
  /* A restarted instance on a PC harness must not see the last one's bytes. */
  memset(arena, 0, sizeof arena);
}

uint32_t wasm_rt_grow_memory(wasm_rt_memory_t *memory, uint32_t delta) {
  uint32_t old_pages = memory->pages;
  uint64_t new_pages = (uint64_t)old_pages + delta;
  if (new_pages > memory->max_pages || new_pages > WASM_RT_ARENA_PAGES) {
    grow_refused = true;
    return 0xFFFFFFFFu;
  }
  memory->pages = (uint32_t)new_pages;
  memory->size = (uint32_t)new_pages * WASM_PAGE_BYTES;
  /* The arena beyond the old size was zeroed at allocation and never written: bounds checks kept
   * every store below `size`. */
  return old_pages;
}

void wasm_rt_free_memory(wasm_rt_memory_t *memory) {
  if (memory->data == arena) arena_taken = false;
  memory->data = 0;
  memory->size = memory->pages = 0;
}

uint32_t wasm_rt_arena_bytes(void) {
  return sizeof arena;
}

bool wasm_rt_grow_failed(void) {
  return grow_refused;
}

/* ---- Tables ------------------------------------------------------------------------------------
 * One static pool shared by all tables, handed out in order. The stack's AssemblyScript has no
 * table today (no closures or virtual calls in the compiled output); this keeps a future one
 * working without malloc. Tables cannot grow past their initial size (table.grow returns -1, as
 * the spec allows when resources are exhausted). */
static wasm_rt_funcref_t funcref_pool[WASM_RT_TABLE_ELEMENTS];
static uint32_t funcref_used;
static wasm_rt_externref_t externref_pool[WASM_RT_TABLE_ELEMENTS];
static uint32_t externref_used;

void wasm_rt_allocate_funcref_table(wasm_rt_funcref_table_t *table, uint32_t elements, uint32_t max_elements) {
  if (elements > WASM_RT_TABLE_ELEMENTS - funcref_used) native_trap("function table larger than its pool", "raise WASM_RT_TABLE_ELEMENTS");
  table->data = &funcref_pool[funcref_used];
  funcref_used += elements;
  table->size = elements;
  table->max_size = max_elements < elements ? elements : max_elements;
  for (uint32_t i = 0; i < elements; i++) table->data[i] = wasm_rt_funcref_null_value;
}

void wasm_rt_free_funcref_table(wasm_rt_funcref_table_t *table) {
  table->data = 0;
  table->size = 0;
}

uint32_t wasm_rt_grow_funcref_table(wasm_rt_funcref_table_t *table, uint32_t delta, wasm_rt_funcref_t init) {
  (void)init;
  return delta == 0 ? table->size : 0xFFFFFFFFu;
}

void wasm_rt_allocate_externref_table(wasm_rt_externref_table_t *table, uint32_t elements, uint32_t max_elements) {
  if (elements > WASM_RT_TABLE_ELEMENTS - externref_used) native_trap("externref table larger than its pool", "raise WASM_RT_TABLE_ELEMENTS");
  table->data = &externref_pool[externref_used];
  externref_used += elements;
  table->size = elements;
  table->max_size = max_elements < elements ? elements : max_elements;
  for (uint32_t i = 0; i < elements; i++) table->data[i] = wasm_rt_externref_null_value;
}

void wasm_rt_free_externref_table(wasm_rt_externref_table_t *table) {
  table->data = 0;
  table->size = 0;
}

uint32_t wasm_rt_grow_externref_table(wasm_rt_externref_table_t *table, uint32_t delta, wasm_rt_externref_t init) {
  (void)init;
  return delta == 0 ? table->size : 0xFFFFFFFFu;
}
