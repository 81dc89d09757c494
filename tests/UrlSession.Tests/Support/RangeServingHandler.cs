using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;

namespace UrlSessions.Tests.Support;

/// <summary>
/// Serves one resource with validators and byte ranges (RFC 9110 §14), with switches for the misbehaviour
/// download tests need: pause or fail after some bytes, ignore Range, lie in Content-Range, change the ETag.
/// </summary>
internal sealed class RangeServingHandler(byte[] content) : HttpMessageHandler
{
    public ConcurrentQueue<HttpRequestMessage> Requests { get; } = new();

    public string ETag { get; set; } = "\"v1\"";

    public bool SendValidators { get; set; } = true;

    public bool IgnoreRange { get; set; }

    public long? WrongRangeStart { get; set; }

    /// <summary>Serves ranges whatever If-Range says (as a server or cache that does not implement If-Range).</summary>
    public bool IgnoreIfRange { get; set; }

    /// <summary>Answers an open range with a 206 that stops at this byte (inclusive), not at the end.</summary>
    public long? ShortRangeEnd { get; set; }

    /// <summary>The resource served; replace it to simulate a file changed on the server.</summary>
    public byte[] Content { get; set; } = content;

    /// <summary>Stops after this many body bytes of the next response until <see cref="Release"/> is completed.</summary>
    public int? PauseAfter { get; set; }

    public TaskCompletionSource Paused { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Release { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The next response breaks with an IOException (a dropped connection) after this many body bytes.</summary>
    public int? FailAfter { get; set; }

    /// <summary>The next request fails as a refused connection would.</summary>
    public bool RefuseNext { get; set; }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Requests.Enqueue(request);
        if (RefuseNext)
        {
            RefuseNext = false;
            throw new HttpRequestException(HttpRequestError.ConnectionError, "connection refused by the test server");
        }

        long start = 0;
        var partial = false;
        var range = request.Headers.Range?.Ranges.SingleOrDefault();
        var ifRange = request.Headers.IfRange?.EntityTag?.Tag;
        var content = Content;
        var end = content.Length;
        if (range?.From is { } from && !IgnoreRange && (ifRange is null || ifRange == ETag || IgnoreIfRange))
        {
            if (from >= content.Length)
            {
                return Task.FromResult(new HttpResponseMessage(HttpStatusCode.RequestedRangeNotSatisfiable));
            }

            start = from;
            partial = true;
            end = ShortRangeEnd is { } last ? (int)last + 1 : end;
        }

        var body = new ControlledStream(content, (int)start, end, PauseAfter, Paused, Release.Task, FailAfter);
        PauseAfter = null;
        FailAfter = null;
        var response = new HttpResponseMessage(partial ? HttpStatusCode.PartialContent : HttpStatusCode.OK)
        {
            Content = new StreamContent(body),
        };
        response.Content.Headers.ContentLength = end - start;
        response.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        if (partial)
        {
            response.Content.Headers.ContentRange = new ContentRangeHeaderValue(WrongRangeStart ?? start, end - 1, content.Length);
        }

        if (SendValidators)
        {
            response.Headers.ETag = new EntityTagHeaderValue(ETag);
            response.Headers.AcceptRanges.Add("bytes");
        }

        return Task.FromResult(response);
    }

    public void Rearm()
    {
        Paused = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class ControlledStream(byte[] content, int start, int end, int? pauseAfter, TaskCompletionSource paused, Task release, int? failAfter) : Stream
    {
        private int _position = start;
        private int _sent;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (pauseAfter is { } pause && _sent >= pause)
            {
                paused.TrySetResult();
                await release.WaitAsync(cancellationToken);
                pauseAfter = null;
            }

            if (failAfter is { } fail && _sent >= fail)
            {
                throw new IOException("connection dropped by the test server");
            }

            var limit = Math.Min(buffer.Length, 8192);
            if (pauseAfter is { } p)
            {
                limit = Math.Min(limit, p - _sent);
            }

            if (failAfter is { } f)
            {
                limit = Math.Min(limit, f - _sent);
            }

            var count = Math.Min(limit, end - _position);
            content.AsSpan(_position, count).CopyTo(buffer.Span);
            _position += count;
            _sent += count;
            return count;
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
