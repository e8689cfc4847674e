import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../../api/client";
import type { UploadResponse } from "../../api/types";
import {
  countUploads, createUploadQueue, describeCounts, emptyQueue, uploadsReducer, type SendUpload, type UploadQueueState,
} from "./uploadQueue";

const file = (name: string) => new File([name], name, { type: "text/plain" });

function added(...names: string[]): UploadQueueState {
  return uploadsReducer(emptyQueue, {
    type: "add",
    files: names.map((name) => ({ id: `row-${name}`, file: file(name), idempotencyKey: `key-${name}` })),
  });
}

const rateLimited = (seconds: number) => ({ kind: "wait", seconds, everyWaits: true }) as const;

describe("uploadsReducer", () => {
  it("tracks each file from waiting to uploaded or refused", () => {
    let state = added("a.txt", "b.exe");
    state = uploadsReducer(state, { type: "start", ids: ["row-a.txt", "row-b.exe"] });
    state = uploadsReducer(state, { type: "progress", id: "row-a.txt", attempt: 1, fraction: 0.5 });
    state = uploadsReducer(state, { type: "failed", id: "row-b.exe", attempt: 1, at: 0, jitterMs: 0, failure: { kind: "refused", reason: "Type not accepted" } });
    expect(state.entries.map((e) => [e.phase, e.fraction])).toEqual([["uploading", 0.5], ["refused", 0]]);

    state = uploadsReducer(state, { type: "uploaded", id: "row-a.txt", attempt: 1, documentId: "d1", duplicateOf: null });
    expect(state.entries[0]).toMatchObject({ phase: "uploaded", fraction: 1, documentId: "d1" });
    expect(uploadsReducer(state, { type: "clear" }).entries).toEqual([]);
  });

  it("puts a rate-limited file back to waiting until the time the server gave, and pauses the queue as long", () => {
    let state = uploadsReducer(added("a.txt"), { type: "start", ids: ["row-a.txt"] });
    state = uploadsReducer(state, { type: "failed", id: "row-a.txt", attempt: 1, at: 10_000, jitterMs: 100, failure: rateLimited(5) });
    expect(state.entries[0]).toMatchObject({ phase: "waiting", notBefore: 15_100, waitReason: "the server asked to wait 5 s", idempotencyKey: "key-a.txt" });
    expect(state.pausedUntil).toBe(15_100);
    expect(state.pauseSeconds).toBe(5);

    expect(uploadsReducer(state, { type: "resume", at: 15_000 })).toBe(state);
    expect(uploadsReducer(state, { type: "resume", at: 15_100 }).pausedUntil).toBe(0);
  });

  it("waits for this file alone when only its key is busy", () => {
    let state = uploadsReducer(added("a.txt"), { type: "start", ids: ["row-a.txt"] });
    state = uploadsReducer(state, { type: "failed", id: "row-a.txt", attempt: 1, at: 0, jitterMs: 0, failure: { kind: "wait", seconds: 1, everyWaits: false } });
    expect(state.entries[0]).toMatchObject({ phase: "waiting", notBefore: 1_000 });
    expect(state.pausedUntil).toBe(0);
  });

  it("ignores the answer of an attempt that is no longer the one in flight", () => {
    let state = uploadsReducer(added("a.txt"), { type: "start", ids: ["row-a.txt"] });
    state = uploadsReducer(state, { type: "failed", id: "row-a.txt", attempt: 1, at: 0, jitterMs: 0, failure: rateLimited(1) });
    state = uploadsReducer(state, { type: "start", ids: ["row-a.txt"] });
    const late = uploadsReducer(state, { type: "failed", id: "row-a.txt", attempt: 1, at: 0, jitterMs: 0, failure: { kind: "refused", reason: "late" } });
    expect(late).toBe(state);
    expect(state.entries[0]).toMatchObject({ phase: "uploading", attempt: 2 });
  });

  it("tries a file without an answer twice more, later each time, then says it was not uploaded", () => {
    let state = added("a.txt");
    const notBefore: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      state = uploadsReducer(state, { type: "start", ids: ["row-a.txt"] });
      state = uploadsReducer(state, { type: "failed", id: "row-a.txt", attempt, at: 0, jitterMs: 0, failure: { kind: "unreachable" } });
      notBefore.push(state.entries[0]!.notBefore);
      if (attempt < 3) expect(state.entries[0]).toMatchObject({ phase: "waiting", waitReason: "no answer from the server; trying again" });
    }
    expect(notBefore[1]).toBeGreaterThan(notBefore[0]!);
    expect(state.entries[0]).toMatchObject({ phase: "refused", reason: "No answer from the server after 3 attempts." });
  });

  it("puts every refused file back to waiting with the key it had, and leaves the others alone", () => {
    let state = uploadsReducer(added("a.txt", "b.exe", "c.txt"), { type: "start", ids: ["row-a.txt", "row-b.exe"] });
    state = uploadsReducer(state, { type: "uploaded", id: "row-a.txt", attempt: 1, documentId: "d1", duplicateOf: null });
    state = uploadsReducer(state, { type: "failed", id: "row-b.exe", attempt: 1, at: 0, jitterMs: 0, failure: { kind: "refused", reason: "Type not accepted" } });
    state = uploadsReducer(state, { type: "retry-refused" });
    expect(state.entries.map((e) => [e.phase, e.idempotencyKey, e.reason])).toEqual([
      ["uploaded", "key-a.txt", undefined],
      ["waiting", "key-b.exe", undefined],
      ["waiting", "key-c.txt", undefined],
    ]);
  });

  it("counts files being sent as waiting, and says the counts in words", () => {
    let state = uploadsReducer(added("a.txt", "b.txt", "c.exe", "d.txt"), { type: "start", ids: ["row-a.txt", "row-b.txt", "row-c.exe"] });
    state = uploadsReducer(state, { type: "uploaded", id: "row-a.txt", attempt: 1, documentId: "d1", duplicateOf: null });
    state = uploadsReducer(state, { type: "failed", id: "row-c.exe", attempt: 1, at: 0, jitterMs: 0, failure: { kind: "refused", reason: "No" } });
    const counts = countUploads(state.entries);
    expect(counts).toEqual({ uploaded: 1, waiting: 2, refused: 1 });
    expect(describeCounts(counts)).toBe("1 uploaded · 2 waiting · 1 refused");
  });
});

/** A server whose every answer the test gives by hand, in any order. */
function handAnsweredServer() {
  type Call = { name: string; key: string; resolve: (r: UploadResponse) => void; reject: (e: unknown) => void };
  const calls: Call[] = [];
  const send: SendUpload = (f, { idempotencyKey }) =>
    new Promise((resolve, reject) => calls.push({ name: f.name, key: idempotencyKey, resolve, reject }));
  const store = (call: Call) => call.resolve({ documents: [{ id: `doc-${call.name}`, duplicate_of: null }] } as unknown as UploadResponse);
  const tooMany = (call: Call, seconds: number) =>
    call.reject(new ApiError(429, { code: "rate_limited", message: "Too many", details: { retry_after_seconds: seconds } }, seconds));
  return { calls, send, store, tooMany, sent: () => calls.map((c) => c.name) };
}

describe("createUploadQueue", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const settle = () => vi.advanceTimersByTimeAsync(0);

  it("sends a few files at a time, and the next as each one finishes", async () => {
    const server = handAnsweredServer();
    const queue = createUploadQueue(server.send, 3);
    queue.add(["1.txt", "2.txt", "3.txt", "4.txt", "5.txt"].map(file));
    expect(server.sent()).toEqual(["1.txt", "2.txt", "3.txt"]);

    server.store(server.calls[1]!);
    await settle();
    expect(server.sent()).toEqual(["1.txt", "2.txt", "3.txt", "4.txt"]);
    expect(countUploads(queue.getSnapshot().entries)).toEqual({ uploaded: 1, waiting: 4, refused: 0 });
  });

  it("sends a rate-limited file again after the wait with the same key, and starts no other file until then", async () => {
    const server = handAnsweredServer();
    const queue = createUploadQueue(server.send, 2);
    queue.add(["1.txt", "2.txt", "3.txt"].map(file));
    const [first, second] = server.calls as [(typeof server.calls)[0], (typeof server.calls)[0]];

    server.tooMany(first, 2);
    await settle();
    expect(queue.getSnapshot().entries[0]).toMatchObject({ phase: "waiting", waitReason: "the server asked to wait 2 s" });
    // A slot is free, but the server said it takes no more for now.
    server.store(second);
    await vi.advanceTimersByTimeAsync(1_900);
    expect(server.sent()).toEqual(["1.txt", "2.txt"]);

    await vi.advanceTimersByTimeAsync(400);
    expect(server.sent()).toEqual(["1.txt", "2.txt", "1.txt", "3.txt"]);
    expect(server.calls[2]!.key).toBe(first.key);
    expect(server.calls[3]!.key).not.toBe(first.key);
    expect(queue.getSnapshot().pausedUntil).toBe(0);

    server.store(server.calls[2]!);
    server.store(server.calls[3]!);
    await settle();
    expect(queue.getSnapshot().entries.map((e) => e.phase)).toEqual(["uploaded", "uploaded", "uploaded"]);
  });

  it("sends an unanswered file again with the same key, and a refused one when asked, with the key it had", async () => {
    const server = handAnsweredServer();
    const queue = createUploadQueue(server.send, 1);
    queue.add([file("a.txt")]);
    for (let attempt = 0; attempt < 3; attempt++) {
      server.calls[attempt]!.reject(new ApiError(0, undefined));
      await vi.advanceTimersByTimeAsync(5_000);
    }
    expect(server.calls.map((c) => c.key)).toEqual(Array(3).fill(server.calls[0]!.key));
    expect(queue.getSnapshot().entries[0]).toMatchObject({ phase: "refused" });

    queue.retryRefused();
    expect(server.calls).toHaveLength(4);
    expect(server.calls[3]!.key).toBe(server.calls[0]!.key);
  });

  it("forgets every file and disregards the answers still coming for them", async () => {
    const server = handAnsweredServer();
    const queue = createUploadQueue(server.send, 3);
    queue.add([file("a.txt")]);
    queue.forget();
    server.store(server.calls[0]!);
    await settle();
    expect(queue.getSnapshot().entries).toEqual([]);
  });
});
