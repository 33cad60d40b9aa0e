/**
 * A fetch-based HTTP client for the twilio SDK. The SDK has no base-URL option (PROTOCOLS.md), but
 * accepts `{httpClient}`: this one rewrites protocol and host of every request when `baseUrl` is
 * set (a local fake), form-encodes bodies the way the SDK's own client does (repeated keys for
 * arrays), sends Basic auth, and bounds every request with a timeout.
 */
import twilio from "twilio";

type SdkRequestOptions = Parameters<twilio.RequestClient["request"]>[0];
type SdkResponse<T> = Awaited<ReturnType<twilio.RequestClient["request"]>> & { body: T };

/** Options for {@link FetchTwilioHttpClient}. */
export interface TwilioHttpClientOptions {
  /** Replace `https://api.twilio.com` with this origin (e.g. `http://127.0.0.1:4010`); "" = real. */
  readonly baseUrl: string;
  /** Whole-request bound (connect + response), milliseconds. */
  readonly requestTimeoutMs: number;
}

/** Defaults: the real vendor, 10 s per request. */
export const DEFAULT_TWILIO_HTTP_OPTIONS: TwilioHttpClientOptions = Object.freeze({
  baseUrl: "",
  requestTimeoutMs: 10_000,
});

/** Thrown for a transport failure (no HTTP answer): timeout or network. */
export class TwilioTransportError extends Error {
  constructor(
    readonly kind: "timeout" | "network",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "TwilioTransportError";
  }
}

function appendForm(form: URLSearchParams, data: object): void {
  for (const [key, value] of Object.entries(data)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) for (const v of value) form.append(key, String(v));
    else form.append(key, String(value));
  }
}

/** twilio.RequestClient whose `request` goes through `fetch`. */
export class FetchTwilioHttpClient extends twilio.RequestClient {
  readonly #options: TwilioHttpClientOptions;

  constructor(overrides: Partial<TwilioHttpClientOptions> = {}) {
    super();
    this.#options = Object.freeze({ ...DEFAULT_TWILIO_HTTP_OPTIONS, ...overrides });
  }

  override async request<TData>(opts: SdkRequestOptions): Promise<SdkResponse<TData>> {
    const url = new URL(opts.uri);
    if (this.#options.baseUrl !== "") {
      const base = new URL(this.#options.baseUrl);
      url.protocol = base.protocol;
      url.host = base.host;
    }
    if (opts.params) appendForm(url.searchParams, opts.params);
    const headers = new Headers();
    for (const [k, v] of Object.entries(opts.headers ?? {})) {
      if (typeof v === "string") headers.set(k, v);
    }
    if (opts.username && opts.password) {
      headers.set("Authorization", `Basic ${btoa(`${opts.username}:${opts.password}`)}`);
    } else if (opts.authStrategy) {
      headers.set("Authorization", await opts.authStrategy.getAuthString());
    }
    let body: string | undefined;
    if (opts.data !== undefined && opts.data !== null) {
      if (headers.get("Content-Type") === "application/json") body = JSON.stringify(opts.data);
      else {
        const form = new URLSearchParams();
        appendForm(form, opts.data as object);
        body = form.toString();
      }
    }
    const method = opts.method.toUpperCase();
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers,
        body,
        redirect: opts.allowRedirects ? "follow" : "manual",
        signal: AbortSignal.timeout(opts.timeout ?? this.#options.requestTimeoutMs),
      });
    } catch (err) {
      const timedOut = err instanceof Error && err.name === "TimeoutError";
      throw new TwilioTransportError(
        timedOut ? "timeout" : "network",
        timedOut ? `twilio ${method} ${url.pathname} timed out` : `twilio ${method} ${url.pathname}: ${String(err)}`,
        { cause: err },
      );
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw new TwilioTransportError("network", `twilio response body: ${String(err)}`, { cause: err });
    }
    const headerObj: Record<string, string> = {};
    res.headers.forEach((v, k) => {
      headerObj[k] = v;
    });
    // The SDK parses string bodies itself (Version.js / RestException).
    return { statusCode: res.status, body: text as TData, headers: headerObj } as SdkResponse<TData>;
  }
}
