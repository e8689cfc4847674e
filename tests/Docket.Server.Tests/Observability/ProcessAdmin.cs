using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Docket.Server.Tests.Infrastructure;

namespace Docket.Server.Tests.Observability;

/// <summary>The first admin a real `docket` process is started with, and signing in as it over HTTP.</summary>
internal static class ProcessAdmin
{
    public const string Email = "ops@test.docket";
    public const string Password = "a long enough password for the ops tests";

    public static async Task SignInAsync(HttpClient client)
    {
        using var login = await client.PostAsJsonAsync("/api/v1/auth/login", new { email = Email, password = Password });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await login.ReadJsonAsync(HttpStatusCode.OK)).Str("access_token"));
    }
}
