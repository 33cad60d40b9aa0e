/** The live sessions of this process, by call id. */
import type { CallSession } from "./call-session.ts";

export class SessionRegistry {
  private readonly live = new Map<string, CallSession>();

  add(s: CallSession): void {
    this.live.set(s.callId, s);
  }

  remove(s: CallSession): void {
    if (this.live.get(s.callId) === s) this.live.delete(s.callId);
  }

  get(callId: string): CallSession | undefined {
    return this.live.get(callId);
  }

  has(callId: string): boolean {
    return this.live.has(callId);
  }

  get size(): number {
    return this.live.size;
  }

  all(): CallSession[] {
    return [...this.live.values()];
  }
}
