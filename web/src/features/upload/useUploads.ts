import { useMemo, useSyncExternalStore } from "react";
import { countUploads, uploadQueue } from "./uploadQueue";

/** The tab's upload list as React sees it; the list itself lives in the queue, not in the page. */
export function useUploads() {
  const state = useSyncExternalStore(uploadQueue.subscribe, uploadQueue.getSnapshot);
  const counts = useMemo(() => countUploads(state.entries), [state.entries]);
  return { ...state, counts, add: uploadQueue.add, clear: uploadQueue.clear, retryRefused: uploadQueue.retryRefused };
}
