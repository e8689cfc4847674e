import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { MemoryRouter } from "react-router";

/** Renders with a query cache whose seeded data stays fresh, so nothing is fetched unless a test acts. */
export function renderWithClient(ui: ReactElement, { route = "/", client }: { route?: string; client?: QueryClient } = {}) {
  const queryClient = client ?? new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity } } });
  const result = render(
    <QueryClientProvider client={queryClient}>
      <MemoryRouter initialEntries={[route]}>{ui}</MemoryRouter>
    </QueryClientProvider>,
  );
  return { ...result, client: queryClient };
}
