import { useEffect, useRef } from "react";

export type Highlight = { start: number; end: number; label: string } | null;

/** The extracted text with the focused field's source marked and scrolled into view. */
export function SourceText({ text, highlight }: { text: string; highlight: Highlight }) {
  const mark = useRef<HTMLElement>(null);
  useEffect(() => {
    mark.current?.scrollIntoView?.({ block: "center", behavior: "smooth" });
  }, [highlight]);

  const valid = highlight && highlight.start >= 0 && highlight.end <= text.length && highlight.start < highlight.end;
  return (
    <pre tabIndex={0} aria-label="Document text" data-testid="source-text"
      className="max-h-[36rem] overflow-auto whitespace-pre-wrap wrap-anywhere rounded bg-slate-50 p-3 text-sm">
      {valid ? (
        <>
          {text.slice(0, highlight.start)}
          <mark ref={mark} aria-label={`Source of ${highlight.label}`} className="rounded bg-yellow-200 px-0.5 text-slate-900 ring-2 ring-yellow-500">
            {text.slice(highlight.start, highlight.end)}
          </mark>
          {text.slice(highlight.end)}
        </>
      ) : (
        text
      )}
    </pre>
  );
}
