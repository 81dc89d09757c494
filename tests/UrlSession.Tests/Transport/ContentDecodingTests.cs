using System.IO.Compression;
using System.Net;
using RichardSzalay.MockHttp;
using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Transport;

public sealed class ContentDecodingTests
{
    private static readonly Uri Url = new("http://example.test/coded");

    private static readonly byte[] Text = System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("coded body text, ", 500)));

    private static byte[] Compress(Func<Stream, Stream> compressor, byte[] data)
    {
        var compressed = new MemoryStream();
        using (var stream = compressor(compressed))
        {
            stream.Write(data);
        }

        return compressed.ToArray();
    }

    private static async Task<byte[]> FetchAsync(byte[] body, string coding)
    {
        var mock = new MockHttpMessageHandler();
        mock.When(Url.ToString()).Respond(() =>
        {
            var content = new ByteArrayContent(body);
            content.Headers.ContentEncoding.Add(coding);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content });
        });
        await using var session = TestSessions.Mock(mock);
        var (data, _) = await session.DataAsync(Url);
        return data;
    }

    [Fact]
    public async Task Deflate_in_the_zlib_format_is_decoded()
    {
        var data = await FetchAsync(Compress(s => new ZLibStream(s, CompressionLevel.Optimal), Text), "deflate");

        data.Should().Equal(Text);
    }

    [Fact]
    public async Task Deflate_sent_raw_without_the_zlib_wrapper_is_decoded_too()
    {
        // Many servers send "deflate" as a bare RFC 1951 stream; browsers and SocketsHttpHandler's own decompression accept it.
        var data = await FetchAsync(Compress(s => new DeflateStream(s, CompressionLevel.Optimal), Text), "deflate");

        data.Should().Equal(Text);
    }

    [Fact]
    public async Task An_empty_deflate_body_is_empty()
    {
        var data = await FetchAsync([], "deflate");

        data.Should().BeEmpty();
    }

    // Brotli: BrotliStream passes a truncated body off as a shorter one, so "br" has its own decoding stream.

    // Half random, half text: compresses, but not so well that a large body fits one input buffer.
    private static byte[] Body(int length)
    {
        var data = new byte[length];
        new Random(length).NextBytes(data);
        for (var i = 0; i < data.Length; i += 2)
        {
            data[i] = (byte)'a';
        }

        return data;
    }

    private static byte[] Brotli(byte[] data) => Compress(s => new BrotliStream(s, CompressionLevel.Fastest), data);

    private static async Task<byte[]> DecodeBrotliAsync(byte[] coded, int readSize, bool async)
    {
        var output = new MemoryStream();
        var buffer = new byte[readSize];
        await using var decoder = new BrotliDecodingStream(new MemoryStream(coded));
        while ((async ? await decoder.ReadAsync(buffer) : decoder.Read(buffer)) is var read and > 0)
        {
            output.Write(buffer, 0, read);
        }

        // The end is sticky.
        (async ? await decoder.ReadAsync(buffer) : decoder.Read(buffer)).Should().Be(0);
        return output.ToArray();
    }

    public static TheoryData<int, int, bool> BrotliRoundTrips()
    {
        var data = new TheoryData<int, int, bool>();
        foreach (var length in new[] { 0, 1, 1024 * 1024, 3 * BrotliDecodingStream.InputBufferSize + 17 })
        {
            foreach (var readSize in new[] { 1, 4093, 1024 * 1024 })
            {
                // One byte at a time through a MiB proves nothing the body of three input buffers does not.
                if (readSize == 1 && length == 1024 * 1024)
                {
                    continue;
                }

                data.Add(length, readSize, false);
                data.Add(length, readSize, true);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(BrotliRoundTrips))]
    public async Task Valid_br_bodies_decode_whole_whatever_the_read_size(int length, int readSize, bool async)
    {
        var body = Body(length);
        var coded = Brotli(body);
        if (length > BrotliDecodingStream.InputBufferSize)
        {
            coded.Length.Should().BeGreaterThan(BrotliDecodingStream.InputBufferSize, "the body must take more than one input buffer");
        }

        (await DecodeBrotliAsync(coded, readSize, async)).Should().Equal(body);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(1, true)]
    [InlineData(4, false)]
    [InlineData(4, true)]
    [InlineData(-1, false)]
    [InlineData(-1, true)]
    public async Task A_truncated_br_body_throws_InvalidDataException(int cut, bool async)
    {
        var coded = Brotli(Body(200_000));
        var kept = cut < 0 ? coded.Length / 2 : coded.Length - cut;

        var act = () => DecodeBrotliAsync(coded[..kept], 8192, async);

        await act.Should().ThrowAsync<InvalidDataException>();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_corrupt_br_body_throws_InvalidDataException(bool async)
    {
        var act = () => DecodeBrotliAsync(System.Text.Encoding.ASCII.GetBytes("this is certainly not a brotli stream"), 8192, async);

        await act.Should().ThrowAsync<InvalidDataException>();
    }

    [Fact]
    public async Task An_empty_br_body_is_empty()
    {
        // HEAD, 204 and 304 responses can name a coding and carry no body.
        (await DecodeBrotliAsync([], 8192, async: true)).Should().BeEmpty();
        (await FetchAsync([], "br")).Should().BeEmpty();
    }

    [Fact]
    public void Disposing_the_br_decoder_disposes_the_body_under_it_once_and_is_idempotent()
    {
        var source = new MemoryStream(Brotli(Text));
        var decoder = new BrotliDecodingStream(source);
        decoder.ReadByte().Should().Be(Text[0]);

        decoder.Dispose();
        decoder.Dispose();

        source.CanRead.Should().BeFalse();
        var act = () => decoder.ReadByte();
        act.Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public async Task A_br_body_is_decoded_end_to_end()
    {
        (await FetchAsync(Brotli(Text), "br")).Should().Equal(Text);
    }

    [Fact]
    public async Task A_truncated_br_body_fails_the_task_with_CannotDecodeContentData()
    {
        var coded = Brotli(Body(200_000));

        var act = () => FetchAsync(coded[..^3], "br");

        (await act.Should().ThrowAsync<UrlError>()).Which.Code.Should().Be(UrlErrorCode.CannotDecodeContentData);
    }

    [Fact]
    public async Task A_truncated_br_body_streamed_with_BytesAsync_fails_with_CannotDecodeContentData()
    {
        var coded = Brotli(Body(200_000));
        var mock = new MockHttpMessageHandler();
        mock.When(Url.ToString()).Respond(() =>
        {
            var content = new ByteArrayContent(coded[..^3]);
            content.Headers.ContentEncoding.Add("br");
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content });
        });
        await using var session = TestSessions.Mock(mock);
        var (_, stream) = await session.BytesAsync(Url);

        var act = async () =>
        {
            await using (stream)
            {
                await stream.CopyToAsync(Stream.Null);
            }
        };

        (await act.Should().ThrowAsync<UrlError>()).Which.Code.Should().Be(UrlErrorCode.CannotDecodeContentData);
    }
}
