namespace UrlSessions.Tests.Requests;

public sealed class HttpUrlResponseTests
{
    private static HttpUrlResponse Response(string url = "http://example.test/files/data.json", params (string Name, string Value)[] headers) =>
        new(new Uri(url), 200, new Version(1, 1), HeaderList.From(headers.Select(h => new KeyValuePair<string, string>(h.Name, h.Value))));

    private static string Suggested(string contentDisposition) =>
        Response("http://example.test/download", ("Content-Disposition", contentDisposition)).SuggestedFilename;

    [Fact]
    public void MimeType_and_TextEncodingName_come_from_Content_Type()
    {
        var response = Response(headers: ("content-type", "text/html; charset=\"ISO-8859-1\""));

        response.MimeType.Should().Be("text/html");
        response.TextEncodingName.Should().Be("ISO-8859-1");
    }

    [Theory]
    [InlineData("text/html; charset=utf-8;", "text/html", "utf-8")]
    [InlineData("application/json;", "application/json", null)]
    [InlineData("text/plain;;charset=\"UTF-8\"", "text/plain", "UTF-8")]
    [InlineData("text/html; charset=", "text/html", null)]
    [InlineData("text/csv; header; charset=iso-8859-1", "text/csv", "iso-8859-1")]
    public void A_Content_Type_with_a_stray_or_empty_parameter_still_gives_MimeType_and_TextEncodingName(string contentType, string mimeType, string? encoding)
    {
        // Servers do send these (a trailing ';' is common); browsers and URLSession still read the type and charset.
        var response = Response(headers: ("Content-Type", contentType));

        response.MimeType.Should().Be(mimeType);
        response.TextEncodingName.Should().Be(encoding);
    }

    [Theory]
    [InlineData("html")]
    [InlineData("text/")]
    [InlineData("/html")]
    [InlineData("text html/plain;")]
    public void A_Content_Type_without_a_type_and_subtype_gives_no_MimeType(string contentType)
    {
        Response(headers: ("Content-Type", contentType)).MimeType.Should().BeNull();
    }

    [Fact]
    public void Without_Content_Type_MimeType_and_encoding_are_null()
    {
        var response = Response();

        response.MimeType.Should().BeNull();
        response.TextEncodingName.Should().BeNull();
    }

    [Theory]
    [InlineData("1234", 1234)]
    [InlineData("0", 0)]
    [InlineData("abc", -1)]
    [InlineData("-5", -1)]
    public void ExpectedContentLength_comes_from_Content_Length(string header, long expected)
    {
        Response(headers: ("Content-Length", header)).ExpectedContentLength.Should().Be(expected);
    }

    [Fact]
    public void ExpectedContentLength_is_minus_one_without_Content_Length()
    {
        Response().ExpectedContentLength.Should().Be(-1);
    }

    [Fact]
    public void Headers_are_case_insensitive()
    {
        var response = Response(headers: ("ETag", "\"v1\""));

        response.Headers["etag"].Should().Be("\"v1\"");
    }

    [Fact]
    public void SuggestedFilename_comes_from_Content_Disposition_filename()
    {
        Suggested("attachment; filename=\"report.pdf\"").Should().Be("report.pdf");
    }

    [Fact]
    public void SuggestedFilename_prefers_filename_star()
    {
        Suggested("attachment; filename=\"fallback.txt\"; filename*=UTF-8''na%C3%AFve%20file.txt").Should().Be("naïve file.txt");
    }

    [Theory]
    [InlineData("attachment; filename*=UTF-8''invoice%E2%80%AEgpj.exe", "invoicegpj.exe")]
    [InlineData("attachment; filename*=UTF-8''a%E2%81%A6b%E2%81%A9%E2%80%8Fc.txt", "abc.txt")]
    public void SuggestedFilename_drops_direction_controls_that_disguise_an_extension(string header, string expected)
    {
        Suggested(header).Should().Be(expected);
    }

    [Theory]
    [InlineData("attachment; filename=\"../../etc/passwd\"", "passwd")]
    [InlineData("attachment; filename=\"..\\\\..\\\\windows\\\\win.ini\"", "win.ini")]
    [InlineData("attachment; filename*=UTF-8''..%2F..%2Fsecret.txt", "secret.txt")]
    [InlineData("attachment; filename=\"..\"", "Unknown")]
    [InlineData("attachment; filename=\".hidden\"", "hidden")]
    public void SuggestedFilename_strips_path_components(string header, string expected)
    {
        Suggested(header).Should().Be(expected);
    }

    [Theory]
    [InlineData("CON.txt", "_CON.txt")]
    [InlineData("nul", "_nul")]
    [InlineData("lpt1.tar.gz", "_lpt1.tar.gz")]
    [InlineData("console.txt", "console.txt")]
    public void SuggestedFilename_prefixes_reserved_device_names(string name, string expected)
    {
        Suggested($"attachment; filename=\"{name}\"").Should().Be(expected);
    }

    [Fact]
    public void SuggestedFilename_drops_control_characters()
    {
        Suggested("attachment; filename*=UTF-8''a%01b%0D%0Ac%7F.txt").Should().Be("abc.txt");
    }

    [Fact]
    public void SuggestedFilename_falls_back_to_the_last_path_segment()
    {
        Response("http://example.test/files/data%20set.json?x=1").SuggestedFilename.Should().Be("data set.json");
    }

    [Fact]
    public void SuggestedFilename_is_Unknown_without_a_name()
    {
        Response("http://example.test/").SuggestedFilename.Should().Be("Unknown");
    }

    [Theory]
    [InlineData(200, "no error")]
    [InlineData(404, "not found")]
    [InlineData(500, "internal server error")]
    [InlineData(299, "success")]
    [InlineData(399, "redirected")]
    [InlineData(499, "client error")]
    [InlineData(599, "server error")]
    [InlineData(199, "informational")]
    public void LocalizedStringForStatusCode_gives_a_phrase(int status, string phrase)
    {
        HttpUrlResponse.LocalizedStringForStatusCode(status).Should().Be(phrase);
    }

    [Theory]
    [InlineData(99)]
    [InlineData(1000)]
    public void The_status_code_must_have_three_digits(int status)
    {
        var create = () => new HttpUrlResponse(new Uri("http://example.test/"), status, new Version(1, 1), HeaderList.Empty);

        create.Should().Throw<ArgumentOutOfRangeException>();
    }
}
