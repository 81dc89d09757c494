using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace UrlSessions.IntegrationTests.Fixtures;

/// <summary>What an /upload endpoint received: the body's length and SHA-256 and the headers that framed it.</summary>
public sealed record UploadReceipt(
    string Method,
    string Protocol,
    long Length,
    string Sha256,
    string? ContentType,
    long? ContentLength,
    string? TransferEncoding,
    string? Expect)
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public bool Chunked => TransferEncoding?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true;

    public static UploadReceipt Parse(byte[] json) => JsonSerializer.Deserialize<UploadReceipt>(json, Options)
        ?? throw new InvalidOperationException("/upload returned null");

    internal string ToJson() => JsonSerializer.Serialize(this, Options);
}

/// <summary>
/// /upload/slow?id=: the server reads the body only as far as the test allows (<see cref="Allow"/>) and reports
/// how much it received; <see cref="Ended"/> completes with the receipt, or null when the client went away.
/// </summary>
public sealed class UploadGate
{
    private readonly Lock _lock = new();
    private readonly List<(long Count, TaskCompletionSource Reached)> _waiters = [];
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<UploadReceipt?> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _allowanceRaised = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _allowed;
    private long _received;

    /// <summary>The request reached the handler.</summary>
    public Task Started => _started.Task;

    /// <summary>The receipt once the whole body was read, or null when the request was aborted.</summary>
    public Task<UploadReceipt?> Ended => _ended.Task;

    public long Received
    {
        get
        {
            lock (_lock)
            {
                return _received;
            }
        }
    }

    /// <summary>Lets the server read this many more bytes (<see cref="long.MaxValue"/>: everything).</summary>
    public void Allow(long bytes)
    {
        TaskCompletionSource raised;
        lock (_lock)
        {
            _allowed = bytes == long.MaxValue || _allowed > long.MaxValue - bytes ? long.MaxValue : _allowed + bytes;
            raised = _allowanceRaised;
            _allowanceRaised = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        raised.TrySetResult();
    }

    public void AllowAll() => Allow(long.MaxValue);

    /// <summary>Completes once the server has read at least this many body bytes.</summary>
    public Task ReceivedAtLeast(long count)
    {
        lock (_lock)
        {
            if (_received >= count)
            {
                return Task.CompletedTask;
            }

            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, waiter));
            return waiter.Task;
        }
    }

    internal void MarkStarted() => _started.TrySetResult();

    internal void MarkEnded(UploadReceipt? receipt) => _ended.TrySetResult(receipt);

    /// <summary>How many bytes the server may read now; waits while none.</summary>
    internal async Task<long> WaitForAllowanceAsync(CancellationToken aborted)
    {
        while (true)
        {
            Task raised;
            lock (_lock)
            {
                if (_allowed > _received)
                {
                    return _allowed - _received;
                }

                raised = _allowanceRaised.Task;
            }

            await raised.WaitAsync(aborted);
        }
    }

    internal void NoteReceived(int count)
    {
        List<TaskCompletionSource> reached;
        lock (_lock)
        {
            _received += count;
            reached = [.. _waiters.Where(w => w.Count <= _received).Select(w => w.Reached)];
            _waiters.RemoveAll(w => w.Count <= _received);
        }

        foreach (var waiter in reached)
        {
            waiter.TrySetResult();
        }
    }
}

/// <summary>Upload gates by id, attached to a fixture's <see cref="GateRegistry"/>.</summary>
public static class UploadGates
{
    private static readonly ConditionalWeakTable<GateRegistry, ConcurrentDictionary<string, UploadGate>> Registries = new();

    public static UploadGate Upload(this GateRegistry gates, string id) =>
        Registries.GetOrCreateValue(gates).GetOrAdd(id, _ => new UploadGate());
}

/// <summary>The loopback server's upload endpoints: each answers with an <see cref="UploadReceipt"/> of what it read.</summary>
internal static class UploadEndpoints
{
    public const string User = "uploader";
    public const string Password = "s3cret-upload";

    public static void Map(WebApplication app, GateRegistry gates)
    {
        app.Map("/upload/sha256", ReceiveAsync);
        app.Map("/upload/early-413", async (HttpContext context) =>
        {
            // Refuses at once without reading a byte of the body (as a proxy with a body limit does).
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync("too large");
        });
        app.Map("/upload/early-401", async (HttpContext context) =>
        {
            var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}"));
            if (context.Request.Headers.Authorization == expected)
            {
                await ReceiveAsync(context);
                return;
            }

            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"uploads\"";
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync("who are you?");
        });
        app.Map("/upload/redirect/{code:int}", async (HttpContext context, int code) =>
        {
            // Reads (and drops) the body first, as a server that redirects after looking at the upload.
            AllowAnySize(context);
            await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
            context.Response.StatusCode = code;
            context.Response.Headers.Location = "/upload/sha256" + context.Request.QueryString;
        });
        app.Map("/upload/slow", async (HttpContext context) =>
        {
            var gate = gates.Upload(context.Request.Query["id"].ToString());
            gate.MarkStarted();
            try
            {
                var receipt = await ReadAsync(context, gate);
                gate.MarkEnded(receipt);
                await WriteReceiptAsync(context, receipt);
            }
            catch (Exception) when (context.RequestAborted.IsCancellationRequested)
            {
                gate.MarkEnded(null);
            }
            catch (IOException)
            {
                // BadHttpRequestException too: the client broke off the body.
                gate.MarkEnded(null);
            }
        });
    }

    private static async Task ReceiveAsync(HttpContext context)
    {
        var receipt = await ReadAsync(context, gate: null);
        await WriteReceiptAsync(context, receipt);
    }

    private static Task WriteReceiptAsync(HttpContext context, UploadReceipt receipt)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(receipt.ToJson());
    }

    /// <summary>Multi-GiB bodies are welcome (Kestrel's default limit is about 28 MiB); set before the body is read.</summary>
    private static void AllowAnySize(HttpContext context)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null;
        }
    }

    private static async Task<UploadReceipt> ReadAsync(HttpContext context, UploadGate? gate)
    {
        AllowAnySize(context);
        var request = context.Request;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        long length = 0;
        try
        {
            while (true)
            {
                var room = buffer.Length;
                if (gate is not null)
                {
                    room = (int)Math.Min(room, await gate.WaitForAllowanceAsync(context.RequestAborted));
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(0, room), context.RequestAborted);
                if (read == 0)
                {
                    break;
                }

                hash.AppendData(buffer, 0, read);
                length += read;
                gate?.NoteReceived(read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return new UploadReceipt(
            request.Method,
            request.Protocol,
            length,
            Convert.ToHexString(hash.GetHashAndReset()),
            request.Headers.ContentType is [{ } type] ? type : null,
            request.Headers.ContentLength,
            request.Headers.TransferEncoding is [{ } encoding] ? encoding : null,
            request.Headers.Expect is [{ } expect] ? expect : null);
    }
}
