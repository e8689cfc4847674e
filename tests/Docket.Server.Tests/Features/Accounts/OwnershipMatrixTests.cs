using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Docket.Server.Features.Accounts;
using Docket.Server.Tests.Infrastructure;

namespace Docket.Server.Tests.Features.Accounts;

/// <summary>
/// One server with documents, jobs and an export that belong to one user ("owner"), and four other
/// callers: another user, a reviewer, an admin, and nobody signed in.
/// </summary>
public sealed class OwnershipFixture : DocketFactory, IAsyncLifetime
{
    private readonly ConcurrentQueue<Guid> _processed = new();
    private readonly ConcurrentQueue<Guid> _failed = new();

    public Dictionary<string, HttpClient> Callers { get; } = [];
    public TestAccount Owner { get; private set; } = null!;
    public TestAccount Other { get; private set; } = null!;
    public Guid Processed { get; private set; }
    public Guid Finalized { get; private set; }
    public Guid Job { get; private set; }
    public Guid Export { get; private set; }

    public async Task InitializeAsync()
    {
        Owner = CreateAccount(Roles.User);
        Other = CreateAccount(Roles.User);
        Callers["owner"] = Owner.CreateClient();
        Callers["other"] = Other.CreateClient();
        Callers["reviewer"] = CreateAccount(Roles.Reviewer).CreateClient();
        Callers["admin"] = CreateAccount(Roles.Admin).CreateClient();
        Callers["anonymous"] = CreateClient();

        var owner = Callers["owner"];
        var files = Enumerable.Range(0, 34).Select(i => ApiClient.TextFile($"memo-{i}.txt", $"Memo {i}: the matrix of who may do what."))
            .Concat(Enumerable.Range(0, 10).Select(i => ApiClient.TextFile($"broken-{i}.json", "{\"rows\": [1, " + i)))
            .ToArray();
        foreach (var document in await owner.UploadAsync(files))
        {
            var failing = document.Str("filename").EndsWith(".json", StringComparison.Ordinal);
            await owner.WaitForDocumentAsync(document.Guid("id"), failing ? "failed" : "processed");
            (failing ? _failed : _processed).Enqueue(document.Guid("id"));
        }
        Processed = FreshProcessed();
        Job = (await owner.GetJsonAsync($"/api/v1/documents/{Processed}")).GetProperty("current_job").Guid("id");
        Finalized = FreshProcessed();
        await owner.PostJsonAsync($"/api/v1/review/{Finalized}/approve", null, HttpStatusCode.OK);
        Export = (await owner.PostJsonAsync("/api/v1/export/json", new { }, HttpStatusCode.Created)).Guid("id");
    }

    /// <summary>A processed document of the owner's that no other case touched, for actions that change it.</summary>
    public Guid FreshProcessed() => _processed.TryDequeue(out var id) ? id : throw new InvalidOperationException("Make more documents in the fixture.");

    public Guid FreshFailed() => _failed.TryDequeue(out var id) ? id : throw new InvalidOperationException("Make more failed documents in the fixture.");

    Task IAsyncLifetime.DisposeAsync() => Task.CompletedTask;
}

/// <summary>
/// DESIGN: every document, job and export belongs to the user who created it, and another user gets
/// 404; reviewers and admins act on all documents; operations and accounts are for admins; nobody
/// signed in gets 401. Every endpoint is called by every kind of caller, and each status is asserted.
/// </summary>
public sealed class OwnershipMatrixTests(OwnershipFixture fixture) : IClassFixture<OwnershipFixture>
{
    private static readonly string[] Order = ["owner", "other", "reviewer", "admin", "anonymous"];

    /// <summary>The expected status for owner, other user, reviewer, admin and anonymous, in that order.</summary>
    private sealed record Case(Func<OwnershipFixture, string, Task<HttpRequestMessage>> Request, int[] Expected);

    private static Case Read(string path, params int[] expected) =>
        new((f, _) => Task.FromResult(new HttpRequestMessage(HttpMethod.Get, Fill(path, f))), expected);

    private static Case Send(HttpMethod method, string path, object? body, params int[] expected) =>
        new((f, _) => Task.FromResult(Request(method, Fill(path, f), body)), expected);

    /// <summary>A call that changes the document: each caller acts on a fresh processed document (or a failed one).</summary>
    private static Case Change(HttpMethod method, string path, object? body, bool failedDocument, params int[] expected) =>
        new(async (f, caller) =>
        {
            var id = failedDocument ? f.FreshFailed() : f.FreshProcessed();
            var owner = f.Callers["owner"];
            var request = Request(method, path.Replace("{document}", id.ToString()).Replace("{document_job}",
                (await owner.GetJsonAsync($"/api/v1/documents/{id}")).GetProperty("current_job").Str("id")), body);
            if (method == HttpMethod.Put) request.Headers.TryAddWithoutValidation("If-Match", await owner.ETagAsync(id));
            return request;
        }, expected);

    private static HttpRequestMessage Request(HttpMethod method, string path, object? body)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = JsonContent.Create(body);
        return request;
    }

    private static string Fill(string path, OwnershipFixture f) => path
        .Replace("{processed}", f.Processed.ToString()).Replace("{finalized}", f.Finalized.ToString())
        .Replace("{job}", f.Job.ToString()).Replace("{export}", f.Export.ToString()).Replace("{other_user}", f.Other.Id.ToString());

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["GET /health"] = Read("/api/v1/health", 200, 200, 200, 200, 200),
        ["GET /auth/me"] = Read("/api/v1/auth/me", 200, 200, 200, 200, 401),
        ["POST /documents"] = new((_, _) => Task.FromResult(new HttpRequestMessage(HttpMethod.Post, "/api/v1/documents")
            { Content = ApiClient.Files(ApiClient.TextFile("mine.txt", "Uploaded by whoever calls.")) }), [201, 201, 201, 201, 401]),
        ["POST /documents/upload"] = new((_, _) => Task.FromResult(new HttpRequestMessage(HttpMethod.Post, "/api/v1/documents/upload")
            { Content = ApiClient.Files(ApiClient.TextFile("mine.txt", "Uploaded by whoever calls.")) }), [201, 201, 201, 201, 401]),
        ["GET /documents"] = Read("/api/v1/documents", 200, 200, 200, 200, 401),
        ["GET /documents/{id}"] = Read("/api/v1/documents/{processed}", 200, 404, 200, 200, 401),
        ["GET /documents/{id}/status"] = Read("/api/v1/documents/{processed}/status", 200, 404, 200, 200, 401),
        ["GET /documents/{id}/result"] = Read("/api/v1/documents/{processed}/result", 200, 404, 200, 200, 401),
        ["GET /documents/{id}/file"] = Read("/api/v1/documents/{processed}/file", 200, 404, 200, 200, 401),
        ["GET /documents/{id}/stream"] = Read("/api/v1/documents/{processed}/stream", 200, 404, 200, 200, 401),
        ["GET /documents/{id}/audit"] = Read("/api/v1/documents/{processed}/audit", 200, 404, 200, 200, 401),
        ["DELETE /documents/{id}"] = Change(HttpMethod.Delete, "/api/v1/documents/{document}", null, false, 204, 404, 403, 204, 401),
        ["PUT /documents/{id}/review"] = Change(HttpMethod.Put, "/api/v1/documents/{document}/review",
            new { fields = new Dictionary<string, string> { ["total"] = "10.00" } }, false, 200, 404, 200, 200, 401),
        ["POST /documents/{id}/finalize"] = Change(HttpMethod.Post, "/api/v1/documents/{document}/finalize", null, false, 200, 404, 200, 200, 401),
        ["GET /review/pending"] = Read("/api/v1/review/pending", 200, 200, 200, 200, 401),
        ["POST /review/{id}/approve"] = Change(HttpMethod.Post, "/api/v1/review/{document}/approve", null, false, 200, 404, 200, 200, 401),
        ["POST /review/{id}/reject"] = Change(HttpMethod.Post, "/api/v1/review/{document}/reject", new { reason = "no" }, false, 200, 404, 200, 200, 401),
        ["POST /review/{id}/reprocess"] = Change(HttpMethod.Post, "/api/v1/review/{document}/reprocess", null, false, 202, 404, 202, 202, 401),
        ["GET /jobs"] = Read("/api/v1/jobs", 200, 200, 200, 200, 401),
        ["GET /jobs/{id}"] = Read("/api/v1/jobs/{job}", 200, 404, 200, 200, 401),
        ["GET /jobs/{id}/events"] = Read("/api/v1/jobs/{job}/events", 200, 404, 200, 200, 401),
        ["GET /jobs/{id}/stream"] = Read("/api/v1/jobs/{job}/stream", 200, 404, 200, 200, 401),
        ["POST /jobs/{id}/retry"] = Change(HttpMethod.Post, "/api/v1/jobs/{document_job}/retry", null, true, 202, 404, 202, 202, 401),
        // The job has finished: whoever may act on it hears that there is nothing to cancel.
        ["POST /jobs/{id}/cancel"] = Send(HttpMethod.Post, "/api/v1/jobs/{job}/cancel", null, 409, 404, 409, 409, 401),
        ["GET /documents/{id}/export/json"] = Read("/api/v1/documents/{finalized}/export/json", 200, 404, 200, 200, 401),
        ["GET /documents/{id}/export/csv"] = Read("/api/v1/documents/{finalized}/export/csv", 200, 404, 200, 200, 401),
        ["POST /export/json"] = Send(HttpMethod.Post, "/api/v1/export/json", new { }, 201, 201, 201, 201, 401),
        ["POST /export/csv"] = Send(HttpMethod.Post, "/api/v1/export/csv", new { }, 201, 201, 201, 201, 401),
        ["GET /export"] = Read("/api/v1/export?format=csv", 200, 200, 200, 200, 401),
        ["GET /exports"] = Read("/api/v1/exports", 200, 200, 200, 200, 401),
        // Exports are their creator's: a reviewer reviews documents, not other people's downloads.
        ["GET /export/{id}/download"] = Read("/api/v1/export/{export}/download", 200, 404, 404, 200, 401),
        ["GET /admin/failed-jobs"] = Read("/api/v1/admin/failed-jobs", 403, 403, 403, 200, 401),
        ["POST /admin/failed-jobs/{id}/requeue"] = Change(HttpMethod.Post, "/api/v1/admin/failed-jobs/{document_job}/requeue", null, true,
            403, 403, 403, 202, 401),
        ["GET /admin/stats"] = Read("/api/v1/admin/stats", 403, 403, 403, 200, 401),
        ["GET /admin/audit"] = Read("/api/v1/admin/audit", 403, 403, 403, 200, 401),
        ["GET /admin/users"] = Read("/api/v1/admin/users", 403, 403, 403, 200, 401),
        ["POST /admin/users"] = new((_, _) => Task.FromResult(Request(HttpMethod.Post, "/api/v1/admin/users",
            new { email = $"new-{Guid.NewGuid():N}@test.docket", password = "a fine long password", role = "reviewer" })), [403, 403, 403, 201, 401]),
        ["PATCH /admin/users/{id}"] = Send(HttpMethod.Patch, "/api/v1/admin/users/{other_user}", new { display_name = "Renamed" },
            403, 403, 403, 200, 401),
    };

    public static TheoryData<string> Endpoints => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task EveryCaller_GetsTheStatusTheirRoleAndOwnershipAllow(string endpoint)
    {
        var @case = Cases[endpoint];
        var wrong = new List<string>();
        for (var i = 0; i < Order.Length; i++)
        {
            var caller = Order[i];
            using var request = await @case.Request(fixture, caller);
            using var response = await fixture.Callers[caller].SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            if ((int)response.StatusCode != @case.Expected[i])
                wrong.Add($"{caller}: expected {@case.Expected[i]}, got {(int)response.StatusCode} {body[..Math.Min(body.Length, 300)]}");
            else if (@case.Expected[i] >= 400)
                await response.AssertErrorAsync(response.StatusCode, ErrorCode(@case.Expected[i], body));
        }
        Assert.True(wrong.Count == 0, $"{endpoint}:\n{string.Join("\n", wrong)}");
    }

    /// <summary>Refusals name why in the envelope; the code for each status is fixed.</summary>
    private static string ErrorCode(int status, string body) => status switch
    {
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        409 => body.Contains("invalid_transition", StringComparison.Ordinal) ? "invalid_transition" : "not_retryable",
        _ => throw new InvalidOperationException($"No code known for {status}."),
    };

    [Fact]
    public async Task Lists_ShowAnotherUsersDocumentsJobsAndExports_OnlyToReviewersAndAdmins()
    {
        async Task<bool> Sees(string caller, string path, Guid id) =>
            (await fixture.Callers[caller].GetJsonAsync(path)).GetProperty("items").EnumerateArray().Any(i => i.Guid("id") == id);

        foreach (var (caller, seesDocuments, seesExports) in new[] { ("owner", true, true), ("other", false, false), ("reviewer", true, false), ("admin", true, true) })
        {
            Assert.Equal(seesDocuments, await Sees(caller, "/api/v1/documents?page_size=200", fixture.Processed));
            Assert.Equal(seesDocuments, await Sees(caller, "/api/v1/jobs?page_size=200", fixture.Job));
            Assert.Equal(seesExports, await Sees(caller, "/api/v1/exports?page_size=200", fixture.Export));
        }
    }
}
