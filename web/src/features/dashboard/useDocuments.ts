import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import type { DocumentStatus } from "../../api/types";
import { keys } from "../../live/cache";

export type DocumentQuery = {
  q?: string;
  status?: DocumentStatus;
  category?: string;
  sort: string;
  order: "asc" | "desc";
  page: number;
  pageSize: number;
};

export function useDocuments(query: DocumentQuery) {
  const params = {
    q: query.q || undefined,
    status: query.status,
    category: query.category || undefined,
    sort: query.sort,
    order: query.order,
    page: query.page,
    page_size: query.pageSize,
  };
  return useQuery({
    queryKey: keys.documentList(params),
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/documents", { params: { query: params }, signal })),
    placeholderData: keepPreviousData,
  });
}
