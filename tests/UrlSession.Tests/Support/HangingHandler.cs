namespace UrlSessions.Tests.Support;

/// <summary>A handler that never answers: it signals when a request arrived and waits until the request is cancelled.</summary>
internal sealed class HangingHandler : HttpMessageHandler
{
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _cancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Entered => _entered.Task.WaitAsync(TimeSpan.FromSeconds(30));

    public Task Cancelled => _cancelled.Task.WaitAsync(TimeSpan.FromSeconds(30));

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var hang = new TaskCompletionSource<HttpResponseMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = cancellationToken.Register(() =>
        {
            _cancelled.TrySetResult();
            hang.TrySetCanceled(cancellationToken);
        });
        _entered.TrySetResult();
        return await hang.Task;
    }
}
