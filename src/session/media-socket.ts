/**
 * The Twilio Media Streams websocket. The upgrade is refused unless X-Twilio-Signature matches the
 * exact wss:// URL we put in the TwiML (rebuilt from PUBLIC_URL) under the call's auth token; the
 * `start` message must then carry the call id and per-call token, once, before any provider
 * session is opened. Frames are capped in size; malformed frames are counted and the call goes on.
 */
import type { Server, ServerWebSocket, WebSocketHandler } from "bun";
import { eq, and, isNull } from "drizzle-orm";
import type { Config } from "../config.ts";
import type { Db } from "../db/client.ts";
import { calls } from "../db/schema/index.ts";
import type { Logger } from "../lib/logger.ts";
import type { GatewayMetrics } from "../lib/metrics.ts";
import { isValidTwilioSignature } from "../providers/telephony/signature.ts";
import { isTerminal } from "../services/call-state.ts";
import type { CallRow, CallsService } from "../services/calls.ts";
import { hashToken, mediaUrl } from "../services/dispatch.ts";
import { CallSession, type SessionOptions, type SessionProviders } from "./call-session.ts";
import type { CallRecorder } from "./recorder.ts";
import type { SessionRegistry } from "./registry.ts";
import type { SessionStore } from "./store.ts";

export const MEDIA_PATH = "/twilio/media";
/** Largest accepted frame: a media message of 20 ms is ~300 bytes; 64 KiB leaves ample room. */
export const MAX_FRAME_BYTES = 64 * 1024;

export interface MediaSocketData {
  callId: string;
  session: CallSession | null;
  /** Frames received before `start` (only `connected` is expected there). */
  early: number;
}

export interface MediaDeps {
  config: Config;
  db: Db;
  log: Logger;
  calls: CallsService;
  registry: SessionRegistry;
  store: SessionStore;
  authTokenForCall(call: CallRow): string | null;
  providersFor(call: CallRow): SessionProviders;
  recorderFor(call: CallRow): CallRecorder | null;
  sessionOptions?: Partial<SessionOptions>;
  /** A session ended (post-call work: inbound completion, extraction, webhooks). */
  onSessionEnd?(session: CallSession): void;
  metrics?: GatewayMetrics;
  onTranscript?(callId: string, text: string, isFinal: boolean, atAudioMs: number): void;
}


/** Answers the upgrade request, or a refusal. Returns undefined when upgraded. */
export function upgradeMedia(deps: MediaDeps, req: Request, server: Server<MediaSocketData>): Response | undefined {
  const url = new URL(req.url);
  const callId = url.pathname.slice(MEDIA_PATH.length + 1);
  const refuse = (status: number, code: string) => {
    deps.log.warn({ call_id: callId || null, code }, "media upgrade refused");
    return Response.json({ error: { code, message: "media stream refused", details: {} } }, { status });
  };
  if (!/^call_[0-9a-f]{32}$/.test(callId)) return refuse(404, "call_not_found");
  const call = deps.calls.byId(callId);
  if (!call || isTerminal(call.status) || call.streamStartedAtMs !== null) return refuse(404, "call_not_found");
  const token = deps.authTokenForCall(call);
  const signature = req.headers.get("x-twilio-signature");
  if (!token || !isValidTwilioSignature({ authToken: token, signature, url: mediaUrl(deps.config, callId), params: {} })) {
    return refuse(403, "invalid_signature");
  }
  const ok = server.upgrade(req, { data: { callId, session: null, early: 0 } });
  return ok ? undefined : refuse(400, "not_a_websocket");
}

function openSession(deps: MediaDeps, ws: ServerWebSocket<MediaSocketData>, raw: string): CallSession | null {
  let msg: { event?: unknown; start?: { customParameters?: Record<string, unknown> } };
  try {
    msg = JSON.parse(raw) as typeof msg;
  } catch {
    return null;
  }
  if (msg.event === "connected") return null;
  const params = msg.event === "start" ? msg.start?.customParameters : undefined;
  const callId = ws.data.callId;
  if (!params || params.callId !== callId || typeof params.token !== "string") {
    ws.close(1008, "expected start with the call's parameters");
    return null;
  }
  // Claim the stream once: the same token never opens a second stream.
  const claimed = deps.db
    .update(calls)
    .set({ streamStartedAtMs: Date.now() })
    .where(and(eq(calls.id, callId), eq(calls.streamTokenHash, hashToken(params.token)), isNull(calls.streamStartedAtMs)))
    .returning()
    .get();
  if (!claimed || isTerminal(claimed.status)) {
    deps.log.warn({ call_id: callId }, "media start refused: bad or reused token");
    ws.close(1008, "invalid stream token");
    return null;
  }
  const session = new CallSession({
    call: claimed,
    providers: deps.providersFor(claimed),
    store: deps.store,
    log: deps.log,
    send: (text) => ws.send(text),
    close: () => ws.close(1000, "call ended"),
    recorder: deps.recorderFor(claimed),
    nowMs: () => performance.now(),
    options: deps.sessionOptions,
    onEnd: (s) => {
      deps.registry.remove(s);
      deps.metrics?.liveCalls.set(deps.registry.size);
      deps.metrics?.callsEnded.inc({ reason: s.reason ?? "unknown" });
      deps.onSessionEnd?.(s);
    },
    onTranscript: deps.onTranscript && ((text, isFinal, at) => deps.onTranscript!(claimed.id, text, isFinal, at)),
    observe: deps.metrics && {
      turn: (l) => deps.metrics!.observeTurn(l),
      malformed: () => deps.metrics!.malformedFrames.inc(),
    },
  });
  deps.registry.add(session);
  deps.metrics?.liveCalls.set(deps.registry.size);
  void session.start();
  return session;
}

export function mediaWebsocket(deps: MediaDeps): WebSocketHandler<MediaSocketData> {
  return {
    maxPayloadLength: MAX_FRAME_BYTES,
    idleTimeout: 60,
    message(ws, message) {
      const raw = typeof message === "string" ? message : new TextDecoder().decode(message);
      if (!ws.data.session) {
        if (++ws.data.early > 5) {
          ws.close(1008, "no start");
          return;
        }
        ws.data.session = openSession(deps, ws, raw);
        if (!ws.data.session) return;
      }
      ws.data.session.onMessage(raw);
    },
    close(ws) {
      ws.data.session?.onClose();
    },
  };
}
