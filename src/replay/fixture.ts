/**
 * Reader and writer of recorded calls (../shared/FIXTURES.md): NDJSON, a header line, then events
 * in non-decreasing `t`. The reader validates what replay relies on and names the line of the
 * first problem; unknown kinds and fields are kept (the format may grow).
 */

/** The header line. */
export interface FixtureHeader {
  readonly kind: "header";
  readonly version: number;
  readonly encoding: string;
  readonly sampleRate: number;
  readonly description?: string;
  readonly labels?: Readonly<Record<string, unknown>>;
  readonly [key: string]: unknown;
}

/** One event line (`twilio`, `sent`, `stt`, `llm`, `tts`, or a kind we do not know). */
export interface FixtureLine {
  readonly kind: string;
  /** Host ms since the media websocket opened. */
  readonly t: number;
  /** 1-based line number in the file. */
  readonly line: number;
  /** The rest of the line's fields (`msg` for twilio/sent/stt). */
  readonly fields: Readonly<Record<string, unknown>>;
}

/** A parsed recording. */
export interface Fixture {
  readonly header: FixtureHeader;
  readonly lines: readonly FixtureLine[];
}

/** A file that is not a valid recording. `line` is 1-based. */
export class FixtureError extends Error {
  readonly code = "bad_fixture";
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Parse fixture text; throws `FixtureError` naming the line of the first problem. */
export function parseFixture(text: string): Fixture {
  const rows = text.split("\n");
  let header: FixtureHeader | null = null;
  const lines: FixtureLine[] = [];
  let lastT = -Infinity;
  for (let i = 0; i < rows.length; i++) {
    const raw = rows[i]!.trim();
    const n = i + 1;
    if (raw === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      throw new FixtureError(n, "not valid JSON");
    }
    if (!isObject(value)) throw new FixtureError(n, "not a JSON object");
    if (header === null) {
      if (value.kind !== "header") throw new FixtureError(n, 'the first line must be the header ({"kind":"header",...})');
      if (value.version !== 1) throw new FixtureError(n, `unsupported version ${String(value.version)}`);
      if (value.encoding !== "audio/x-mulaw") throw new FixtureError(n, `unsupported encoding ${String(value.encoding)}`);
      if (value.sampleRate !== 8000) throw new FixtureError(n, `unsupported sampleRate ${String(value.sampleRate)}`);
      if (value.labels !== undefined && !isObject(value.labels)) throw new FixtureError(n, "labels must be an object");
      header = value as FixtureHeader;
      continue;
    }
    const kind = value.kind;
    if (typeof kind !== "string") throw new FixtureError(n, "kind must be a string");
    if (kind === "header") throw new FixtureError(n, "a second header");
    const t = value.t;
    if (typeof t !== "number" || !Number.isFinite(t) || t < 0) throw new FixtureError(n, "t must be a non-negative number");
    if (t < lastT) throw new FixtureError(n, `t goes backwards (${t} after ${lastT})`);
    lastT = t;
    if ((kind === "twilio" || kind === "sent" || kind === "stt") && !isObject(value.msg)) {
      throw new FixtureError(n, `a ${kind} line needs a msg object`);
    }
    const { kind: _k, t: _t, ...fields } = value;
    lines.push({ kind, t, line: n, fields });
  }
  if (header === null) throw new FixtureError(1, "empty file: no header");
  return { header, lines };
}

/** Serialise a recording (one JSON object per line, trailing newline). */
export function formatFixture(header: FixtureHeader, lines: readonly Omit<FixtureLine, "line">[]): string {
  const out = [JSON.stringify(header)];
  for (const l of lines) out.push(JSON.stringify({ kind: l.kind, t: l.t, ...l.fields }));
  return `${out.join("\n")}\n`;
}
