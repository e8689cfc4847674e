using Docket.Data;

namespace Docket.Server.Api;

/// <summary>
/// Who is asking. Until accounts exist every request acts as the one default user; every query
/// already filters by <see cref="Id"/>, so real ownership checks slot in here.
/// </summary>
public sealed class CurrentUser
{
    public Guid Id { get; } = DataServices.DefaultUserId;

    /// <summary>Reviewers and admins may act on every document.</summary>
    public bool SeesEverything => false;
}
