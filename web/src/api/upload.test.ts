import { describe, expect, it } from "vitest";
import { ApiError, parseRetryAfter } from "./client";
import { classifyUploadFailure, refusalReason } from "./upload";

describe("refusalReason", () => {
  it("says in plain words that a file is too large, then why", () => {
    const error = new ApiError(413, { code: "file_too_large", message: "'scan.pdf' is larger than the limit of 50 MB." });
    expect(refusalReason(error)).toBe("Too large: 'scan.pdf' is larger than the limit of 50 MB.");
  });

  it("says a type is not accepted for any 415, whatever its code", () => {
    const error = new ApiError(415, { code: "unrecognised_content", message: "'x.bin' is not a type Docket reads." });
    expect(refusalReason(error)).toBe("Type not accepted: 'x.bin' is not a type Docket reads.");
  });

  it("passes other refusals through as the server worded them", () => {
    expect(refusalReason(new ApiError(400, { code: "empty_file", message: "'a.txt' is empty." }))).toBe("Empty file: 'a.txt' is empty.");
    expect(refusalReason(new ApiError(0, undefined))).toBe("The server could not be reached.");
  });
});

describe("classifyUploadFailure", () => {
  const rateLimited = (retryAfter: number | null, details: unknown = null) =>
    new ApiError(429, { code: "rate_limited", message: "Too many requests.", details }, retryAfter);

  it("waits as long as Retry-After says when the server is rate limiting, and every file waits with it", () => {
    expect(classifyUploadFailure(rateLimited(7))).toEqual({ kind: "wait", seconds: 7, everyWaits: true });
    expect(classifyUploadFailure(new ApiError(503, { code: "overloaded", message: "Busy." }, 2))).toEqual({ kind: "wait", seconds: 2, everyWaits: true });
  });

  it("reads the envelope's retry_after_seconds without the header, else waits one second", () => {
    expect(classifyUploadFailure(rateLimited(null, { retry_after_seconds: 4 }))).toMatchObject({ seconds: 4 });
    expect(classifyUploadFailure(rateLimited(null))).toMatchObject({ seconds: 1 });
  });

  it("never waits longer than a minute at once", () => {
    expect(classifyUploadFailure(rateLimited(3600))).toMatchObject({ kind: "wait", seconds: 60 });
  });

  it("waits for this file only while its key is still running from an attempt whose answer was lost", () => {
    const inUse = new ApiError(409, { code: "idempotency_key_in_use", message: "Still running." }, 1);
    expect(classifyUploadFailure(inUse)).toEqual({ kind: "wait", seconds: 1, everyWaits: false });
  });

  it("tells an unanswered attempt from a refusal", () => {
    expect(classifyUploadFailure(new ApiError(0, undefined))).toEqual({ kind: "unreachable" });
    expect(classifyUploadFailure(new ApiError(502, undefined))).toEqual({ kind: "unreachable" });
    const refused = new ApiError(415, { code: "type_mismatch", message: "'a.exe' is not a type Docket reads." });
    expect(classifyUploadFailure(refused)).toEqual({ kind: "refused", reason: "Type not accepted: 'a.exe' is not a type Docket reads." });
    expect(classifyUploadFailure(new ApiError(409, { code: "idempotency_key_reused", message: "Other request." }))).toMatchObject({ kind: "refused" });
  });
});

describe("parseRetryAfter", () => {
  it("reads seconds and HTTP dates, and nothing else", () => {
    const now = Date.parse("2026-01-05T10:00:00Z");
    expect(parseRetryAfter("12", now)).toBe(12);
    expect(parseRetryAfter("Mon, 05 Jan 2026 10:00:30 GMT", now)).toBe(30);
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter("soon", now)).toBeNull();
  });
});
