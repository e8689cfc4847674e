import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, ifMatch, unwrap } from "../../api/client";
import type { DocumentDetail, ReviewRequest } from "../../api/types";
import { keys } from "../../live/cache";

export function useReviewQueue() {
  return useQuery({
    queryKey: keys.reviewQueue,
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/review/pending", { params: { query: { page_size: 100 } }, signal })),
  });
}

/**
 * Saving and deciding carry the version the reviewer loaded (If-Match), so a change someone else
 * made meanwhile answers 409 instead of being overwritten.
 */
export function useReviewActions(id: string) {
  const client = useQueryClient();
  const store = (detail: DocumentDetail) => {
    client.setQueryData(keys.document(id), detail);
    void client.invalidateQueries({ queryKey: keys.result(id) });
    void client.invalidateQueries({ queryKey: keys.documents });
    void client.invalidateQueries({ queryKey: keys.reviewQueue });
  };
  const path = { params: { path: { id } } };

  const save = useMutation({
    mutationFn: ({ body, version }: { body: ReviewRequest; version: number }) =>
      unwrap(api.PUT("/api/v1/documents/{id}/review", { ...path, body, headers: ifMatch(version) })),
    onSuccess: store,
  });
  const approve = useMutation({
    mutationFn: (version: number) => unwrap(api.POST("/api/v1/review/{id}/approve", { ...path, headers: ifMatch(version) })),
    onSuccess: (decision) => store(decision.document),
  });
  const reject = useMutation({
    mutationFn: ({ reason, version }: { reason: string; version: number }) =>
      unwrap(api.POST("/api/v1/review/{id}/reject", { ...path, body: { reason: reason || null, version }, headers: ifMatch(version) })),
    onSuccess: (decision) => store(decision.document),
  });
  const reprocess = useMutation({
    mutationFn: () => unwrap(api.POST("/api/v1/review/{id}/reprocess", path)),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: keys.document(id) });
      void client.invalidateQueries({ queryKey: keys.documents });
      void client.invalidateQueries({ queryKey: keys.reviewQueue });
    },
  });
  return { save, approve, reject, reprocess };
}
