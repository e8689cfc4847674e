using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Docket.Server.Features.Accounts;
using Docket.Server.Tests.Infrastructure;

namespace Docket.Server.Tests.Features.Accounts;

/// <summary>Registration, sign-in, token refresh with rotation, sign-out, and who the API thinks you are.</summary>
public abstract class AuthTests(DocketFactory factory)
{
    private readonly HttpClient _anonymous = factory.CreateClient();

    private static string NewEmail() => $"ada-{Guid.NewGuid():N}@example.com";

    private const string Password = "analytical engine 1843";

    private async Task<JsonElement> RegisterAndSignInAsync(string email)
    {
        using (var registered = await _anonymous.PostAsJsonAsync("/api/v1/auth/register", new { email, password = Password, display_name = "Ada" }))
        {
            var user = await registered.ReadJsonAsync(HttpStatusCode.Created);
            Assert.Equal("user", user.Str("role"));
        }
        using var login = await _anonymous.PostAsJsonAsync("/api/v1/auth/login", new { email, password = Password });
        return await login.ReadJsonAsync(HttpStatusCode.OK);
    }

    private static HttpRequestMessage WithBearer(HttpMethod method, string path, string token)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    [Fact]
    public async Task ARegisteredUser_SignsIn_AndGetsAFifteenMinuteBearerToken_ThatTheApiAccepts()
    {
        var email = NewEmail();

        var tokens = await RegisterAndSignInAsync(email.ToUpperInvariant());

        Assert.Equal("Bearer", tokens.Str("token_type"));
        Assert.Equal(900, tokens.Int("expires_in"));
        Assert.False(string.IsNullOrEmpty(tokens.Str("refresh_token")));
        using var me = await _anonymous.SendAsync(WithBearer(HttpMethod.Get, "/api/v1/auth/me", tokens.Str("access_token")));
        var body = await me.ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(email, body.GetProperty("user").Str("email"));
        Assert.Equal("Ada", body.GetProperty("user").Str("display_name"));
        Assert.Equal("bearer", body.Str("signed_in_with"));
        Assert.Equal("no-store", me.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task Registration_RefusesBadDetails_AndAnAddressThatIsTaken_InAnyLetterCase()
    {
        using (var bad = await _anonymous.PostAsJsonAsync("/api/v1/auth/register", new { email = "not-an-address", password = "short" }))
        {
            var error = await bad.AssertErrorAsync(HttpStatusCode.BadRequest, "invalid_registration");
            Assert.True(error.GetProperty("details").TryGetProperty("email", out _));
            Assert.True(error.GetProperty("details").TryGetProperty("password", out _));
        }
        var email = NewEmail();
        await RegisterAndSignInAsync(email);
        using var again = await _anonymous.PostAsJsonAsync("/api/v1/auth/register", new { email = email.ToUpperInvariant(), password = Password });
        await again.AssertErrorAsync(HttpStatusCode.Conflict, "email_taken");
    }

    [Fact]
    public async Task AWrongPassword_AndAnUnknownAddress_GetTheSameAnswer()
    {
        var email = NewEmail();
        await RegisterAndSignInAsync(email);

        using var wrong = await _anonymous.PostAsJsonAsync("/api/v1/auth/login", new { email, password = "not the password at all" });
        using var unknown = await _anonymous.PostAsJsonAsync("/api/v1/auth/login", new { email = NewEmail(), password = Password });

        var wrongError = await wrong.AssertErrorAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        var unknownError = await unknown.AssertErrorAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        Assert.Equal(wrongError.Str("message"), unknownError.Str("message"));
    }

    [Fact]
    public async Task WithoutATokenOrWithABadOne_TheApiAnswers401InTheEnvelope()
    {
        using var none = await _anonymous.GetAsync("/api/v1/documents");
        await none.AssertErrorAsync(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal("Bearer", none.Headers.WwwAuthenticate.Single().Scheme);

        using var forged = await _anonymous.SendAsync(WithBearer(HttpMethod.Get, "/api/v1/documents",
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIiwicm9sZSI6ImFkbWluIn0.c2lnbmVkIGJ5IG5vYm9keQ"));
        await forged.AssertErrorAsync(HttpStatusCode.Unauthorized, "invalid_token");
    }

    [Fact]
    public async Task Refreshing_RotatesTheToken_AndPresentingAnUsedOneRevokesTheWholeFamily()
    {
        var first = (await RegisterAndSignInAsync(NewEmail())).Str("refresh_token");

        using var rotated = await _anonymous.PostAsJsonAsync("/api/v1/auth/refresh", new { refresh_token = first });
        var second = await rotated.ReadJsonAsync(HttpStatusCode.OK);
        Assert.NotEqual(first, second.Str("refresh_token"));
        using (var me = await _anonymous.SendAsync(WithBearer(HttpMethod.Get, "/api/v1/auth/me", second.Str("access_token"))))
            Assert.Equal(HttpStatusCode.OK, me.StatusCode);

        // The first token again: someone copied it. Its family, the second token included, is revoked.
        using (var replay = await _anonymous.PostAsJsonAsync("/api/v1/auth/refresh", new { refresh_token = first }))
            await replay.AssertErrorAsync(HttpStatusCode.Unauthorized, "refresh_token_reused");
        using var afterTheft = await _anonymous.PostAsJsonAsync("/api/v1/auth/refresh", new { refresh_token = second.Str("refresh_token") });
        await afterTheft.AssertErrorAsync(HttpStatusCode.Unauthorized, "invalid_refresh_token");
    }

    [Fact]
    public async Task LoggingOut_RevokesTheRefreshToken_AndEndsTheAccessTokenAtOnce()
    {
        var tokens = await RegisterAndSignInAsync(NewEmail());
        using (var before = WithBearer(HttpMethod.Get, "/api/v1/auth/me", tokens.Str("access_token")))
        using (var me = await _anonymous.SendAsync(before))
            Assert.Equal(HttpStatusCode.OK, me.StatusCode);

        using var logout = WithBearer(HttpMethod.Post, "/api/v1/auth/logout", tokens.Str("access_token"));
        logout.Content = JsonContent.Create(new { refresh_token = tokens.Str("refresh_token") });
        using (var loggedOut = await _anonymous.SendAsync(logout))
            Assert.Equal(HttpStatusCode.NoContent, loggedOut.StatusCode);

        using var refresh = await _anonymous.PostAsJsonAsync("/api/v1/auth/refresh", new { refresh_token = tokens.Str("refresh_token") });
        await refresh.AssertErrorAsync(HttpStatusCode.Unauthorized, "invalid_refresh_token");
        // The access token has minutes left, but the sign-in it belongs to is over.
        using var after = WithBearer(HttpMethod.Get, "/api/v1/auth/me", tokens.Str("access_token"));
        using var refused = await _anonymous.SendAsync(after);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task ABrowserSession_UsesAnHttpOnlyStrictCookie_AndUnsafeRequestsNeedItsCsrfToken()
    {
        var email = NewEmail();
        await RegisterAndSignInAsync(email);
        var browser = factory.CreateClient();

        using var login = await browser.PostAsJsonAsync("/api/v1/auth/login", new { email, password = Password, cookie = true });
        var session = await login.ReadJsonAsync(HttpStatusCode.OK);
        Assert.False(session.TryGetProperty("access_token", out _));
        var cookies = login.Headers.GetValues("Set-Cookie").ToList();
        var sessionCookie = Assert.Single(cookies, c => c.StartsWith(Authentication.SessionCookie + "=", StringComparison.Ordinal));
        Assert.Contains("httponly", sessionCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", sessionCookie, StringComparison.OrdinalIgnoreCase);
        var csrfCookie = Assert.Single(cookies, c => c.StartsWith(Authentication.CsrfCookie + "=", StringComparison.Ordinal));
        Assert.DoesNotContain("httponly", csrfCookie, StringComparison.OrdinalIgnoreCase);
        var csrf = session.Str("csrf_token");

        var me = await browser.GetJsonAsync("/api/v1/auth/me");
        Assert.Equal("cookie", me.Str("signed_in_with"));
        Assert.Equal(csrf, me.Str("csrf_token"));
        using (var forged = await browser.PostAsync("/api/v1/documents", ApiClient.Files(ApiClient.TextFile("forged.txt", "From another site."))))
            await forged.AssertErrorAsync(HttpStatusCode.Forbidden, "csrf_token_invalid");
        using (var wrong = new HttpRequestMessage(HttpMethod.Post, "/api/v1/export/json") { Content = JsonContent.Create(new { }) })
        {
            wrong.Headers.Add(Authentication.CsrfHeader, csrf[..^2] + "xx");
            using var response = await browser.SendAsync(wrong);
            await response.AssertErrorAsync(HttpStatusCode.Forbidden, "csrf_token_invalid");
        }

        browser.DefaultRequestHeaders.Add(Authentication.CsrfHeader, csrf);
        var (id, _) = await browser.UploadTextAsync("cookie.txt", "Sent by a browser.");
        // EventSource sends the cookie and nothing else; that is enough to follow a document.
        using (var plain = factory.CreateClient())
        {
            using var stream = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/documents/{id}/stream");
            stream.Headers.Add("Cookie", login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(Authentication.SessionCookie + "=", StringComparison.Ordinal)).Split(';')[0]);
            using var response = await plain.SendAsync(stream, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        }
        using (var logout = await browser.PostAsync("/api/v1/auth/logout", null))
            Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        using var after = await browser.GetAsync("/api/v1/auth/me");
        await after.AssertErrorAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task AStolenSessionCookie_StopsWorking_OnceItsOwnerLogsOut()
    {
        var email = NewEmail();
        await RegisterAndSignInAsync(email);
        var browser = factory.CreateClient();
        using var login = await browser.PostAsJsonAsync("/api/v1/auth/login", new { email, password = Password, cookie = true });
        var session = await login.ReadJsonAsync(HttpStatusCode.OK);
        var stolen = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(Authentication.SessionCookie + "=", StringComparison.Ordinal))
            .Split(';')[0];

        using (var logout = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/logout"))
        {
            logout.Headers.Add(Authentication.CsrfHeader, session.Str("csrf_token"));
            (await browser.SendAsync(logout)).Dispose();
        }

        using var replay = new HttpRequestMessage(HttpMethod.Get, "/api/v1/auth/me");
        replay.Headers.Add("Cookie", stolen);
        using var response = await factory.CreateDefaultClient().SendAsync(replay);
        await response.AssertErrorAsync(HttpStatusCode.Unauthorized, "session_ended");
    }

    [Fact]
    public async Task AUserIsRefusedTheAdminRoutes_WithForbidden()
    {
        var user = factory.CreateAuthenticatedClient();
        var admin = factory.CreateAuthenticatedClient(Roles.Admin);

        using var refused = await user.GetAsync("/api/v1/admin/stats");
        await refused.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        using var allowed = await admin.GetAsync("/api/v1/admin/stats");
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task AnAdmin_CreatesAReviewer_AndChangingItsPasswordSignsItOutEverywhere()
    {
        var admin = factory.CreateAuthenticatedClient(Roles.Admin);
        var email = NewEmail();
        var created = await admin.PostJsonAsync("/api/v1/admin/users", new { email, password = Password, role = "reviewer" }, HttpStatusCode.Created);
        Assert.Equal("reviewer", created.Str("role"));
        using var login = await _anonymous.PostAsJsonAsync("/api/v1/auth/login", new { email, password = Password });
        var tokens = await login.ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("reviewer", tokens.GetProperty("user").Str("role"));

        using var patch = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/admin/users/{created.Guid("id")}")
        {
            Content = JsonContent.Create(new { password = "a brand new password" }),
        };
        (await admin.SendAsync(patch)).Dispose();

        using var refresh = await _anonymous.PostAsJsonAsync("/api/v1/auth/refresh", new { refresh_token = tokens.Str("refresh_token") });
        await refresh.AssertErrorAsync(HttpStatusCode.Unauthorized, "invalid_refresh_token");
        using var old = await _anonymous.PostAsJsonAsync("/api/v1/auth/login", new { email, password = Password });
        await old.AssertErrorAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
    }

    [Fact]
    public async Task OnTheFirstStart_AnAdminWithAGeneratedPasswordIsMade_AndThePasswordIsKeptForTheOperator()
    {
        var password = (await File.ReadAllTextAsync(Path.Combine(factory.DataDirectory, AccountsStartup.PasswordFileName))).Trim();

        using var login = await _anonymous.PostAsJsonAsync("/api/v1/auth/login", new { email = AccountsStartup.GeneratedAdminEmail, password });

        Assert.Equal("admin", (await login.ReadJsonAsync(HttpStatusCode.OK)).GetProperty("user").Str("role"));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite,
                File.GetUnixFileMode(Path.Combine(factory.DataDirectory, AccountsStartup.PasswordFileName)));
    }
}

/// <summary>Settings that need a server of their own: lockout, token lifetime, a configured first admin, closed registration.</summary>
public sealed class AuthSettingsTests
{
    private const string Password = "analytical engine 1843";

    [Fact]
    public async Task RepeatedWrongPasswords_LockTheAccount_EvenAgainstTheRightPassword_UntilTheLockoutEnds()
    {
        await using var server = DocketFactory.Create(new Dictionary<string, string?>
        {
            ["Auth:MaxFailedLogins"] = "3",
            ["Auth:LockoutDuration"] = "00:00:02",
        });
        var account = server.CreateAccount();
        var client = server.CreateClient();

        for (var i = 1; i <= 2; i++)
        {
            using var wrong = await client.PostAsJsonAsync("/api/v1/auth/login", new { email = account.Email, password = "guess number " + i });
            await wrong.AssertErrorAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        }
        using (var third = await client.PostAsJsonAsync("/api/v1/auth/login", new { email = account.Email, password = "guess number 3" }))
        {
            await third.AssertErrorAsync(HttpStatusCode.Locked, "account_locked");
            Assert.NotNull(third.Headers.RetryAfter);
        }
        using (var right = await client.PostAsJsonAsync("/api/v1/auth/login", new { email = account.Email, password = account.Password }))
            await right.AssertErrorAsync(HttpStatusCode.Locked, "account_locked");

        await Task.Delay(TimeSpan.FromSeconds(2.2));
        await account.SignInAsync(client);
    }

    [Fact]
    public async Task AnExpiredAccessToken_IsRefusedWithTokenExpired_AndARefreshGetsANewOne()
    {
        await using var server = DocketFactory.Create(new Dictionary<string, string?> { ["Auth:AccessTokenLifetime"] = "00:00:01" });
        var account = server.CreateAccount();
        var client = server.CreateClient();
        var tokens = await account.SignInAsync(client);

        await Task.Delay(TimeSpan.FromSeconds(1.5));
        using (var expired = new HttpRequestMessage(HttpMethod.Get, "/api/v1/auth/me"))
        {
            expired.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.Str("access_token"));
            using var response = await client.SendAsync(expired);
            await response.AssertErrorAsync(HttpStatusCode.Unauthorized, "token_expired");
        }
        using var refreshed = await client.PostAsJsonAsync("/api/v1/auth/refresh", new { refresh_token = tokens.Str("refresh_token") });
        using var again = new HttpRequestMessage(HttpMethod.Get, "/api/v1/auth/me");
        again.Headers.Authorization = new AuthenticationHeaderValue("Bearer", (await refreshed.ReadJsonAsync(HttpStatusCode.OK)).Str("access_token"));
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(again)).StatusCode);
    }

    [Fact]
    public async Task TheFirstAdmin_ComesFromConfiguration_WhenItIsSet_AndNoPasswordIsGenerated()
    {
        await using var server = DocketFactory.Create(new Dictionary<string, string?>
        {
            ["Auth:Admin:Email"] = "Boss@Example.com",
            ["Auth:Admin:Password"] = Password,
        });
        var client = server.CreateClient();

        using var login = await client.PostAsJsonAsync("/api/v1/auth/login", new { email = "boss@example.com", password = Password });

        Assert.Equal("admin", (await login.ReadJsonAsync(HttpStatusCode.OK)).GetProperty("user").Str("role"));
        Assert.False(File.Exists(Path.Combine(server.DataDirectory, AccountsStartup.PasswordFileName)));
    }

    [Fact]
    public async Task WithRegistrationClosed_RegisteringIsRefused()
    {
        await using var server = DocketFactory.Create(new Dictionary<string, string?> { ["Auth:AllowRegistration"] = "false" });

        using var response = await server.CreateClient().PostAsJsonAsync("/api/v1/auth/register", new { email = "x@example.com", password = Password });

        await response.AssertErrorAsync(HttpStatusCode.Forbidden, "registration_closed");
    }
}

/// <summary><see cref="AuthTests"/> on SQLite.</summary>
public sealed class AuthTestsOnSqlite(DocketFactory fixture) : AuthTests(fixture), IClassFixture<DocketFactory>;

/// <summary><see cref="AuthTests"/> on PostgreSQL.</summary>
public sealed class AuthTestsOnPostgres(PostgresDocketFactory fixture) : AuthTests(fixture), IClassFixture<PostgresDocketFactory>;
