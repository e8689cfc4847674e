import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { api, unwrap } from "../../api/client";
import { categories, type ExportView } from "../../api/types";
import { ErrorNotice } from "../../components/ErrorNotice";
import { formatBytes, formatTime, humanise } from "../../components/format";
import { Pagination } from "../../components/Pagination";
import { keys } from "../../live/cache";

type ExportForm = { format: "json" | "csv"; scope: "all" | "filtered"; category: string; q: string };

export function ExportsPage() {
  const client = useQueryClient();
  const [page, setPage] = useState(1);
  const { register, handleSubmit, watch } = useForm<ExportForm>({ defaultValues: { format: "csv", scope: "all", category: "", q: "" } });
  const scope = watch("scope");

  const exports = useQuery({
    queryKey: [...keys.exports, page],
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/exports", { params: { query: { page, page_size: 10 } }, signal })),
    placeholderData: keepPreviousData,
  });
  const create = useMutation({
    mutationFn: (form: ExportForm) =>
      unwrap(api.POST("/api/v1/export/{format}", {
        params: { path: { format: form.format } },
        body: form.scope === "all"
          ? { category: null, q: null, document_ids: null }
          : { category: form.category || null, q: form.q.trim() || null, document_ids: null },
      })),
    onSuccess: () => void client.invalidateQueries({ queryKey: keys.exports }),
  });

  return (
    <section aria-labelledby="exports-title" className="space-y-6">
      <h1 id="exports-title" className="text-2xl font-semibold">Exports</h1>
      <form className="card space-y-4" aria-label="New export" onSubmit={handleSubmit((form) => create.mutate(form))}>
        <p className="text-sm text-slate-700">Exports hold finalised documents only: their fields as reviewed, category, summary and text.</p>
        <fieldset>
          <legend className="text-sm font-medium">Format</legend>
          <div className="mt-1 flex gap-4">
            <label className="flex items-center gap-2"><input type="radio" value="csv" {...register("format")} /> CSV</label>
            <label className="flex items-center gap-2"><input type="radio" value="json" {...register("format")} /> JSON</label>
          </div>
        </fieldset>
        <fieldset>
          <legend className="text-sm font-medium">Documents</legend>
          <div className="mt-1 flex flex-wrap gap-4">
            <label className="flex items-center gap-2"><input type="radio" value="all" {...register("scope")} /> All finalised documents</label>
            <label className="flex items-center gap-2"><input type="radio" value="filtered" {...register("scope")} /> Only those matching</label>
          </div>
        </fieldset>
        {scope === "filtered" && (
          <div className="grid gap-3 sm:grid-cols-2">
            <div>
              <label htmlFor="export-category" className="text-sm font-medium">Category</label>
              <select id="export-category" className="input" {...register("category")}>
                <option value="">Any category</option>
                {categories.map((category) => <option key={category} value={category}>{humanise(category)}</option>)}
              </select>
            </div>
            <div>
              <label htmlFor="export-q" className="text-sm font-medium">File name or title contains</label>
              <input id="export-q" className="input" {...register("q")} />
            </div>
          </div>
        )}
        <button type="submit" className="btn-primary" disabled={create.isPending}>{create.isPending ? "Exporting…" : "Create export"}</button>
        <div aria-live="polite">
          {create.isError && <ErrorNotice error={create.error} />}
          {create.data && <ExportReady export={create.data} />}
        </div>
      </form>

      <section aria-labelledby="earlier-title" className="card">
        <h2 id="earlier-title" className="mb-3 text-lg font-semibold">Earlier exports</h2>
        {exports.isError && <ErrorNotice error={exports.error} onRetry={() => void exports.refetch()} />}
        {exports.data && exports.data.items.length === 0 && <p className="text-sm text-slate-600">No exports yet.</p>}
        {exports.data && exports.data.items.length > 0 && (
          <>
            <div className="overflow-x-auto">
              <table className="w-full text-left text-sm">
                <thead className="text-xs uppercase text-slate-600">
                  <tr><th scope="col" className="py-1">Created</th><th scope="col">Format</th><th scope="col">Documents</th>
                    <th scope="col" className="hidden sm:table-cell">Size</th><th scope="col" className="hidden md:table-cell">Filters</th><th scope="col"><span className="sr-only">Download</span></th></tr>
                </thead>
                <tbody>
                  {exports.data.items.map((item) => (
                    <tr key={item.id} className="border-t border-slate-100">
                      <td className="py-1.5 pr-3">{formatTime(item.created_at)}</td>
                      <td className="pr-3 uppercase">{item.format}</td>
                      <td className="pr-3">{item.document_count}</td>
                      <td className="hidden pr-3 sm:table-cell">{formatBytes(item.size_bytes)}</td>
                      <td className="hidden pr-3 md:table-cell">{describeFilters(item)}</td>
                      <td><a href={item.download_url} className="link" download aria-label={`Download the ${item.format} export of ${formatTime(item.created_at)}`}>Download</a></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pagination page={exports.data.page} totalPages={exports.data.total_pages} total={exports.data.total} onPage={setPage} noun="exports" />
          </>
        )}
      </section>
    </section>
  );
}

function ExportReady({ export: made }: { export: ExportView }) {
  return (
    <p role="status" className="rounded-md bg-green-50 p-2 text-green-900">
      Exported {made.document_count} {made.document_count === 1 ? "document" : "documents"} as {made.format.toUpperCase()}.{" "}
      <a href={made.download_url} className="link" download>Download it</a>
    </p>
  );
}

function describeFilters(item: ExportView): string {
  const parts = [];
  if (item.filters.category) parts.push(`category ${humanise(item.filters.category)}`);
  if (item.filters.q) parts.push(`matching “${item.filters.q}”`);
  if (item.filters.document_ids?.length) parts.push(`${item.filters.document_ids.length} chosen documents`);
  return parts.length ? parts.join(", ") : "all finalised";
}
