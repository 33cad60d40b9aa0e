/**
 * Telephony port: the few carrier operations the gateway uses. Small enough that a test fake is an
 * object literal. Status strings are the carrier's own (Twilio's), mapped by the caller.
 */

/** Events Twilio may POST to the status callback. */
export type StatusCallbackEvent = "initiated" | "ringing" | "answered" | "completed";

/** Carrier call states (Twilio's spelling). */
export type CarrierCallStatus =
  | "queued"
  | "initiated"
  | "ringing"
  | "in-progress"
  | "completed"
  | "busy"
  | "failed"
  | "no-answer"
  | "canceled";

/** Options for dialling one call. */
export interface CreateCallRequest {
  /** Destination, E.164. */
  readonly to: string;
  /** Caller id, E.164 (a number owned by the account). */
  readonly from: string;
  /** Inline TwiML executed when the call is answered (max 4000 chars). */
  readonly twiml: string;
  /** Absolute URL receiving status callbacks (form POSTs signed with X-Twilio-Signature). */
  readonly statusCallback: string;
  readonly statusCallbackEvent: readonly StatusCallbackEvent[];
  /** Seconds to let the phone ring before giving up (Twilio: 5..600, default 60). */
  readonly timeoutSeconds: number;
  /** Maximum connected seconds before the carrier hangs up (Twilio: default 14400). */
  readonly timeLimitSeconds: number;
  /** Answering-machine detection, run asynchronously; verdict POSTed to `callbackUrl`. */
  readonly machineDetection?: {
    readonly mode: "Enable" | "DetectMessageEnd";
    readonly callbackUrl: string;
    /** Seconds Twilio may spend deciding (default 30). */
    readonly timeoutSeconds?: number;
  };
  /** Record the call at the carrier. */
  readonly record?: boolean;
}

/** What the carrier says about a call just created. */
export interface CreatedCall {
  /** Carrier call id (Twilio "CA…"). */
  readonly sid: string;
  readonly status: CarrierCallStatus;
}

/** Current carrier view of a call. */
export interface CarrierCallState {
  readonly status: CarrierCallStatus;
  /** Connected seconds (0 until completed). */
  readonly durationSeconds: number;
  /** Twilio's AnsweredBy when machine detection ran. */
  readonly answeredBy?: string;
}

/** Carrier operations for one set of account credentials. */
export interface TelephonyPort {
  createCall(req: CreateCallRequest): Promise<CreatedCall>;
  /** Ends a call: `completed` when live, `canceled` (queued/ringing only) when `cancel`. */
  hangup(sid: string, opts?: { readonly cancel?: boolean }): Promise<void>;
  fetchCall(sid: string): Promise<CarrierCallState>;
}

/** Account credentials; they live on the phone-number row, so the adapter is per call. */
export interface TelephonyCredentials {
  readonly accountSid: string;
  readonly authToken: string;
}

/** Builds a port for the given credentials. */
export type TelephonyFactory = (creds: TelephonyCredentials) => TelephonyPort;
