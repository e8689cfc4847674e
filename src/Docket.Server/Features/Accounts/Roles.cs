namespace Docket.Server.Features.Accounts;

/// <summary>
/// A user works on their own documents; a reviewer reviews everyone's; an admin may do everything,
/// and alone sees operations (dead letters, statistics), every export, and the accounts.
/// </summary>
public static class Roles
{
    public const string User = "user";
    public const string Reviewer = "reviewer";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [User, Reviewer, Admin];

    /// <summary>The authorization policy of admin-only endpoints.</summary>
    public const string AdminPolicy = "admin";
}
