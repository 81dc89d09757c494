namespace UrlSessions;

/// <summary>
/// Why a task failed. The numeric values are those of Apple's <c>NSURLErrorDomain</c>, so codes can be
/// compared with, logged next to and documented alongside URLSession's.
/// </summary>
public enum UrlErrorCode
{
    /// <summary>
    /// An error the session could not classify, or a delegate member that threw while its task ran (the message names
    /// the member; the delegate's exception is the inner exception). See the inner exception.
    /// </summary>
    Unknown = -1,
    /// <summary>The task was cancelled.</summary>
    Cancelled = -999,
    /// <summary>A background session needs a shared container that is not configured.</summary>
    BackgroundSessionRequiresSharedContainer = -995,
    /// <summary>Another process already uses the background session's identifier.</summary>
    BackgroundSessionInUseByAnotherProcess = -996,
    /// <summary>The process running the background session went away.</summary>
    BackgroundSessionWasDisconnected = -997,
    /// <summary>The URL is malformed or relative, or a header holds a forbidden character.</summary>
    BadUrl = -1000,
    /// <summary>The request or resource timeout elapsed.</summary>
    TimedOut = -1001,
    /// <summary>The URL's scheme is not one the session can load.</summary>
    UnsupportedUrl = -1002,
    /// <summary>The host name could not be resolved.</summary>
    CannotFindHost = -1003,
    /// <summary>The host refused or did not accept the connection.</summary>
    CannotConnectToHost = -1004,
    /// <summary>The connection was lost while the transfer was in progress.</summary>
    NetworkConnectionLost = -1005,
    /// <summary>The DNS lookup failed.</summary>
    DnsLookupFailed = -1006,
    /// <summary>More redirects than the session follows (16).</summary>
    HttpTooManyRedirects = -1007,
    /// <summary>The resource is unavailable.</summary>
    ResourceUnavailable = -1008,
    /// <summary>No network connection is available.</summary>
    NotConnectedToInternet = -1009,
    /// <summary>A redirect pointed at a location that does not exist.</summary>
    RedirectToNonExistentLocation = -1010,
    /// <summary>The server's response could not be understood (malformed status line or headers, HTTP/0.9).</summary>
    BadServerResponse = -1011,
    /// <summary>The user cancelled an authentication request.</summary>
    UserCancelledAuthentication = -1012,
    /// <summary>Authentication is required to access the resource.</summary>
    UserAuthenticationRequired = -1013,
    /// <summary>The resource has no data.</summary>
    ZeroByteResource = -1014,
    /// <summary>The raw data (for example a resume-data blob) could not be decoded.</summary>
    CannotDecodeRawData = -1015,
    /// <summary>The content encoding (gzip, deflate, br) could not be decoded.</summary>
    CannotDecodeContentData = -1016,
    /// <summary>The response could not be parsed.</summary>
    CannotParseResponse = -1017,
    /// <summary>A request body stream ended early or could not be provided again.</summary>
    RequestBodyStreamExhausted = -1021,
    /// <summary>A secure connection is required by policy.</summary>
    AppTransportSecurityRequiresSecureConnection = -1022,
    /// <summary>A file named by the request does not exist.</summary>
    FileDoesNotExist = -1100,
    /// <summary>A path names a directory where a file was expected.</summary>
    FileIsDirectory = -1101,
    /// <summary>A file could not be read for lack of permissions.</summary>
    NoPermissionsToReadFile = -1102,
    /// <summary>The data is longer than the maximum allowed.</summary>
    DataLengthExceedsMaximum = -1103,
    /// <summary>The TLS handshake failed.</summary>
    SecureConnectionFailed = -1200,
    /// <summary>The server certificate has expired.</summary>
    ServerCertificateHasBadDate = -1201,
    /// <summary>The server certificate is not trusted.</summary>
    ServerCertificateUntrusted = -1202,
    /// <summary>The server certificate chains to an unknown root.</summary>
    ServerCertificateHasUnknownRoot = -1203,
    /// <summary>The server certificate is not yet valid.</summary>
    ServerCertificateNotYetValid = -1204,
    /// <summary>The server rejected the client certificate.</summary>
    ClientCertificateRejected = -1205,
    /// <summary>The server requires a client certificate.</summary>
    ClientCertificateRequired = -1206,
    /// <summary>The request may only be served from the cache and no cached response exists.</summary>
    CannotLoadFromNetwork = -2000,
    /// <summary>A download file could not be created.</summary>
    CannotCreateFile = -3000,
    /// <summary>A download file could not be opened.</summary>
    CannotOpenFile = -3001,
    /// <summary>A download file could not be closed.</summary>
    CannotCloseFile = -3002,
    /// <summary>A download file could not be written.</summary>
    CannotWriteToFile = -3003,
    /// <summary>A download file could not be removed.</summary>
    CannotRemoveFile = -3004,
    /// <summary>A download file could not be moved.</summary>
    CannotMoveFile = -3005,
    /// <summary>A download's content encoding failed mid-stream.</summary>
    DownloadDecodingFailedMidStream = -3006,
    /// <summary>A download's content encoding failed to complete.</summary>
    DownloadDecodingFailedToComplete = -3007,
}
