// meshstack: the entry point compiled to build/stack.wasm. Re-exports the host-facing API of every
// part of the stack; each exports/ file owns one part.
export * from "./exports/io-window";
export * from "./exports/crypto-symmetric";
export * from "./exports/crypto-curve";
export * from "./exports/stack-api";
export * from "./exports/datalink-api";
export * from "./exports/lora-api";
export * from "./exports/radio-api";
export * from "./exports/radio-sx127x";
export * from "./exports/radio-sx126x";
export * from "./exports/node-api";
export * from "./exports/console-api";
export * from "./exports/availability-api";
