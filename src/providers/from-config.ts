/**
 * Builds the provider adapters the configuration asks for. A provider is available when it has a
 * key, or a base URL (a self-hosted or simulated server); otherwise it is null and calls that need
 * it fail with a clear error instead of hanging.
 */
import type { Config } from "../config.ts";
import type { LlmPort } from "./llm/port.ts";
import { OpenAiLlm } from "./llm/openai.ts";
import { DeepgramStt } from "./stt/deepgram.ts";
import type { SttPort } from "./stt/port.ts";
import { ElevenLabsHttpTts } from "./tts/elevenlabs-http.ts";
import type { TtsPort } from "./tts/port.ts";

export interface Providers {
  stt: SttPort | null;
  tts: TtsPort | null;
  llm: LlmPort | null;
}

export function providersFromConfig(config: Config): Providers {
  const on = (key: string, base: string) => key !== "" || base !== "";
  return {
    stt: on(config.DEEPGRAM_API_KEY, config.DEEPGRAM_BASE_URL) ? new DeepgramStt({ apiKey: config.DEEPGRAM_API_KEY || "local", baseUrl: config.DEEPGRAM_BASE_URL }) : null,
    tts: on(config.ELEVENLABS_API_KEY, config.ELEVENLABS_BASE_URL) ? new ElevenLabsHttpTts({ apiKey: config.ELEVENLABS_API_KEY || "local", baseUrl: config.ELEVENLABS_BASE_URL }) : null,
    llm: on(config.OPENAI_API_KEY, config.OPENAI_BASE_URL) ? new OpenAiLlm({ apiKey: config.OPENAI_API_KEY || "local", baseUrl: config.OPENAI_BASE_URL }) : null,
  };
}
