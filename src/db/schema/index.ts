export * from "./accounts.ts";
export * from "./agents.ts";
export * from "./phone-numbers.ts";
export * from "./calls.ts";
export * from "./transcripts.ts";
export * from "./webhooks.ts";
