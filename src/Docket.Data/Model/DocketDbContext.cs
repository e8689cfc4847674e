using System.Text;
using Docket.Core.Documents;
using Docket.Core.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query.SqlExpressions;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Docket.Data.Model;

/// <summary>
/// EF Core over the tables the SQL migrations create (EF never creates or alters the schema).
/// Used for queries and low-volume writes; the queue's hot path is hand-written SQL in the job stores.
/// </summary>
public sealed class DocketDbContext(DbContextOptions<DocketDbContext> options) : DbContext(options)
{
    public DbSet<User> Users => Set<User>();
    public DbSet<Document> Documents => Set<Document>();
    public DbSet<Job> Jobs => Set<Job>();
    public DbSet<JobEventRecord> JobEvents => Set<JobEventRecord>();
    public DbSet<ResultVersion> Results => Set<ResultVersion>();
    public DbSet<DocumentContent> DocumentContents => Set<DocumentContent>();
    public DbSet<InvoiceKeys> InvoiceKeys => Set<InvoiceKeys>();
    public DbSet<InvoiceKeysBackfill> InvoiceKeysBackfill => Set<InvoiceKeysBackfill>();
    public DbSet<Export> Exports => Set<Export>();
    public DbSet<ConsumedFile> ConsumedFiles => Set<ConsumedFile>();
    public DbSet<AuthSession> AuthSessions => Set<AuthSession>();
    public DbSet<RefreshToken> RefreshTokens => Set<RefreshToken>();
    public DbSet<SigningKey> SigningKeys => Set<SigningKey>();
    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();
    public DbSet<IdempotencyRecord> IdempotencyKeys => Set<IdempotencyRecord>();
    public DbSet<WorkerRecord> Workers => Set<WorkerRecord>();
    public DbSet<MaintenanceRun> MaintenanceRuns => Set<MaintenanceRun>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<User>().ToTable("users");
        model.Entity<Document>(document =>
        {
            document.ToTable("documents");
            document.Property(d => d.Version).IsConcurrencyToken();
            document.HasOne(d => d.CurrentResult).WithMany().HasForeignKey(d => d.CurrentResultId);
            document.HasOne(d => d.CurrentJob).WithMany().HasForeignKey(d => d.CurrentJobId);
        });
        model.Entity<Job>(job =>
        {
            job.ToTable("jobs");
            job.HasOne(j => j.Document).WithMany().HasForeignKey(j => j.DocumentId);
        });
        model.Entity<JobEventRecord>().ToTable("job_events");
        model.Entity<ResultVersion>().ToTable("document_results");
        model.Entity<DocumentContent>(content =>
        {
            content.ToTable("document_contents");
            content.HasKey(c => c.DocumentId);
        });
        model.Entity<InvoiceKeys>(keys =>
        {
            keys.ToTable("invoice_keys");
            keys.HasKey(k => k.DocumentId);
        });
        model.Entity<InvoiceKeysBackfill>(backfill =>
        {
            backfill.ToTable("invoice_keys_backfill");
            backfill.HasKey(b => b.DocumentId);
        });
        model.Entity<Export>().ToTable("exports");
        model.Entity<ConsumedFile>(consumed =>
        {
            consumed.ToTable("consumed_files");
            consumed.HasKey(c => c.Sha256);
        });
        model.Entity<AuthSession>(session =>
        {
            session.ToTable("auth_sessions");
            session.HasOne(s => s.User).WithMany().HasForeignKey(s => s.UserId);
        });
        model.Entity<RefreshToken>(token =>
        {
            token.ToTable("refresh_tokens");
            token.HasKey(t => t.TokenHash);
            token.HasOne(t => t.Session).WithMany().HasForeignKey(t => t.SessionId);
        });
        model.Entity<SigningKey>().ToTable("signing_keys");
        model.Entity<AuditEvent>().ToTable("audit_events");
        model.Entity<IdempotencyRecord>(record =>
        {
            record.ToTable("idempotency_keys");
            record.HasKey(r => new { r.UserId, r.IdempotencyKey });
        });
        model.Entity<WorkerRecord>().ToTable("workers");
        model.Entity<MaintenanceRun>(run =>
        {
            run.ToTable("maintenance_runs");
            run.HasKey(r => r.Task);
        });

        foreach (var entity in model.Model.GetEntityTypes())
            foreach (var property in entity.GetProperties())
                property.SetColumnName(SnakeCase(property.Name));

        var documentStatus = new ValueConverter<DocumentStatus, string>(s => Wire.Name(s), s => Wire.ParseDocumentStatus(s));
        var jobState = new ValueConverter<JobState, string>(s => Wire.Name(s), s => Wire.ParseJobState(s));
        model.Entity<Document>().Property(d => d.Status).HasConversion(documentStatus);
        model.Entity<Job>().Property(j => j.State).HasConversion(jobState);

        if (Database.IsSqlite()) UseSqliteStorageFormats(model);
        MapTextSearchFold(model, lowerCase: !Database.IsSqlite());
    }

    private static void MapTextSearchFold(ModelBuilder model, bool lowerCase) =>
        model.HasDbFunction(typeof(TextSearch).GetMethod(nameof(TextSearch.Fold))!).HasTranslation(arguments => lowerCase
            ? new SqlFunctionExpression("lower", arguments, nullable: true, argumentsPropagateNullability: [true], typeof(string),
                arguments[0].TypeMapping)
            : arguments[0]);

    /// <summary>The SQLite schema stores ids as lower-case text and instants as epoch milliseconds (sortable, compact).</summary>
    private static void UseSqliteStorageFormats(ModelBuilder model)
    {
        var guid = new ValueConverter<Guid, string>(g => g.ToString("D"), s => Guid.Parse(s));
        var instant = new ValueConverter<DateTimeOffset, long>(
            t => t.ToUnixTimeMilliseconds(), ms => DateTimeOffset.FromUnixTimeMilliseconds(ms));
        foreach (var entity in model.Model.GetEntityTypes())
            foreach (var property in entity.GetProperties())
            {
                var type = Nullable.GetUnderlyingType(property.ClrType) ?? property.ClrType;
                if (type == typeof(Guid)) property.SetValueConverter(guid);
                else if (type == typeof(DateTimeOffset)) property.SetValueConverter(instant);
            }
    }

    private static string SnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0) builder.Append('_');
            builder.Append(char.ToLowerInvariant(name[i]));
        }
        return builder.ToString();
    }
}
