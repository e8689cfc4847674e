using Docket.Data.Model;
using Docket.Server.Api;
using Microsoft.Extensions.Options;

namespace Docket.Server.Features.Accounts;

public sealed record RegisterRequest(string? Email, string? Password, string? DisplayName);

/// <summary>With <c>cookie: true</c> a browser session is started (cookies) instead of tokens being returned.</summary>
public sealed record LoginRequest(string? Email, string? Password, bool? Cookie);

public sealed record RefreshRequest(string? RefreshToken);

public sealed record LogoutRequest(string? RefreshToken);

public sealed record UserView(Guid Id, string Email, string DisplayName, string Role, DateTimeOffset CreatedAt)
{
    public static UserView From(User user) => new(user.Id, user.Email, user.DisplayName, user.Role, user.CreatedAt);
}

public sealed record TokenResponse(
    string AccessToken, string TokenType, int ExpiresIn, DateTimeOffset ExpiresAt, string RefreshToken,
    DateTimeOffset RefreshTokenExpiresAt, UserView User);

public sealed record BrowserSessionResponse(UserView User, string CsrfToken, DateTimeOffset SessionExpiresAt);

/// <param name="SignedInWith">"bearer" or "cookie".</param>
/// <param name="CsrfToken">Cookie sessions: the token unsafe requests send in X-CSRF-Token.</param>
public sealed record MeResponse(UserView User, string SignedInWith, string? CsrfToken);

public static class AuthApi
{
    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder routes)
    {
        var auth = routes.MapGroup("/api/v1/auth").WithTags("Auth");
        auth.MapPost("/register", Register).AllowAnonymous().WithMetadata(new Authentication.NoCsrfCheck())
            .WithMetadata(RateLimits.SignIn)
            .Produces<UserView>(201).Errors(400, 403, 409, 429).WithName("Register").WithSummary("Create an account (role user)");
        auth.MapPost("/login", Login).AllowAnonymous().WithMetadata(new Authentication.NoCsrfCheck())
            .WithMetadata(RateLimits.SignIn)
            .Produces<TokenResponse>().Produces<BrowserSessionResponse>().Errors(400, 401, 423, 429).WithName("Login")
            .WithSummary("Sign in: a 15-minute access token and a refresh token, or with \"cookie\": true a browser session");
        auth.MapPost("/refresh", Refresh).AllowAnonymous().WithMetadata(new Authentication.NoCsrfCheck())
            .Produces<TokenResponse>().Errors(400, 401, 429).WithName("RefreshToken")
            .WithSummary("Exchange a refresh token for new tokens; the old one is spent, and showing it again revokes the sign-in");
        auth.MapPost("/logout", Logout).AllowAnonymous()
            .Produces(204).Errors(403).WithName("Logout").WithSummary("End the sign-in: the cookie session, the bearer token's session, or a refresh token's");
        auth.MapGet("/me", Me).Produces<MeResponse>().Errors(401).WithName("Me").WithSummary("The signed-in account");
        return routes;
    }

    private static async Task<IResult> Register(HttpContext http, RegisterRequest? request, UserAccounts accounts,
        IOptions<AuthOptions> options, CancellationToken cancellationToken)
    {
        NoStore(http);
        if (!options.Value.AllowRegistration)
            return ApiErrors.Create(http, 403, "registration_closed", "Accounts are created by an admin here; registration is closed.");
        return await accounts.CreateAsync(request?.Email, request?.Password, request?.DisplayName, Roles.User, cancellationToken) switch
        {
            CreateUserOutcome.Created created => TypedResults.Created("/api/v1/auth/me", UserView.From(created.User)),
            CreateUserOutcome.EmailTaken => ApiErrors.Conflict(http, "email_taken", "An account with this email address exists already."),
            CreateUserOutcome.Invalid invalid => ApiErrors.BadRequest(http, "invalid_registration", "Some details are not valid.", invalid.Problems),
            _ => throw new InvalidOperationException("Unknown outcome."),
        };
    }

    private static async Task<IResult> Login(HttpContext http, LoginRequest? request, UserAccounts accounts, SessionStore sessions,
        AccessTokens tokens, TimeProvider clock, CancellationToken cancellationToken)
    {
        NoStore(http);
        if (string.IsNullOrWhiteSpace(request?.Email) || string.IsNullOrEmpty(request.Password))
            return ApiErrors.BadRequest(http, "invalid_request", "Send \"email\" and \"password\".");
        switch (await accounts.SignInAsync(request.Email, request.Password, cancellationToken))
        {
            case SignInOutcome.SignedIn { User: var user } when request.Cookie == true:
                var (browser, secret) = await sessions.StartBrowserSessionAsync(user, cancellationToken);
                SessionCookies.Append(http, secret, browser.ExpiresAt);
                return TypedResults.Ok(new BrowserSessionResponse(UserView.From(user), SessionStore.CsrfToken(secret), browser.ExpiresAt));
            case SignInOutcome.SignedIn { User: var user }:
                var (session, refreshToken, refreshExpires) = await sessions.StartApiSessionAsync(user, cancellationToken);
                return TypedResults.Ok(Tokens(tokens, user, session.Id, refreshToken, refreshExpires));
            case SignInOutcome.Locked locked:
                var seconds = Math.Max(1, (int)Math.Ceiling((locked.Until - clock.GetUtcNow()).TotalSeconds));
                http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return ApiErrors.Create(http, 423, "account_locked",
                    "Too many wrong passwords: the account is locked for a while; try again later.", new { locked_until = locked.Until });
            default:
                http.Response.Headers.WWWAuthenticate = "Bearer";
                return ApiErrors.Create(http, 401, "invalid_credentials", "The email address or the password is wrong.");
        }
    }

    private static async Task<IResult> Refresh(HttpContext http, RefreshRequest? request, SessionStore sessions, AccessTokens tokens,
        CancellationToken cancellationToken)
    {
        NoStore(http);
        if (string.IsNullOrEmpty(request?.RefreshToken))
            return ApiErrors.BadRequest(http, "invalid_request", "Send \"refresh_token\".");
        return await sessions.RefreshAsync(request.RefreshToken, cancellationToken) switch
        {
            RefreshOutcome.Rotated rotated => TypedResults.Ok(Tokens(tokens, rotated.User, rotated.Session.Id, rotated.RefreshToken,
                rotated.RefreshTokenExpiresAt)),
            RefreshOutcome.Reused => ApiErrors.Create(http, 401, "refresh_token_reused",
                "This refresh token was used before, so it may be stolen: the sign-in it belongs to is revoked. Sign in again."),
            _ => ApiErrors.Create(http, 401, "invalid_refresh_token", "The refresh token is unknown, expired or signed out. Sign in again."),
        };
    }

    /// <summary>
    /// Revokes whatever identifies a sign-in: the session cookie, the bearer token's session, and
    /// the refresh token in the body. The bearer access tokens of those sessions end with them, at once
    /// and on every node (<see cref="EndedSessions"/>).
    /// </summary>
    private static async Task<IResult> Logout(HttpContext http, LogoutRequest? request, SessionStore sessions, EndedSessions ended,
        CancellationToken cancellationToken)
    {
        NoStore(http);
        if (Guid.TryParse(http.User.FindFirst(AccessTokens.SessionClaim)?.Value, out var current))
        {
            await sessions.RevokeAsync(current, "logout", cancellationToken);
            await ended.EndAsync(current, cancellationToken);
        }
        if (request?.RefreshToken is { Length: > 0 } refreshToken
            && await sessions.SessionOfRefreshTokenAsync(refreshToken, cancellationToken) is { } family)
        {
            await sessions.RevokeAsync(family, "logout", cancellationToken);
            await ended.EndAsync(family, cancellationToken);
        }
        if (http.Request.Cookies.ContainsKey(Authentication.SessionCookie)) SessionCookies.Clear(http);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> Me(HttpContext http, CurrentUser user, UserAccounts accounts, CancellationToken cancellationToken)
    {
        NoStore(http);
        if (await accounts.FindAsync(user.Id, cancellationToken) is not { } account)
            return ApiErrors.Create(http, 401, "unauthorized", "The account no longer exists.");
        var cookie = Authentication.IsCookieSession(http.User);
        return TypedResults.Ok(new MeResponse(UserView.From(account), cookie ? "cookie" : "bearer",
            cookie ? SessionStore.CsrfToken(http.Request.Cookies[Authentication.SessionCookie]!) : null));
    }

    private static TokenResponse Tokens(AccessTokens tokens, User user, Guid sessionId, string refreshToken, DateTimeOffset refreshExpires)
    {
        var (accessToken, expires) = tokens.Issue(user, sessionId);
        return new TokenResponse(accessToken, "Bearer", (int)tokens.Lifetime.TotalSeconds, expires,
            refreshToken, refreshExpires, UserView.From(user));
    }

    /// <summary>Answers that carry tokens must not be kept by any cache.</summary>
    private static void NoStore(HttpContext http)
    {
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers.Pragma = "no-cache";
    }
}
