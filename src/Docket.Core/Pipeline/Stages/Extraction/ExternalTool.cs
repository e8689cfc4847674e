using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace Docket.Core.Pipeline.Stages.Extraction;

/// <summary>What a finished external program left behind.</summary>
/// <param name="Stderr">At most <see cref="ExternalTool.MaxStderrChars"/> characters, for error messages.</param>
public sealed record ToolResult(int ExitCode, byte[] Stdout, string Stderr)
{
    private static readonly string[] OutOfMemorySigns =
        ["out of memory", "bad_alloc", "malloc fail", "cannot allocate memory", "memory exhausted", "failed to map segment"];

    /// <summary>
    /// The program could not get the memory it wanted, almost always because of the address-space
    /// cap it runs under. Read from stderr because tools say so in their own words and do not all
    /// fail for it: pdftoppm prints "Out of memory" and still exits 0 with a blank page.
    /// </summary>
    public bool RanOutOfMemory => OutOfMemorySigns.Any(sign => Stderr.Contains(sign, StringComparison.OrdinalIgnoreCase));
}

/// <summary>
/// The tool could not be run or did not finish. Not an <see cref="UnprocessableDocumentException"/>:
/// a missing program is a deployment problem, so the job should stay visible and be retried.
/// </summary>
public class ExternalToolException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The tool wrote more than the caller accepts; it was killed.</summary>
public sealed class ToolOutputTooLargeException(string message) : ExternalToolException(message);

/// <summary>
/// Runs a program (pdftotext, tesseract, ...) on a document. Arguments go through
/// <see cref="ProcessStartInfo.ArgumentList"/>, never a shell string, so a file name cannot
/// inject anything. Guarantee: when this method returns or throws, the program and everything it
/// started have exited or been sent SIGKILL; a hung or runaway tool cannot outlive the job.
/// Every program runs under util-linux's <c>prlimit --as</c>: a document that makes a tool
/// allocate without bound ends that tool with an allocation failure, not the machine.
/// </summary>
public static class ExternalTool
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    public const int DefaultMaxStdoutBytes = 20 * 1024 * 1024;

    /// <summary>
    /// Address space, not resident memory: shared libraries and untouched reservations count too.
    /// tesseract with three languages needs 500-700 MB of it for a 50-megapixel colour JPEG (the
    /// largest image OCR accepts by default) and about 300 MB for a greyscale page of that size.
    /// </summary>
    public const long DefaultMemoryLimitBytes = 1024L * 1024 * 1024;

    /// <summary>Enough for any diagnostic; beyond it stderr is read and dropped so the tool never blocks on a full pipe.</summary>
    public const int MaxStderrChars = 64 * 1024;

    /// <param name="memoryLimitBytes">The program's address-space cap (RLIMIT_AS); see <see cref="ToolResult.RanOutOfMemory"/>.</param>
    /// <param name="environment">Variables set for the program on top of this process's own.</param>
    /// <param name="onStdout">Sees each piece of stdout as it arrives (tesseract ends each page with a form feed, for progress).</param>
    /// <exception cref="ExternalToolException">The program is missing or could not be started.</exception>
    /// <exception cref="ToolOutputTooLargeException">Stdout exceeded <paramref name="maxStdoutBytes"/>.</exception>
    /// <exception cref="TimeoutException">The program ran longer than <paramref name="timeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled.</exception>
    public static async Task<ToolResult> RunAsync(
        string program,
        IEnumerable<string> arguments,
        CancellationToken ct,
        TimeSpan? timeout = null,
        int maxStdoutBytes = DefaultMaxStdoutBytes,
        long memoryLimitBytes = DefaultMemoryLimitBytes,
        IReadOnlyDictionary<string, string>? environment = null,
        Action<ReadOnlyMemory<byte>>? onStdout = null)
    {
        ct.ThrowIfCancellationRequested();
        // The gate in force when this call began is the one released, even if the limit changes meanwhile.
        using var turn = await s_gate.EnterAsync(ct);
        return await RunNowAsync(program, arguments, ct, timeout, maxStdoutBytes, memoryLimitBytes, environment, onStdout);
    }

    /// <summary>How many programs may run at once; see <see cref="LimitConcurrency"/>.</summary>
    public static int ConcurrencyLimit => s_gate.Limit;

    /// <summary>
    /// How many programs this process runs at once, over all its jobs (one per core by default); the rest wait
    /// their turn, and their timeout starts when they do. The programs are where a job's CPU goes, so this keeps
    /// a worker from running more of them than there are cores, also when one job runs several (a long PDF is
    /// read in page ranges side by side, pdfdetach runs beside pdftotext).
    /// </summary>
    public static void LimitConcurrency(int processes)
    {
        if (processes != s_gate.Limit) s_gate = new ToolGate(processes);
    }

    private static volatile ToolGate s_gate = new(Environment.ProcessorCount);

    private static async Task<ToolResult> RunNowAsync(
        string program,
        IEnumerable<string> arguments,
        CancellationToken ct,
        TimeSpan? timeout,
        int maxStdoutBytes,
        long memoryLimitBytes,
        IReadOnlyDictionary<string, string>? environment,
        Action<ReadOnlyMemory<byte>>? onStdout)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(memoryLimitBytes);
        var limit = timeout ?? DefaultTimeout;

        // prlimit sets the limit on itself and then execs the program, so the process started here
        // is the program (same pid, same tree to kill). Resolving the program first keeps "not
        // installed" a clear error of ours instead of an exit code of prlimit's.
        var executable = FindOnPath(program)
            ?? throw new ExternalToolException($"The program '{program}' could not be found. Is it installed and on PATH?");
        var prlimit = FindOnPath("prlimit")
            ?? throw new ExternalToolException("The program 'prlimit' (util-linux) could not be found; external tools run under its memory cap.");

        var startInfo = new ProcessStartInfo(prlimit)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
            StandardErrorEncoding = Encoding.UTF8,
        };
        startInfo.ArgumentList.Add(FormattableString.Invariant($"--as={memoryLimitBytes}"));
        startInfo.ArgumentList.Add("--");
        startInfo.ArgumentList.Add(executable);
        foreach (var argument in arguments) startInfo.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) startInfo.Environment[name] = value;

        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            throw new ExternalToolException(
                $"The program '{program}' could not be started through prlimit ({ex.Message}).", ex);
        }

        // A tool that waits for input must see end-of-file, not hang until the timeout.
        process.StandardInput.Close();

        var timedOut = false;
        var overflowed = false;
        using var timeoutSource = new CancellationTokenSource(limit);
        using var onTimeout = timeoutSource.Token.Register(() => { timedOut = true; Kill(process); });
        using var onCancel = ct.Register(() => Kill(process));

        // A failing observer stops the tool too: nobody would read the rest of its output.
        Action<ReadOnlyMemory<byte>>? observe = onStdout is null ? null : chunk =>
        {
            try
            {
                onStdout(chunk);
            }
            catch
            {
                Kill(process);
                throw;
            }
        };

        // Killing the process tree closes the pipes, so both reads end without a token of their own.
        var stdout = ReadCappedAsync(process.StandardOutput.BaseStream, maxStdoutBytes, observe, () => { overflowed = true; Kill(process); });
        var stderr = ReadStderrAsync(process.StandardError);
        await Task.WhenAll(stdout, stderr);
        await process.WaitForExitAsync(CancellationToken.None);

        ct.ThrowIfCancellationRequested();
        if (overflowed)
            throw new ToolOutputTooLargeException($"'{program}' wrote more than {maxStdoutBytes:N0} bytes and was stopped.");
        if (timedOut)
            throw new TimeoutException($"'{program}' did not finish within {limit.TotalSeconds:0.###} s and was stopped.");

        return new ToolResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The full path of <paramref name="program"/> as the shell would find it, or null.</summary>
    public static string? FindOnPath(string program)
    {
        if (program.Contains('/')) return File.Exists(program) ? Path.GetFullPath(program) : null;
        var path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin";
        foreach (var folder in path.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, program);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited on its own between the check and the kill: nothing left to stop.
        }
    }

    private static async Task<byte[]> ReadCappedAsync(Stream stream, int maxBytes, Action<ReadOnlyMemory<byte>>? onChunk, Action onOverflow)
    {
        using var output = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            if (output.Length + read > maxBytes)
            {
                onOverflow();
                return [];
            }

            output.Write(buffer, 0, read);
            onChunk?.Invoke(buffer.AsMemory(0, read));
        }

        return output.ToArray();
    }

    private static async Task<string> ReadStderrAsync(StreamReader reader)
    {
        var text = new StringBuilder();
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            var room = MaxStderrChars - text.Length;
            if (room > 0) text.Append(buffer, 0, Math.Min(room, read));
        }

        return text.ToString();
    }
}

/// <summary>At most <see cref="Limit"/> holders at once; the rest wait in <see cref="EnterAsync"/>.</summary>
public sealed class ToolGate
{
    private readonly SemaphoreSlim _turns;
    private int _queued;

    public ToolGate(int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        Limit = limit;
        _turns = new SemaphoreSlim(limit);
    }

    public int Limit { get; }

    /// <summary>Callers waiting for a turn now.</summary>
    public int Queued => Volatile.Read(ref _queued);

    /// <summary>Waits for a turn; disposing the result ends it.</summary>
    public async Task<IDisposable> EnterAsync(CancellationToken ct)
    {
        Interlocked.Increment(ref _queued);
        try
        {
            await _turns.WaitAsync(ct);
        }
        finally
        {
            Interlocked.Decrement(ref _queued);
        }
        return new Turn(_turns);
    }

    private sealed class Turn(SemaphoreSlim turns) : IDisposable
    {
        private int _ended;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0) turns.Release();
        }
    }
}
