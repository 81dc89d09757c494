namespace UrlSessions.Tests.Requests;

public sealed class HeaderListTests
{
    [Fact]
    public void Names_are_case_insensitive()
    {
        var headers = HeaderList.Empty.Add("Content-Type", "text/plain");

        headers["content-type"].Should().Be("text/plain");
        headers.Contains("CONTENT-TYPE").Should().BeTrue();
        headers.GetValues("Content-type").Should().Equal("text/plain");
    }

    [Fact]
    public void Indexer_joins_repeated_values_with_comma_space()
    {
        var headers = HeaderList.Empty.Add("Accept", "a").Add("X-Other", "o").Add("accept", "b");

        headers["Accept"].Should().Be("a, b");
        headers.GetValues("ACCEPT").Should().Equal("a", "b");
        headers.Count.Should().Be(3);
    }

    [Fact]
    public void Missing_name_gives_null_and_no_values()
    {
        HeaderList.Empty["X-None"].Should().BeNull();
        HeaderList.Empty.GetValues("X-None").Should().BeEmpty();
        HeaderList.Empty.Contains("X-None").Should().BeFalse();
    }

    [Fact]
    public void Enumeration_keeps_insertion_order()
    {
        var headers = HeaderList.Empty.Add("B", "1").Add("A", "2").Add("C", "3").Add("a", "4");

        headers.Select(h => h.Key).Should().Equal("B", "A", "C", "a");
        headers.Select(h => h.Value).Should().Equal("1", "2", "3", "4");
    }

    [Fact]
    public void With_replaces_every_field_of_the_name_at_the_first_place()
    {
        var headers = HeaderList.Empty.Add("A", "1").Add("X", "x1").Add("B", "2").Add("x", "x2");

        var replaced = headers.With("X", "new");

        replaced.Select(h => $"{h.Key}={h.Value}").Should().Equal("A=1", "X=new", "B=2");
        headers.Count.Should().Be(4, "a header list is immutable");
    }

    [Fact]
    public void With_appends_when_the_name_is_new()
    {
        var headers = HeaderList.Empty.Add("A", "1").With("B", "2");

        headers.Select(h => h.Key).Should().Equal("A", "B");
    }

    [Fact]
    public void Add_appends_and_leaves_the_original_unchanged()
    {
        var original = HeaderList.Empty.Add("A", "1");

        var added = original.Add("a", "2");

        added.GetValues("A").Should().Equal("1", "2");
        original.GetValues("A").Should().Equal("1");
        HeaderList.Empty.Count.Should().Be(0);
    }

    [Fact]
    public void Without_removes_every_field_of_the_name_case_insensitively()
    {
        var headers = HeaderList.Empty.Add("A", "1").Add("Cookie", "c1").Add("B", "2").Add("COOKIE", "c2");

        var without = headers.Without("cookie");

        without.Select(h => h.Key).Should().Equal("A", "B");
        headers.Count.Should().Be(4);
        headers.Without("X-None").Should().BeSameAs(headers);
    }

    [Fact]
    public void Empty_names_are_rejected()
    {
        var add = () => HeaderList.Empty.Add("", "v");
        var with = () => HeaderList.Empty.With("", "v");
        var nullValue = () => HeaderList.Empty.Add("A", null!);

        add.Should().Throw<ArgumentException>();
        with.Should().Throw<ArgumentException>();
        nullValue.Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void From_keeps_order_and_repeats()
    {
        var headers = HeaderList.From([new("Set-Cookie", "a=1"), new("Date", "d"), new("set-cookie", "b=2")]);

        headers.GetValues("Set-Cookie").Should().Equal("a=1", "b=2");
        headers.Select(h => h.Key).Should().Equal("Set-Cookie", "Date", "set-cookie");
    }

    [Fact]
    public void ToString_names_fields_without_values()
    {
        var headers = HeaderList.Empty.Add("Authorization", "Bearer secret");

        headers.ToString().Should().Contain("Authorization").And.NotContain("secret");
    }
}
