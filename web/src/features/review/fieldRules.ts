import type { FieldName, FieldView } from "../../api/types";

/** The same formats the server checks (ReviewApi), so a reviewer hears about a typo before saving. */
export function fieldProblem(name: FieldName, value: string): string | null {
  const text = value.trim();
  if (text === "") return null;
  if (text.length > 1000) return "At most 1000 characters.";
  switch (name) {
    case "date":
    case "due_date":
      return /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`)) ? null : "A date as YYYY-MM-DD.";
    case "net":
    case "tax":
    case "total":
      return /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(text) ? null : "An amount like 1234.56 (a point for decimals, no thousands separators).";
    case "currency":
      return /^[A-Z]{3}$/.test(text) ? null : "A three-letter ISO 4217 code such as EUR.";
    default:
      return null;
  }
}

/** Below this the machine was guessing: the field is flagged for a closer look. */
export const lowConfidence = 0.6;

/** Only what differs from the machine's value is an edit; an emptied field is cleared (null). */
export function editsFrom(values: Record<string, string>, fields: Record<string, FieldView>): Record<string, string | null> {
  const edits: Record<string, string | null> = {};
  for (const [name, raw] of Object.entries(values)) {
    const value = raw.trim();
    const machine = fields[name]?.machine_value ?? "";
    if (value === machine) continue;
    edits[name] = value === "" ? null : value;
  }
  return edits;
}
