import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "react-router";
import { api, unwrap } from "../../api/client";
import type { StatsView } from "../../api/types";
import { ErrorNotice } from "../../components/ErrorNotice";
import { formatTime, humanise } from "../../components/format";
import { keys } from "../../live/cache";

/** Aggregates change with every job anywhere, so this page re-reads them every two seconds. */
const refreshMs = 2000;

export function OperationsPage() {
  const client = useQueryClient();
  const stats = useQuery({
    queryKey: keys.stats,
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/admin/stats", { signal })),
    refetchInterval: refreshMs,
  });
  const deadLetters = useQuery({
    queryKey: keys.deadLetters,
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/admin/failed-jobs", { params: { query: { page_size: 50 } }, signal })),
    refetchInterval: refreshMs,
  });
  const requeue = useMutation({
    mutationFn: (jobId: string) => unwrap(api.POST("/api/v1/admin/failed-jobs/{id}/requeue", { params: { path: { id: jobId } } })),
    onSettled: () => {
      void client.invalidateQueries({ queryKey: keys.deadLetters });
      void client.invalidateQueries({ queryKey: keys.stats });
      void client.invalidateQueries({ queryKey: keys.documents });
    },
  });

  return (
    <section aria-labelledby="operations-title" className="space-y-6">
      <h1 id="operations-title" className="text-2xl font-semibold">Operations</h1>
      {stats.isError && <ErrorNotice error={stats.error} onRetry={() => void stats.refetch()} />}
      {stats.data && <Stats stats={stats.data} />}

      <section aria-labelledby="dead-title" className="card">
        <h2 id="dead-title" className="mb-3 text-lg font-semibold">Dead letters</h2>
        <p className="mb-3 text-sm text-slate-700">Jobs that failed for good. Requeue one once its cause is fixed; it runs again as a new job.</p>
        {requeue.isError && <ErrorNotice error={requeue.error} />}
        {deadLetters.isError && <ErrorNotice error={deadLetters.error} onRetry={() => void deadLetters.refetch()} />}
        {deadLetters.data && deadLetters.data.items.length === 0 && <p className="text-sm text-slate-600">None. Every failed job was retried or there were none.</p>}
        {deadLetters.data && deadLetters.data.items.length > 0 && (
          <div className="overflow-x-auto">
            <table className="w-full text-left text-sm">
              <thead className="text-xs uppercase text-slate-600">
                <tr><th scope="col" className="py-1">Document</th><th scope="col">Error</th><th scope="col" className="hidden sm:table-cell">Attempts</th>
                  <th scope="col" className="hidden md:table-cell">Failed</th><th scope="col"><span className="sr-only">Action</span></th></tr>
              </thead>
              <tbody>
                {deadLetters.data.items.map((letter) => (
                  <tr key={letter.job_id} className="border-t border-slate-100 align-top">
                    <td className="py-1.5 pr-3"><Link to={`/documents/${letter.document_id}`} className="link break-all">{letter.filename}</Link></td>
                    <td className="pr-3">{letter.last_error ?? "—"}</td>
                    <td className="hidden pr-3 sm:table-cell">{letter.attempts}</td>
                    <td className="hidden pr-3 md:table-cell">{formatTime(letter.failed_at)}</td>
                    <td>
                      <button type="button" className="btn" disabled={requeue.isPending && requeue.variables === letter.job_id}
                        aria-label={`Requeue ${letter.filename}`} onClick={() => requeue.mutate(letter.job_id)}>
                        Requeue
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </section>
  );
}

function Stats({ stats }: { stats: StatsView }) {
  const tiles: [string, string | number][] = [
    ["Queue depth", stats.queue_depth],
    ["Oldest waiting", stats.oldest_queued_seconds === null ? "—" : `${Math.round(stats.oldest_queued_seconds)} s`],
    ["Running", stats.jobs_by_state.running ?? 0],
    ["Dead letters", stats.dead_letters],
  ];
  return (
    <>
      <dl className="grid grid-cols-2 gap-3 md:grid-cols-4">
        {tiles.map(([label, value]) => (
          <div key={label} className="card">
            <dt className="text-sm text-slate-600">{label}</dt>
            <dd className="text-2xl font-semibold" data-stat={label}>{value}</dd>
          </div>
        ))}
      </dl>
      <div className="grid gap-6 md:grid-cols-2">
        <section aria-labelledby="throughput-title" className="card">
          <h2 id="throughput-title" className="mb-2 text-lg font-semibold">Throughput</h2>
          <table className="w-full text-left text-sm">
            <thead className="text-xs uppercase text-slate-600"><tr><th scope="col">Jobs</th><th scope="col">1 min</th><th scope="col">5 min</th><th scope="col">15 min</th></tr></thead>
            <tbody>
              <tr><th scope="row" className="font-medium">Succeeded</th><td>{stats.succeeded.last_minute}</td><td>{stats.succeeded.last5_minutes}</td><td>{stats.succeeded.last15_minutes}</td></tr>
              <tr><th scope="row" className="font-medium">Failed</th><td>{stats.failed.last_minute}</td><td>{stats.failed.last5_minutes}</td><td>{stats.failed.last15_minutes}</td></tr>
            </tbody>
          </table>
          <h3 className="mb-1 mt-4 font-semibold">Documents by status</h3>
          <p className="text-sm">{Object.entries(stats.documents_by_status).filter(([, n]) => n > 0).map(([status, n]) => `${humanise(status)} ${n}`).join(" · ") || "None yet"}</p>
        </section>
        <section aria-labelledby="workers-title" className="card">
          <h2 id="workers-title" className="mb-2 text-lg font-semibold">Workers</h2>
          {stats.workers.length === 0 ? <p className="text-sm text-slate-600">No worker is running a job right now.</p> : (
            <table className="w-full text-left text-sm">
              <thead className="text-xs uppercase text-slate-600"><tr><th scope="col">Worker</th><th scope="col">Jobs</th><th scope="col">Lease until</th></tr></thead>
              <tbody>
                {stats.workers.map((worker) => (
                  <tr key={worker.worker_id} className="border-t border-slate-100">
                    <td className="break-all py-1 pr-3 font-mono text-xs">{worker.worker_id}</td><td className="pr-3">{worker.running_jobs}</td><td>{formatTime(worker.lease_expires_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </div>
    </>
  );
}
