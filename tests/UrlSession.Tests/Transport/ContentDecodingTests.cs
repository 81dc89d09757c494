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
        await using var session = MockSession.Create(mock);
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
}
