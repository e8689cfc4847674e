using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Docket.Data.Redis;

public enum RespKind { SimpleString, Error, Integer, BulkString, Array }

/// <summary>One RESP2 reply. A null bulk string or null array has <see cref="IsNull"/> set.</summary>
public sealed class RespValue
{
    private RespValue(RespKind kind, byte[]? bytes, long integer, RespValue[]? items)
    {
        Kind = kind;
        Bytes = bytes;
        Integer = integer;
        Items = items;
    }

    public RespKind Kind { get; }

    /// <summary>The payload of a simple string, an error or a bulk string; null for a null bulk string.</summary>
    public byte[]? Bytes { get; }

    public long Integer { get; }

    /// <summary>The elements of an array; null for a null array.</summary>
    public RespValue[]? Items { get; }

    public bool IsNull => Kind switch
    {
        RespKind.BulkString => Bytes is null,
        RespKind.Array => Items is null,
        _ => false,
    };

    public string? Text => Bytes is null ? null : Encoding.UTF8.GetString(Bytes);

    public static RespValue Simple(string text) => new(RespKind.SimpleString, Encoding.UTF8.GetBytes(text), 0, null);
    public static RespValue Error(string text) => new(RespKind.Error, Encoding.UTF8.GetBytes(text), 0, null);
    public static RespValue Number(long value) => new(RespKind.Integer, null, value, null);
    public static RespValue Bulk(byte[]? bytes) => new(RespKind.BulkString, bytes, 0, null);
    public static RespValue Array(RespValue[]? items) => new(RespKind.Array, null, 0, items);

    public override string ToString() => Kind switch
    {
        RespKind.Integer => Integer.ToString(System.Globalization.CultureInfo.InvariantCulture),
        RespKind.Array => Items is null ? "(nil array)" : $"[{string.Join(", ", Items.Select(i => i.ToString()))}]",
        RespKind.Error => $"ERR({Text})",
        _ => Text ?? "(nil)",
    };
}

/// <summary>Thrown when the bytes from the server are not RESP2; the connection cannot be trusted after it.</summary>
public sealed class RespProtocolException(string message) : Exception(message);

/// <summary>
/// An incremental RESP2 parser. Network reads split frames anywhere, so <see cref="TryRead"/> either
/// consumes one whole value or consumes nothing and asks for more bytes.
/// </summary>
public static class RespParser
{
    /// <summary>Bulk strings larger than this are refused: the bus only carries small signals.</summary>
    public const int MaxBulkLength = 64 * 1024 * 1024;

    private const int MaxDepth = 32;

    /// <returns>False when <paramref name="buffer"/> holds no complete value yet; nothing is consumed then.</returns>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, out RespValue? value)
    {
        var reader = new SequenceReader<byte>(buffer);
        if (!TryReadValue(ref reader, 0, out value)) return false;
        buffer = buffer.Slice(reader.Position);
        return true;
    }

    private static bool TryReadValue(ref SequenceReader<byte> reader, int depth, out RespValue? value)
    {
        value = null;
        if (depth > MaxDepth) throw new RespProtocolException($"Arrays nested deeper than {MaxDepth} levels.");
        if (!reader.TryRead(out var prefix)) return false;
        if (!reader.TryReadTo(out ReadOnlySequence<byte> line, "\r\n"u8)) return false;

        switch (prefix)
        {
            case (byte)'+':
                value = RespValue.Simple(Encoding.UTF8.GetString(line));
                return true;
            case (byte)'-':
                value = RespValue.Error(Encoding.UTF8.GetString(line));
                return true;
            case (byte)':':
                value = RespValue.Number(ParseInteger(line));
                return true;
            case (byte)'$':
            {
                var length = ParseInteger(line);
                if (length == -1)
                {
                    value = RespValue.Bulk(null);
                    return true;
                }
                if (length is < 0 or > MaxBulkLength) throw new RespProtocolException($"Bulk string length {length} is out of range.");
                if (reader.Remaining < length + 2) return false;
                var bytes = new byte[length];
                reader.TryCopyTo(bytes);
                reader.Advance(length);
                if (!reader.IsNext("\r\n"u8, advancePast: true)) throw new RespProtocolException("A bulk string did not end with CRLF.");
                value = RespValue.Bulk(bytes);
                return true;
            }
            case (byte)'*':
            {
                var count = ParseInteger(line);
                if (count == -1)
                {
                    value = RespValue.Array(null);
                    return true;
                }
                if (count is < 0 or > 1024 * 1024) throw new RespProtocolException($"Array length {count} is out of range.");
                var items = new RespValue[count];
                for (var i = 0; i < count; i++)
                {
                    if (!TryReadValue(ref reader, depth + 1, out var item)) return false;
                    items[i] = item!;
                }
                value = RespValue.Array(items);
                return true;
            }
            default:
                throw new RespProtocolException($"Unexpected RESP type byte 0x{prefix:x2}.");
        }
    }

    private static long ParseInteger(ReadOnlySequence<byte> line)
    {
        Span<byte> digits = stackalloc byte[24];
        if (line.Length is 0 or > 24) throw new RespProtocolException("An integer line was empty or too long.");
        line.CopyTo(digits);
        digits = digits[..(int)line.Length];
        if (!Utf8Parser.TryParse(digits, out long number, out var consumed) || consumed != digits.Length)
            throw new RespProtocolException($"'{Encoding.ASCII.GetString(digits)}' is not an integer.");
        return number;
    }
}

/// <summary>Writes commands as RESP arrays of bulk strings, the only form Redis requires of clients.</summary>
public static class RespWriter
{
    public static void WriteCommand(IBufferWriter<byte> output, params ReadOnlySpan<ReadOnlyMemory<byte>> arguments)
    {
        WriteHeader(output, (byte)'*', arguments.Length);
        foreach (var argument in arguments)
        {
            WriteHeader(output, (byte)'$', argument.Length);
            output.Write(argument.Span);
            output.Write("\r\n"u8);
        }
    }

    public static void WriteCommand(IBufferWriter<byte> output, params ReadOnlySpan<string> arguments)
    {
        var encoded = new ReadOnlyMemory<byte>[arguments.Length];
        for (var i = 0; i < arguments.Length; i++) encoded[i] = Encoding.UTF8.GetBytes(arguments[i]);
        WriteCommand(output, encoded);
    }

    private static void WriteHeader(IBufferWriter<byte> output, byte prefix, int number)
    {
        var span = output.GetSpan(16);
        span[0] = prefix;
        Utf8Formatter.TryFormat(number, span[1..], out var written);
        span[1 + written] = (byte)'\r';
        span[2 + written] = (byte)'\n';
        output.Advance(3 + written);
    }
}
