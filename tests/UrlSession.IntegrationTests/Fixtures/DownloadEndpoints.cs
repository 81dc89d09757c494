using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace UrlSessions.IntegrationTests.Fixtures;

/// <summary>What /dl saw of one request (for the tests that check Range / If-Range and request bodies).</summary>
public sealed record DownloadRequestRecord(string Method, string? Range, string? IfRange, int Status, long BodyLength, string BodySha256);

/// <summary>Test-controlled state of a /dl resource named by <c>state=id</c>: change it between a pause and a resume.</summary>
public sealed class DownloadResourceState
{
    private int _version;
    private long _size = -1;

    /// <summary>Added to the <c>version</c> query value: changes the validators and the content.</summary>
    public int Version
    {
        get => Volatile.Read(ref _version);
        set => Volatile.Write(ref _version, value);
    }

    /// <summary>When ≥ 0, replaces the <c>size</c> query value (a resource that shrank: a Range past it is a 416).</summary>
    public long Size
    {
        get => Interlocked.Read(ref _size);
        set => Interlocked.Exchange(ref _size, value);
    }
}

/// <summary>Lock-step pacing: the server sends one piece per <see cref="Grant"/> (until <see cref="Unlimit"/>).</summary>
public sealed class CreditGate
{
    private readonly SemaphoreSlim _credits = new(0);
    private readonly TaskCompletionSource _unlimited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _sent;

    /// <summary>The resource offset up to which the server has sent (set before each piece is written).</summary>
    public long Sent => Interlocked.Read(ref _sent);

    public void Grant() => _credits.Release();

    /// <summary>From now on every piece goes at once (for the resumed request, which has the same URL).</summary>
    public void Unlimit() => _unlimited.TrySetResult();

    /// <summary>Waits for a grant; after <see cref="Unlimit"/> every waiter (also one of a request the client left) goes on.</summary>
    internal async Task WaitAsync(CancellationToken aborted)
    {
        if (!_unlimited.Task.IsCompleted)
        {
            var granted = _credits.WaitAsync(aborted);
            await Task.WhenAny(granted, _unlimited.Task);
            aborted.ThrowIfCancellationRequested();
        }
    }

    internal void MarkSent(long offset) => Interlocked.Exchange(ref _sent, offset);
}

/// <summary>
/// /dl/{name}: one resource family of deterministic bytes (<see cref="Content"/>) served with byte ranges
/// (RFC 9110 §14) and switches in the query:
/// size=N (default 1 MiB), seed=S, etag=strong|weak|none, lastmodified=on|off, version=K, state=id (see
/// <see cref="State"/>), ignore-range=1 (always 200, still advertises ranges), wrong-range=1 (206 whose
/// Content-Range starts elsewhere), cut=K (send K body bytes of this response, then abort the connection),
/// stall=gate id &amp; stallat=K (stop at resource offset K until the test releases the gate), gzip=1
/// (Content-Encoding gzip, never ranged), pace=P (write in flushed P-byte pieces; with credit=id one piece per grant), chunked=1 (no Content-Length), disposition=value (Content-Disposition),
/// bare206=1 (206 responses without ETag, Last-Modified, Accept-Ranges), cut206=K (cut only 206 responses), cutwait=gate id
/// (hold the cut until the test releases the gate),
/// log=id (record the request, see <see cref="Requests"/>). POST reads the request body and answers the same.
/// </summary>
internal static class DownloadEndpoints
{
    public const int DefaultSize = 1024 * 1024;
    private static readonly DateTimeOffset BaseLastModified = new(2024, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly ConcurrentDictionary<(int Size, int Seed, int Version), byte[]> Contents = new();
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<DownloadRequestRecord>> Logs = new();
    private static readonly ConcurrentDictionary<string, DownloadResourceState> States = new();
    private static readonly ConcurrentDictionary<string, CreditGate> Credits = new();

    public static void Map(WebApplication app, GateRegistry gates)
    {
        app.MapMethods("/dl/{**name}", ["GET", "POST"], (HttpContext context) => ServeAsync(context, gates));
    }

    /// <summary>The bytes of a resource: a SplitMix64 stream of the seed and version (incompressible, reproducible).</summary>
    public static byte[] Content(int size, int seed = 0, int version = 0) => Contents.GetOrAdd((size, seed, version), static key =>
    {
        var bytes = new byte[key.Size];
        var state = unchecked((ulong)key.Seed * 0x9E3779B97F4A7C15UL + (ulong)key.Version * 0xD1B54A32D192ED03UL + 1);
        for (var i = 0; i < bytes.Length; i += 8)
        {
            state = unchecked(state + 0x9E3779B97F4A7C15UL);
            var z = state;
            z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
            z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
            z ^= z >> 31;
            for (var b = 0; b < 8 && i + b < bytes.Length; b++)
            {
                bytes[i + b] = (byte)(z >> (8 * b));
            }
        }

        return bytes;
    });

    public static string Sha256(int size, int seed = 0, int version = 0) => Convert.ToHexString(SHA256.HashData(Content(size, seed, version)));

    /// <summary>The requests that carried <c>log=id</c>, in arrival order.</summary>
    public static IReadOnlyList<DownloadRequestRecord> Requests(string id) => Logs.TryGetValue(id, out var log) ? [.. log] : [];

    public static DownloadResourceState State(string id) => States.GetOrAdd(id, _ => new DownloadResourceState());

    /// <summary>The credit gate of <c>credit=id</c> (with <c>pace</c>): the test lets the server send piece by piece.</summary>
    public static CreditGate Credit(string id) => Credits.GetOrAdd(id, _ => new CreditGate());

    public static string StrongETag(int seed, int version) => $"\"s{seed}-v{version}\"";

    public static string LastModified(int version) => BaseLastModified.AddDays(version).ToString("R", CultureInfo.InvariantCulture);

    private static async Task ServeAsync(HttpContext context, GateRegistry gates)
    {
        var query = context.Request.Query;
        string? Q(string name) => query[name] is [{ } value] ? value : null;
        int Int(string name, int fallback) => Q(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

        var state = Q("state") is { } stateId ? State(stateId) : null;
        var size = state is { Size: >= 0 } ? (int)state.Size : Int("size", DefaultSize);
        var seed = Int("seed", 0);
        var version = Int("version", 0) + (state?.Version ?? 0);
        var etagMode = Q("etag") ?? "strong";
        var lastModifiedOn = (Q("lastmodified") ?? "on") == "on";
        var content = Content(size, seed, version);

        long bodyLength = 0;
        var bodySha = "";
        if (HttpMethods.IsPost(context.Request.Method))
        {
            using var received = new MemoryStream();
            await context.Request.Body.CopyToAsync(received, context.RequestAborted);
            bodyLength = received.Length;
            bodySha = Convert.ToHexString(SHA256.HashData(received.ToArray()));
        }

        var strongETag = StrongETag(seed, version);
        var response = context.Response;
        response.ContentType = "application/octet-stream";
        response.Headers.AcceptRanges = "bytes";
        if (etagMode == "strong")
        {
            response.Headers.ETag = strongETag;
        }
        else if (etagMode == "weak")
        {
            response.Headers.ETag = "W/" + strongETag;
        }

        if (lastModifiedOn)
        {
            response.Headers.LastModified = LastModified(version);
        }

        if (Q("disposition") is { } disposition)
        {
            response.Headers.ContentDisposition = disposition;
        }

        var range = context.Request.Headers.Range.ToString();
        var ifRange = context.Request.Headers.IfRange.ToString();
        var status = 200;
        long from = 0;
        long count = size;
        long rangeStartReported = 0;
        var gzip = Q("gzip") == "1";
        if (!gzip && Q("ignore-range") != "1" && TryParseRangeStart(range, out var start) && IfRangeHolds(ifRange, etagMode, strongETag, lastModifiedOn, version))
        {
            if (start >= size)
            {
                status = 416;
                response.Headers.ContentRange = $"bytes */{size}";
                count = 0;
            }
            else
            {
                status = 206;
                from = start;
                count = size - start;
                rangeStartReported = start;
                if (Q("wrong-range") == "1")
                {
                    // A Content-Range that does not start where the client asked: the bytes are right for that range.
                    from = rangeStartReported = start / 2;
                    count = size - from;
                }

                response.Headers.ContentRange = $"bytes {rangeStartReported}-{size - 1}/{size}";
            }
        }

        if (Q("log") is { } logId)
        {
            Logs.GetOrAdd(logId, _ => new ConcurrentQueue<DownloadRequestRecord>())
                .Enqueue(new DownloadRequestRecord(context.Request.Method, range.Length == 0 ? null : range, ifRange.Length == 0 ? null : ifRange, status, bodyLength, bodySha));
        }

        if (status == 206 && Q("bare206") == "1")
        {
            // A server that sends no validators with its partial responses (RFC 9110 §15.3.7 says it should).
            response.Headers.Remove("ETag");
            response.Headers.Remove("Last-Modified");
            response.Headers.Remove("Accept-Ranges");
        }

        response.StatusCode = status;
        if (status == 416)
        {
            response.ContentLength = 0;
            return;
        }

        ReadOnlyMemory<byte> body = content.AsMemory((int)from, (int)count);
        if (gzip)
        {
            using var compressed = new MemoryStream();
            await using (var zip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            {
                await zip.WriteAsync(content);
            }

            body = compressed.ToArray();
            response.Headers.ContentEncoding = "gzip";
        }

        if (Q("chunked") != "1")
        {
            response.ContentLength = body.Length;
        }

        // Offsets below are positions in the body sent (for a range, stallat counts in the whole resource).
        var cut = (status == 206 ? Q("cut206") ?? Q("cut") : Q("cut")) is { } cutText ? long.Parse(cutText, CultureInfo.InvariantCulture) : long.MaxValue;
        var stallGate = Q("stall") is { } gateId ? gates.Stall(gateId) : null;
        var stallAt = stallGate is null ? long.MaxValue : long.Parse(Q("stallat") ?? (size / 2).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) - (gzip ? 0 : from);
        var sent = 0L;
        try
        {
            if (stallGate is not null && stallAt >= 0 && stallAt < body.Length && stallAt < cut && Q("pace") is null)
            {
                await response.Body.WriteAsync(body[..(int)stallAt], context.RequestAborted);
                await response.Body.FlushAsync(context.RequestAborted);
                sent = stallAt;
                stallGate.MarkStarted();
                await stallGate.Released.WaitAsync(context.RequestAborted);
            }

            if (cut < body.Length)
            {
                await response.Body.WriteAsync(body[(int)sent..(int)Math.Max(sent, cut)], context.RequestAborted);
                await response.Body.FlushAsync(context.RequestAborted);
                if (Q("cutwait") is { } cutWaitId)
                {
                    // Kestrel drops output it has not sent yet when the connection is aborted: with cutwait the test
                    // lets the cut happen only once the client has the bytes.
                    var cutGate = gates.Stall(cutWaitId);
                    cutGate.MarkStarted();
                    await cutGate.Released.WaitAsync(context.RequestAborted);
                }

                context.Abort();
                return;
            }

            if (Q("pace") is { } paceText)
            {
                // Small flushed pieces, cut at stallat; with credit=id each piece after the first waits for the test's grant.
                var piece = int.Parse(paceText, CultureInfo.InvariantCulture);
                var credit = Q("credit") is { } creditId ? Credit(creditId) : null;
                var alignAt = Q("stallat") is { } alignText ? long.Parse(alignText, CultureInfo.InvariantCulture) - from : -1;
                for (var at = (int)sent; at < body.Length;)
                {
                    var end = Math.Min(body.Length, at + piece);
                    if (at < alignAt && end > alignAt)
                    {
                        end = (int)alignAt;
                    }

                    if (credit is not null && at > sent)
                    {
                        await credit.WaitAsync(context.RequestAborted);
                    }

                    credit?.MarkSent(from + end);
                    await response.Body.WriteAsync(body[at..end], context.RequestAborted);
                    await response.Body.FlushAsync(context.RequestAborted);
                    if (stallGate is not null && end == alignAt)
                    {
                        stallGate.MarkStarted();
                        await stallGate.Released.WaitAsync(context.RequestAborted);
                    }

                    at = end;
                }

                return;
            }

            await response.Body.WriteAsync(body[(int)sent..], context.RequestAborted);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away (a pause or a cancel): nothing more to send.
        }
        finally
        {
            stallGate?.MarkEnded();
        }
    }

    private static bool TryParseRangeStart(string range, out long start)
    {
        start = 0;
        const string Prefix = "bytes=";
        if (!range.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var spec = range[Prefix.Length..];
        var dash = spec.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 && !spec.Contains(',', StringComparison.Ordinal) && long.TryParse(spec[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out start);
    }

    /// <summary>RFC 9110 §13.1.5: a strong ETag must match exactly (weak never does); a date must equal Last-Modified.</summary>
    private static bool IfRangeHolds(string ifRange, string etagMode, string strongETag, bool lastModifiedOn, int version)
    {
        if (ifRange.Length == 0)
        {
            return true;
        }

        if (ifRange.StartsWith('"') || ifRange.StartsWith("W/", StringComparison.Ordinal))
        {
            return etagMode == "strong" && ifRange == strongETag;
        }

        return lastModifiedOn && ifRange == LastModified(version);
    }
}
