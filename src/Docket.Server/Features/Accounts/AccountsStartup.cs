using System.Security.Cryptography;
using Docket.Data;
using Docket.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Docket.Server.Features.Accounts;

/// <summary>
/// At start-up, after the migrations: loads the token signing key and, when no account can sign in
/// yet, creates the first admin: from Auth:Admin:Email and Auth:Admin:Password when set, otherwise
/// admin@docket.local with a random password that is logged once and kept in the data folder's
/// <see cref="PasswordFileName"/> (owner-readable only) until it is changed.
/// </summary>
public sealed class AccountsStartup(
    AccessTokens tokens, IServiceScopeFactory scopes, IOptions<AuthOptions> auth, IOptions<DocketOptions> data,
    IConfiguration configuration, ILogger<AccountsStartup> log) : IHostedService
{
    public const string GeneratedAdminEmail = "admin@docket.local";
    public const string PasswordFileName = "initial-admin-password";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await tokens.LoadKeyAsync(cancellationToken);
        await CreateFirstAdminAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public static string PasswordFile(DocketOptions data) => Path.Combine(data.DataDirectory, PasswordFileName);

    private async Task CreateFirstAdminAsync(CancellationToken cancellationToken)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<DocketDbContext>();
        var passwordFile = PasswordFile(data.Value);
        if (await db.Users.AnyAsync(u => u.PasswordHash != null, cancellationToken))
        {
            log.LogInformation(File.Exists(passwordFile)
                ? $"Sign in as {GeneratedAdminEmail} with the password in {passwordFile}, or with any account (`docket users create EMAIL --admin` adds one)."
                : "Sign in with your account; `docket users create EMAIL --admin` adds one.");
            return;
        }

        var admin = auth.Value.Admin;
        var configured = admin.Email is { Length: > 0 };
        var email = configured ? admin.Email! : GeneratedAdminEmail;
        var password = configured ? admin.Password! : RandomPassword();
        var accounts = scope.ServiceProvider.GetRequiredService<UserAccounts>();
        switch (await accounts.CreateAsync(email, password, admin.DisplayName ?? "Administrator", Roles.Admin, cancellationToken))
        {
            case CreateUserOutcome.Created when configured:
                log.LogInformation("Created the first admin, {Email}, from Auth:Admin.", UserAccounts.NormaliseEmail(email));
                break;
            case CreateUserOutcome.Created:
                WriteOwnerOnly(passwordFile, password + "\n");
                var url = (configuration["urls"] ?? "http://localhost:5000").Split(';')[0].TrimEnd('/');
                log.LogWarning("{Banner}", $"""
                    First start: sign in as {GeneratedAdminEmail} with the password {password}
                      (kept in {passwordFile} until you change it with `docket users set-password {GeneratedAdminEmail}`)
                      curl -s -X POST -H 'Content-Type: application/json' -d '{"{"}"email":"{GeneratedAdminEmail}","password":"{password}"{"}"}' {url}/api/v1/auth/login
                    """);
                break;
            case CreateUserOutcome.EmailTaken:
                // Another node starting at the same moment created it.
                break;
            case CreateUserOutcome.Invalid invalid:
                throw new InvalidOperationException(
                    $"Auth:Admin is not a valid account: {string.Join("; ", invalid.Problems.Select(p => $"{p.Key}: {p.Value}"))}");
        }
    }

    private static string RandomPassword() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_');

    private static void WriteOwnerOnly(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var writer = new StreamWriter(new FileStream(path, options));
        writer.Write(text);
    }
}
