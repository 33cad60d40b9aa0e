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

export function callArtifactsRoutes(deps: ApiDeps, store: SqliteSessionStore = deps.store) {
  const detail = { tags: ["Calls"] };
  const params = t.Object({ id: t.String() });
  return new Elysia()
    .use(auth(deps.accounts))
    .get("/v1/calls/:id/transcript", ({ accountId, params }) => {
      const call = deps.calls.get(accountId, params.id);
      const data = store.turns(call.id).map((r) => ({
        seq: r.seq,
        role: r.role,
        text: r.text,
        heard_text: r.heardText,
        interrupted: r.interrupted,
        start_ms: r.startMs,
        end_ms: r.endMs,
        latency: (r.latency as Record<string, number | null> | null) ?? null,
      }));
      return { object: "list" as const, call_id: call.id, data };
    }, {
      params,
      response: t.Object({ object: t.Literal("list"), call_id: t.String(), data: t.Array(Turn) }),
      detail: { ...detail, summary: "The call's transcript: every turn, with what the caller heard of the agent" },
    })
    .get("/v1/calls/:id/recording", ({ accountId, params, request, set }) => {
      const call = deps.calls.get(accountId, params.id);
      if (!call.recordingPath || !existsSync(call.recordingPath)) throw new ApiError("recording_not_found", 404, "This call has no recording");
      const size = statSync(call.recordingPath).size;
      const range = parseRange(request.headers.get("range"), size);
      const file = Bun.file(call.recordingPath);
      set.headers["accept-ranges"] = "bytes";
      set.headers["content-type"] = "audio/wav";
      if (range === "invalid") {
        set.status = 416;
        set.headers["content-range"] = `bytes */${size}`;
        return "";
      }
      if (range) {
        set.status = 206;
        set.headers["content-range"] = `bytes ${range.start}-${range.end}/${size}`;
        return file.slice(range.start, range.end + 1);
      }
      return file;
    }, { params, detail: { ...detail, summary: "The call's recording (WAV, caller left, agent right); supports Range" } })
    .delete("/v1/calls/:id", ({ accountId, params }) => {
      const call = deps.calls.get(accountId, params.id);
      if (!isTerminal(call.status)) throw new ApiError("call_in_progress", 409, "End the call before deleting it", { status: call.status });
      for (const path of [call.recordingPath, call.fixturePath]) if (path && existsSync(path)) unlinkSync(path);
      deps.db.delete(calls).where(eq(calls.id, call.id)).run();
      return { id: call.id, object: "call" as const, deleted: true as const };
    }, { params, detail: { ...detail, summary: "Delete an ended call, its transcript and its recording" } });
}
