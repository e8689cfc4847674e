using System.Security.Claims;
using Docket.Server.Features.Accounts;

namespace Docket.Server.Api;

/// <summary>
/// Who is asking, from the bearer token or the session cookie. Handlers take it as a parameter;
/// every endpoint that does requires a signed-in caller, so it is never missing there.
/// </summary>
public sealed record CurrentUser(Guid Id, string Role)
{
    /// <summary>Reviewers and admins act on every document and job; users on their own.</summary>
    public bool SeesEverything => Role is Roles.Reviewer or Roles.Admin;

    public bool IsAdmin => Role == Roles.Admin;

    /// <summary>Deleting is for the owner and admins: reviewing another person's document is not owning it.</summary>
    public bool MayDelete(Guid ownerId) => ownerId == Id || IsAdmin;

    public static CurrentUser? From(ClaimsPrincipal principal) =>
        principal.Identity?.IsAuthenticated == true
        && Guid.TryParse(principal.FindFirstValue(AccessTokens.SubjectClaim), out var id)
        && principal.FindFirstValue(AccessTokens.RoleClaim) is { } role && Roles.All.Contains(role)
            ? new CurrentUser(id, role)
            : null;

    /// <summary>Minimal APIs bind the parameter from the request's principal.</summary>
    public static ValueTask<CurrentUser?> BindAsync(HttpContext http) => ValueTask.FromResult(From(http.User));
}
