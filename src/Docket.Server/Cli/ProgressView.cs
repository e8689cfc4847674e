using Spectre.Console;

namespace Docket.Server.Cli;

/// <summary>
/// Shows documents moving through the pipeline: live progress bars on a terminal, one plain line per change
/// otherwise (Spectre.Console draws nothing when the output is not interactive, and logs want lines anyway).
/// </summary>
public static class ProgressView
{
    public static bool IsInteractive =>
        !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive && Environment.GetEnvironmentVariable("TERM") is not (null or "dumb");

    /// <summary>Runs <paramref name="follow"/> for every item with a way to report progress, and waits for all.</summary>
    public static async Task RunAsync<T>(IReadOnlyList<(string Label, T Item)> items, Func<T, Action<int, string>, Task> follow)
    {
        if (IsInteractive)
        {
            await AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .StartAsync(async context =>
                {
                    var tasks = items.Select(item => (item.Item, Label: Shorten(item.Label), Task: context.AddTask(Markup.Escape(Shorten(item.Label)), maxValue: 100)))
                        .ToList();
                    await Task.WhenAll(tasks.Select(entry => follow(entry.Item, (percent, status) =>
                    {
                        entry.Task.Value = percent;
                        entry.Task.Description = Markup.Escape($"{entry.Label}  {status}");
                        if (status is "processed" or "failed" or "cancelled" or "finalized" or "rejected") entry.Task.StopTask();
                    })));
                });
            return;
        }

        var gate = new Lock();
        await Task.WhenAll(items.Select(item =>
        {
            string? last = null;
            return follow(item.Item, (percent, status) =>
            {
                var line = $"{item.Label}: {status} {percent}%";
                lock (gate)
                {
                    if (line == last) return;
                    last = line;
                    Console.Out.WriteLine(line);
                }
            });
        }));
    }

    /// <summary>Long paths would push the bar and percentage off a narrow terminal; the end of a path names the file.</summary>
    private static string Shorten(string label, int width = 40) => label.Length <= width ? label : "…" + label[^(width - 1)..];
}
