import type { components } from "./schema";

type Schemas = components["schemas"];

export type DocumentStatus = Schemas["DocumentStatus"];
export type DocumentSummary = Schemas["DocumentSummary"];
export type DocumentDetail = Schemas["DocumentDetail"];
export type DocumentStatusView = Schemas["DocumentStatusView"];
export type ResultDocument = Schemas["ResultDocument"];
export type FieldView = Schemas["FieldView"];
export type FieldSource = Schemas["FieldSource"];
export type JobEvent = Schemas["JobEvent"];
export type JobView = Schemas["JobView"];
export type Paged<T> = { items: T[]; page: number; page_size: number; total: number; total_pages: number; total_is_exact: boolean };
export type UploadResponse = Schemas["UploadResponse"];
export type ExportView = Schemas["ExportView"];
export type ExportRequest = Schemas["ExportRequest"];
export type StatsView = Schemas["StatsView"];
export type DeadLetter = Schemas["DeadLetter"];
export type ReviewRequest = Schemas["ReviewRequest"];
export type ApiErrorBody = Schemas["ApiErrorBody"];

export const documentStatuses: DocumentStatus[] = [
  "uploaded", "queued", "processing", "processed", "finalized", "failed", "rejected", "cancelled",
];

/** The categories the server knows (Docket.Core Categories.All); the review form offers these. */
export const categories = [
  "invoice", "receipt", "credit_note", "contract", "letter", "memo", "report", "resume", "technical_spec", "other",
] as const;

/** The editable invoice fields (Docket.Core FieldNames.All), in the order a reviewer reads an invoice. */
export const fieldNames = ["issuer", "invoice_number", "date", "due_date", "net", "tax", "total", "currency"] as const;
export type FieldName = (typeof fieldNames)[number];

/** A document still moving through the queue: its row shows a live progress bar. */
export function isActive(status: DocumentStatus): boolean {
  return status === "uploaded" || status === "queued" || status === "processing";
}
