using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Docket.Server.Api;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Docket.Server.Features.Accounts;

/// <summary>
/// Two ways in: API clients send a JWT access token as a bearer token; browsers hold an httpOnly,
/// SameSite=Strict session cookie (so EventSource needs no token in the URL) and prove each unsafe
/// request with the X-CSRF-Token header. A request with an Authorization header is judged by it alone.
/// </summary>
public static class Authentication
{
    public const string Scheme = "Docket";
    public const string SessionScheme = "Session";
    public const string SessionCookie = "docket_session";
    public const string CsrfCookie = "docket_csrf";
    public const string CsrfHeader = "X-CSRF-Token";

    /// <summary>Accounts and sessions, without HTTP (the `docket users` commands use these too).</summary>
    public static IServiceCollection AddDocketAccounts(this IServiceCollection services)
    {
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Microsoft.AspNetCore.Identity.IPasswordHasher<Data.Model.User>,
            Microsoft.AspNetCore.Identity.PasswordHasher<Data.Model.User>>();
        services.AddScoped<UserAccounts>();
        services.AddScoped<SessionStore>();
        return services;
    }

    public static IServiceCollection AddDocketAuthentication(this IServiceCollection services)
    {
        services.AddDocketAccounts();
        services.AddSingleton<AccessTokens>();
        services.AddSingleton<EndedSessions>();
        services.AddHostedService(provider => provider.GetRequiredService<EndedSessions>());
        // After the migrations (hosted services start in order of registration).
        services.AddHostedService<AccountsStartup>();

        services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "Bearer token or session cookie", policy => policy.ForwardDefaultSelector = http =>
                http.Request.Headers.Authorization.Count > 0 ? JwtBearerDefaults.AuthenticationScheme : SessionScheme)
            .AddJwtBearer()
            .AddScheme<AuthenticationSchemeOptions, SessionCookieHandler>(SessionScheme, null);
        // AddAuthentication brings ASP.NET Core data protection, whose hosted service loads (or makes) an
        // unencrypted key ring in ~/.aspnet at every start, with the XML stack: about 3 MB of the idle server.
        // Nothing of ours uses it: sessions are rows, tokens are signed with our own key.
        foreach (var keyRingAtStart in services.Where(d => d.ImplementationType?.FullName == "Microsoft.AspNetCore.DataProtection.Internal.DataProtectionHostedService").ToList())
            services.Remove(keyRingAtStart);
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).Configure<AccessTokens>((jwt, tokens) =>
        {
            jwt.MapInboundClaims = false;
            jwt.TokenValidationParameters = tokens.ValidationParameters();
            jwt.Events = new JwtBearerEvents
            {
                // A signature and an expiry say the token was issued; only the session says the sign-in still stands.
                OnTokenValidated = async context =>
                {
                    var ended = context.HttpContext.RequestServices.GetRequiredService<EndedSessions>();
                    if (!Guid.TryParse(context.Principal?.FindFirst(AccessTokens.SessionClaim)?.Value, out var session)
                        || await ended.HasEndedAsync(session, context.HttpContext.RequestAborted))
                        context.Fail("The sign-in this token was issued for has ended.");
                },
            };
        });

        services.AddAuthorizationBuilder()
            // Every endpoint needs a signed-in caller unless it says otherwise (health, sign-in, the API description).
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(Roles.AdminPolicy, policy => policy.RequireAuthenticatedUser().RequireClaim(AccessTokens.RoleClaim, Roles.Admin));
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, EnvelopeResultHandler>();
        return services;
    }

    public static IApplicationBuilder UseDocketAuthentication(this IApplicationBuilder app)
    {
        app.UseAuthentication();
        app.Use(RequireCsrfToken);
        return app;
    }

    /// <summary>Marks endpoints that do not act with the caller's session (sign-in, registration, refresh).</summary>
    public sealed class NoCsrfCheck;

    public static bool IsCookieSession(ClaimsPrincipal user) => user.Identity is { IsAuthenticated: true, AuthenticationType: SessionScheme };

    /// <summary>
    /// A cookie is sent by the browser whoever made the page, so an unsafe request that relies on
    /// it must also carry the CSRF token, which only our own pages can read. Bearer tokens are not
    /// ambient and need no such proof.
    /// </summary>
    private static async Task RequireCsrfToken(HttpContext http, RequestDelegate next)
    {
        if (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method) && !HttpMethods.IsOptions(http.Request.Method)
            && IsCookieSession(http.User) && http.GetEndpoint()?.Metadata.GetMetadata<NoCsrfCheck>() is null)
        {
            var secret = http.Request.Cookies[SessionCookie] ?? "";
            var expected = Encoding.ASCII.GetBytes(SessionStore.CsrfToken(secret));
            var sent = Encoding.ASCII.GetBytes(http.Request.Headers[CsrfHeader].ToString());
            if (!CryptographicOperations.FixedTimeEquals(expected, sent))
            {
                await ApiErrors.WriteAsync(http, StatusCodes.Status403Forbidden, "csrf_token_invalid",
                    $"A request signed in by cookie must send the session's CSRF token in the {CsrfHeader} header "
                    + $"(from the {CsrfCookie} cookie, the sign-in answer, or GET /api/v1/auth/me).");
                return;
            }
        }
        await next(http);
    }

    /// <summary>Refusals by authorization in the error envelope: 401 when not signed in, 403 when the role is not enough.</summary>
    private sealed class EnvelopeResultHandler : IAuthorizationMiddlewareResultHandler
    {
        private readonly AuthorizationMiddlewareResultHandler _default = new();

        public async Task HandleAsync(RequestDelegate next, HttpContext http, AuthorizationPolicy policy, PolicyAuthorizationResult result)
        {
            if (result.Challenged)
            {
                // Cached by the handler for this request: no second token check or session lookup.
                var failure = (await http.AuthenticateAsync()).Failure;
                var (code, message) = failure switch
                {
                    SecurityTokenExpiredException => ("token_expired", "The access token has expired; get a new one from POST /api/v1/auth/refresh."),
                    SessionEndedException => ("session_ended", "The session has ended; sign in again."),
                    not null => ("invalid_token", "The access token is not valid; sign in again."),
                    null => ("unauthorized", "Sign in first: send a bearer access token (POST /api/v1/auth/login) or a session cookie."),
                };
                http.Response.Headers.WWWAuthenticate = failure is null ? "Bearer" : $"Bearer error=\"invalid_token\"";
                await ApiErrors.Create(http, StatusCodes.Status401Unauthorized, code, message).ExecuteAsync(http);
                return;
            }
            if (result.Forbidden)
            {
                await ApiErrors.Create(http, StatusCodes.Status403Forbidden, "forbidden",
                    "Your role does not allow this; it is for admins.").ExecuteAsync(http);
                return;
            }
            await _default.HandleAsync(next, http, policy, result);
        }
    }

    internal sealed class SessionEndedException() : Exception("The session has ended.");

    /// <summary>Authenticates the session cookie against the sessions table (so signing out ends it at once, on every node).</summary>
    private sealed class SessionCookieHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (!Request.Cookies.TryGetValue(SessionCookie, out var secret) || string.IsNullOrEmpty(secret)) return AuthenticateResult.NoResult();
            var sessions = Context.RequestServices.GetRequiredService<SessionStore>();
            if (await sessions.FindBrowserSessionAsync(secret, Context.RequestAborted) is not { } found)
                return AuthenticateResult.Fail(new SessionEndedException());
            if (found.Renewed) SessionCookies.Append(Context, secret, found.Session.ExpiresAt);
            var identity = new ClaimsIdentity(
            [
                new Claim(AccessTokens.SubjectClaim, found.User.Id.ToString()),
                new Claim(AccessTokens.RoleClaim, found.User.Role),
                new Claim(AccessTokens.SessionClaim, found.Session.Id.ToString()),
            ], SessionScheme, AccessTokens.SubjectClaim, AccessTokens.RoleClaim);
            return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SessionScheme));
        }
    }
}

/// <summary>The two cookies of a browser session; see the README's "Browser sessions" for the contract.</summary>
public static class SessionCookies
{
    public static void Append(HttpContext http, string secret, DateTimeOffset expires)
    {
        var secure = http.Request.IsHttps || http.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value.SecureCookies;
        http.Response.Cookies.Append(Authentication.SessionCookie, secret, new CookieOptions
        {
            HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = secure, Path = "/", Expires = expires, IsEssential = true,
        });
        // Readable by our own pages (not httpOnly), so the SPA finds the CSRF token after a reload.
        http.Response.Cookies.Append(Authentication.CsrfCookie, SessionStore.CsrfToken(secret), new CookieOptions
        {
            HttpOnly = false, SameSite = SameSiteMode.Strict, Secure = secure, Path = "/", Expires = expires, IsEssential = true,
        });
    }

    public static void Clear(HttpContext http)
    {
        http.Response.Cookies.Delete(Authentication.SessionCookie, new CookieOptions { Path = "/", SameSite = SameSiteMode.Strict, HttpOnly = true });
        http.Response.Cookies.Delete(Authentication.CsrfCookie, new CookieOptions { Path = "/", SameSite = SameSiteMode.Strict });
    }
}
