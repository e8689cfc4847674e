import type { DocumentDetail, DocumentSummary, JobEvent } from "../api/types";

/** Shapes as the server sends them (see the OpenAPI document); only what a test varies is a parameter. */
export function summary(overrides: Partial<DocumentSummary> = {}): DocumentSummary {
  return {
    id: "0193a000-0000-7000-8000-000000000001",
    filename: "invoice.txt",
    file_type: "txt",
    size_bytes: 2048,
    status: "processing",
    title: null,
    category: null,
    current_job_id: "0193a000-0000-7000-8000-0000000000a1",
    progress: 10,
    stage: "extract",
    failure_reason: null,
    version: 2,
    created_at: "2026-01-05T10:00:00Z",
    updated_at: "2026-01-05T10:00:01Z",
    finalized_at: null,
    ...overrides,
  };
}

export function jobEvent(overrides: Partial<JobEvent> = {}): JobEvent {
  return {
    id: 100,
    job_id: "0193a000-0000-7000-8000-0000000000a1",
    document_id: "0193a000-0000-7000-8000-000000000001",
    event: "analysis_started",
    stage: "analyse",
    progress: 55,
    message: "Analysing",
    timestamp: "2026-01-05T10:00:02Z",
    error: null,
    ...overrides,
  };
}

export const invoiceText = "ACME Supplies Ltd\nInvoice number: INV-42\nDate: 2026-01-05\nTotal due: 1,250.00 EUR\n";

export function processedDetail(overrides: Partial<DocumentDetail> = {}): DocumentDetail {
  const id = "0193a000-0000-7000-8000-000000000001";
  const jobId = "0193a000-0000-7000-8000-0000000000a1";
  const at = "2026-01-05T10:00:03Z";
  const start = invoiceText.indexOf("INV-42");
  return {
    id,
    filename: "invoice.txt",
    file_type: "txt",
    content_type: "text/plain",
    size_bytes: invoiceText.length,
    sha256: "ab".repeat(32),
    status: "processed",
    title: "ACME Supplies Ltd",
    category: "invoice",
    failure_reason: null,
    version: 3,
    created_at: at,
    updated_at: at,
    processed_at: at,
    finalized_at: null,
    current_job: {
      id: jobId, document_id: id, state: "succeeded", attempt: 1, max_attempts: 3, stage: "fields", progress: 100,
      cancel_requested: false, last_error: null, retry_of: null, created_at: at, scheduled_at: at, attempted_at: at,
      attempted_by: "test", finalized_at: at, errors: [],
    },
    result: {
      id: "0193a000-0000-7000-8000-0000000000r1",
      version: 1,
      job_id: jobId,
      created_at: at,
      data: {
        title: "ACME Supplies Ltd", summary: "An invoice.", keywords: ["invoice"], language: "en",
        counts: { pages: 1, words: 10, lines: 4, characters: invoiceText.length },
        category: { name: "invoice", confidence: 0.9, method: "rules" },
        fields: {},
        line_items: [],
        warnings: ["The total does not equal net plus tax."],
        extraction: { method: "native", page_starts: [0] },
      },
      fields: {
        invoice_number: { value: "INV-42", machine_value: "INV-42", reviewed_value: null, edited: false, type: "text", confidence: 0.9, source: { page: 1, start, end: start + 6 } },
        total: { value: "1250.00", machine_value: "1250.00", reviewed_value: null, edited: false, type: "amount", confidence: 0.4, source: null },
      },
      title: "ACME Supplies Ltd",
      category: "invoice",
      duplicates: [],
    },
    review: null,
    events: [],
    allowed_transitions: ["finalized", "rejected", "queued", "cancelled"],
    links: {
      self: `/api/v1/documents/${id}`, status: `/api/v1/documents/${id}/status`, stream: `/api/v1/documents/${id}/stream`,
      result: `/api/v1/documents/${id}/result`, file: `/api/v1/documents/${id}/file`,
    },
    ...overrides,
  };
}
