import { NavLink, Route, Routes } from "react-router";
import { LoginPage } from "./auth/LoginPage";
import { SessionProvider, useSession, useSessionQuery, useSignOut } from "./auth/session";
import { ErrorNotice } from "./components/ErrorNotice";
import { DashboardPage } from "./features/dashboard/DashboardPage";
import { DocumentPage } from "./features/document/DocumentPage";
import { ExportsPage } from "./features/exports/ExportsPage";
import { OperationsPage } from "./features/operations/OperationsPage";
import { ReviewPage } from "./features/review/ReviewPage";
import { UploadPage } from "./features/upload/UploadPage";
import { StreamStateContext, useEventStream, type StreamState } from "./live/useEventStream";

export function App() {
  const session = useSessionQuery();
  if (session.isPending) return <p className="p-6" role="status">Loading…</p>;
  if (session.isError) return <main id="main" className="p-6"><ErrorNotice error={session.error} onRetry={() => void session.refetch()} /></main>;
  if (session.data.mode === "signed-out") return <LoginPage />;
  return (
    <SessionProvider session={session.data}>
      <Shell />
    </SessionProvider>
  );
}

const navigation = [
  { to: "/", label: "Dashboard", end: true },
  { to: "/upload", label: "Upload" },
  { to: "/review", label: "Review" },
  { to: "/exports", label: "Exports" },
];

function Shell() {
  const session = useSession();
  const stream = useEventStream();
  const signOut = useSignOut();
  const links = session.isAdmin ? [...navigation, { to: "/operations", label: "Operations" }] : navigation;

  return (
    <>
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:p-2">
        Skip to content
      </a>
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3">
          <span className="text-lg font-bold text-slate-900">Docket</span>
          <nav aria-label="Main" className="order-3 w-full sm:order-none sm:w-auto">
            <ul className="flex flex-wrap gap-1">
              {links.map((link) => (
                <li key={link.to}>
                  <NavLink to={link.to} end={link.end}
                    className={({ isActive }) =>
                      `block rounded-md px-3 py-1.5 text-sm font-medium ${isActive ? "bg-blue-100 text-blue-900" : "text-slate-700 hover:bg-slate-100"}`}>
                    {link.label}
                  </NavLink>
                </li>
              ))}
            </ul>
          </nav>
          <div className="ml-auto flex items-center gap-3 text-sm">
            <LiveIndicator state={stream} />
            {session.mode === "signed-in" && (
              <>
                <span className="hidden text-slate-600 sm:inline">{session.user.display_name ?? session.user.email}</span>
                <button type="button" className="btn" onClick={() => void signOut()}>Sign out</button>
              </>
            )}
          </div>
        </div>
      </header>
      <main id="main" tabIndex={-1} className="mx-auto max-w-7xl px-4 py-6">
        <StreamStateContext.Provider value={stream}>
          <Routes>
            <Route path="/" element={<DashboardPage />} />
            <Route path="/upload" element={<UploadPage />} />
            <Route path="/documents/:id" element={<DocumentPage />} />
            <Route path="/review" element={<ReviewPage />} />
            <Route path="/review/:id" element={<ReviewPage />} />
            <Route path="/exports" element={<ExportsPage />} />
            <Route path="/operations" element={session.isAdmin ? <OperationsPage /> : <NotFound />} />
            <Route path="*" element={<NotFound />} />
          </Routes>
        </StreamStateContext.Provider>
      </main>
    </>
  );
}

function LiveIndicator({ state }: { state: StreamState }) {
  const text = { connecting: "Connecting…", live: "Live", reconnecting: "Reconnecting…" }[state];
  const dot = { connecting: "bg-slate-400", live: "bg-green-600", reconnecting: "bg-amber-500" }[state];
  return (
    <span role="status" className="flex items-center gap-1.5 text-slate-700" data-stream={state}>
      <span aria-hidden="true" className={`inline-block h-2.5 w-2.5 rounded-full ${dot}`} />
      {text}
    </span>
  );
}

function NotFound() {
  return (
    <div>
      <h1 className="text-2xl font-semibold">Not found</h1>
      <p className="mt-2">There is no page here. <NavLink to="/" className="link">Back to the dashboard</NavLink></p>
    </div>
  );
}
