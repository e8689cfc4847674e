type Props = { page: number; totalPages: number; total: number; totalIsExact?: boolean; onPage: (page: number) => void; noun?: string };

/** Past the server's count limit the total is a lower bound: "more than N", and no last page to name. */
export function Pagination({ page, totalPages, total, totalIsExact = true, onPage, noun = "documents" }: Props) {
  const summary = totalIsExact
    ? `${total} ${noun}${totalPages > 1 ? ` · page ${page} of ${totalPages}` : ""}`
    : `More than ${total.toLocaleString("en")} ${noun} · page ${page}`;
  return (
    <nav aria-label="Pages" className="mt-3 flex flex-wrap items-center justify-between gap-2 text-sm">
      <p aria-live="polite">{summary}</p>
      <div className="flex gap-2">
        <button type="button" className="btn" disabled={page <= 1} onClick={() => onPage(page - 1)}>Previous page</button>
        <button type="button" className="btn" disabled={page >= totalPages} onClick={() => onPage(page + 1)}>Next page</button>
      </div>
    </nav>
  );
}
