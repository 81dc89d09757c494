namespace UrlSessions.Tests.Requests;

public sealed class UrlRequestTests
{
    private static readonly Uri Url = new("http://example.test/a");

    [Fact]
    public void A_new_request_is_a_GET_with_defaults()
    {
        var request = new UrlRequest(Url);

        request.Url.Should().Be(Url);
        request.Method.Should().Be(HttpMethod.Get);
        request.Headers.Count.Should().Be(0);
        request.Body.Should().BeNull();
        request.CachePolicy.Should().BeNull();
        request.TimeoutInterval.Should().BeNull();
        request.HttpShouldHandleCookies.Should().BeTrue();
    }

    [Fact]
    public void Implicit_conversion_from_Uri_creates_a_GET()
    {
        UrlRequest request = Url;

        request.Url.Should().BeSameAs(Url);
        request.Method.Should().Be(HttpMethod.Get);
    }

    [Fact]
    public void With_expressions_change_the_copy_only()
    {
        var original = new UrlRequest(Url);

        var changed = original with { Method = HttpMethod.Post, Body = RequestBody.FromBytes(new byte[] { 1, 2 }), TimeoutInterval = TimeSpan.FromSeconds(5) };

        changed.Method.Should().Be(HttpMethod.Post);
        changed.Body!.Length.Should().Be(2);
        changed.TimeoutInterval.Should().Be(TimeSpan.FromSeconds(5));
        original.Method.Should().Be(HttpMethod.Get);
        original.Body.Should().BeNull();
        original.TimeoutInterval.Should().BeNull();
    }

    [Fact]
    public void Requests_with_the_same_values_are_equal()
    {
        var a = new UrlRequest(Url) { Method = HttpMethod.Put };
        var b = new UrlRequest(new Uri("http://example.test/a")) { Method = HttpMethod.Put };

        a.Should().Be(b);
        (a with { Method = HttpMethod.Get }).Should().NotBe(b);
    }

    [Fact]
    public void WithHeader_replaces_the_header_and_leaves_the_original()
    {
        var original = new UrlRequest(Url).WithHeader("Accept", "text/html");

        var changed = original.WithHeader("accept", "application/json");

        changed.Headers["Accept"].Should().Be("application/json");
        changed.Headers.Count.Should().Be(1);
        original.Headers["Accept"].Should().Be("text/html");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void TimeoutInterval_must_be_positive(int seconds)
    {
        var create = () => new UrlRequest(Url) { TimeoutInterval = TimeSpan.FromSeconds(seconds) };

        create.Should().Throw<ArgumentOutOfRangeException>().WithMessage("A timeout must be positive*");
    }

    [Fact]
    public void TimeoutInterval_accepts_infinite_and_null()
    {
        new UrlRequest(Url) { TimeoutInterval = Timeout.InfiniteTimeSpan }.TimeoutInterval.Should().Be(Timeout.InfiniteTimeSpan);
        new UrlRequest(Url) { TimeoutInterval = null }.TimeoutInterval.Should().BeNull();
    }

    [Fact]
    public void Null_url_method_or_headers_are_rejected()
    {
        var nullUrl = () => new UrlRequest(null!);
        var nullInitUrl = () => new UrlRequest(Url) { Url = null! };
        var nullMethod = () => new UrlRequest(Url) { Method = null! };
        var nullHeaders = () => new UrlRequest(Url) { Headers = null! };

        nullUrl.Should().Throw<ArgumentNullException>();
        nullInitUrl.Should().Throw<ArgumentNullException>();
        nullMethod.Should().Throw<ArgumentNullException>();
        nullHeaders.Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void A_relative_url_is_accepted_by_the_constructor()
    {
        var create = () => new UrlRequest(new Uri("/relative", UriKind.Relative));

        create.Should().NotThrow("a relative URL fails the task, not the request's construction");
    }

    [Fact]
    public void ToString_leaves_out_the_urls_user_info()
    {
        // Requests reach logs (directly, or inside TransactionMetrics): like HeaderList, they must not print secrets.
        var request = new UrlRequest(new Uri("http://user:hunter2@example.test/a?b=1")).WithHeader("Authorization", "Bearer s3cret");

        var text = request.ToString();

        text.Should().Contain("http://example.test/a?b=1").And.NotContain("hunter2").And.NotContain("user:").And.NotContain("s3cret");
    }

    [Fact]
    public void Requests_with_equal_headers_are_equal()
    {
        var a = new UrlRequest(Url).WithHeader("Accept", "text/plain").WithHeader("X-Id", "1");
        var b = new UrlRequest(Url).WithHeader("Accept", "text/plain").WithHeader("X-Id", "1");

        a.Should().Be(b);
        a.GetHashCode().Should().Be(b.GetHashCode());
        a.WithHeader("X-Id", "2").Should().NotBe(b);
        a.Headers.Add("X-Id", "1").Should().NotBeSameAs(a.Headers);
        (a with { Headers = a.Headers.Add("X-Id", "1") }).Should().NotBe(b, "a repeated field is a different request");
    }
}
