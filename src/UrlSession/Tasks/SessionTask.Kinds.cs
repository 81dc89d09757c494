using System.Runtime.CompilerServices;

namespace UrlSessions;

// What a task kind supplies to the engine (its hooks, overridden by DataTask, DownloadTask, StreamTask) and the small
// part of its runner that the kinds' body handling uses. Nothing here holds state: that is the runner's.
public abstract partial class SessionTask
{
    /// <summary>Delegate events this task does not deliver (completion-handler tasks skip response and data events).</summary>
    private protected virtual DelegateMember SuppressedEvents => DelegateMember.None;

    /// <summary>Events only the task's own delegate receives (the async forms deliver the body to the caller instead).</summary>
    private protected virtual DelegateMember OwnDelegateOnlyEvents => DelegateMember.None;

    /// <summary>Whether <see cref="Progress"/> follows the request body (upload tasks) rather than the response body.</summary>
    private protected virtual bool MeasuresUpload => false;

    /// <summary>Whether the task handed its response to another task (BecomeDownload) and so reports no completion.</summary>
    private protected virtual bool HandedOver => false;

    internal DelegateMember SuppressedEventsOfKind => SuppressedEvents;

    internal DelegateMember OwnDelegateOnlyEventsOfKind => OwnDelegateOnlyEvents;

    internal bool IsHandedOver => HandedOver;

    internal CancellationTokenSource Cancellation => Runner.CancellationSource;

    internal ref ResumeGate Gate => ref Runner.Gate;

    internal UrlError? StopReason => Runner.StopReason;

    /// <summary>The engine's view of the state (whether the task ever started, in particular).</summary>
    internal TaskState EngineState => Runner.State;

    internal bool IsListed => Runner.IsListed;

    /// <summary>The task kind's part: consume the final response's body (the caller disposes the message).</summary>
    private protected abstract Task ReceiveBodyAsync(HttpResponseMessage message, HttpUrlResponse response);

    /// <summary>The idle (request) timeout of a task that takes over another's response; a stream task's reads carry their own.</summary>
    private protected virtual TimeSpan AdoptedIdleTimeout(UrlRequest request) => request.TimeoutInterval ?? Session.Settings.TimeoutIntervalForRequest;

    /// <summary>The request to send first, validated; a task kind may derive it (a download from resume data).</summary>
    private protected virtual UrlRequest PrepareRequest() => RequestValidation.Validate(OriginalRequest!);

    /// <summary>The task failed: the task kind may clean up or enrich the error (a download attaches resume data).</summary>
    private protected virtual UrlError OnFailed(UrlError error) => error;

    /// <summary>Posts the task kind's completion handler, if any, on the delegate queue.</summary>
    private protected virtual Task PostCompletionHandler(UrlError? error) => Task.CompletedTask;

    /// <summary>Called once the task completed, before <see cref="Completion"/> completes.</summary>
    private protected virtual void OnCompleted(UrlError? error)
    {
    }

    internal Task ReceiveBody(HttpResponseMessage message, HttpUrlResponse response) => ReceiveBodyAsync(message, response);

    internal TimeSpan AdoptedIdleTimeoutFor(UrlRequest request) => AdoptedIdleTimeout(request);

    internal UrlRequest PrepareFirstRequest() => PrepareRequest();

    internal UrlError Failed(UrlError error) => OnFailed(error);

    internal Task PostCompletion(UrlError? error) => PostCompletionHandler(error);

    internal void Completed(UrlError? error) => OnCompleted(error);

    internal ValueTask ResumeInlineAsync() => Runner.ResumeInlineAsync();

    internal void MarkAdoptedRunning() => Runner.MarkAdoptedRunning();

    /// <summary>Cancels the task if it is suspended, never resumed or paused (session disposal: nothing else would end it).</summary>
    internal void CancelIfSuspended() => Runner.Stop(null, TaskMove.StopIfSuspended);

    internal bool Stop(UrlError? reason) => Runner.Stop(reason);

    internal T? DelegateFor<T>(DelegateMember member)
        where T : class, ISessionDelegate => Runner.DelegateFor<T>(member);

    internal Task<T> AskDelegateAsync<T>(string member, Func<ValueTask<T>> decision) => Runner.AskDelegateAsync(member, decision);

    internal void OnBodyBytesReceived(int count) => Runner.OnBodyBytesReceived(count);

    internal void HoldIdleTimeout() => Runner.HoldIdleTimeout();

    internal void ReleaseIdleTimeout() => Runner.ReleaseIdleTimeout();

    internal void SetResponse(UrlResponse response) => Runner.SetResponse(response);

    internal void SetExpectedToReceive(long count) => Runner.SetExpectedToReceive(count);

    internal void AddBytesReceived(long count) => Runner.AddBytesReceived(count);

    internal void AddBytesSent(long count) => Runner.AddBytesSent(count);

    internal void OnTimedOut(TimeoutKind kind, TaskTimeouts timeouts) => Runner.OnTimedOut(kind, timeouts);

    private protected void StopTimeouts() => Runner.StopTimeouts();

    private protected ValueTask<HttpResponseMessage> SendFollowingRedirectsAsync(UrlRequest request) => Runner.SendAsync(request);

    internal Task RunAdoptedAsync(HttpResponseMessage message, HttpUrlResponse response, UrlRequest request, SessionTask handedOverBy) =>
        Runner.RunAdoptedAsync(message, response, request, handedOverBy.Runner);
}
