using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Docket.Server.Features.Accounts;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Docket.Server.Tests.Infrastructure;

/// <summary>
/// An account on a test server, made the way `docket users create` makes one, that signs in over
/// HTTP like any API client: its clients get a bearer token from POST /auth/login on their first
/// request and sign in again when it is about to expire. There is no way past authentication.
/// </summary>
public sealed class TestAccount
{
    private readonly WebApplicationFactory<Program> _server;
    private readonly SemaphoreSlim _signIn = new(1, 1);
    private (string Token, DateTimeOffset ExpiresAt)? _token;

    private TestAccount(WebApplicationFactory<Program> server, Guid id, string email, string password, string role)
    {
        _server = server;
        Id = id;
        Email = email;
        Password = password;
        Role = role;
    }

    public Guid Id { get; }
    public string Email { get; }
    public string Password { get; }
    public string Role { get; }

    public static TestAccount Create(WebApplicationFactory<Program> server, string role)
    {
        var email = $"{role}-{Guid.NewGuid():N}@test.docket";
        var password = "correct horse battery " + Guid.NewGuid().ToString("N")[..8];
        // Off the test's synchronisation context, so blocking here (field initialisers) cannot deadlock.
        var user = Task.Run(async () =>
        {
            using var scope = server.Services.CreateScope();
            var outcome = await scope.ServiceProvider.GetRequiredService<UserAccounts>()
                .CreateAsync(email, password, null, role, CancellationToken.None);
            return Assert.IsType<CreateUserOutcome.Created>(outcome).User;
        }).GetAwaiter().GetResult();
        return new TestAccount(server, user.Id, email, password, role);
    }

    /// <summary>The same account on another server over the same data, as after a restart.</summary>
    public TestAccount On(WebApplicationFactory<Program> server) => new(server, Id, Email, Password, Role);

    /// <summary>A client that signs in as this account (bearer token).</summary>
    public HttpClient CreateClient() => _server.CreateDefaultClient(new BearerSignIn(this));

    /// <summary>Signs in over HTTP and returns the token answer.</summary>
    public async Task<JsonElement> SignInAsync(HttpClient anonymous, bool cookie = false)
    {
        using var response = await anonymous.PostAsJsonAsync("/api/v1/auth/login", new { email = Email, password = Password, cookie });
        return await response.ReadJsonAsync(HttpStatusCode.OK);
    }

    private async Task<string> TokenAsync(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> send, CancellationToken cancellationToken)
    {
        await _signIn.WaitAsync(cancellationToken);
        try
        {
            if (_token is { } current && current.ExpiresAt > DateTimeOffset.UtcNow.AddSeconds(30)) return current.Token;
            using var request = new HttpRequestMessage(HttpMethod.Post, "http://localhost/api/v1/auth/login")
            {
                Content = JsonContent.Create(new { email = Email, password = Password }),
            };
            using var response = await send(request, cancellationToken);
            var body = await response.ReadJsonAsync(HttpStatusCode.OK);
            _token = (body.Str("access_token"), body.GetProperty("expires_at").GetDateTimeOffset());
            return _token.Value.Token;
        }
        finally
        {
            _signIn.Release();
        }
    }

    private sealed class BearerSignIn(TestAccount account) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Authorization ??= new AuthenticationHeaderValue("Bearer", await account.TokenAsync(base.SendAsync, cancellationToken));
            return await base.SendAsync(request, cancellationToken);
        }
    }
}

public static class TestAccountExtensions
{
    /// <summary>
    /// A client signed in with <paramref name="role"/>: as the server's shared account of that role
    /// on a <see cref="DocketFactory"/>, as a new account on a server derived from one.
    /// </summary>
    public static HttpClient CreateAuthenticatedClient(this WebApplicationFactory<Program> server, string role = Roles.User) =>
        (server is DocketFactory docket ? docket.Account(role) : TestAccount.Create(server, role)).CreateClient();
}
