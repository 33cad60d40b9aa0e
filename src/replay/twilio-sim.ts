/**
 * Simulated Twilio playout for replay: it plays the media we send at real rate (in host time),
 * echoes a mark once the audio queued before it has played, and on `clear` drops the queue and
 * echoes every pending mark at once (PROTOCOLS.md). It keeps what it played as PCM on a host-time
 * line, so a harness can feed an echo of it back into the inbound audio.
 */
import { MULAW_DECODE_TABLE } from "../engine/audio/mulaw.ts";
import type { TwilioOutbound } from "../engine/types.ts";
import type { Timer, VirtualClock } from "./virtual-clock.ts";

/** What the simulator did. */
export interface SimulatedTwilioStats {
  media: number;
  marks: number;
  clears: number;
}

/** See the file comment. */
export class SimulatedTwilio {
  readonly stats: SimulatedTwilioStats = { media: 0, marks: 0, clears: 0 };
  /** Host ms at which the queued audio will have played. */
  private playEndMs = 0;
  private pending: { name: string; timer: Timer }[] = [];
  /** Stretches of host time during which our audio played, [startMs, endMs), in order. */
  readonly runs: [number, number][] = [];
  /** Played PCM, one sample per 1/8 ms of host time (kept only with `keepPlayed`). */
  private line: Int16Array;

  /**
   * `keepPlayed`: keep the played PCM for `playedAt` (an echo harness). Without it nothing is
   * kept and `playedAt` reads silence. Default true.
   */
  constructor(
    private readonly clock: VirtualClock,
    private readonly echoMark: (name: string) => void,
    private readonly keepPlayed = true,
  ) {
    this.line = new Int16Array(keepPlayed ? 8000 * 60 : 0);
  }

  /** A message from the gateway, at the clock's now. */
  receive(msg: TwilioOutbound): void {
    const now = this.clock.nowMs;
    switch (msg.event) {
      case "media": {
        this.stats.media++;
        const start = Math.max(now, this.playEndMs);
        this.write(start, msg.payload);
        this.playEndMs = start + msg.payload.length / 8;
        const last = this.runs[this.runs.length - 1];
        if (last && last[1] === start) last[1] = this.playEndMs;
        else this.runs.push([start, this.playEndMs]);
        return;
      }
      case "mark": {
        this.stats.marks++;
        const name = msg.name;
        const entry = {
          name,
          timer: this.clock.at(Math.max(now, this.playEndMs), () => {
            // Marks come due in the order they were sent: this is normally the first one.
            const i = this.pending.indexOf(entry);
            if (i >= 0) this.pending.splice(i, 1);
            this.echoMark(name);
          }),
        };
        this.pending.push(entry);
        return;
      }
      case "clear": {
        this.stats.clears++;
        const cleared = this.pending;
        this.pending = [];
        for (const p of cleared) p.timer.cancel();
        // The queue is dropped: nothing after now plays.
        const from = Math.max(0, Math.round(now * 8));
        const to = Math.min(this.line.length, Math.ceil(this.playEndMs * 8));
        if (to > from) this.line.fill(0, from, to);
        this.playEndMs = now;
        const last = this.runs[this.runs.length - 1];
        if (last && last[1] > now) last[1] = Math.max(last[0], now);
        for (const p of cleared) this.echoMark(p.name);
        return;
      }
    }
  }

  private write(startMs: number, bytes: Uint8Array): void {
    if (!this.keepPlayed) return;
    const at = Math.round(startMs * 8);
    if (at + bytes.length > this.line.length) {
      const bigger = new Int16Array(Math.max(this.line.length * 2, at + bytes.length));
      bigger.set(this.line);
      this.line = bigger;
    }
    for (let i = 0; i < bytes.length; i++) this.line[at + i] = MULAW_DECODE_TABLE[bytes[i]!]!;
  }

  /** The PCM sample played at host time `ms` (0 when silent). */
  playedAt(ms: number): number {
    const i = Math.round(ms * 8);
    return i >= 0 && i < this.line.length ? this.line[i]! : 0;
  }
}
