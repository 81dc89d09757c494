namespace UrlSessions;

/// <summary>Wraps an exception a delegate threw, so the task can name the event in its error.</summary>
internal sealed class DelegateFailureException(string member, Exception inner)
    : Exception($"The delegate's {member} threw {inner.GetType().Name}: {inner.Message}", inner)
{
    public string Member { get; } = member;
}
