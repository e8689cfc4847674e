import { useQueryClient } from "@tanstack/react-query";
import { useForm } from "react-hook-form";
import { ApiError } from "../api/client";
import { sessionKey, signIn } from "./session";

type Credentials = { email: string; password: string };

export function LoginPage() {
  const client = useQueryClient();
  const { register, handleSubmit, setError, formState } = useForm<Credentials>();
  const { errors, isSubmitting } = formState;

  const submit = handleSubmit(async ({ email, password }) => {
    try {
      await signIn(email, password);
      await client.invalidateQueries({ queryKey: sessionKey });
    } catch (error) {
      setError("root", { message: error instanceof ApiError ? error.message : "Signing in failed." });
    }
  });

  return (
    <main id="main" className="mx-auto mt-24 max-w-sm rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
      <h1 className="mb-4 text-xl font-semibold">Sign in to Docket</h1>
      <form onSubmit={submit} noValidate className="space-y-4">
        <div>
          <label htmlFor="email" className="block text-sm font-medium">Email</label>
          <input id="email" type="email" autoComplete="username" className="input"
            aria-invalid={errors.email ? true : undefined} aria-describedby={errors.email ? "email-error" : undefined}
            {...register("email", { required: "Enter your email address." })} />
          {errors.email && <p id="email-error" className="error-text">{errors.email.message}</p>}
        </div>
        <div>
          <label htmlFor="password" className="block text-sm font-medium">Password</label>
          <input id="password" type="password" autoComplete="current-password" className="input"
            aria-invalid={errors.password ? true : undefined} aria-describedby={errors.password ? "password-error" : undefined}
            {...register("password", { required: "Enter your password." })} />
          {errors.password && <p id="password-error" className="error-text">{errors.password.message}</p>}
        </div>
        {errors.root && <p role="alert" className="error-text">{errors.root.message}</p>}
        <button type="submit" className="btn-primary w-full" disabled={isSubmitting}>
          {isSubmitting ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
