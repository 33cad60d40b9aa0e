import { describe, expect, test } from "bun:test";
import { CALLEE, dispatchWorld } from "../helpers/dispatch.ts";

/** Reads SSE events from a response until `end` (or the stream closes). */
async function readEvents(res: Response, onEvent?: (ev: { id: string | null; event: string; data: any }) => void) {
  const events: { id: string | null; event: string; data: any }[] = [];
  const reader = res.body!.getReader();
  let buf = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += new TextDecoder().decode(value);
    let i: number;
    while ((i = buf.indexOf("\n\n")) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      if (block.startsWith(":")) continue;
      const get = (k: string) => block.split("\n").find((l) => l.startsWith(`${k}: `))?.slice(k.length + 2) ?? null;
      const ev = { id: get("id"), event: get("event")!, data: JSON.parse(get("data")!) };
      events.push(ev);
      onEvent?.(ev);
    }
  }
  return events;
}

describe("live transcript stream (SSE)", () => {
  test("streams turns as they are stored, interim results, and ends with the call; Last-Event-ID resumes without gaps", async () => {
    await using w = await dispatchWorld();
    const call = (await w.gw.request("POST", "/v1/calls", { body: { agent_id: w.agentId, to: CALLEE } })).body;
    w.gw.store.recordTurn(call.id, { role: "agent", text: "Hello, this is Ana." });
    const res = await w.gw.app.handle(new Request(`http://localhost/v1/calls/${call.id}/transcript/stream`, { headers: { authorization: `Bearer ${w.gw.keyA}` } }));
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const seen: string[] = [];
    const done = readEvents(res, (ev) => {
      seen.push(ev.event);
      // drive the call as events arrive: each write happens after the previous event was read
      if (seen.length === 1) w.gw.transcripts.publish(call.id, { kind: "interim", data: { role: "user", text: "I'd like", is_final: false, at_ms: 900 } });
      if (seen.length === 2) w.gw.store.recordTurn(call.id, { role: "user", text: "I'd like to book.", startMs: 800, endMs: 1700 });
      if (seen.length === 3) w.gw.store.recordTurn(call.id, { role: "agent", text: "Sure.", heardText: "Sure.", startMs: 2100, endMs: 2600 });
      if (seen.length === 4) w.gw.store.sessionEnded(call.id, { latency: {}, recordingPath: null, fixturePath: null });
    });
    const events = await done;
    expect(events.map((e) => [e.id, e.event, e.data.text ?? null])).toEqual([
      ["0", "turn", "Hello, this is Ana."],
      ["0.1", "interim", "I'd like"],
      ["1", "turn", "I'd like to book."],
      ["2", "turn", "Sure."],
      [null, "end", null],
    ]);
    // a client that saw up to the interim after turn 0 resumes with turn 1 and nothing missing
    const resumed = await w.gw.app.handle(
      new Request(`http://localhost/v1/calls/${call.id}/transcript/stream`, { headers: { authorization: `Bearer ${w.gw.keyA}`, "last-event-id": "0.1" } }),
    );
    // the call is not terminal in this world (no carrier callbacks), so end it to close the stream
    setTimeout(() => w.gw.store.sessionEnded(call.id, { latency: {}, recordingPath: null, fixturePath: null }), 5);
    const again = await readEvents(resumed);
    expect(again.map((e) => [e.id, e.event])).toEqual([
      ["1", "turn"],
      ["2", "turn"],
      [null, "end"],
    ]);
  });

  test("an ended call replays its transcript and closes; another account gets 404", async () => {
    await using w = await dispatchWorld();
    const call = (await w.gw.request("POST", "/v1/calls", { body: { agent_id: w.agentId, to: CALLEE } })).body;
    w.gw.store.recordTurn(call.id, { role: "user", text: "hi" });
    for (let i = 0; i < 4; i++) await w.step(call.provider_call_sid);
    const res = await w.gw.app.handle(new Request(`http://localhost/v1/calls/${call.id}/transcript/stream`, { headers: { authorization: `Bearer ${w.gw.keyA}` } }));
    expect((await readEvents(res)).map((e) => e.event)).toEqual(["turn", "end"]);
    expect((await w.gw.request("GET", `/v1/calls/${call.id}/transcript/stream`, { key: w.gw.keyB })).status).toBe(404);
  });
});
