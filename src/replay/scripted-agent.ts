/**
 * Scripted LLM + TTS for replay: a reply's text is fixed per role, split into phrases at clause
 * punctuation, and each phrase's audio (synth-voice.ts, length following the text) arrives after
 * the LLM's time to first token plus the TTS's time to first byte, later phrases as fast as the
 * TTS renders them (`renderSpeed` × real time).
 */
import { synthVoice, type SynthVoiceOptions } from "./synth-voice.ts";

/** Options; times in host ms. */
export interface ScriptedAgentOptions {
  /** LLM time to first token. Default 300. */
  llmFirstTokenMs: number;
  /** TTS time to first byte. Default 150. */
  ttsFirstByteMs: number;
  /** TTS rendering speed, × real time. Default 4. */
  renderSpeed: number;
  greetingText: string;
  replyText: string;
  voicemailText: string;
  voice: Partial<SynthVoiceOptions>;
}

/** Defaults (see each field). */
export const DEFAULT_SCRIPTED_AGENT_OPTIONS: Readonly<ScriptedAgentOptions> = Object.freeze({
  llmFirstTokenMs: 300,
  ttsFirstByteMs: 150,
  renderSpeed: 4,
  greetingText: "Hello, this is Sam from Northwind. Is now a good time?",
  replyText:
    "Thanks, I understand. Let me look into that for you right now, it will only take a moment. " +
    "I can see your account here, and everything looks in order.",
  voicemailText: "Hi, this is Sam from Northwind about your appointment. Please call us back. Thank you.",
  voice: {},
});

/** A reply role (what the engine asked for). */
export type AgentRole = "reply" | "greeting" | "voicemail";

/** One delivery: a phrase of audio, or the end of the reply. */
export interface AgentDelivery {
  /** Host ms after the reply was started. */
  readonly afterMs: number;
  readonly replyId: string;
  readonly phrase: { readonly text: string; readonly bytes: Uint8Array } | null;
}

/** Split into phrases after , . ? ! ; : */
export function phrases(text: string): string[] {
  return text.match(/[^,.?!;:]+[,.?!;:]*/g)?.map((p) => p.trim()).filter(Boolean) ?? [];
}

/** See the file comment. */
export class ScriptedAgent {
  readonly options: Readonly<ScriptedAgentOptions>;
  /** Synthesised phrases, shared by every replay with the same voice (replays run by the hundred). */
  private static readonly cache = new Map<string, Uint8Array>();

  constructor(opts: Partial<ScriptedAgentOptions> = {}) {
    this.options = Object.freeze({ ...DEFAULT_SCRIPTED_AGENT_OPTIONS, ...opts });
  }

  private audio(text: string): Uint8Array {
    const key = `${JSON.stringify(this.options.voice)}|${text}`;
    let a = ScriptedAgent.cache.get(key);
    if (!a) {
      a = synthVoice(text, this.options.voice);
      ScriptedAgent.cache.set(key, a);
    }
    return a;
  }

  /** Everything the providers will deliver for a reply, in order. */
  reply(replyId: string, role: AgentRole): AgentDelivery[] {
    const o = this.options;
    const text = role === "greeting" ? o.greetingText : role === "voicemail" ? o.voicemailText : o.replyText;
    let at = o.llmFirstTokenMs + o.ttsFirstByteMs;
    const out: AgentDelivery[] = [];
    for (const p of phrases(text)) {
      const bytes = this.audio(p);
      out.push({ afterMs: at, replyId, phrase: { text: p, bytes } });
      at += bytes.length / 8 / o.renderSpeed;
    }
    out.push({ afterMs: at, replyId, phrase: null });
    return out;
  }
}
