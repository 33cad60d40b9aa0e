/**
 * A whole call over real sockets: the real twilio SDK dials the simulated carrier, which answers
 * and plays a recorded caller over a Media Streams websocket; the real Deepgram, ElevenLabs and
 * OpenAI SDKs talk to their fakes. Real time: the agent's audio is paced to playback, so a faster
 * caller would talk over it.
 */
import { describe, expect, test } from "bun:test";
import { until } from "../helpers/wait.ts";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadFixture } from "../../src/replay/load.ts";
import { replayFixture } from "../../src/replay/runner.ts";
import { CORPUS_DIR, startSimWorld } from "../../src/sim/world.ts";


describe("a live call end to end (simulated carrier and providers)", () => {
  test("outbound to a human: greets after the verdict, answers each turn, ends with the transcript and latency", async () => {
    await using world = await startSimWorld({
      env: { DATA_DIR: mkdtempSync(join(tmpdir(), "gw-live-")) },
      speed: 1,
      defaultFixture: join(CORPUS_DIR, "turns-pause-01.ndjson"),
      latencies: { sttResultMs: 5, llmFirstTokenMs: 20, llmTokenIntervalMs: 1, ttsFirstByteMs: 20 },
    });
    const gw = world.gateway;
    const acct = gw.accounts.createAccount("sim");
    const key = gw.accounts.createKey(acct.id).key;
    gw.accounts.addCredits(acct.id, 1_000_000);
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${world.baseUrl}${path}`, { method, headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: body ? JSON.stringify(body) : undefined });
      return { status: res.status, body: (await res.json()) as any };
    };
    const agent = (await api("POST", "/v1/agents", { name: "Sim", type: "outbound", initial_greeting: "Hi, this is Ana from Acme.", persona: "You are Ana.", record_calls: true })).body;
    await api("POST", "/v1/phone-numbers", { number: "+15550001000", provider: "sim", agent_id: agent.id });
    const created = await api("POST", "/v1/calls", { agent_id: agent.id, to: "+15550002000" });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const call = await until("the call to end", () => {
      const c = gw.calls.byId(id);
      return c && ["completed", "failed", "busy", "no_answer", "canceled"].includes(c.status) && !gw.registry.has(id) ? c : null;
    });
    expect(call.status).toBe("completed");
    expect(call.errorMessage).toBeNull();
    expect(call.answeredBy).toBe("human");
    const turns = gw.store.turns(id);
    const roles = turns.map((t) => t.role);
    expect(roles).toContain("user");
    expect(roles).toContain("agent");
    const agentTurns = turns.filter((t) => t.role === "agent");
    expect(agentTurns[0]!.text).toBe("Hi, this is Ana from Acme.");
    expect(turns.filter((t) => t.role === "user").every((t) => t.text.length > 0)).toBe(true);
    // the callee heard our audio and acknowledged marks
    const callee = world.callees.get(id)!;
    expect(callee.playedBytes).toBeGreaterThan(8000);
    expect(callee.marksEchoed.length).toBeGreaterThan(0);
    // Deepgram got the caller's audio; OpenAI was asked with the system prompt
    expect(world.deepgram.connections[0]!.bytesReceived).toBeGreaterThan(8000);
    // the recording replays through the same engine, with the recorded STT results
    const recorded = loadFixture(call.fixturePath!);
    expect(recorded.lines.filter((l) => l.kind === "stt").length).toBeGreaterThan(3);
    const report = replayFixture(recorded, "recorded").report;
    expect(report.amd.verdict).toBe("human");
    expect(report.turns.length).toBeGreaterThan(0);
    const firstLlm = world.openai.requests[0]!;
    expect(JSON.stringify(firstLlm)).toContain("You are Ana.");
  }, 40_000);
});
