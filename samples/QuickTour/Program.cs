// The quick tour: every task style of UrlSession (data, upload, download) against an embedded loopback server.
// Run it with `dotnet run --project samples/QuickTour`; it exits by itself and never leaves 127.0.0.1.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using UrlSessions;
using UrlSessions.Samples.QuickTour;

var clock = Stopwatch.StartNew();
await using var server = await LoopbackServer.StartAsync();
Console.WriteLine($"UrlSession quick tour — loopback server at {server.BaseAddress}");

// An ephemeral session: cookies, credentials and cache live in memory and die with the session.
await using var session = new UrlSession(SessionConfiguration.Ephemeral) { SessionDescription = "tour session" };

// 1. Completion handler: the task starts suspended; Resume starts it; the handler gets the whole body
//    on the session's delegate queue.
Tour.Section("Completion handler: CreateDataTask(request, handler)");
var handlerTask = session.CreateDataTask(server["/hello"], (data, response, error) =>
{
    if (error is not null)
    {
        Tour.Print($"failed: {error.Code}");
        return;
    }

    var http = (HttpUrlResponse)response!;
    Tour.Print($"handler: {http.StatusCode} {HttpUrlResponse.LocalizedStringForStatusCode(http.StatusCode)}, {response!.MimeType}, \"{Encoding.UTF8.GetString(data!)}\"");
});
Tour.Print($"created task {handlerTask.TaskIdentifier}, state {handlerTask.State}");
handlerTask.Resume();
await handlerTask.Completion;
Tour.Print($"after Completion: state {handlerTask.State}, error {handlerTask.Error?.Code.ToString() ?? "none"}");

// 2. Delegate style: response, then the body's chunks in order, then completion, all as delegate events.
Tour.Section("Delegate: CreateDataTask(request) + IDataTaskDelegate");
var printing = new PrintingDelegate();
await using (var delegateSession = new UrlSession(SessionConfiguration.Ephemeral, printing))
{
    var delegateTask = delegateSession.CreateDataTask(server["/slow-ish"]);
    delegateTask.Resume();
    await delegateTask.Completion;
}

// 3. DataAsync: await the whole body; 4xx/5xx are responses, not exceptions.
Tour.Section("DataAsync: await the whole body");
var (json, jsonResponse) = await session.DataAsync(server["/json"]);
Tour.Print($"{((HttpUrlResponse)jsonResponse).StatusCode} {jsonResponse.MimeType} charset={jsonResponse.TextEncodingName}: {Encoding.UTF8.GetString(json)}");
var (notFoundBody, notFound) = await session.DataAsync(server["/status/404"]);
Tour.Print($"{((HttpUrlResponse)notFound).StatusCode} {HttpUrlResponse.LocalizedStringForStatusCode(404)} (no exception): \"{Encoding.UTF8.GetString(notFoundBody)}\"");

// 4. BytesAsync: the response as soon as the headers arrive, then the body as a stream you read at
//    your own pace (the session reads the network only as fast as you do).
Tour.Section("BytesAsync: stream the body");
var (streamResponse, body) = await session.BytesAsync(server["/slow-ish"]);
await using (body)
{
    Tour.Print($"response {((HttpUrlResponse)streamResponse).StatusCode}, expected length {streamResponse.ExpectedContentLength} (-1: chunked)");
    var buffer = new byte[32 * 1024];
    long total = 0;
    int read;
    while ((read = await body.ReadAsync(buffer)) > 0)
    {
        total += read;
        Tour.Print($"read {read,6} bytes, first byte '{(char)buffer[0]}' (total {total})");
    }
}

// 5. Redirects: followed by the session; a per-task delegate sees (and could change or refuse) each hop.
Tour.Section("Redirects: WillPerformHttpRedirectionAsync on a per-task delegate");
var (_, finalResponse) = await session.DataAsync(server["/redirect"], new RedirectLogger());
Tour.Print($"final: {((HttpUrlResponse)finalResponse).StatusCode} from {finalResponse.Url.PathAndQuery}");

// 6. Uploads: UploadAsync from bytes or from a file (read as it is sent, never loaded whole). The server
//    echoes the length and SHA-256 it received; DidSendBodyData reports the body's progress.
Tour.Section("Uploads: UploadAsync from bytes and from a file, DidSendBodyData");
var uploadRequest = new UrlRequest(server["/upload"]) { Method = HttpMethod.Post };
var payload = RandomNumberGenerator.GetBytes(200 * 1024);
var sent = new UploadProgress();
var (echo, _) = await session.UploadAsync(uploadRequest.WithHeader("Content-Type", "application/octet-stream"), payload, sent);
Tour.Print($"bytes: {sent.Summary}");
Tour.Print($"server: {Encoding.UTF8.GetString(echo)}");
Tour.Print($"sha256 {SameHash(echo, payload)} the bytes sent");

var uploadFile = Path.Combine(Path.GetTempPath(), $"quicktour-{Environment.ProcessId}.json");
await File.WriteAllTextAsync(uploadFile, $"{{\"hello\":\"from a file\",\"padding\":\"{new string('x', 150 * 1024)}\"}}");
try
{
    // No Content-Type set: the session supplies one from the extension (.json → application/json).
    var fileProgress = new UploadProgress();
    var (fileEcho, _) = await session.UploadAsync(uploadRequest, uploadFile, fileProgress);
    Tour.Print($"file:  {fileProgress.Summary}");
    Tour.Print($"server: {Encoding.UTF8.GetString(fileEcho)}");
    Tour.Print($"sha256 {SameHash(fileEcho, await File.ReadAllBytesAsync(uploadFile))} the file");
}
finally
{
    File.Delete(uploadFile);
}

// 7. Downloads: DownloadAsync streams the body to a file in the session's download folder and hands it
//    over; the caller owns it from then on (move it or delete it).
Tour.Section("Downloads: DownloadAsync, then move the file");
var (location, downloadResponse) = await session.DownloadAsync(server["/download/tour.bin"]);
Tour.Print($"{((HttpUrlResponse)downloadResponse).StatusCode}, {new FileInfo(location).Length} bytes at {location}");
var destination = Path.Combine(Path.GetTempPath(), $"quicktour-{Environment.ProcessId}-{downloadResponse.SuggestedFilename}");
File.Move(location, destination, overwrite: true);
var same = (await File.ReadAllBytesAsync(destination)).AsSpan().SequenceEqual(LoopbackServer.DownloadBody);
Tour.Print($"moved to {destination}: {(same ? "identical to" : "DIFFERENT FROM")} the server's bytes");
File.Delete(destination);

// 8. Errors: one exception type, UrlError, whose codes are NSURLErrorDomain's numbers.
Tour.Section("Errors: connection refused");
var closedPort = ClosedLoopbackPort();
try
{
    await session.DataAsync(new Uri($"http://127.0.0.1:{closedPort}/"));
}
catch (UrlError error)
{
    Tour.Print($"UrlError {error.Code} ({(int)error.Code}), FailingUrl {error.FailingUrl}");
    Tour.Print($"message: {error.Message}");
}

// 9. Cancellation: a CancellationToken for the async forms, Cancel() for tasks. Either way the task
//    completes exactly once, with Cancelled (-999).
Tour.Section("Cancellation");
using (var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200)))
{
    try
    {
        await session.DataAsync(server["/stall"], cancellationToken: cts.Token);
    }
    catch (UrlError error)
    {
        Tour.Print($"DataAsync with a token: {error.Code} ({(int)error.Code})");
    }
}

var stalled = session.CreateDataTask(server["/stall"], (_, _, error) => Tour.Print($"handler: {error?.Code.ToString() ?? "no error"}"));
stalled.Resume();
stalled.Cancel();
stalled.Cancel(); // a second Cancel changes nothing
await stalled.Completion;
Tour.Print($"task.Cancel(): state {stalled.State}, error {stalled.Error?.Code} ({(int?)stalled.Error?.Code})");

// 10. Invalidation: FinishTasksAndInvalidate lets running tasks finish, refuses new ones, then sends
//    DidBecomeInvalid once.
Tour.Section("Invalidation: FinishTasksAndInvalidate + DidBecomeInvalid");
var watcher = new PrintingDelegate();
var finishing = new UrlSession(SessionConfiguration.Ephemeral, watcher) { SessionDescription = "finishing session" };
var lastTask = finishing.CreateDataTask(server["/hello"], (data, _, error) => Tour.Print($"the running task still finished: {data?.Length ?? 0} bytes, error {error?.Code.ToString() ?? "none"}"));
lastTask.Resume();
finishing.FinishTasksAndInvalidate();
try
{
    finishing.CreateDataTask(server["/hello"]);
}
catch (InvalidOperationException ex)
{
    Tour.Print($"new task refused: {ex.Message}");
}

await watcher.Invalidated;

Console.WriteLine();
Console.WriteLine($"Tour finished in {clock.Elapsed.TotalSeconds:0.0} s.");
return 0;

// Whether the SHA-256 the upload endpoint echoed is the hash of what we sent.
static string SameHash(byte[] echo, byte[] sent)
{
    using var reply = JsonDocument.Parse(echo);
    var received = reply.RootElement.GetProperty("sha256").GetString();
    return received == Convert.ToHexStringLower(SHA256.HashData(sent)) ? "matches" : "DIFFERS FROM";
}

// A loopback port nothing listens on: bind one, note its number, close it.
static int ClosedLoopbackPort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    var port = ((IPEndPoint)listener.LocalEndpoint).Port;
    listener.Stop();
    return port;
}
