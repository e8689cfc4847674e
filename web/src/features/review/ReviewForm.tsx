import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useForm } from "react-hook-form";
import { Link } from "react-router";
import { ApiError } from "../../api/client";
import { categories, fieldNames, type DocumentDetail, type FieldName } from "../../api/types";
import { ErrorNotice } from "../../components/ErrorNotice";
import { humanise } from "../../components/format";
import { keys } from "../../live/cache";
import { StatusBadge } from "../../components/StatusBadge";
import { editsFrom, fieldProblem, lowConfidence } from "./fieldRules";
import { SourceText, type Highlight } from "./SourceText";
import { useReviewActions } from "./useReview";
import { useReviewShortcuts } from "./useReviewShortcuts";

type FormValues = { fields: Record<FieldName, string>; title: string; category: string; notes: string };

function valuesOf(document: DocumentDetail): FormValues {
  const result = document.result!;
  const fields = Object.fromEntries(fieldNames.map((name) => [name, result.fields[name]?.value ?? ""])) as Record<FieldName, string>;
  return {
    fields,
    title: result.title ?? "",
    category: result.category ?? document.category ?? "other",
    notes: document.review?.edits.notes ?? "",
  };
}

export function ReviewForm({ document, text, onNext }: { document: DocumentDetail; text: string; onNext: () => void }) {
  const result = document.result!;
  const { save, approve, reject, reprocess } = useReviewActions(document.id);
  const client = useQueryClient();
  const form = useForm<FormValues>({ defaultValues: valuesOf(document), mode: "onChange" });
  const { register, handleSubmit, formState, reset, setError } = form;
  const [highlight, setHighlight] = useState<Highlight>(null);
  const [rejectReason, setRejectReason] = useState("");
  const [conflict, setConflict] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const editable = document.status === "processed";
  const seenVersion = useRef(document.version);
  const dirty = useRef(false);
  dirty.current = formState.isDirty;

  // A newer version arrived (our own save, or the live feed after someone else's): take its
  // values but keep whatever the reviewer changed and has not saved.
  useEffect(() => {
    if (document.version === seenVersion.current) return;
    seenVersion.current = document.version;
    if (dirty.current) {
      setConflict("Someone else changed this document while you were editing. Their version is loaded and your unsaved "
        + "edits are kept on top of it: check the fields before you save or approve.");
    }
    reset(valuesOf(document), { keepDirtyValues: true });
  }, [document, reset]);

  const failed = (error: unknown) => {
    if (error instanceof ApiError && error.code === "version_conflict") {
      setConflict("Someone else changed this document after you opened it. Your edits are still in the form: the latest "
        + "version is loaded underneath them, so check the fields and save or approve again.");
      void client.invalidateQueries({ queryKey: keys.document(document.id) });
      return true;
    }
    if (error instanceof ApiError && error.code === "invalid_review") {
      for (const [key, message] of Object.entries(error.fieldProblems)) {
        const name = key.startsWith("fields.") ? (`fields.${key.slice(7)}` as `fields.${FieldName}`) : (key as "title" | "category" | "notes");
        setError(name, { message });
      }
      return true;
    }
    return false;
  };

  /** Saves pending edits first; returns the version to decide on, or null when saving failed. */
  const saveIfNeeded = async (): Promise<number | null> => {
    if (!formState.isDirty) return document.version;
    let version: number | null = null;
    await handleSubmit(async (values) => {
      const body = {
        // null clears a field; the OpenAPI document cannot say that a dictionary's values are nullable.
        fields: editsFrom(values.fields, result.fields) as Record<string, string>,
        title: values.title,
        category: values.category,
        notes: values.notes,
        version: document.version,
      };
      try {
        const saved = await save.mutateAsync({ body, version: document.version });
        seenVersion.current = saved.version;
        reset(valuesOf(saved));
        version = saved.version;
      } catch (error) {
        failed(error);
      }
    })();
    return version;
  };

  const run = async (action: (version: number) => Promise<unknown>, done: string, goNext: boolean) => {
    setConflict(null);
    setNotice(null);
    const version = await saveIfNeeded();
    if (version === null) return;
    try {
      await action(version);
      setNotice(done);
      if (goNext) onNext();
    } catch (error) {
      failed(error);
    }
  };

  const onSave = () => run(async () => undefined, "Saved.", false);
  const onApprove = () => run((version) => approve.mutateAsync(version), "Approved and finalised.", true);
  const onReject = () => run((version) => reject.mutateAsync({ reason: rejectReason, version }), "Rejected.", true);
  const onReprocess = async () => {
    setConflict(null);
    try {
      await reprocess.mutateAsync();
      setNotice("Sent for processing again; the document returns here when it is done.");
    } catch (error) {
      failed(error);
    }
  };

  useReviewShortcuts({ enabled: editable, approve: onApprove, reject: onReject, next: onNext, save: onSave });

  const busy = save.isPending || approve.isPending || reject.isPending || reprocess.isPending;
  const otherError = [save.error, approve.error, reject.error, reprocess.error].find(
    (e) => e && !(e instanceof ApiError && (e.code === "version_conflict" || e.code === "invalid_review")),
  );
  const lowFields = fieldNames.filter((name) => (result.fields[name]?.confidence ?? 1) < lowConfidence);

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0">
          <h2 className="text-2xl font-semibold break-all">{document.filename}</h2>
          <p className="flex items-center gap-2 text-sm text-slate-700"><StatusBadge status={document.status} />
            <span>version {document.version}</span> · <Link to={`/documents/${document.id}`} className="link">details</Link></p>
        </div>
      </div>

      <div aria-live="polite">
        {conflict && <div role="alert" className="rounded-md border border-amber-400 bg-amber-50 p-3 text-amber-950" data-testid="conflict">
          <p className="font-semibold">This document changed while you were editing</p><p>{conflict}</p></div>}
        {notice && <p role="status" className="rounded-md bg-green-50 p-2 text-green-900">{notice}</p>}
        {otherError && <ErrorNotice error={otherError} />}
      </div>

      {(result.data.warnings.length > 0 || result.duplicates.length > 0 || lowFields.length > 0) && (
        <section aria-labelledby="warnings-title" className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950">
          <h3 id="warnings-title" className="font-semibold">Check before approving</h3>
          <ul className="ml-5 list-disc">
            {result.duplicates.map((duplicate) => (
              <li key={duplicate.document_id}>
                {duplicate.message}{" "}
                <Link to={`/documents/${duplicate.document_id}`} className="link">Open {duplicate.filename}</Link>
              </li>
            ))}
            {result.data.warnings.map((warning) => <li key={warning}>{warning}</li>)}
            {lowFields.map((name) => <li key={name}>{humanise(name)} was found with low confidence.</li>)}
          </ul>
        </section>
      )}

      <div className="grid gap-4 lg:grid-cols-2">
        <form className="card space-y-3" aria-label="Review fields" noValidate onSubmit={(e) => { e.preventDefault(); void onSave(); }}>
          <fieldset disabled={!editable || busy} className="space-y-3">
            <legend className="sr-only">Fields</legend>
            <div className="grid gap-3 sm:grid-cols-2">
              {fieldNames.map((name) => {
                const field = result.fields[name];
                const error = formState.errors.fields?.[name];
                const inputId = `field-${name}`;
                const source = field?.source;
                return (
                  <div key={name}>
                    <div className="flex items-baseline justify-between gap-2">
                      <label htmlFor={inputId} className="text-sm font-medium">{humanise(name)}</label>
                      <Confidence value={field?.confidence ?? null} id={`${inputId}-confidence`} edited={field?.edited ?? false} />
                    </div>
                    <input id={inputId} className="input" autoComplete="off"
                      aria-invalid={error ? true : undefined}
                      aria-describedby={`${inputId}-confidence${error ? ` ${inputId}-error` : ""}`}
                      {...register(`fields.${name}`, { validate: (value) => fieldProblem(name, value) ?? true })}
                      onFocus={() => setHighlight(source ? { start: source.start, end: source.end, label: humanise(name) } : null)} />
                    {error && <p id={`${inputId}-error`} className="error-text">{error.message}</p>}
                  </div>
                );
              })}
            </div>
            <div className="grid gap-3 sm:grid-cols-2">
              <div>
                <label htmlFor="review-title" className="text-sm font-medium">Title</label>
                <input id="review-title" className="input" {...register("title")} onFocus={() => setHighlight(null)} />
              </div>
              <div>
                <label htmlFor="review-category" className="text-sm font-medium">Category</label>
                <select id="review-category" className="input" {...register("category")}>
                  {categories.map((category) => <option key={category} value={category}>{humanise(category)}</option>)}
                </select>
              </div>
            </div>
            <div>
              <label htmlFor="review-notes" className="text-sm font-medium">Notes</label>
              <textarea id="review-notes" rows={2} className="input" {...register("notes")} onFocus={() => setHighlight(null)} />
            </div>
            <div>
              <label htmlFor="reject-reason" className="text-sm font-medium">Reason for rejecting (optional)</label>
              <input id="reject-reason" className="input" value={rejectReason} onChange={(e) => setRejectReason(e.target.value)} />
            </div>
          </fieldset>
          <div className="flex flex-wrap gap-2 pt-2">
            <button type="button" className="btn-primary" disabled={!editable || busy} aria-keyshortcuts="A" onClick={() => void onApprove()}>
              Approve <kbd className="text-xs opacity-80">A</kbd>
            </button>
            <button type="button" className="btn-danger" disabled={!editable || busy} aria-keyshortcuts="R" onClick={() => void onReject()}>
              Reject <kbd className="text-xs opacity-80">R</kbd>
            </button>
            <button type="submit" className="btn" disabled={!editable || busy || !formState.isDirty} aria-keyshortcuts="Control+S">Save edits</button>
            <button type="button" className="btn" disabled={busy || !["processed", "rejected", "failed"].includes(document.status)} onClick={() => void onReprocess()}>
              Reprocess
            </button>
            <button type="button" className="btn" aria-keyshortcuts="N" onClick={onNext}>Next document <kbd className="text-xs opacity-80">N</kbd></button>
          </div>
          <p className="text-xs text-slate-600">
            Shortcuts when not typing in a field: <kbd>A</kbd> approve, <kbd>R</kbd> reject, <kbd>N</kbd> next document; <kbd>Ctrl</kbd>+<kbd>S</kbd> saves.
          </p>
        </form>
        <section aria-labelledby="source-title" className="card">
          <h3 id="source-title" className="mb-2 font-semibold">Extracted text</h3>
          <p className="mb-2 text-xs text-slate-600">Focus a field to highlight where it was found.</p>
          <SourceText text={text} highlight={highlight} />
        </section>
      </div>
    </div>
  );
}

function Confidence({ value, id, edited }: { value: number | null; id: string; edited: boolean }) {
  if (edited) return <span id={id} className="text-xs text-blue-800">edited by a reviewer</span>;
  if (value === null) return <span id={id} className="text-xs text-slate-600">not found</span>;
  const percent = Math.round(value * 100);
  const low = value < lowConfidence;
  return <span id={id} className={`text-xs ${low ? "font-semibold text-amber-800" : "text-slate-600"}`}>{percent}% confidence{low ? " (low)" : ""}</span>;
}
