type Props = { page: number; totalPages: number; total: number; onPage: (page: number) => void; noun?: string };

export function Pagination({ page, totalPages, total, onPage, noun = "documents" }: Props) {
  return (
    <nav aria-label="Pages" className="mt-3 flex flex-wrap items-center justify-between gap-2 text-sm">
      <p aria-live="polite">{total} {noun}{totalPages > 1 ? ` · page ${page} of ${totalPages}` : ""}</p>
      <div className="flex gap-2">
        <button type="button" className="btn" disabled={page <= 1} onClick={() => onPage(page - 1)}>Previous page</button>
        <button type="button" className="btn" disabled={page >= totalPages} onClick={() => onPage(page + 1)}>Next page</button>
      </div>
    </nav>
  );
}
