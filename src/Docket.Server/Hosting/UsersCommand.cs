using System.CommandLine;
using System.Security.Cryptography;
using Docket.Data;
using Docket.Server.Features.Accounts;
using Microsoft.Extensions.Options;

namespace Docket.Server.Hosting;

/// <summary>
/// `docket users create EMAIL [--admin | --role ROLE]` and `docket users set-password EMAIL`, run on
/// the server against its database: how the first admin is made without the web, and how a lost
/// password is reset. The password comes from --password-stdin, DOCKET_PASSWORD, a prompt, or is
/// generated and printed.
/// </summary>
internal static class UsersCommand
{
    public static Command Create()
    {
        var email = new Argument<string>("email") { Description = "The account's email address" };
        var admin = new Option<bool>("--admin") { Description = "Make the account an admin (same as --role admin)" };
        var role = new Option<string?>("--role") { Description = "user (default), reviewer or admin" };
        var name = new Option<string?>("--name") { Description = "Display name (default: the part of the address before @)" };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from the first line of standard input" };

        var create = new Command("create", "Create an account") { email, admin, role, name, passwordStdin };
        create.TreatUnmatchedTokensAsErrors = false;
        create.SetAction(async (parse, cancellationToken) =>
        {
            var chosenRole = parse.GetValue(admin) ? Roles.Admin : parse.GetValue(role) ?? Roles.User;
            var (password, generated) = ReadPassword(parse.GetValue(passwordStdin));
            using var host = BuildHost(parse.UnmatchedTokens);
            using var scope = host.Services.CreateScope();
            var accounts = scope.ServiceProvider.GetRequiredService<UserAccounts>();
            switch (await accounts.CreateAsync(parse.GetValue(email), password, parse.GetValue(name), chosenRole, cancellationToken))
            {
                case CreateUserOutcome.Created created:
                    Console.WriteLine($"Created {created.User.Role} account {created.User.Email}.");
                    if (generated) Console.WriteLine($"Its password: {password}");
                    return 0;
                case CreateUserOutcome.EmailTaken:
                    Console.Error.WriteLine("An account with this email address exists already; `docket users set-password` changes its password.");
                    return 1;
                case CreateUserOutcome.Invalid invalid:
                    foreach (var (field, problem) in invalid.Problems) Console.Error.WriteLine($"{field}: {problem}");
                    return 2;
                default:
                    return 1;
            }
        });

        var setPassword = new Command("set-password", "Set an account's password, lift any lockout, and sign it out everywhere") { email, passwordStdin };
        setPassword.TreatUnmatchedTokensAsErrors = false;
        setPassword.SetAction(async (parse, cancellationToken) =>
        {
            var (password, generated) = ReadPassword(parse.GetValue(passwordStdin));
            if (UserAccounts.ValidatePassword(password) is { } problem)
            {
                Console.Error.WriteLine($"password: {problem}");
                return 2;
            }
            using var host = BuildHost(parse.UnmatchedTokens);
            using var scope = host.Services.CreateScope();
            var accounts = scope.ServiceProvider.GetRequiredService<UserAccounts>();
            if (await accounts.FindByEmailAsync(parse.GetValue(email)!, cancellationToken) is not { } user)
            {
                Console.Error.WriteLine("There is no account with this email address; `docket users create` makes one.");
                return 1;
            }
            await accounts.SetPasswordAsync(user.Id, password, cancellationToken);
            await scope.ServiceProvider.GetRequiredService<SessionStore>().RevokeAllAsync(user.Id, "password_changed", cancellationToken);
            if (user.Email == AccountsStartup.GeneratedAdminEmail)
                File.Delete(AccountsStartup.PasswordFile(host.Services.GetRequiredService<IOptions<DocketOptions>>().Value));
            Console.WriteLine($"Set the password of {user.Email}.");
            if (generated) Console.WriteLine($"Its password: {password}");
            return 0;
        });

        return new Command("users", "Manage accounts in the database (run where the server's configuration is)") { create, setPassword };
    }

    private static IHost BuildHost(IReadOnlyList<string> args)
    {
        var host = DocketHost.BuildTool([.. args]);
        host.Services.GetRequiredService<DatabaseMigrator>().Migrate();
        return host;
    }

    private static (string Password, bool Generated) ReadPassword(bool fromStdin)
    {
        if (fromStdin) return (Console.In.ReadLine() ?? "", false);
        if (Environment.GetEnvironmentVariable("DOCKET_PASSWORD") is { Length: > 0 } fromEnvironment) return (fromEnvironment, false);
        if (!Console.IsInputRedirected)
        {
            Console.Write("Password (empty: generate one): ");
            var typed = ReadHidden();
            if (typed.Length > 0) return (typed, false);
        }
        return (Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_'), true);
    }

    private static string ReadHidden()
    {
        var text = new System.Text.StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter) break;
            if (key.Key == ConsoleKey.Backspace)
            {
                if (text.Length > 0) text.Length--;
                continue;
            }
            if (!char.IsControl(key.KeyChar)) text.Append(key.KeyChar);
        }
        Console.WriteLine();
        return text.ToString();
    }
}
