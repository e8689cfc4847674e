import { useEffect, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { categories, documentStatuses, isActive, type DocumentStatus, type DocumentSummary } from "../../api/types";
import { ErrorNotice } from "../../components/ErrorNotice";
import { formatBytes, formatTime, humanise } from "../../components/format";
import { Pagination } from "../../components/Pagination";
import { ProgressBar } from "../../components/ProgressBar";
import { StatusBadge, statusLabels } from "../../components/StatusBadge";
import { useDocuments } from "./useDocuments";

const sortColumns = [
  ["created_at", "Uploaded"],
  ["updated_at", "Last change"],
  ["filename", "File name"],
  ["size_bytes", "Size"],
  ["status", "Status"],
  ["category", "Category"],
  ["title", "Title"],
] as const;

export function DashboardPage() {
  const [params, setParams] = useSearchParams();
  const query = {
    q: params.get("q") ?? "",
    status: (params.get("status") || undefined) as DocumentStatus | undefined,
    category: params.get("category") ?? "",
    sort: params.get("sort") ?? "created_at",
    order: (params.get("order") === "asc" ? "asc" : "desc") as "asc" | "desc",
    page: Math.max(1, Number(params.get("page")) || 1),
    pageSize: 20,
  };
  const documents = useDocuments(query);

  const update = (changes: Record<string, string | undefined>) =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      for (const [name, value] of Object.entries(changes)) {
        if (value) next.set(name, value);
        else next.delete(name);
      }
      if (!("page" in changes)) next.delete("page");
      return next;
    }, { replace: true });

  // Typing searches after a pause, not on every key.
  const [search, setSearch] = useState(query.q);
  useEffect(() => {
    if (search === query.q) return;
    const timer = setTimeout(() => update({ q: search || undefined }), 300);
    return () => clearTimeout(timer);
  }, [search]);

  return (
    <section aria-labelledby="dashboard-title">
      <div className="mb-4 flex flex-wrap items-center justify-between gap-2">
        <h1 id="dashboard-title" className="text-2xl font-semibold">Documents</h1>
        <Link to="/upload" className="btn-primary">Upload documents</Link>
      </div>

      <form role="search" className="card mb-4 grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-5" onSubmit={(e) => e.preventDefault()}>
        <div className="lg:col-span-2">
          <label htmlFor="search" className="block text-sm font-medium">Search</label>
          <input id="search" type="search" className="input" placeholder="File name, text or fields"
            value={search} onChange={(e) => setSearch(e.target.value)} />
        </div>
        <div>
          <label htmlFor="status-filter" className="block text-sm font-medium">Status</label>
          <select id="status-filter" className="input" value={query.status ?? ""} onChange={(e) => update({ status: e.target.value || undefined })}>
            <option value="">Any status</option>
            {documentStatuses.map((status) => <option key={status} value={status}>{statusLabels[status]}</option>)}
          </select>
        </div>
        <div>
          <label htmlFor="category-filter" className="block text-sm font-medium">Category</label>
          <select id="category-filter" className="input" value={query.category} onChange={(e) => update({ category: e.target.value || undefined })}>
            <option value="">Any category</option>
            {categories.map((category) => <option key={category} value={category}>{humanise(category)}</option>)}
          </select>
        </div>
        <div className="flex gap-2">
          <div className="flex-1">
            <label htmlFor="sort" className="block text-sm font-medium">Sort by</label>
            <select id="sort" className="input" value={query.sort} onChange={(e) => update({ sort: e.target.value })}>
              {sortColumns.map(([value, label]) => <option key={value} value={value}>{label}</option>)}
            </select>
          </div>
          <div>
            <label htmlFor="order" className="block text-sm font-medium">Order</label>
            <select id="order" className="input" value={query.order} onChange={(e) => update({ order: e.target.value })}>
              <option value="desc">Descending</option>
              <option value="asc">Ascending</option>
            </select>
          </div>
        </div>
      </form>

      {documents.isError && <ErrorNotice error={documents.error} onRetry={() => void documents.refetch()} />}
      {documents.isPending && <p role="status">Loading documents…</p>}
      {documents.data && (
        <>
          {documents.data.items.length === 0 ? (
            <div className="card text-center">
              <p>No documents match.</p>
              <p className="mt-1 text-sm text-slate-600"><Link to="/upload" className="link">Upload some</Link> or change the filters.</p>
            </div>
          ) : (
            <div className="card overflow-x-auto p-0">
              <table className="w-full text-left text-sm">
                <caption className="sr-only">Documents, {statusOrder(query.sort, query.order)}</caption>
                <thead className="border-b border-slate-200 bg-slate-50 text-xs uppercase text-slate-600">
                  <tr>
                    <th scope="col" className="px-3 py-2">File</th>
                    <th scope="col" className="px-3 py-2">Status</th>
                    <th scope="col" className="hidden px-3 py-2 md:table-cell">Category</th>
                    <th scope="col" className="hidden px-3 py-2 md:table-cell">Size</th>
                    <th scope="col" className="hidden px-3 py-2 lg:table-cell">Uploaded</th>
                  </tr>
                </thead>
                <tbody>
                  {documents.data.items.map((document) => <DocumentRow key={document.id} document={document} />)}
                </tbody>
              </table>
            </div>
          )}
          <Pagination page={documents.data.page} totalPages={documents.data.total_pages} total={documents.data.total}
            totalIsExact={documents.data.total_is_exact} onPage={(page) => update({ page: String(page) })} />
        </>
      )}
    </section>
  );
}

function statusOrder(sort: string, order: string) {
  const label = sortColumns.find(([value]) => value === sort)?.[1] ?? sort;
  return `sorted by ${label.toLowerCase()}, ${order === "asc" ? "ascending" : "descending"}`;
}

function DocumentRow({ document }: { document: DocumentSummary }) {
  const progress = document.status === "processed" || document.status === "finalized" ? 100 : document.progress;
  const tone = document.status === "failed" ? "red" : document.status === "finalized" ? "green" : isActive(document.status) ? "blue" : "slate";
  return (
    <tr className="border-b border-slate-100 last:border-0" data-document-id={document.id}>
      <td className="max-w-[12rem] px-3 py-2 sm:max-w-[14rem]">
        <Link to={`/documents/${document.id}`} className="link block truncate font-medium">{document.filename}</Link>
        {document.title && <span className="block truncate text-xs text-slate-600">{document.title}</span>}
      </td>
      <td className="min-w-[9rem] px-3 py-2">
        <Status document={document} />
        <ProgressBar className="mt-1.5" value={progress} tone={tone} label={`Progress of ${document.filename}`} />
        <span className="mt-0.5 block text-xs text-slate-600">
          {progress}%{isActive(document.status) && document.stage ? ` · ${document.stage}` : ""}
        </span>
      </td>
      <td className="hidden px-3 py-2 md:table-cell">{document.category ? humanise(document.category) : "—"}</td>
      <td className="hidden px-3 py-2 md:table-cell">{formatBytes(document.size_bytes)}</td>
      <td className="hidden px-3 py-2 lg:table-cell">{formatTime(document.created_at)}</td>
    </tr>
  );
}

function Status({ document }: { document: DocumentSummary }) {
  return (
    <span className="flex flex-wrap items-center gap-x-2">
      <StatusBadge status={document.status} />
      {document.status === "processed" && (
        <Link to={`/review/${document.id}`} className="link text-xs" aria-label={`Review ${document.filename}`}>Review</Link>
      )}
    </span>
  );
}
