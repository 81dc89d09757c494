using UrlSessions;

// Exercises the packed library end to end without a network: a relative URL fails with BadUrl.
await using var session = new UrlSession(SessionConfiguration.Ephemeral);
try
{
    await session.DataAsync(new Uri("relative/path", UriKind.Relative));
    Console.WriteLine("package consumer: expected BadUrl");
    return 1;
}
catch (UrlError error) when (error.Code == UrlErrorCode.BadUrl)
{
    Console.WriteLine($"package consumer: ok ({error.Code})");
    return 0;
}
