using Docket.Data.Model;
using Docket.Server.Api;
using Docket.Server.Features.Documents;
using Microsoft.EntityFrameworkCore;

namespace Docket.Server.Features.Accounts;

public sealed record CreateUserRequest(string? Email, string? Password, string? DisplayName, string? Role);

/// <summary>Only what is sent changes. <c>unlock: true</c> lifts a lockout.</summary>
public sealed record UpdateUserRequest(string? Role, string? DisplayName, string? Password, bool? Unlock);

public sealed record AccountView(
    Guid Id, string Email, string DisplayName, string Role, DateTimeOffset CreatedAt, bool CanSignIn, int FailedLogins,
    DateTimeOffset? LockedUntil)
{
    public static AccountView From(User user) => new(user.Id, user.Email, user.DisplayName, user.Role, user.CreatedAt,
        user.PasswordHash is not null, user.FailedLogins, user.LockedUntil);
}

/// <summary>Accounts, for admins: list, create with any role, change role, name or password, unlock.</summary>
public static class UsersApi
{
    public static IEndpointRouteBuilder MapUsersApi(this IEndpointRouteBuilder routes)
    {
        var users = routes.MapGroup("/api/v1/admin/users").WithTags("Admin").RequireAuthorization(Roles.AdminPolicy);
        users.MapGet("/", List).Produces<Paged<AccountView>>().Errors(400, 401, 403).WithName("ListUsers").WithSummary("Accounts; q searches email and name");
        users.MapPost("/", Create).Produces<AccountView>(201).Errors(400, 401, 403, 409).WithName("CreateUser");
        users.MapPatch("/{id:guid}", Update).Produces<AccountView>().Errors(400, 401, 403, 404, 409).WithName("UpdateUser")
            .WithSummary("Change role, name or password (which signs the user out everywhere), or lift a lockout");
        return routes;
    }

    private static async Task<IResult> List(HttpContext http, DocketDbContext db, string? q, int? page, int? page_size,
        CancellationToken cancellationToken)
    {
        var problems = new Dictionary<string, string>();
        var pageRequest = PageRequest.Read(page, page_size, 50, problems);
        if (problems.Count > 0) return PageRequest.Invalid(http, problems);
        var query = db.Users.AsQueryable();
        if (q is { Length: > 0 })
        {
            var pattern = TextSearch.ContainsPattern(q);
            query = query.Where(u => EF.Functions.Like(TextSearch.Fold(u.Email), TextSearch.Fold(pattern), TextSearch.Escape)
                || EF.Functions.Like(TextSearch.Fold(u.DisplayName), TextSearch.Fold(pattern), TextSearch.Escape));
        }
        var total = await query.CountAsync(cancellationToken);
        var users = await query.OrderBy(u => u.Email).Skip(pageRequest.Skip).Take(pageRequest.Size).ToListAsync(cancellationToken);
        return TypedResults.Ok(pageRequest.Of(users.Select(AccountView.From).ToList(), total));
    }

    private static async Task<IResult> Create(HttpContext http, CreateUserRequest? request, UserAccounts accounts,
        CancellationToken cancellationToken) =>
        await accounts.CreateAsync(request?.Email, request?.Password, request?.DisplayName, request?.Role ?? Roles.User, cancellationToken) switch
        {
            CreateUserOutcome.Created created => TypedResults.Created($"/api/v1/admin/users/{created.User.Id}", AccountView.From(created.User)),
            CreateUserOutcome.EmailTaken => ApiErrors.Conflict(http, "email_taken", "An account with this email address exists already."),
            CreateUserOutcome.Invalid invalid => ApiErrors.BadRequest(http, "invalid_user", "Some details are not valid.", invalid.Problems),
            _ => throw new InvalidOperationException("Unknown outcome."),
        };

    private static async Task<IResult> Update(HttpContext http, Guid id, UpdateUserRequest? request, DocketDbContext db,
        UserAccounts accounts, SessionStore sessions, CancellationToken cancellationToken)
    {
        if (await accounts.FindAsync(id, cancellationToken) is not { } user) return ApiErrors.NotFound(http, "user", id);
        request ??= new UpdateUserRequest(null, null, null, null);
        var problems = new Dictionary<string, string>();
        if (request.Password is not null && UserAccounts.ValidatePassword(request.Password) is { } passwordProblem) problems["password"] = passwordProblem;
        if (UserAccounts.ValidateDisplayName(request.DisplayName) is { } nameProblem) problems["display_name"] = nameProblem;
        if (request.Role is not null && !Roles.All.Contains(request.Role)) problems["role"] = $"One of {string.Join(", ", Roles.All)}.";
        if (problems.Count > 0) return ApiErrors.BadRequest(http, "invalid_user", "Some details are not valid.", problems);

        if (request.Role is { } role && role != user.Role)
        {
            // Check-then-act: two admins demoting each other at once could both pass; rare enough, and
            // `docket users create --admin` on the server restores an admin.
            if (user.Role == Roles.Admin && await db.Users.CountAsync(u => u.Role == Roles.Admin && u.PasswordHash != null, cancellationToken) <= 1)
                return ApiErrors.Conflict(http, "last_admin", "This is the last admin; make another admin first.");
            await db.Users.Where(u => u.Id == id).ExecuteUpdateAsync(set => set.SetProperty(u => u.Role, role), cancellationToken);
        }
        if (!string.IsNullOrWhiteSpace(request.DisplayName))
            await db.Users.Where(u => u.Id == id).ExecuteUpdateAsync(set => set.SetProperty(u => u.DisplayName, request.DisplayName.Trim()), cancellationToken);
        if (request.Password is { } password)
        {
            await accounts.SetPasswordAsync(id, password, cancellationToken);
            await sessions.RevokeAllAsync(id, "password_changed", cancellationToken);
        }
        else if (request.Unlock == true)
            await db.Users.Where(u => u.Id == id).ExecuteUpdateAsync(set => set
                .SetProperty(u => u.FailedLogins, 0).SetProperty(u => u.LockedUntil, (DateTimeOffset?)null), cancellationToken);
        return TypedResults.Ok(AccountView.From((await accounts.FindAsync(id, cancellationToken))!));
    }
}
