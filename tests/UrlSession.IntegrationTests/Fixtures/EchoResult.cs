using System.Text.Json;

namespace UrlSessions.IntegrationTests.Fixtures;

/// <summary>What /echo saw of a request.</summary>
public sealed record EchoResult(
    string Method,
    string PathAndQuery,
    string Protocol,
    Dictionary<string, string> Headers,
    int BodyLength,
    string BodySha256,
    string BodyText)
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static EchoResult Parse(byte[] json) => JsonSerializer.Deserialize<EchoResult>(json, Options)
        ?? throw new InvalidOperationException("/echo returned null");

    public string? Header(string name) => Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
}
