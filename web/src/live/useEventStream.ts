import { useQueryClient } from "@tanstack/react-query";
import { createContext, useContext, useEffect, useState } from "react";
import type { DocumentSummary, JobEvent } from "../api/types";
import { applyDocumentChange, applyProgressEvent } from "./cache";

export type StreamState = "connecting" | "live" | "reconnecting";

/** The feed's state for the pages below the shell: while it is live, a query it keeps current need not poll. */
export const StreamStateContext = createContext<StreamState>("connecting");

export function useStreamState(): StreamState {
  return useContext(StreamStateContext);
}

/** How long to wait before opening a stream again that the browser gave up on (an error status). */
const reopenAfterMs = 5000;

/**
 * The one EventSource of the app, on the change feed of all the user's documents. After a network
 * drop the browser reconnects by itself and sends Last-Event-ID, so the server replays the progress
 * events that were missed. When the browser gives up (the server answered with an error), the
 * stream is opened again later with ?last_event_id=, the same cursor. Document frames are not
 * replayed, so after any reconnect what is shown is reloaded once.
 */
export function useEventStream(url = "/api/v1/events/stream", enabled = true): StreamState {
  const client = useQueryClient();
  const [state, setState] = useState<StreamState>("connecting");

  useEffect(() => {
    if (!enabled) return;
    let source: EventSource | null = null;
    let lastEventId: string | null = null;
    let dropped = false;
    let reopen: ReturnType<typeof setTimeout> | undefined;

    const open = () => {
      const target = lastEventId ? `${url}?last_event_id=${encodeURIComponent(lastEventId)}` : url;
      const current = new EventSource(target, { withCredentials: true });
      source = current;
      current.onopen = () => {
        setState("live");
        if (dropped) void client.invalidateQueries();
        dropped = false;
      };
      current.onerror = () => {
        dropped = true;
        setState("reconnecting");
        if (current.readyState === EventSource.CLOSED) reopen = setTimeout(open, reopenAfterMs);
      };
      current.onmessage = (message) => {
        if (message.lastEventId) lastEventId = message.lastEventId;
        applyProgressEvent(client, JSON.parse(message.data as string) as JobEvent);
      };
      current.addEventListener("document", (message) =>
        applyDocumentChange(client, JSON.parse((message as MessageEvent<string>).data) as DocumentSummary),
      );
      current.addEventListener("resync", () => void client.invalidateQueries());
    };

    open();
    return () => {
      clearTimeout(reopen);
      source?.close();
    };
  }, [client, url, enabled]);

  return state;
}
