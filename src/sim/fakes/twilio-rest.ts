/**
 * A fake of Twilio's REST API (the Calls resource) that behaves as Twilio does towards the real
 * twilio SDK: form-encoded bodies, Basic auth checked against one configured account, JSON call
 * resources, errors in Twilio's `{code, message, more_info, status}` shape (the SDK raises
 * RestException from them). Each destination number has a scripted outcome; the carrier's state
 * changes are steps that the test (or `autoAdvance`) triggers one by one, each posting a status
 * callback signed with X-Twilio-Signature exactly as Twilio signs it. Every request is recorded.
 */
import { computeTwilioSignature } from "../../providers/telephony/signature.ts";
import { type DialOutcome, type FakeCallStatus, type PlannedStep, TWILIO_ERROR_MESSAGES, isTerminal, planSteps } from "./twilio-rest-plan.ts";

export type { DialOutcome } from "./twilio-rest-plan.ts";

/** Options of the fake. */
export interface TwilioRestFakeOptions {
  readonly accountSid: string;
  readonly authToken: string;
  /** Outcome for destinations not listed in `outcomes`. */
  readonly defaultOutcome: DialOutcome;
  /** Outcome per destination number (E.164). */
  readonly outcomes: Readonly<Record<string, DialOutcome>>;
  /**
   * Run carrier steps by themselves after a dial (up to the answer; completion follows a hangup
   * or an explicit `advance`). False = the test triggers every step.
   */
  readonly autoAdvance: boolean;
  /** Clock for Timestamp fields and durations, epoch milliseconds. */
  readonly nowMs: () => number;
  /** Called when a call reaches in-progress (a simulated carrier starts the media stream here). */
  readonly onAnswer?: (call: FakeCall) => void | Promise<void>;
}

/** Defaults: a test account, every number answers, steps are manual. */
export const DEFAULT_TWILIO_REST_FAKE_OPTIONS: TwilioRestFakeOptions = Object.freeze({
  accountSid: "AC00000000000000000000000000000000",
  authToken: "fake-auth-token",
  defaultOutcome: Object.freeze({ kind: "answer" }) as DialOutcome,
  outcomes: Object.freeze({}),
  autoAdvance: false,
  nowMs: () => Date.now(),
});

/** A request as the fake received it. */
export interface RecordedTwilioRequest {
  readonly method: string;
  readonly path: string;
  /** Form fields; repeated keys (StatusCallbackEvent) keep every value. */
  readonly form: Readonly<Record<string, readonly string[]>>;
  /** Whether Basic auth matched the configured account. */
  readonly authorized: boolean;
}

/** A status (or AMD) callback, prepared and possibly delivered. */
export interface FakeCallback {
  readonly sid: string;
  readonly url: string;
  readonly params: Readonly<Record<string, string>>;
  readonly signature: string;
  /** HTTP status our server answered, per delivery (empty until delivered). */
  readonly responses: number[];
}

/** A call the fake knows. */
export interface FakeCall {
  readonly sid: string;
  readonly to: string;
  readonly from: string;
  readonly twiml: string;
  readonly statusCallback: string | undefined;
  readonly statusCallbackEvents: readonly string[];
  readonly machineDetection: string | undefined;
  readonly asyncAmdStatusCallback: string | undefined;
  readonly timeoutSeconds: number | undefined;
  readonly timeLimitSeconds: number | undefined;
  readonly record: boolean;
  readonly outcome: DialOutcome;
  status: FakeCallStatus;
  answeredBy: string | undefined;
  durationSeconds: number | undefined;
  readonly createdAtMs: number;
  answeredAtMs: number | undefined;
  endedAtMs: number | undefined;
  /** Steps still to happen. */
  readonly pending: Array<PlannedStep | { readonly amd: true }>;
  /** Next SequenceNumber (Twilio counts status callbacks of a call from 0). */
  nextSequence: number;
}

type Form = Record<string, string[]>;

function parseForm(body: string): Form {
  const out: Form = {};
  for (const [k, v] of new URLSearchParams(body)) (out[k] ??= []).push(v);
  return out;
}

function first(form: Form, key: string): string | undefined {
  return form[key]?.[0];
}

/** Twilio's date format: RFC 2822 with a numeric zone. */
function rfc2822(ms: number): string {
  return new Date(ms).toUTCString().replace("GMT", "+0000");
}

let sidCounter = 0;
function newCallSid(): string {
  sidCounter++;
  const rand = crypto.getRandomValues(new Uint8Array(12));
  const hex = Array.from(rand, (b) => b.toString(16).padStart(2, "0")).join("");
  return `CA${hex}${sidCounter.toString(16).padStart(8, "0")}`;
}

/** Twilio's error body. */
function twilioError(status: number, code: number, message?: string): Response {
  return Response.json(
    {
      code,
      message: message ?? TWILIO_ERROR_MESSAGES[code] ?? "Error",
      more_info: `https://www.twilio.com/docs/errors/${code}`,
      status,
    },
    { status },
  );
}

const E164 = /^\+[1-9]\d{6,14}$/;

/** The running fake. `await using fake = await startTwilioRestFake()`. */
export class TwilioRestFake implements AsyncDisposable {
  readonly options: TwilioRestFakeOptions;
  readonly requests: RecordedTwilioRequest[] = [];
  readonly calls = new Map<string, FakeCall>();
  readonly callbacks: FakeCallback[] = [];
  readonly #server: ReturnType<typeof Bun.serve>;
  /** Injected failures for the next REST requests, in order. */
  readonly #injected: Array<{ status: number; code: number; message?: string } | "stall"> = [];
  readonly #stalled: Array<() => void> = [];
  readonly #outcomes: Map<string, DialOutcome>;
  #autoChain: Promise<void> = Promise.resolve();

  constructor(overrides: Partial<TwilioRestFakeOptions> = {}) {
    this.options = Object.freeze({ ...DEFAULT_TWILIO_REST_FAKE_OPTIONS, ...overrides });
    this.#outcomes = new Map(Object.entries(this.options.outcomes));
    this.#server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: (req) => this.#handle(req),
    });
  }

  /** `http://127.0.0.1:PORT`, to pass as the adapter's baseUrl. */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.#server.port}`;
  }

  /** The next REST request fails with this Twilio error (one per call, consumed in order). */
  failNext(status: number, code: number, message?: string): void {
    this.#injected.push(message === undefined ? { status, code } : { status, code, message });
  }

  /** The next REST request never gets an answer (until the fake stops): exercises timeouts. */
  stallNext(): void {
    this.#injected.push("stall");
  }

  /** Sets the outcome for a destination (affects later dials). */
  script(to: string, outcome: DialOutcome): void {
    this.#outcomes.set(to, outcome);
  }

  /** The single call to `to` (throws when there is not exactly one). */
  callTo(to: string): FakeCall {
    const found = [...this.calls.values()].filter((c) => c.to === to);
    if (found.length !== 1 || !found[0]) throw new Error(`expected one call to ${to}, found ${found.length}`);
    return found[0];
  }

  /**
   * Performs the next carrier step of a call: applies the state change and prepares its
   * callback; posts it unless `send: false` (hold it to deliver later, out of order).
   * Returns the callback, or null when the step posts nothing (event not subscribed) or
   * there is no step left.
   */
  async advance(sid: string, opts: { readonly send?: boolean } = {}): Promise<FakeCallback | null> {
    const call = this.#call(sid);
    const step = call.pending.shift();
    if (!step) return null;
    const cb = "amd" in step ? this.#amdCallback(call) : this.#applyStep(call, step);
    if (cb && opts.send !== false) await this.deliver(cb);
    return cb;
  }

  /** Runs every remaining step of a call, in order, posting each callback. */
  async runToEnd(sid: string): Promise<FakeCallback[]> {
    const out: FakeCallback[] = [];
    while (this.#call(sid).pending.length > 0) {
      const cb = await this.advance(sid);
      if (cb) out.push(cb);
    }
    return out;
  }

  /** Posts a prepared callback (again, for a duplicate). Resolves with our server's status. */
  async deliver(cb: FakeCallback): Promise<number> {
    let status = 0;
    try {
      const res = await fetch(cb.url, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          "X-Twilio-Signature": cb.signature,
          "User-Agent": "TwilioProxy/1.1",
        },
        body: new URLSearchParams(cb.params as Record<string, string>).toString(),
      });
      await res.arrayBuffer();
      status = res.status;
    } catch {
      status = 0; // connection refused: Twilio would log a 11200 warning and move on
    }
    cb.responses.push(status);
    return status;
  }

  /** Ends an answered call from the callee's side (they hang up), queueing `completed`. */
  calleeHangup(sid: string, durationSeconds?: number): void {
    const call = this.#call(sid);
    if (isTerminal(call.status)) return;
    this.#endCall(call, "completed", durationSeconds);
  }

  async stop(): Promise<void> {
    for (const release of this.#stalled.splice(0)) release();
    await this.#autoChain.catch(() => undefined);
    await this.#server.stop(true);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  #call(sid: string): FakeCall {
    const call = this.calls.get(sid);
    if (!call) throw new Error(`no call ${sid}`);
    return call;
  }

  #authorized(req: Request): boolean {
    const header = req.headers.get("authorization") ?? "";
    if (!header.startsWith("Basic ")) return false;
    let decoded: string;
    try {
      decoded = atob(header.slice(6));
    } catch {
      return false;
    }
    return decoded === `${this.options.accountSid}:${this.options.authToken}`;
  }

  async #handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const form = req.method === "POST" ? parseForm(await req.text()) : {};
    const authorized = this.#authorized(req);
    this.requests.push({ method: req.method, path: url.pathname, form, authorized });

    const injected = this.#injected.shift();
    if (injected === "stall") {
      // Held open until stop(): the client's own timeout must fire first.
      await new Promise<void>((resolve) => this.#stalled.push(resolve));
      return twilioError(503, 20503, "Service Unavailable");
    }
    if (injected) return twilioError(injected.status, injected.code, injected.message);

    const m = /^\/2010-04-01\/Accounts\/([^/]+)\/Calls(?:\/([^/]+))?\.json$/.exec(url.pathname);
    if (!authorized || (m && m[1] !== this.options.accountSid)) return twilioError(401, 20003);
    if (!m) return twilioError(404, 20404, `The requested resource ${url.pathname} was not found`);
    const sid = m[2];
    if (sid === undefined) {
      if (req.method === "POST") return this.#create(form);
      return twilioError(405, 20004, "Method not allowed");
    }
    const call = this.calls.get(sid);
    if (!call) return twilioError(404, 20404, `The requested resource ${url.pathname} was not found`);
    if (req.method === "GET") return Response.json(this.#resource(call));
    if (req.method === "POST") return this.#update(call, form);
    return twilioError(405, 20004, "Method not allowed");
  }

  #create(form: Form): Response {
    const to = first(form, "To");
    const from = first(form, "From");
    if (!to) return twilioError(400, 21201);
    if (!from) return twilioError(400, 21213);
    if (!first(form, "Twiml") && !first(form, "Url") && !first(form, "ApplicationSid")) {
      return twilioError(400, 21205, "Url parameter is required.");
    }
    if (!E164.test(to)) return twilioError(400, 21211, `Invalid 'To' Phone Number: ${to}`);
    if (!E164.test(from)) return twilioError(400, 21212, `Invalid 'From' Phone Number: ${from}`);
    const outcome = this.#outcomes.get(to) ?? this.options.defaultOutcome;
    if (outcome.kind === "refuse") {
      return twilioError(outcome.status ?? 400, outcome.code, outcome.message ?? `${TWILIO_ERROR_MESSAGES[outcome.code] ?? "Error"}: ${to}`);
    }
    const amd = first(form, "MachineDetection");
    const steps: Array<PlannedStep | { amd: true }> = [];
    for (const step of planSteps(outcome)) {
      steps.push(step);
      if (step.status === "in-progress" && amd !== undefined && first(form, "AsyncAmdStatusCallback")) steps.push({ amd: true });
    }
    const num = (k: string): number | undefined => {
      const v = first(form, k);
      return v === undefined ? undefined : Number(v);
    };
    const call: FakeCall = {
      sid: newCallSid(),
      to,
      from,
      twiml: first(form, "Twiml") ?? "",
      statusCallback: first(form, "StatusCallback"),
      statusCallbackEvents: form.StatusCallbackEvent ?? [],
      machineDetection: amd,
      asyncAmdStatusCallback: first(form, "AsyncAmdStatusCallback"),
      timeoutSeconds: num("Timeout"),
      timeLimitSeconds: num("TimeLimit"),
      record: first(form, "Record") === "true",
      outcome,
      status: "queued",
      answeredBy: undefined,
      durationSeconds: undefined,
      createdAtMs: this.options.nowMs(),
      answeredAtMs: undefined,
      endedAtMs: undefined,
      pending: steps,
      nextSequence: 0,
    };
    this.calls.set(call.sid, call);
    if (this.options.autoAdvance) this.#autoRun(call);
    return Response.json(this.#resource(call), { status: 201 });
  }

  /** Background steps up to (and including) the answer, or to the end of a failed call. */
  #autoRun(call: FakeCall): void {
    this.#autoChain = this.#autoChain.then(async () => {
      while (call.pending.length > 0) {
        const next = call.pending[0];
        if (next && !("amd" in next) && isTerminal(next.status) && call.status === "in-progress") return;
        await this.advance(call.sid);
      }
    });
  }

  #update(call: FakeCall, form: Form): Response {
    const status = first(form, "Status");
    if (status !== undefined && status !== "completed" && status !== "canceled") {
      return twilioError(400, 21218, `Invalid value for Status: ${status}`);
    }
    if (status !== undefined && !isTerminal(call.status)) {
      if (call.status === "in-progress") {
        // `canceled` only affects queued/ringing calls; an answered call ignores it.
        if (status === "completed") this.#endCall(call, "completed");
      } else {
        // Not yet answered: hanging up cancels the attempt.
        this.#endCall(call, "canceled");
      }
    }
    return Response.json(this.#resource(call));
  }

  /** Replaces the remaining steps with a terminal one (posted on the next advance / auto). */
  #endCall(call: FakeCall, status: "completed" | "canceled", durationSeconds?: number): void {
    call.pending.splice(0, call.pending.length, {
      status,
      event: "completed",
      sipResponseCode: status === "completed" ? 200 : 487,
    });
    if (status === "completed" && durationSeconds !== undefined) call.durationSeconds = durationSeconds;
    if (this.options.autoAdvance) {
      this.#autoChain = this.#autoChain.then(async () => {
        await this.runToEnd(call.sid);
      });
    }
  }

  #applyStep(call: FakeCall, step: PlannedStep): FakeCallback | null {
    const now = this.options.nowMs();
    call.status = step.status;
    if (step.status === "in-progress") {
      call.answeredAtMs = now;
      if (call.machineDetection !== undefined && call.outcome.kind === "answer") {
        call.answeredBy = call.outcome.answeredBy ?? "human";
      }
      void Promise.resolve(this.options.onAnswer?.(call)).catch(() => undefined);
    }
    if (isTerminal(step.status)) {
      call.endedAtMs = now;
      if (step.status === "completed" && call.durationSeconds === undefined) {
        const scripted = call.outcome.kind === "answer" ? call.outcome.durationSeconds : undefined;
        call.durationSeconds =
          scripted ?? (call.answeredAtMs === undefined ? 0 : Math.max(0, Math.round((now - call.answeredAtMs) / 1000)));
      }
      call.durationSeconds ??= 0;
    }
    // Twilio posts the terminal callback even when only other events were requested.
    const subscribed = call.statusCallbackEvents.includes(step.event) || isTerminal(step.status);
    if (!call.statusCallback || !subscribed) return null;
    const params: Record<string, string> = {
      AccountSid: this.options.accountSid,
      ApiVersion: "2010-04-01",
      CallSid: call.sid,
      CallStatus: step.status,
      Called: call.to,
      Caller: call.from,
      Direction: "outbound-api",
      From: call.from,
      To: call.to,
      CallbackSource: "call-progress-events",
      SequenceNumber: String(call.nextSequence++),
      Timestamp: rfc2822(now),
    };
    if (step.sipResponseCode !== undefined) params.SipResponseCode = String(step.sipResponseCode);
    if (isTerminal(step.status)) params.CallDuration = String(call.durationSeconds ?? 0);
    if (call.answeredBy !== undefined) params.AnsweredBy = call.answeredBy;
    return this.#prepare(call.sid, call.statusCallback, params);
  }

  #amdCallback(call: FakeCall): FakeCallback | null {
    if (!call.asyncAmdStatusCallback) return null;
    return this.#prepare(call.sid, call.asyncAmdStatusCallback, {
      AccountSid: this.options.accountSid,
      CallSid: call.sid,
      AnsweredBy: call.answeredBy ?? "unknown",
      MachineDetectionDuration: "2100",
    });
  }

  #prepare(sid: string, url: string, params: Record<string, string>): FakeCallback {
    const cb: FakeCallback = {
      sid,
      url,
      params,
      signature: computeTwilioSignature(this.options.authToken, url, params),
      responses: [],
    };
    this.callbacks.push(cb);
    return cb;
  }

  #resource(call: FakeCall): Record<string, unknown> {
    const base = `/2010-04-01/Accounts/${this.options.accountSid}/Calls/${call.sid}`;
    return {
      sid: call.sid,
      account_sid: this.options.accountSid,
      api_version: "2010-04-01",
      to: call.to,
      to_formatted: call.to,
      from: call.from,
      from_formatted: call.from,
      status: call.status,
      direction: "outbound-api",
      answered_by: call.answeredBy ?? null,
      duration: call.durationSeconds === undefined ? null : String(call.durationSeconds),
      start_time: call.answeredAtMs === undefined ? null : rfc2822(call.answeredAtMs),
      end_time: call.endedAtMs === undefined ? null : rfc2822(call.endedAtMs),
      date_created: rfc2822(call.createdAtMs),
      date_updated: rfc2822(this.options.nowMs()),
      parent_call_sid: null,
      phone_number_sid: null,
      price: null,
      price_unit: "USD",
      caller_name: null,
      forwarded_from: null,
      group_sid: null,
      trunk_sid: null,
      queue_time: "0",
      annotation: null,
      uri: `${base}.json`,
      subresource_uris: {
        notifications: `${base}/Notifications.json`,
        recordings: `${base}/Recordings.json`,
      },
    };
  }
}

/** Starts the fake on 127.0.0.1, port 0. */
export function startTwilioRestFake(overrides: Partial<TwilioRestFakeOptions> = {}): TwilioRestFake {
  return new TwilioRestFake(overrides);
}
