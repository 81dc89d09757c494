namespace UrlSessions;

/// <summary>
/// Nothing goes on the wire for a request that is not absolute http(s) with a host and well-formed headers, or whose
/// body file is missing: the first hop and every redirect target or replacement request pass here.
/// </summary>
internal sealed class ValidationStage : ExchangeStage
{
    public override ValueTask<HttpResponseMessage> SendAsync(ExchangeContext context)
    {
        context.Request = RequestValidation.Validate(context.Request);
        return Next.SendAsync(context);
    }
}
