/**
 * Live transcript events of the calls running in this process, for Server-Sent Events. Final turns
 * carry their sequence number as the event id (they are also in the database, which is what makes
 * a resume with Last-Event-ID gap-free); interim results are ephemeral and carry `<seq>.<n>`, so a
 * resume from one restarts after the last final turn.
 */

export type TranscriptEvent =
  | { kind: "turn"; seq: number; data: Record<string, unknown> }
  | { kind: "interim"; data: { role: "user"; text: string; is_final: boolean; at_ms: number } }
  | { kind: "end" };

type Listener = (ev: TranscriptEvent) => void;

export class TranscriptHub {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly lastSeq = new Map<string, number>();
  private readonly interims = new Map<string, number>();

  subscribe(callId: string, fn: Listener): () => void {
    let set = this.listeners.get(callId);
    if (!set) this.listeners.set(callId, (set = new Set()));
    set.add(fn);
    return () => {
      set.delete(fn);
      if (set.size === 0) this.listeners.delete(callId);
    };
  }

  publish(callId: string, ev: TranscriptEvent): void {
    if (ev.kind === "turn") {
      this.lastSeq.set(callId, ev.seq);
      this.interims.set(callId, 0);
    }
    for (const fn of this.listeners.get(callId) ?? []) fn(ev);
    if (ev.kind === "end") {
      this.listeners.delete(callId);
      this.lastSeq.delete(callId);
      this.interims.delete(callId);
    }
  }

  /** The id of the next interim event of a call. */
  interimId(callId: string): string {
    const n = (this.interims.get(callId) ?? 0) + 1;
    this.interims.set(callId, n);
    return `${this.lastSeq.get(callId) ?? -1}.${n}`;
  }
}

/** Parses Last-Event-ID: the last final turn the client has (interim ids count as their turn). */
export function lastSeqOf(id: string | null | undefined): number {
  if (!id) return -1;
  const n = Number.parseInt(id.split(".")[0] ?? "", 10);
  return Number.isFinite(n) ? n : -1;
}
