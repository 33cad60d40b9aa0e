/**
 * The replay report of ../shared/FIXTURES.md, built from what the engine emitted. Every time is
 * audio ms since stream start. Fields may be added, never renamed or dropped.
 */
import type { EngineEvent } from "../engine/types.ts";

/** One answered turn. */
export interface ReportTurn {
  userEndMs: number;
  endpointMs: number;
  /** When the reply's first audio was sent (null if it never was: cut or cancelled). */
  firstAudioMs: number | null;
  latencyMs: number | null;
  /** Added: why the turn ended (`complete`, `open`, `incomplete`, `digits`, `timeout`). */
  reason: string;
  /** Added: the reply id. */
  replyId: string;
}

/** The report (see FIXTURES.md). */
export interface ReplayReport {
  fixture: string;
  durationMs: number;
  vad: { frameMs: number; speech: [number, number][] };
  amd: { verdict: "human" | "machine" | "unknown"; decidedAtMs: number | null; beepAtMs: number | null; reason: string };
  turns: ReportTurn[];
  /** `holdMs` (added): when agent audio stopped being sent (stage 1); `clearMs`: the decision to cut. */
  bargeIns: { speechStartMs: number; clearMs: number; holdMs: number }[];
  /** Added: holds that ended without a barge-in (a backchannel, noise, an echo), the agent resumed. */
  resumes: { speechStartMs: number; holdMs: number; resumeMs: number; why: string }[];
  sent: { media: number; marks: number; clears: number };
}

/** Build the report from the engine's events and the counts of what was sent. */
export function buildReport(
  fixture: string,
  durationMs: number,
  events: readonly EngineEvent[],
  sent: { media: number; marks: number; clears: number },
): ReplayReport {
  const speech: [number, number][] = [];
  let openAt: number | null = null;
  let amd: ReplayReport["amd"] = { verdict: "unknown", decidedAtMs: null, beepAtMs: null, reason: "no verdict" };
  let beepAtMs: number | null = null;
  const firstAudio = new Map<string, number>();
  const turns: ReportTurn[] = [];
  const bargeIns: ReplayReport["bargeIns"] = [];
  const resumes: ReplayReport["resumes"] = [];
  for (const e of events) {
    switch (e.type) {
      case "vad":
        // The detector's settled decision (its boundaries are final when the event is emitted).
        if (e.speaking) {
          openAt = e.settledAudioMs;
          // A segment settled to start where the last one ended continues it (merged ranges).
          const last = speech[speech.length - 1];
          if (last !== undefined && openAt <= last[1]) openAt = speech.pop()![0];
        } else if (openAt !== null) {
          speech.push([openAt, e.settledAudioMs]);
          openAt = null;
        }
        break;
      case "amd":
        amd = { verdict: e.verdict, decidedAtMs: e.atAudioMs, beepAtMs: null, reason: e.reason };
        break;
      case "beep":
        beepAtMs ??= e.startAudioMs;
        break;
      case "firstAudio":
        firstAudio.set(e.replyId, e.atAudioMs);
        break;
      case "turn":
        turns.push({
          userEndMs: e.userEndAudioMs,
          endpointMs: e.endpointAudioMs,
          firstAudioMs: null,
          latencyMs: null,
          reason: e.reason,
          replyId: e.replyId,
        });
        break;
      case "bargeIn":
        bargeIns.push({ speechStartMs: e.speechStartAudioMs, clearMs: e.clearAudioMs, holdMs: e.holdAudioMs });
        break;
      case "bargeInResumed":
        resumes.push({ speechStartMs: e.speechStartAudioMs, holdMs: e.holdAudioMs, resumeMs: e.atAudioMs, why: e.why });
        break;
    }
  }
  if (openAt !== null) speech.push([openAt, durationMs]);
  for (const t of turns) {
    const at = firstAudio.get(t.replyId);
    if (at !== undefined) {
      t.firstAudioMs = at;
      t.latencyMs = at - t.userEndMs;
    }
  }
  return {
    fixture,
    durationMs,
    vad: { frameMs: 20, speech },
    amd: { ...amd, beepAtMs },
    turns,
    bargeIns,
    resumes,
    sent: { ...sent },
  };
}
