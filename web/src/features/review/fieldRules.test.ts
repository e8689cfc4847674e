import { describe, expect, it } from "vitest";
import { processedDetail } from "../../test/fixtures";
import { editsFrom, fieldProblem } from "./fieldRules";

describe("fieldProblem", () => {
  it.each([
    ["date", "2026-01-05", null],
    ["date", "05/01/2026", "A date as YYYY-MM-DD."],
    ["due_date", "2026-13-45", "A date as YYYY-MM-DD."],
    ["total", "1250.00", null],
    ["total", "1,250.00", "An amount like 1234.56 (a point for decimals, no thousands separators)."],
    ["tax", "-3.5", null],
    ["currency", "EUR", null],
    ["currency", "eur", "A three-letter ISO 4217 code such as EUR."],
    ["issuer", "Anything at all", null],
    ["total", "", null],
  ] as const)("%s = %j -> %j", (name, value, problem) => {
    expect(fieldProblem(name, value)).toBe(problem);
  });
});

describe("editsFrom", () => {
  const fields = processedDetail().result!.fields;

  it("sends only what differs from the machine, and an emptied field as cleared", () => {
    const edits = editsFrom({ invoice_number: "INV-42", total: "", currency: "EUR", issuer: "" }, fields);

    expect(edits).toEqual({ total: null, currency: "EUR" });
  });

  it("drops an earlier edit when the value is put back to the machine's", () => {
    expect(editsFrom({ total: " 1250.00 " }, fields)).toEqual({});
  });
});
