import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { csrfHeaders, setCsrfToken } from "../api/client";
import { renderWithClient } from "../test/render";
import { LoginPage } from "./LoginPage";
import { loadSession } from "./session";

afterEach(() => {
  vi.unstubAllGlobals();
  setCsrfToken(null);
});

const answer = (status: number, body?: unknown) => async () =>
  new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

describe("loadSession", () => {
  it("runs without sign-in when the server has no account endpoints", async () => {
    vi.stubGlobal("fetch", answer(404, { error: { code: "not_found", message: "No route matches GET /api/v1/auth/me.", details: null, request_id: "x" } }));
    await expect(loadSession()).resolves.toMatchObject({ mode: "open", isAdmin: true });
  });

  it("asks to sign in when the server has accounts and no session", async () => {
    vi.stubGlobal("fetch", answer(401, { error: { code: "unauthorized", message: "Sign in.", details: null, request_id: "x" } }));
    await expect(loadSession()).resolves.toMatchObject({ mode: "signed-out" });
  });

  it("takes the user and the session's CSRF token, which unsafe requests then carry", async () => {
    vi.stubGlobal("fetch", answer(200, {
      user: { id: "u1", email: "ada@example.org", display_name: "Ada", role: "reviewer", created_at: "2026-01-01T00:00:00Z" },
      signed_in_with: "cookie",
      csrf_token: "t0ken",
    }));

    await expect(loadSession()).resolves.toMatchObject({ mode: "signed-in", isAdmin: false, user: { email: "ada@example.org" } });
    expect(csrfHeaders("POST")).toEqual({ "X-CSRF-Token": "t0ken" });
    expect(csrfHeaders("GET")).toEqual({});
  });
});

describe("LoginPage", () => {
  it("names what is missing, and shows the server's refusal in words", async () => {
    const user = userEvent.setup();
    const sent: unknown[] = [];
    vi.stubGlobal("fetch", async (_url: string, init: RequestInit) => {
      sent.push(JSON.parse(init.body as string));
      return new Response(JSON.stringify({ error: { code: "invalid_credentials", message: "The email address or the password is wrong.", details: null, request_id: "r" } }),
        { status: 401, headers: { "Content-Type": "application/json" } });
    });
    renderWithClient(<LoginPage />);

    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByText("Enter your email address.")).toBeInTheDocument();
    expect(screen.getByText("Enter your password.")).toBeInTheDocument();

    await user.type(screen.getByLabelText("Email"), "ada@example.org");
    await user.type(screen.getByLabelText("Password"), "wrong");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("The email address or the password is wrong.");
    expect(sent).toEqual([{ email: "ada@example.org", password: "wrong", cookie: true }]);
  });
});
