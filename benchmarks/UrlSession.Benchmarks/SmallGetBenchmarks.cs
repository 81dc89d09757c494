using BenchmarkDotNet.Attributes;

namespace UrlSessions.Benchmarks;

/// <summary>
/// One small GET (128 bytes, Content-Length set) over loopback HTTP/1.1 with a warm connection:
/// raw <see cref="HttpClient"/> (baseline) vs the session's async form vs a completion-handler data task.
/// </summary>
[MemoryDiagnoser]
public class SmallGetBenchmarks
{
    private LoopbackServer _server = null!;
    private HttpClient _client = null!;
    private HttpClient _decompressingClient = null!;
    private UrlSession _session = null!;
    private Uri _url = null!;
    private UrlRequest _request = null!;
    private Action<byte[]?, UrlResponse?, UrlError?> _handler = null!;
    private byte[]? _handled;

    [Params(128)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _server = LoopbackServer.StartAsync().GetAwaiter().GetResult();
        _url = _server.BytesUrl(Size);
        _request = new UrlRequest(_url);
        _client = new HttpClient(new System.Net.Http.SocketsHttpHandler());
        // What the session's transport turns on (gzip/deflate/br decoding): shows how much of the gap is the handler's.
        _decompressingClient = new HttpClient(new System.Net.Http.SocketsHttpHandler { AutomaticDecompression = System.Net.DecompressionMethods.All });
        _session = new UrlSession(SessionConfiguration.Default);
        _handler = (data, _, error) => _handled = error is null ? data : throw error;

        // Fail fast if any of the three paths is broken instead of measuring errors.
        if (RawHttpClient().GetAwaiter().GetResult().Length != Size
            || SessionDataAsync().GetAwaiter().GetResult().Length != Size
            || CompletionHandlerDataTask().GetAwaiter().GetResult().Length != Size)
        {
            throw new InvalidOperationException("A benchmark path returned the wrong number of bytes.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _session.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _client.Dispose();
        _decompressingClient.Dispose();
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true, Description = "HttpClient.GetByteArrayAsync")]
    public Task<byte[]> RawHttpClient() => _client.GetByteArrayAsync(_url);

    [Benchmark(Description = "HttpClient + AutomaticDecompression")]
    public Task<byte[]> RawHttpClientDecompressing() => _decompressingClient.GetByteArrayAsync(_url);

    [Benchmark(Description = "UrlSession.DataAsync")]
    public async Task<byte[]> SessionDataAsync()
    {
        var (data, _) = await _session.DataAsync(_request);
        return data;
    }

    [Benchmark(Description = "DataTask + completion handler")]
    public async Task<byte[]> CompletionHandlerDataTask()
    {
        var task = _session.CreateDataTask(_request, _handler);
        task.Resume();
        // Completion completes after the completion handler ran.
        await task.Completion;
        return _handled!;
    }
}
