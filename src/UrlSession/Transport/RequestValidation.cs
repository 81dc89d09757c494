namespace UrlSessions;

/// <summary>Checks a request before anything goes on the wire: absolute http(s) URL, well-formed headers.</summary>
internal static class RequestValidation
{
    public static UrlRequest Validate(UrlRequest request)
    {
        var url = request.Url;
        if (!url.IsAbsoluteUri)
        {
            throw new UrlError(UrlErrorCode.BadUrl, $"The URL '{UrlText.Safe(url)}' is relative; a task needs an absolute http or https URL.", url);
        }

        if (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
        {
            throw new UrlError(UrlErrorCode.UnsupportedUrl, $"The URL {UrlText.Safe(url)} has the scheme '{url.Scheme}'; the session loads only http and https.", url);
        }

        if (url.IdnHost.Length == 0)
        {
            throw new UrlError(UrlErrorCode.BadUrl, $"The URL {UrlText.Safe(url)} has no host.", url);
        }

        foreach (var (name, value) in request.Headers.Fields)
        {
            if (HeaderValidation.FindProblem(name, value) is { } problem)
            {
                throw new UrlError(UrlErrorCode.BadUrl, $"The request to {UrlText.Safe(url)} was not sent: {problem}.", url);
            }
        }

        if (request.Body is FileRequestBody file)
        {
            if (Directory.Exists(file.FilePath))
            {
                throw new UrlError(UrlErrorCode.FileIsDirectory, $"The body file '{file.FilePath}' for {UrlText.Safe(url)} is a directory.", url);
            }

            if (!File.Exists(file.FilePath))
            {
                throw new UrlError(UrlErrorCode.FileDoesNotExist, $"The body file '{file.FilePath}' for {UrlText.Safe(url)} does not exist.", url);
            }
        }

        return request;
    }
}
