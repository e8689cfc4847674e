import { describe, expect, it } from "vitest";
import { uploadsReducer } from "../features/upload/useUploads";
import { ApiError } from "./client";
import { refusalReason } from "./upload";

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

describe("uploadsReducer", () => {
  it("tracks each file from waiting to uploaded or refused", () => {
    const a = new File(["a"], "a.txt");
    const b = new File(["b"], "b.exe");
    let entries = uploadsReducer([], { type: "add", files: [a, b] });
    const [first, second] = entries.map((e) => e.key) as [string, string];

    entries = uploadsReducer(entries, { type: "start", key: first });
    entries = uploadsReducer(entries, { type: "progress", key: first, fraction: 0.5 });
    entries = uploadsReducer(entries, { type: "refused", key: second, reason: "Type not accepted" });
    expect(entries.map((e) => [e.phase, e.fraction])).toEqual([["uploading", 0.5], ["refused", 0]]);

    entries = uploadsReducer(entries, { type: "uploaded", key: first, documentId: "d1", duplicateOf: null });
    expect(entries[0]).toMatchObject({ phase: "uploaded", fraction: 1, documentId: "d1" });
    expect(uploadsReducer(entries, { type: "clear" })).toEqual([]);
  });
});
