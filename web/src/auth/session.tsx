import { useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, useContext, type ReactNode } from "react";
import { ApiError, csrfHeaders, errorFrom, setCsrfToken } from "../api/client";
import { uploadQueue } from "../features/upload/uploadQueue";

/** The account endpoints' user, as far as the UI needs it. */
export type Me = { id: string; email: string; display_name?: string | null; role: string; csrf_token?: string | null };

/**
 * "open": the server has no accounts (no /auth/me): every request acts as its one local admin.
 * "signed-in" / "signed-out": the server has accounts and a cookie session decides.
 */
export type Session =
  | { mode: "open"; isAdmin: true; user: null }
  | { mode: "signed-in"; isAdmin: boolean; user: Me }
  | { mode: "signed-out"; isAdmin: false; user: null };

export const sessionKey = ["session"] as const;

export async function loadSession(): Promise<Session> {
  let response: Response;
  try {
    response = await fetch("/api/v1/auth/me", { credentials: "same-origin", headers: { Accept: "application/json" } });
  } catch {
    throw new ApiError(0, undefined);
  }
  if (response.status === 404) return { mode: "open", isAdmin: true, user: null };
  if (response.status === 401) return { mode: "signed-out", isAdmin: false, user: null };
  if (!response.ok) throw await errorFrom(response);
  const body = (await response.json()) as Me | { user: Me; csrf_token?: string };
  const user = "user" in body ? { ...body.user, csrf_token: body.csrf_token ?? body.user.csrf_token } : body;
  if (user.csrf_token) setCsrfToken(user.csrf_token);
  return { mode: "signed-in", isAdmin: user.role === "admin", user };
}

export async function signIn(email: string, password: string): Promise<void> {
  const response = await fetch("/api/v1/auth/login", {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "application/json", ...csrfHeaders("POST") },
    // cookie: a browser session (httpOnly cookie plus CSRF token) rather than bearer tokens the page would have to keep.
    body: JSON.stringify({ email, password, cookie: true }),
  });
  if (!response.ok) throw await errorFrom(response);
  const body = (await response.json().catch(() => ({}))) as { csrf_token?: string };
  if (body.csrf_token) setCsrfToken(body.csrf_token);
}

export async function signOut(): Promise<void> {
  await fetch("/api/v1/auth/logout", { method: "POST", credentials: "same-origin", headers: csrfHeaders("POST") });
  setCsrfToken(null);
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ session, children }: { session: Session; children: ReactNode }) {
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside SessionProvider");
  return session;
}

export function useSessionQuery() {
  return useQuery({ queryKey: sessionKey, queryFn: loadSession, staleTime: 60_000, retry: 1 });
}

export function useSignOut() {
  const client = useQueryClient();
  return async () => {
    await signOut();
    // The upload list outlives the pages, not the account: the next person to sign in here must not see it.
    uploadQueue.forget();
    // Forget the account's data, but keep the session query observed: clear() would drop it from
    // under the mounted app, which would then never hear that it is signed out.
    client.removeQueries({ predicate: (query) => query.queryKey[0] !== sessionKey[0] });
    await client.refetchQueries({ queryKey: sessionKey });
  };
}
