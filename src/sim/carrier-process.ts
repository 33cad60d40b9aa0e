/**
 * The simulated carrier in a process of its own, so that load benchmarks measure the gateway's
 * process alone. Options come as JSON in SIM_CARRIER_OPTIONS; it prints one JSON line with the
 * fakes' base URLs and a control URL whose GET /stats reports what each callee heard.
 */
import { startSimCarrier, type SimCarrierOptions } from "./carrier.ts";

const opts = JSON.parse(process.env.SIM_CARRIER_OPTIONS ?? "{}") as Partial<SimCarrierOptions> & { fixtures?: string[] };
const fixtures = opts.fixtures ?? [];
let next = 0;
const carrier = startSimCarrier({
  ...opts,
  // Callees take the fixtures in turn.
  fixtureFor: () => (fixtures.length ? fixtures[next++ % fixtures.length]! : ""),
});
/** Marks of a reply that arrive after a clear that cut it: audio of a cancelled reply still sent. */
function staleMarks(received: { atMs: number; msg: { event: string; [k: string]: unknown } }[]): number {
  let stale = 0;
  const cut = new Set<string>();
  let seenSinceClear = new Set<string>();
  for (const m of received) {
    const name = m.msg.event === "mark" ? String((m.msg.mark as { name?: unknown } | undefined)?.name ?? "") : "";
    const reply = name.split(".")[0] ?? "";
    if (m.msg.event === "clear") {
      for (const r of seenSinceClear) cut.add(r);
      seenSinceClear = new Set();
    } else if (m.msg.event === "mark") {
      if (cut.has(reply)) stale++;
      else seenSinceClear.add(reply);
    }
  }
  return stale;
}

const control = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  fetch(req) {
    if (new URL(req.url).pathname !== "/stats") return new Response("not found", { status: 404 });
    const calls = [...carrier.callees.entries()].map(([callId, c]) => ({
      callId,
      underruns: c.underruns,
      playedBytes: c.playedBytes,
      marks: c.marksEchoed.length,
      media: c.received.filter((m) => m.msg.event === "media").length,
      clearsAtMs: c.received.filter((m) => m.msg.event === "clear").map((m) => m.atMs),
      firstMediaAtMs: c.received.find((m) => m.msg.event === "media")?.atMs ?? null,
      playbackRuns: c.playbackRuns,
      staleMarksAfterClear: staleMarks(c.received),
      fixture: carrier.recordings.get(callId) ?? null,
    }));
    return Response.json({ calls });
  },
});
process.stdout.write(
  `${JSON.stringify({
    twilio: carrier.twilio.baseUrl,
    deepgram: carrier.deepgram.baseUrl,
    elevenlabs: carrier.elevenlabs.baseUrl,
    openai: carrier.openai.baseUrl,
    control: `http://127.0.0.1:${control.port}`,
  })}\n`,
);
process.on("SIGTERM", () => {
  void carrier.stop().finally(() => process.exit(0));
});
