import { useCallback, useEffect, useReducer } from "react";
import { refusalReason, uploadFile } from "../../api/upload";

export type UploadEntry = {
  key: string;
  file: File;
  phase: "waiting" | "uploading" | "uploaded" | "refused";
  fraction: number;
  documentId?: string;
  duplicateOf?: string | null;
  reason?: string;
};

type Action =
  | { type: "add"; files: File[] }
  | { type: "start"; key: string }
  | { type: "progress"; key: string; fraction: number }
  | { type: "uploaded"; key: string; documentId: string; duplicateOf: string | null }
  | { type: "refused"; key: string; reason: string }
  | { type: "clear" };

let counter = 0;

export function uploadsReducer(entries: UploadEntry[], action: Action): UploadEntry[] {
  const change = (key: string, patch: Partial<UploadEntry>) => entries.map((e) => (e.key === key ? { ...e, ...patch } : e));
  switch (action.type) {
    case "add":
      return [...entries, ...action.files.map((file) => ({ key: `${++counter}-${file.name}`, file, phase: "waiting" as const, fraction: 0 }))];
    case "start":
      return change(action.key, { phase: "uploading" });
    case "progress":
      return change(action.key, { fraction: action.fraction });
    case "uploaded":
      return change(action.key, { phase: "uploaded", fraction: 1, documentId: action.documentId, duplicateOf: action.duplicateOf });
    case "refused":
      return change(action.key, { phase: "refused", reason: action.reason });
    case "clear":
      return entries.filter((e) => e.phase === "waiting" || e.phase === "uploading");
  }
}

/** Files upload a few at a time, leaving the browser's other connections to the page and its live feed. */
const parallelUploads = 3;

export function useUploads() {
  const [entries, dispatch] = useReducer(uploadsReducer, []);

  useEffect(() => {
    const running = entries.filter((e) => e.phase === "uploading").length;
    const next = entries.filter((e) => e.phase === "waiting").slice(0, Math.max(0, parallelUploads - running));
    for (const entry of next) {
      dispatch({ type: "start", key: entry.key });
      uploadFile(entry.file, (fraction) => dispatch({ type: "progress", key: entry.key, fraction }))
        .then((response) => {
          const document = response.documents[0]!;
          dispatch({ type: "uploaded", key: entry.key, documentId: document.id, duplicateOf: document.duplicate_of });
        })
        .catch((error: unknown) => dispatch({ type: "refused", key: entry.key, reason: refusalReason(error) }));
    }
  }, [entries]);

  const add = useCallback((files: File[]) => dispatch({ type: "add", files }), []);
  const clear = useCallback(() => dispatch({ type: "clear" }), []);
  return { entries, add, clear };
}
