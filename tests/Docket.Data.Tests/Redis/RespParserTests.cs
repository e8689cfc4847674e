using System.Buffers;
using System.Text;
using Docket.Data.Redis;

namespace Docket.Data.Tests.Redis;

public sealed class RespParserTests
{
    // Every RESP2 type, nesting, nulls, an empty bulk string and a bulk string holding CRLF.
    private const string Stream =
        "+OK\r\n" +
        "-ERR wrong number of arguments\r\n" +
        ":-42\r\n" +
        "$5\r\nhe\r\nl\r\n" +
        "$0\r\n\r\n" +
        "$-1\r\n" +
        "*-1\r\n" +
        "*0\r\n" +
        "*3\r\n$7\r\nmessage\r\n$3\r\nch1\r\n*2\r\n:1\r\n*1\r\n+deep\r\n";

    private static readonly string[] Expected =
    [
        "+OK", "-ERR wrong number of arguments", ":-42", "$he\r\nl", "$", "$(nil)", "*(nil)", "*0",
        "*3[$message,$ch1,*2[:1,*1[+deep]]]",
    ];

    [Fact]
    public void TryRead_ParsesEveryType_NestedArrays_AndNulls()
    {
        var buffer = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(Stream));

        Assert.Equal(Expected, ReadAll(ref buffer));
        Assert.Equal(0, buffer.Length);
    }

    [Fact]
    public void TryRead_ConsumesNothing_UntilAFrameIsComplete_AtEverySplitPoint()
    {
        var bytes = Encoding.UTF8.GetBytes(Stream);
        for (var split = 0; split <= bytes.Length; split++)
        {
            // What a first network read delivers: whole values come out, a partial one stays unconsumed.
            var first = new ReadOnlySequence<byte>(bytes, 0, split);
            var parsed = ReadAll(ref first);
            var consumed = split - (int)first.Length;

            // The rest arrives in a second segment, so values also straddle segment boundaries.
            var rest = Segments(bytes[consumed..split], bytes[split..]);
            parsed.AddRange(ReadAll(ref rest));

            Assert.True(Expected.SequenceEqual(parsed), $"split at byte {split}: {string.Join(" | ", parsed)}");
            Assert.Equal(0, rest.Length);
        }
    }

    [Fact]
    public void TryRead_ParsesFramesSplitIntoOneByteSegments()
    {
        var bytes = Encoding.UTF8.GetBytes(Stream);
        var buffer = Segments([.. bytes.Select(b => new[] { b })]);

        Assert.Equal(Expected, ReadAll(ref buffer));
    }

    [Fact]
    public void TryRead_GivesErrorsAsValues_WithTheirText()
    {
        var buffer = new ReadOnlySequence<byte>("-NOAUTH Authentication required.\r\n"u8.ToArray());

        Assert.True(RespParser.TryRead(ref buffer, out var value));
        Assert.Equal(RespKind.Error, value!.Kind);
        Assert.Equal("NOAUTH Authentication required.", value.Text);
    }

    [Theory]
    [InlineData("?what\r\n")]
    [InlineData(":12x\r\n")]
    [InlineData("$3\r\nabcd\r\n")]
    [InlineData("$-2\r\n")]
    public void TryRead_RefusesBytesThatAreNotResp(string input)
    {
        var buffer = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(input));

        Assert.Throws<RespProtocolException>(() => RespParser.TryRead(ref buffer, out _));
    }

    [Fact]
    public void WriteCommand_WritesAnArrayOfBulkStrings()
    {
        var output = new ArrayBufferWriter<byte>();

        RespWriter.WriteCommand(output, "PUBLISH", "job:1", "a\r\nb");

        Assert.Equal("*3\r\n$7\r\nPUBLISH\r\n$5\r\njob:1\r\n$4\r\na\r\nb\r\n", Encoding.UTF8.GetString(output.WrittenSpan));
    }

    private static List<string> ReadAll(ref ReadOnlySequence<byte> buffer)
    {
        var values = new List<string>();
        while (RespParser.TryRead(ref buffer, out var value)) values.Add(Describe(value!));
        return values;
    }

    private static string Describe(RespValue value) => value.Kind switch
    {
        RespKind.SimpleString => "+" + value.Text,
        RespKind.Error => "-" + value.Text,
        RespKind.Integer => ":" + value.Integer,
        RespKind.BulkString => "$" + (value.IsNull ? "(nil)" : value.Text),
        _ => value.Items is null ? "*(nil)"
            : value.Items.Length == 0 ? "*0"
            : $"*{value.Items.Length}[{string.Join(",", value.Items.Select(Describe))}]",
    };

    private static ReadOnlySequence<byte> Segments(params byte[][] parts)
    {
        var nonEmpty = parts.Where(p => p.Length > 0).ToArray();
        if (nonEmpty.Length == 0) return ReadOnlySequence<byte>.Empty;
        var first = new Segment(nonEmpty[0], 0);
        var last = first;
        foreach (var part in nonEmpty.Skip(1)) last = last.Append(part);
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] bytes, long runningIndex)
        {
            Memory = bytes;
            RunningIndex = runningIndex;
        }

        public Segment Append(byte[] bytes)
        {
            var next = new Segment(bytes, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}

public sealed class RedisOptionsTests
{
    [Fact]
    public void Parse_ReadsHostPortCredentialsAndTimeouts()
    {
        var options = RedisOptions.Parse("redis.internal:6380, password=p=w,user=alice,connectTimeout=250,commandTimeout=1500");

        Assert.Equal("redis.internal", options.Host);
        Assert.Equal(6380, options.Port);
        Assert.Equal("p=w", options.Password);
        Assert.Equal("alice", options.User);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.ConnectTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), options.CommandTimeout);
    }

    [Fact]
    public void Parse_DefaultsThePort()
    {
        Assert.Equal(6379, RedisOptions.Parse("localhost").Port);
    }

    [Theory]
    [InlineData("", "must start with host:port")]
    [InlineData("password=x", "must start with host:port")]
    [InlineData("host:abc", "not a port number")]
    [InlineData("host:6379,colour=blue", "Unknown setting 'colour'")]
    [InlineData("host:6379,commandTimeout=-5", "not a positive number")]
    [InlineData("host:6379,user=alice", "no password")]
    public void TryParse_RefusesBadStrings_WithAClearMessage(string connectionString, string expected)
    {
        Assert.False(RedisOptions.TryParse(connectionString, out _, out var error));
        Assert.Contains(expected, error);
    }
}
