using Microsoft.Extensions.Time.Testing;

namespace UrlSessions.Tests.Support;

/// <summary>A fake clock that tells when someone starts a timer with a finite due time (Task.Delay, say).</summary>
internal sealed class SignalingTimeProvider : FakeTimeProvider
{
    private readonly TaskCompletionSource<TimeSpan> _timerStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public SignalingTimeProvider()
        : base(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    /// <summary>Completes with the due time of the first timer created with a finite due time.</summary>
    public Task<TimeSpan> FirstFiniteTimer => _timerStarted.Task.WaitAsync(TimeSpan.FromSeconds(30));

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            _timerStarted.TrySetResult(dueTime);
        }

        return timer;
    }
}
