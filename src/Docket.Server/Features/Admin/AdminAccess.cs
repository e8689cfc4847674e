using Docket.Server.Features.Accounts;

namespace Docket.Server.Features.Admin;

/// <summary>
/// The one place that decides who may use the operations API: every admin endpoint is on the group
/// this is applied to. Today that is the admin role (signed in, 403 otherwise).
/// </summary>
public static class AdminAccess
{
    public static RouteGroupBuilder RequireAdmin(this RouteGroupBuilder group) => group.RequireAuthorization(Roles.AdminPolicy);
}
