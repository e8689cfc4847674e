using System.Text;
using Docket.Core.Pipeline;
using Docket.Core.Pipeline.Stages.Extraction;

namespace Docket.Core.Tests.Pipeline;

public sealed class TextDecodingTests : IDisposable
{
    private const int Chunk = 64 * 1024;
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Decode_ReadsOnlyThePartTheCapKeeps_OfAnEndlessText()
    {
        using var endless = new EndlessText();

        var text = TextDecoding.Decode(endless, out var truncated);

        Assert.True(truncated);
        Assert.Equal(TextDecoding.MaxCharacters, text.Length);
        Assert.InRange(endless.BytesRead, TextDecoding.MaxCharacters, TextDecoding.MaxCharacters + 2L * Chunk);
    }

    [Fact]
    public void Decode_KeepsACarriageReturnAndLineFeed_AsOneLineEnd_WhenAChunkEndsBetweenThem()
    {
        var bytes = Encoding.ASCII.GetBytes(new string('a', Chunk - 1) + "\r\nb\rc");

        var text = TextDecoding.Decode(bytes);

        Assert.Equal(new string('a', Chunk - 1) + "\nb\nc", text);
    }

    [Fact]
    public void Decode_TurnsALoneCarriageReturn_AtTheEndOfAChunk_IntoALineEnd()
    {
        var bytes = Encoding.ASCII.GetBytes(new string('a', Chunk - 1) + "\rb\r");

        Assert.Equal(new string('a', Chunk - 1) + "\nb\n", TextDecoding.Decode(bytes));
    }

    [Theory]
    [InlineData("a\r\nb", "a\nb")]
    [InlineData("a\rb", "a\nb")]
    [InlineData("a\n\rb", "a\n\nb")]
    [InlineData("a\r\r\nb", "a\n\nb")]
    [InlineData("\r\n\r\n", "\n\n")]
    [InlineData("\r", "\n")]
    [InlineData("", "")]
    public void Decode_MakesEveryLineEndALineFeed(string content, string expected) =>
        Assert.Equal(expected, TextDecoding.Decode(Encoding.UTF8.GetBytes(content)));

    [Fact]
    public void Decode_ReadsUtf8_WhenAChunkEndsInsideACharacter()
    {
        var content = new string('a', Chunk - 1) + "€uro";

        var text = TextDecoding.Decode(new MemoryStream(Encoding.UTF8.GetBytes(content)), out var truncated);

        Assert.False(truncated);
        Assert.Equal(content, text);
    }

    [Fact]
    public void Decode_FallsBackToWindows1252_WhenAnInvalidByteComesAfterTheFirstChunk()
    {
        var bytes = Encoding.ASCII.GetBytes(new string('a', 3 * Chunk)).Append((byte)0x80).ToArray();

        var text = TextDecoding.Decode(bytes);

        Assert.Equal(new string('a', 3 * Chunk) + "€", text);
    }

    [Fact]
    public void Decode_CallsACutUtf8FileAtItsEnd_Windows1252()
    {
        byte[] bytes = [0x61, 0xE2, 0x82];

        Assert.Equal("a\u00E2\u201A", TextDecoding.Decode(bytes));
    }

    [Fact]
    public async Task Extract_RefusesJsonLongerThanTheCap_SayingWhy()
    {
        var json = "[" + string.Join(",", Enumerable.Repeat("\"0123456789\"", TextDecoding.MaxCharacters / 13 + 10)) + "]";
        var input = _files.Write("big.json", json);

        var refusal = await Assert.ThrowsAsync<UnprocessableDocumentException>(async () =>
            await new JsonTextExtractor().ExtractAsync(input, new Progress<StageProgress>(), CancellationToken.None));

        Assert.Contains("longer than 5,000,000 characters", refusal.Message);
    }

    /// <summary>'a' and a line end, over and over, as far as anyone reads; counts how far that was.</summary>
    private sealed class EndlessText : Stream
    {
        public long BytesRead { get; private set; }
        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => long.MaxValue;
        public override long Position { get; set; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            for (var i = 0; i < count; i++) buffer[offset + i] = (Position + i) % 80 == 79 ? (byte)'\n' : (byte)'a';
            Position += count;
            BytesRead += count;
            return count;
        }

        public override long Seek(long offset, SeekOrigin origin) => Position = origin == SeekOrigin.Begin ? offset : throw new NotSupportedException();
        public override void Flush() { }
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
