namespace UrlSessions;

/// <summary>Timings of a whole task: when it ran, how many redirects it followed, and each request/response exchange.</summary>
/// <param name="TaskStart">When the task started running.</param>
/// <param name="TaskDuration">How long it ran until completion.</param>
/// <param name="RedirectCount">How many redirects it followed.</param>
/// <param name="Transactions">One entry per request sent, in order.</param>
public sealed record TaskMetrics(DateTimeOffset TaskStart, TimeSpan TaskDuration, int RedirectCount, IReadOnlyList<TransactionMetrics> Transactions);
