using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Docket.Data.Sqlite;

/// <summary>Gives EF Core's connections the same per-connection settings as the writer's.</summary>
public sealed class SqlitePragmas : DbConnectionInterceptor
{
    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = SqliteDatabase.ConnectionPragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = SqliteDatabase.ConnectionPragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
