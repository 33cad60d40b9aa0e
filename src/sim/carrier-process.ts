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
