/**
 * What a call leaves behind: its transcript, its two-channel recording (with HTTP Range support)
 * and its deletion (the recording files go with it; the billing ledger stays, it is immutable).
 */
import { existsSync, statSync, unlinkSync } from "node:fs";
import { eq } from "drizzle-orm";
import { Elysia, t } from "elysia";
import { calls } from "../../db/schema/index.ts";
import { ApiError } from "../../lib/errors.ts";
import { isTerminal } from "../../services/call-state.ts";
import { auth } from "../auth.ts";
import type { ApiDeps } from "../context.ts";
import type { SqliteSessionStore } from "../../session/store.ts";
import { lastSeqOf, type TranscriptEvent } from "../../session/transcript-hub.ts";

const Turn = t.Object({
  seq: t.Integer(),
  role: t.UnionEnum(["user", "agent", "tool", "dtmf"]),
  text: t.String(),
  heard_text: t.Union([t.String(), t.Null()]),
  interrupted: t.Boolean(),
  start_ms: t.Union([t.Integer(), t.Null()]),
  end_ms: t.Union([t.Integer(), t.Null()]),
  latency: t.Union([t.Record(t.String(), t.Union([t.Number(), t.Null()])), t.Null()]),
});

/** Parses a single `bytes=a-b` range against a size; null when absent, "invalid" when unsatisfiable. */
export function parseRange(header: string | null, size: number): { start: number; end: number } | null | "invalid" {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === "")) return "invalid";
  let start: number;
  let end: number;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0) return "invalid";
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || start > end) return "invalid";
  return { start, end };
}

/** A stored turn as the API shows it. */
export function turnJson(r: ReturnType<SqliteSessionStore["turns"]>[number]) {
  return {
    seq: r.seq,
    role: r.role,
    text: r.text,
    heard_text: r.heardText,
    interrupted: r.interrupted,
    start_ms: r.startMs,
    end_ms: r.endMs,
    latency: (r.latency as Record<string, number | null> | null) ?? null,
  };
}

const sse = (id: string | null, event: string, data: unknown) => `${id === null ? "" : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

export function callArtifactsRoutes(deps: ApiDeps, store: SqliteSessionStore = deps.store) {
  const detail = { tags: ["Calls"] };
  const params = t.Object({ id: t.String() });
  return new Elysia()
    .use(auth(deps.accounts))
    .get("/v1/calls/:id/transcript", ({ accountId, params }) => {
      const call = deps.calls.get(accountId, params.id);
      return { object: "list" as const, call_id: call.id, data: store.turns(call.id).map(turnJson) };
    }, {
      params,
      response: t.Object({ object: t.Literal("list"), call_id: t.String(), data: t.Array(Turn) }),
      detail: { ...detail, summary: "The call's transcript: every turn, with what the caller heard of the agent" },
    })
    .get("/v1/calls/:id/transcript/stream", ({ accountId, params, request }) => {
      const call = deps.calls.get(accountId, params.id);
      const hub = deps.transcripts;
      const after = lastSeqOf(request.headers.get("last-event-id") ?? new URL(request.url).searchParams.get("last_event_id"));
      const encoder = new TextEncoder();
      let cleanup = () => {};
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          let sent = after;
          let closed = false;
          const write = (text: string) => {
            if (!closed) controller.enqueue(encoder.encode(text));
          };
          const finish = () => {
            if (closed) return;
            write(sse(null, "end", { call_id: call.id }));
            closed = true;
            cleanup();
            controller.close();
          };
          const pending: TranscriptEvent[] = [];
          let live = false;
          const deliver = (ev: TranscriptEvent) => {
            if (ev.kind === "end") return finish();
            if (ev.kind === "turn") {
              if (ev.seq <= sent) return; // already sent from the database
              sent = ev.seq;
              return write(sse(String(ev.seq), "turn", ev.data));
            }
            write(sse(hub.interimId(call.id), "interim", ev.data));
          };
          // Subscribe first, then replay the stored turns, so nothing falls between the two.
          const unsubscribe = hub.subscribe(call.id, (ev) => (live ? deliver(ev) : pending.push(ev)));
          const keepalive = setInterval(() => write(": keepalive\n\n"), 15_000);
          cleanup = () => {
            unsubscribe();
            clearInterval(keepalive);
          };
          for (const row of store.turns(call.id)) if (row.seq > sent) deliver({ kind: "turn", seq: row.seq, data: turnJson(row) });
          live = true;
          for (const ev of pending.splice(0)) deliver(ev);
          const current = deps.calls.byId(call.id);
          if (!current || (isTerminal(current.status) && !deps.isLive(call.id))) finish();
        },
        cancel() {
          cleanup();
        },
      });
      return new Response(stream, { headers: { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" } });
    }, { params, detail: { ...detail, summary: "Server-Sent Events of the transcript while the call runs (interim and final); resume with Last-Event-ID" } })
    .get("/v1/calls/:id/recording", ({ accountId, params, request }) => {
      const call = deps.calls.get(accountId, params.id);
      if (!call.recordingPath || !existsSync(call.recordingPath)) throw new ApiError("recording_not_found", 404, "This call has no recording");
      const size = statSync(call.recordingPath).size;
      const range = parseRange(request.headers.get("range"), size);
      const file = Bun.file(call.recordingPath);
      const headers = { "accept-ranges": "bytes", "content-type": "audio/wav" };
      if (range === "invalid") return new Response(null, { status: 416, headers: { ...headers, "content-range": `bytes */${size}` } });
      if (range) {
        // A Response of our own: Bun would otherwise describe the slice as the whole file.
        return new Response(file.slice(range.start, range.end + 1).stream(), {
          status: 206,
          headers: { ...headers, "content-range": `bytes ${range.start}-${range.end}/${size}`, "content-length": String(range.end - range.start + 1) },
        });
      }
      return new Response(file, { headers });
    }, { params, detail: { ...detail, summary: "The call's recording (WAV, caller left, agent right); supports Range" } })
    .delete("/v1/calls/:id", ({ accountId, params }) => {
      const call = deps.calls.get(accountId, params.id);
      if (!isTerminal(call.status)) throw new ApiError("call_in_progress", 409, "End the call before deleting it", { status: call.status });
      for (const path of [call.recordingPath, call.fixturePath]) if (path && existsSync(path)) unlinkSync(path);
      deps.db.delete(calls).where(eq(calls.id, call.id)).run();
      return { id: call.id, object: "call" as const, deleted: true as const };
    }, { params, detail: { ...detail, summary: "Delete an ended call, its transcript and its recording" } });
}
