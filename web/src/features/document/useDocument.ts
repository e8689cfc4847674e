import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import { keys } from "../../live/cache";

export function useDocument(id: string) {
  return useQuery({
    queryKey: keys.document(id),
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/documents/{id}", { params: { path: { id } }, signal })),
  });
}

export function useResult(id: string, enabled: boolean) {
  return useQuery({
    queryKey: keys.result(id),
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/documents/{id}/result", { params: { path: { id } }, signal })),
    enabled,
  });
}

/** Retry and cancel act on the document's current job; the live feed then shows what happens. */
export function useJobActions(documentId: string) {
  const client = useQueryClient();
  const settle = () => {
    void client.invalidateQueries({ queryKey: keys.document(documentId) });
    void client.invalidateQueries({ queryKey: keys.documents });
  };
  const retry = useMutation({
    mutationFn: (jobId: string) => unwrap(api.POST("/api/v1/jobs/{id}/retry", { params: { path: { id: jobId } } })),
    onSettled: settle,
  });
  const cancel = useMutation({
    mutationFn: (jobId: string) => unwrap(api.POST("/api/v1/jobs/{id}/cancel", { params: { path: { id: jobId } } })),
    onSettled: settle,
  });
  return { retry, cancel };
}
