import { classifyUploadFailure, uploadFile, type UploadFailure, type UploadOptions } from "../../api/upload";
import type { UploadResponse } from "../../api/types";

export type UploadPhase = "waiting" | "uploading" | "uploaded" | "refused";

export type UploadEntry = {
  /** The row's identity in this tab. */
  id: string;
  file: File;
  /** Sent with every attempt of this file, so that however often it is sent the server stores it once. */
  idempotencyKey: string;
  phase: UploadPhase;
  fraction: number;
  /**
   * Bumped each time the file is sent. An answer is applied only to the attempt it answers, so the
   * answer of an attempt that was given up (the list forgotten, the file sent again) changes nothing.
   */
  attempt: number;
  /** Not to be sent before this time (ms since the epoch); 0 when it may go now. */
  notBefore: number;
  /** Why a waiting file waits, once it was sent and asked to wait or got no answer. */
  waitReason?: string;
  /** Attempts in a row that got no answer from the server. */
  unanswered: number;
  documentId?: string;
  duplicateOf?: string | null;
  reason?: string;
};

export type UploadQueueState = {
  entries: UploadEntry[];
  /** The server turned uploads away until this time (ms since the epoch): no file starts before it. 0: not paused. */
  pausedUntil: number;
  /** How long that wait was, for saying so. */
  pauseSeconds: number;
};

export type UploadAction =
  | { type: "add"; files: { id: string; file: File; idempotencyKey: string }[] }
  | { type: "start"; ids: string[] }
  | { type: "progress"; id: string; attempt: number; fraction: number }
  | { type: "uploaded"; id: string; attempt: number; documentId: string; duplicateOf: string | null }
  | { type: "failed"; id: string; attempt: number; failure: UploadFailure; at: number; jitterMs: number }
  | { type: "resume"; at: number }
  | { type: "retry-refused" }
  | { type: "clear" };

export const emptyQueue: UploadQueueState = { entries: [], pausedUntil: 0, pauseSeconds: 0 };

/** A file that got no answer is sent this many more times before the user is told; each waits longer than the last. */
export const unansweredRetries = 2;
const unansweredBackoffMs = [1_000, 3_000];

export function uploadsReducer(state: UploadQueueState, action: UploadAction): UploadQueueState {
  // Only the attempt in flight may be answered; anything else is a stale answer and changes nothing.
  const answer = (id: string, attempt: number, patch: (entry: UploadEntry) => Partial<UploadEntry>) => {
    const index = state.entries.findIndex((e) => e.id === id);
    const entry = state.entries[index];
    if (!entry || entry.phase !== "uploading" || entry.attempt !== attempt) return state;
    const entries = state.entries.slice();
    entries[index] = { ...entry, ...patch(entry) };
    return { ...state, entries };
  };

  switch (action.type) {
    case "add":
      return {
        ...state,
        entries: [
          ...state.entries,
          ...action.files.map((f) => ({ ...f, phase: "waiting" as const, fraction: 0, attempt: 0, notBefore: 0, unanswered: 0 })),
        ],
      };
    case "start": {
      const ids = new Set(action.ids);
      return {
        ...state,
        entries: state.entries.map((e) =>
          ids.has(e.id) && e.phase === "waiting" ? { ...e, phase: "uploading", attempt: e.attempt + 1, fraction: 0, waitReason: undefined } : e,
        ),
      };
    }
    case "progress":
      return answer(action.id, action.attempt, () => ({ fraction: action.fraction }));
    case "uploaded":
      return answer(action.id, action.attempt, () => ({
        phase: "uploaded", fraction: 1, unanswered: 0, documentId: action.documentId, duplicateOf: action.duplicateOf,
      }));
    case "failed": {
      const { failure, at, jitterMs } = action;
      if (failure.kind === "refused") return answer(action.id, action.attempt, () => ({ phase: "refused", reason: failure.reason }));
      if (failure.kind === "wait") {
        const until = at + failure.seconds * 1000 + jitterMs;
        const next = answer(action.id, action.attempt, () => ({
          phase: "waiting", fraction: 0, notBefore: until, waitReason: `the server asked to wait ${failure.seconds} s`,
        }));
        if (next === state || !failure.everyWaits || until <= state.pausedUntil) return next;
        return { ...next, pausedUntil: until, pauseSeconds: failure.seconds };
      }
      return answer(action.id, action.attempt, (entry) => {
        const unanswered = entry.unanswered + 1;
        if (unanswered > unansweredRetries) {
          return { phase: "refused", unanswered, reason: `No answer from the server after ${unanswered} attempts.` };
        }
        return {
          phase: "waiting", fraction: 0, unanswered, notBefore: at + unansweredBackoffMs[unanswered - 1]! + jitterMs,
          waitReason: "no answer from the server; trying again",
        };
      });
    }
    case "resume":
      return state.pausedUntil !== 0 && state.pausedUntil <= action.at ? { ...state, pausedUntil: 0, pauseSeconds: 0 } : state;
    case "retry-refused":
      // The same key again, on purpose. A file given up after attempts without an answer may have been
      // stored with only the answer lost: its key makes the server answer with that document instead of
      // storing the file twice. A file the server refused on sight (type, size, empty) was refused before
      // its key was taken, so sending the key again has it looked at afresh.
      return {
        ...state,
        entries: state.entries.map((e) =>
          e.phase === "refused" ? { ...e, phase: "waiting", fraction: 0, notBefore: 0, unanswered: 0, reason: undefined } : e,
        ),
      };
    case "clear":
      return { ...state, entries: state.entries.filter((e) => e.phase === "waiting" || e.phase === "uploading") };
  }
}

export type UploadCounts = { uploaded: number; waiting: number; refused: number };

/** Waiting counts the files being sent too: to the user both are "not there yet". */
export function countUploads(entries: UploadEntry[]): UploadCounts {
  const counts = { uploaded: 0, waiting: 0, refused: 0 };
  for (const entry of entries) counts[entry.phase === "uploading" ? "waiting" : entry.phase]++;
  return counts;
}

export function describeCounts({ uploaded, waiting, refused }: UploadCounts): string {
  return `${uploaded} uploaded · ${waiting} waiting · ${refused} refused`;
}

export type SendUpload = (file: File, options: UploadOptions) => Promise<UploadResponse>;

export type UploadQueue = {
  subscribe: (listener: () => void) => () => void;
  getSnapshot: () => UploadQueueState;
  add: (files: File[]) => void;
  clear: () => void;
  retryRefused: () => void;
  /** Drops every file and cancels what is being sent: for signing out, when the list belongs to someone else. */
  forget: () => void;
};

/** Files upload a few at a time, leaving the browser's other connections to the page and its live feed. */
const parallelUploads = 3;

/** Spread added to every wait, so that files (and tabs) told the same time do not all ask again at the same instant. */
const maxJitterMs = 250;

/**
 * The upload list and the loop that sends it, outside React: the list lives as long as the tab, so
 * it is the same after a visit to another page, and files go on uploading while the user is there.
 */
export function createUploadQueue(send: SendUpload, parallel = parallelUploads): UploadQueue {
  let state = emptyQueue;
  const listeners = new Set<() => void>();
  const inFlight = new Map<string, AbortController>();
  let wake: ReturnType<typeof setTimeout> | undefined;
  let pumping = false;

  const update = (action: UploadAction) => {
    const next = uploadsReducer(state, action);
    if (next === state) return;
    state = next;
    for (const listener of listeners) listener();
    pump();
  };

  const begin = (entry: UploadEntry) => {
    const { id, attempt } = entry;
    const controller = new AbortController();
    inFlight.set(id, controller);
    const settled = () => {
      if (inFlight.get(id) === controller) inFlight.delete(id);
    };
    send(entry.file, {
      idempotencyKey: entry.idempotencyKey,
      signal: controller.signal,
      onProgress: (fraction) => update({ type: "progress", id, attempt, fraction }),
    }).then(
      (response) => {
        settled();
        const document = response.documents[0];
        if (document) update({ type: "uploaded", id, attempt, documentId: document.id, duplicateOf: document.duplicate_of ?? null });
        else fail(id, attempt, { kind: "refused", reason: "The server answered without the document." });
      },
      (error: unknown) => {
        settled();
        fail(id, attempt, classifyUploadFailure(error));
      },
    );
  };

  const fail = (id: string, attempt: number, failure: UploadFailure) =>
    update({ type: "failed", id, attempt, failure, at: Date.now(), jitterMs: Math.random() * maxJitterMs });

  /** Starts what may start now, and sets one timer for the earliest file or pause that will end later. */
  function pump() {
    if (pumping) return;
    pumping = true;
    try {
      clearTimeout(wake);
      wake = undefined;
      const now = Date.now();
      if (state.pausedUntil > now) {
        wakeAt(state.pausedUntil, now);
        return;
      }
      update({ type: "resume", at: now });
      const running = state.entries.filter((e) => e.phase === "uploading").length;
      const ready = state.entries.filter((e) => e.phase === "waiting" && e.notBefore <= now).slice(0, Math.max(0, parallel - running));
      if (ready.length > 0) {
        update({ type: "start", ids: ready.map((e) => e.id) });
        const started = new Set(ready.map((e) => e.id));
        for (const entry of state.entries) if (started.has(entry.id)) begin(entry);
      }
      let later = Infinity;
      for (const e of state.entries) if (e.phase === "waiting" && e.notBefore > now) later = Math.min(later, e.notBefore);
      if (later !== Infinity) wakeAt(later, now);
    } finally {
      pumping = false;
    }
  }

  const wakeAt = (at: number, now: number) => {
    wake = setTimeout(pump, Math.max(0, at - now));
  };

  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    getSnapshot: () => state,
    add(files) {
      if (files.length === 0) return;
      update({ type: "add", files: files.map((file) => ({ id: newKey(), file, idempotencyKey: newKey() })) });
    },
    clear: () => update({ type: "clear" }),
    retryRefused: () => update({ type: "retry-refused" }),
    forget() {
      clearTimeout(wake);
      wake = undefined;
      const sending = [...inFlight.values()];
      inFlight.clear();
      state = emptyQueue;
      for (const controller of sending) controller.abort();
      for (const listener of listeners) listener();
    },
  };
}

/** A random UUID. crypto.randomUUID exists only in secure contexts, and a server on the office network reached over plain http is not one. */
export function newKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The tab's one upload list. */
export const uploadQueue = createUploadQueue(uploadFile);
