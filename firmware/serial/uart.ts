// What the serial console needs from the board: its UART, and a way to restart. Imported from the
// board's C runtime (on a virtual board and in tests, from the host that runs the WASM).

/** Writes `length` bytes at `pointer` to the UART, in order; the console passes whole lines and frames. */
@external("uart", "write")
export declare function uartWrite(pointer: usize, length: i32): void;

/** Restarts the board. The runtime drains the UART first, so the last response reaches the host. */
@external("system", "reboot")
export declare function systemReboot(): void;
