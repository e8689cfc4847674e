import type { JobEvent } from "../../api/types";
import { humanise } from "../../components/format";

const failing = new Set(["job_failed", "job_cancelled", "job_retrying"]);

/** The current job's progress events, oldest first, as they arrive. */
export function Timeline({ events }: { events: JobEvent[] }) {
  if (events.length === 0) return <p className="text-sm text-slate-600">No events yet.</p>;
  return (
    <ol className="relative space-y-3 border-l border-slate-300 pl-5" aria-label="Processing timeline">
      {events.map((event) => (
        <li key={event.id} data-event={event.event} className="relative">
          <span aria-hidden="true"
            className={`absolute -left-[1.6rem] top-1 h-3 w-3 rounded-full border-2 border-white ${failing.has(event.event) ? "bg-red-600" : event.event === "job_completed" ? "bg-green-600" : "bg-blue-600"}`} />
          <p className="text-sm font-medium">
            {humanise(event.event)} <span className="font-normal text-slate-600">· {event.progress}%</span>
          </p>
          {event.message && <p className="text-sm text-slate-700">{event.message}</p>}
          {event.error && <p className="text-sm text-red-800">{event.error}</p>}
          <p className="text-xs text-slate-500"><time dateTime={event.timestamp}>{new Date(event.timestamp).toLocaleTimeString()}</time></p>
        </li>
      ))}
    </ol>
  );
}
