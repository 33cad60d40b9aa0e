/**
 * `bun run demo`: the whole product in one minute, without keys. Starts the gateway with the
 * simulated carrier and providers, creates an agent and a `sim` number through the REST API,
 * places a call to a recorded caller, and prints the transcript and a per-turn latency table.
 */
import { join } from "node:path";
import { stages } from "../session/latency.ts";
import { CORPUS_DIR, startSimWorld } from "./world.ts";

const fixture = process.argv[2] ?? join(CORPUS_DIR, "turns-pause-01.ndjson");
const print = (line = "") => process.stdout.write(`${line}\n`);

await using world = await startSimWorld({ defaultFixture: fixture, speed: 1 });
const gw = world.gateway;
const acct = gw.accounts.createAccount("demo");
const key = gw.accounts.createKey(acct.id, { name: "demo" }).key;
gw.accounts.addCredits(acct.id, 1_000_000);
const api = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${world.baseUrl}${path}`, { method, headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: body ? JSON.stringify(body) : undefined });
  return (await res.json()) as any;
};

print(`gateway on ${world.baseUrl} (simulated carrier; providers: Deepgram, ElevenLabs and OpenAI fakes)`);
print(`injected latencies: final transcript ~${300 + 50} ms after speech, first LLM token 300 ms, first TTS byte 150 ms`);
const agent = await api("POST", "/v1/agents", {
  name: "Demo receptionist",
  type: "outbound",
  persona: "You are Ana, a friendly scheduler at Acme Clinic.",
  instructions: "Help {name} book an appointment.",
  initial_greeting: "Hi {name}, this is Ana from Acme Clinic. How can I help?",
});
await api("POST", "/v1/phone-numbers", { number: "+15550100000", provider: "sim", agent_id: agent.id, label: "demo" });
const call = await api("POST", "/v1/calls", { agent_id: agent.id, to: "+15550199999", variables: { name: "Sam" } });
print(`dialling ${call.to} from ${call.from}: call ${call.id}`);
print(`callee plays ${fixture}`);

let last = "";
for (;;) {
  const c = gw.calls.byId(call.id)!;
  if (c.status !== last) {
    print(`  status: ${c.status}`);
    last = c.status;
  }
  if (["completed", "failed", "busy", "no_answer", "canceled"].includes(c.status) && !gw.registry.has(call.id)) break;
  await Bun.sleep(100);
}
const final = await api("GET", `/v1/calls/${call.id}`);
const transcript = await api("GET", `/v1/calls/${call.id}/transcript`);
print();
print(`answered by: ${final.answered_by}   hangup: ${final.hangup_reason}   duration: ${final.duration_seconds} s   cost: ${final.cost_milli_cents} milli-cents`);
print();
print("transcript");
for (const t of transcript.data) {
  const when = t.start_ms === null ? "" : `${(t.start_ms / 1000).toFixed(2)}s`;
  const cut = t.interrupted ? `  (cut; heard: "${t.heard_text ?? ""}")` : "";
  print(`  ${when.padStart(7)}  ${t.role.padEnd(5)}  ${t.text}${cut}`);
}
print();
print("per-turn latency, ms (from the caller's end of speech)");
print("  turn  endpoint  final-stt  llm-1st-token  tts-1st-byte  first-audio");
transcript.data
  .filter((t: any) => t.role === "agent" && t.latency)
  .forEach((t: any, i: number) => {
    const l = t.latency;
    const rel = (v: number | null) => (v === null ? "-" : String(Math.round(v - l.speechEndMs)));
    const s = stages(l);
    print(`  ${String(i + 1).padStart(4)}  ${rel(l.endOfTurnMs).padStart(8)}  ${rel(l.finalTranscriptMs).padStart(9)}  ${rel(l.firstLlmTokenMs).padStart(13)}  ${rel(l.firstTtsByteMs).padStart(12)}  ${(Number.isFinite(s.turn_latency_ms) ? String(Math.round(s.turn_latency_ms!)) : "-").padStart(11)}`);
  });
print();
print(`call summary (p50/p90/p99): ${JSON.stringify(final.latency ?? null)}`);
