namespace UrlSessions.Tests.Configuration;

public sealed class SessionConfigurationFactoryTests
{
    [Fact]
    public void Default_returns_a_new_object_on_every_get()
    {
        var first = SessionConfiguration.Default;
        var second = SessionConfiguration.Default;

        first.Should().NotBeSameAs(second);
        first.TimeoutIntervalForRequest = TimeSpan.FromSeconds(5);
        first.HttpAdditionalHeaders["X-A"] = "1";
        second.TimeoutIntervalForRequest.Should().Be(TimeSpan.FromSeconds(60));
        second.HttpAdditionalHeaders.Should().BeEmpty();
        SessionConfiguration.Default.TimeoutIntervalForRequest.Should().Be(TimeSpan.FromSeconds(60));
    }

    [Fact]
    public void Ephemeral_returns_a_new_object_with_its_own_stores_on_every_get()
    {
        var first = SessionConfiguration.Ephemeral;
        var second = SessionConfiguration.Ephemeral;

        first.Should().NotBeSameAs(second);
        first.Kind.Should().Be(SessionKind.Ephemeral);
        first.HttpCookieStorage.Should().NotBeNull().And.NotBeSameAs(second.HttpCookieStorage);
        first.UrlCache.Should().NotBeNull().And.NotBeSameAs(second.UrlCache);
        first.UrlCredentialStorage.Should().NotBeNull().And.NotBeSameAs(second.UrlCredentialStorage);
    }

    [Fact]
    public void Default_has_the_documented_values()
    {
        var configuration = SessionConfiguration.Default;

        configuration.Kind.Should().Be(SessionKind.Default);
        configuration.Identifier.Should().BeNull();
        configuration.TimeoutIntervalForRequest.Should().Be(TimeSpan.FromSeconds(60));
        configuration.TimeoutIntervalForResource.Should().Be(TimeSpan.FromDays(7));
        configuration.AllowsInsecureRedirects.Should().BeFalse();
        configuration.TimeProvider.Should().BeSameAs(TimeProvider.System);
        configuration.HttpMessageHandlerFactory.Should().BeNull();
    }

    [Fact]
    public void Background_keeps_its_identifier()
    {
        var configuration = SessionConfiguration.Background("com.example.sync");

        configuration.Kind.Should().Be(SessionKind.Background);
        configuration.Identifier.Should().Be("com.example.sync");
        SessionConfiguration.Background("com.example.sync").Should().NotBeSameAs(configuration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Background_rejects_an_empty_identifier(string identifier)
    {
        var create = () => SessionConfiguration.Background(identifier);

        create.Should().Throw<ArgumentException>().Which.ParamName.Should().Be("identifier");
    }

    [Fact]
    public void Background_rejects_a_null_identifier()
    {
        var create = () => SessionConfiguration.Background(null!);

        create.Should().Throw<ArgumentNullException>().Which.ParamName.Should().Be("identifier");
    }
}
