using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace Docket.Core.Pipeline.Stages.Extraction;

/// <summary>What a finished external program left behind.</summary>
/// <param name="Stderr">At most <see cref="ExternalTool.MaxStderrChars"/> characters, for error messages.</param>
public sealed record ToolResult(int ExitCode, byte[] Stdout, string Stderr);

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
/// </summary>
public static class ExternalTool
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    public const int DefaultMaxStdoutBytes = 20 * 1024 * 1024;

    /// <summary>Enough for any diagnostic; beyond it stderr is read and dropped so the tool never blocks on a full pipe.</summary>
    public const int MaxStderrChars = 64 * 1024;

    /// <exception cref="ExternalToolException">The program is missing or could not be started.</exception>
    /// <exception cref="ToolOutputTooLargeException">Stdout exceeded <paramref name="maxStdoutBytes"/>.</exception>
    /// <exception cref="TimeoutException">The program ran longer than <paramref name="timeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled.</exception>
    public static async Task<ToolResult> RunAsync(
        string program,
        IEnumerable<string> arguments,
        CancellationToken ct,
        TimeSpan? timeout = null,
        int maxStdoutBytes = DefaultMaxStdoutBytes)
    {
        ct.ThrowIfCancellationRequested();
        var limit = timeout ?? DefaultTimeout;

        var startInfo = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments) startInfo.ArgumentList.Add(argument);

        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            throw new ExternalToolException(
                $"The program '{program}' could not be started ({ex.Message}). Is it installed and on PATH?", ex);
        }

        // A tool that waits for input must see end-of-file, not hang until the timeout.
        process.StandardInput.Close();

        var timedOut = false;
        var overflowed = false;
        using var timeoutSource = new CancellationTokenSource(limit);
        using var onTimeout = timeoutSource.Token.Register(() => { timedOut = true; Kill(process); });
        using var onCancel = ct.Register(() => Kill(process));

        // Killing the process tree closes the pipes, so both reads end without a token of their own.
        var stdout = ReadCappedAsync(process.StandardOutput.BaseStream, maxStdoutBytes, () => { overflowed = true; Kill(process); });
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

    private static async Task<byte[]> ReadCappedAsync(Stream stream, int maxBytes, Action onOverflow)
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
