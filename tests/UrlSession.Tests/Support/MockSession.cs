using RichardSzalay.MockHttp;

namespace UrlSessions.Tests.Support;

/// <summary>
/// The old name of <see cref="TestSessions.Mock(HttpMessageHandler, ISessionDelegate?, TimeProvider?, Action{SessionConfiguration}?)"/>,
/// kept while tests under Engine/ (edited elsewhere) still call it; new tests use <see cref="TestSessions"/>.
/// </summary>
internal static class MockSession
{
    public static SessionConfiguration Configuration(MockHttpMessageHandler mock, TimeProvider? time = null) => TestSessions.Configuration(mock, time);

    public static UrlSession Create(MockHttpMessageHandler mock, ISessionDelegate? sessionDelegate = null, TimeProvider? time = null) =>
        TestSessions.Mock(mock, sessionDelegate, time);
}
